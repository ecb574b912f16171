/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Subcommands of the mskprobe CLI. main.c only dispatches; each subcommand
 * parses its own options (getopt_long), runs, and returns an exit code from
 * the contract below. Diagnostics go to stderr, results to stdout/files.
 */
#ifndef MP_CLI_H
#define MP_CLI_H

#include <stdio.h>

#include "mp_exit.h"

struct mp_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
};

int mp_cmd_scan(int argc, char **argv);	   /* cmd/cli_scan.c */
int mp_cmd_demo(int argc, char **argv);	   /* cmd/lab.c */
int mp_cmd_capture(int argc, char **argv); /* cmd/cap_cli.c */
int mp_cmd_report(int argc, char **argv);  /* cmd/cmd_report.c */
int mp_cmd_diff(int argc, char **argv);	   /* cmd/cmd_diff.c */
int mp_cmd_trend(int argc, char **argv);   /* cmd/cmd_trend.c */
int mp_cmd_verify(int argc, char **argv);  /* cmd/cmd_verify.c */

/* Registry, defined in main.c. */
extern const struct mp_cmd mp_cmds[];

/* The options of the report-reading subcommands (cmd/cmd_opts.c): --format
 * (one format the registry renders `kind` in, enum rep_doc of report.h),
 * --output, --help. Returns 0 to go on, -1 after printing the help, or an
 * exit code. */
int rep_cmd_opts(int argc, char **argv, const char *cmd, int kind, void (*usage)(FILE *f),
		 const char **format, const char **output);

#endif
