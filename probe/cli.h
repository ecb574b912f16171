/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Subcommands of the mskprobe CLI. main.c only dispatches; each subcommand
 * parses its own options (getopt_long), runs, and returns an exit code from
 * the contract below. Diagnostics go to stderr, results to stdout/files.
 */
#ifndef MP_CLI_H
#define MP_CLI_H

/* Exit codes: a documented contract kept by every subcommand (README). */
enum mp_exit {
	MP_EXIT_PASS = 0,	/* every check passed */
	MP_EXIT_FINDING = 1,	/* at least one finding */
	MP_EXIT_USAGE = 2,	/* bad usage or bad input */
	MP_EXIT_UNVERIFIED = 3, /* some target could not be verified, and no finding */
};

struct mp_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
};

int mp_cmd_scan(int argc, char **argv);	   /* probe/cli_scan.c */
int mp_cmd_demo(int argc, char **argv);	   /* probe/lab.c */
int mp_cmd_capture(int argc, char **argv); /* capture/cap_cli.c */
int mp_cmd_report(int argc, char **argv);  /* reports/cmd_report.c */
int mp_cmd_diff(int argc, char **argv);	   /* reports/cmd_diff.c */
int mp_cmd_trend(int argc, char **argv);   /* reports/cmd_trend.c */
int mp_cmd_verify(int argc, char **argv);  /* reports/cmd_verify.c */

/* Registry, defined in main.c. */
extern const struct mp_cmd mp_cmds[];

#endif
