/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The option parser shared by the report-reading subcommands (diff, trend):
 * --format (checked against the list the subcommand renders), --output,
 * --help. One precise error line naming the bad option.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int rep_cmd_opts(int argc, char **argv, const char *cmd, const char *const *formats,
		 void (*usage)(FILE *f), const char **format, const char **output)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      { "output", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f') {
			bool ok = false;
			for (size_t i = 0; formats[i] && !ok; i++)
				ok = strcmp(optarg, formats[i]) == 0;
			if (!ok) {
				fprintf(stderr, "mskprobe %s: --format '%s': want", cmd, optarg);
				for (size_t i = 0; formats[i]; i++)
					fprintf(stderr, "%s%s",
						i ? (formats[i + 1] ? ", " : " or ") : " ",
						formats[i]);
				fprintf(stderr, "\n");
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
