/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `mskprobe diff BEFORE.json AFTER.json [--format F]`: what an
 * upgrade changed, per cluster. Exit 0 when AFTER is at least as good as
 * BEFORE on every cluster and every cluster is compliant, 1 otherwise,
 * 2 on bad input.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "js.h"
#include "report.h"
#include "util.h"

static void usage(FILE *f)
{
	char names[REP_FORMAT_NAMES_MAX];
	fprintf(f,
		"usage: mskprobe diff BEFORE.json AFTER.json [--format F] [--output FILE]\n\n"
		"  --format F     %s (default text)\n"
		"  --output FILE  write there atomically, mode 0600 (default stdout)\n\n"
		"Compares two reports per cluster (matched by ARN, else name): version, mode,\n"
		"verdict, ZooKeeper TLS, listeners, certificates, capture classes, declared\n"
		"version, findings opened and closed.\n\n"
		"exit codes: 0 nothing regressed and every cluster of AFTER is compliant,\n"
		"            1 something regressed or is still non-compliant, 2 bad usage or "
		"input\n",
		rep_format_names(REP_DOC_DIFF, names, sizeof(names)));
}

int mp_cmd_diff(int argc, char **argv)
{
	const char *format = "text", *output = "-";
	cJSON *a = NULL, *b = NULL, *d = NULL;
	char *text = NULL, err[1024] = "";
	int c, rc = MP_EXIT_USAGE;

	c = rep_cmd_opts(argc, argv, "diff", REP_DOC_DIFF, usage, &format, &output);
	if (c)
		return c < 0 ? MP_EXIT_PASS : c;
	if (optind != argc - 2) {
		fprintf(stderr, "mskprobe diff: want BEFORE.json and AFTER.json (see --help)\n");
		return MP_EXIT_USAGE;
	}
	if (rep_report_load(argv[optind], &a, err, sizeof(err)) < 0 ||
	    rep_report_load(argv[optind + 1], &b, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe diff: %s\n", err);
		goto out;
	}
	if (rep_diff(a, b, &d) < 0 ||
	    rep_render_doc(REP_DOC_DIFF, format, d, NULL, &text, NULL, err, sizeof(err)) < 0 ||
	    rep_write_file(output, text, strlen(text), err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe diff: %s\n", err[0] ? err : "out of memory");
		goto out;
	}
	rc = js_true(d, "pass") ? MP_EXIT_PASS : MP_EXIT_FINDING;
out:
	free(text);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(d);
	return rc;
}
