/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli.h"

int mp_cmd_capture(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mskprobe capture: not built yet\n");
	return MP_EXIT_USAGE;
}
