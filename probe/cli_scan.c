#include "cli.h"
int mp_cmd_scan(int argc, char **argv) { (void)argc; (void)argv; return MP_EXIT_USAGE; }
int mp_cmd_demo(int argc, char **argv) { (void)argc; (void)argv; return MP_EXIT_USAGE; }
