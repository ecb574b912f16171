/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The option parser shared by the report-reading subcommands (diff, trend):
 * --format (checked by the format registry for the kind of document the
 * subcommand writes, with the registry's one error message), --output,
 * --help. One precise error line naming the bad option.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"

int rep_cmd_opts(int argc, char **argv, const char *cmd, int kind, void (*usage)(FILE *f),
		 const char **format, const char **output)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      { "output", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	char err[256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f') {
			if (rep_format_check((enum rep_doc)kind, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "mskprobe %s: %s\n", cmd, err);
				return MP_EXIT_USAGE;
			}
			*format = optarg;
		} else if (c == 'o') {
			*output = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return -1;
		} else {
			fprintf(stderr, "mskprobe %s: see 'mskprobe %s --help'\n", cmd, cmd);
			return MP_EXIT_USAGE;
		}
	}
	return 0;
}
