/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `mskprobe trend REPORT.json...`: KPIs over a series of reports: share of
 * compliant clusters over time, oldest version in production, mean time to
 * remediate, open findings by age. Exit 0, or 2 on bad input.
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
		"usage: mskprobe trend REPORT.json... [--format F] [--output FILE]\n\n"
		"  --format F     %s (default text)\n"
		"  --output FILE  write there atomically, mode 0600 (default stdout)\n\n"
		"KPIs from a series of reports (any order; sorted by generated_at): share of\n"
		"compliant clusters over time, oldest version in production, mean time to\n"
		"remediate (first seen non-compliant to first seen compliant, per cluster and\n"
		"overall) and open findings by age. html draws the share as an inline SVG.\n\n"
		"exit codes: 0 done, 2 bad usage or input\n",
		rep_format_names(REP_DOC_TREND, names, sizeof(names)));
}

int mp_cmd_trend(int argc, char **argv)
{
	const char *format = "text", *output = "-";
	cJSON **reps = NULL, *t = NULL;
	char *text = NULL, err[1024] = "";
	size_t n = 0;
	int c, rc = MP_EXIT_USAGE;

	c = rep_cmd_opts(argc, argv, "trend", REP_DOC_TREND, usage, &format, &output);
	if (c)
		return c < 0 ? MP_EXIT_PASS : c;
	if (optind >= argc) {
		fprintf(stderr, "mskprobe trend: want at least one REPORT.json (see --help)\n");
		return MP_EXIT_USAGE;
	}
	if ((size_t)(argc - optind) > MP_TREND_REPORTS_MAX) { /* before reading any */
		fprintf(stderr,
			"mskprobe trend: %d reports, more than the %u allowed "
			"(MP_TREND_REPORTS_MAX)\n",
			argc - optind, MP_TREND_REPORTS_MAX);
		return MP_EXIT_USAGE;
	}
	reps = calloc((size_t)(argc - optind), sizeof(*reps));
	if (!reps) {
		fprintf(stderr, "mskprobe trend: out of memory\n");
		return MP_EXIT_USAGE;
	}
	/* every tree of the series is held at once: they share one budget */
	uint64_t budget = MP_JSON_SERIES_BYTES_MAX;
	for (int i = optind; i < argc; i++, n++)
		if (rep_report_load_within(argv[i], &budget, &reps[n], err, sizeof(err)) < 0) {
			fprintf(stderr, "mskprobe trend: %s\n", err);
			goto out;
		}
	if (rep_trend((const cJSON *const *)reps, (const char *const *)argv + optind, n, &t, err,
		      sizeof(err)) < 0 ||
	    rep_render_doc(REP_DOC_TREND, format, t, NULL, &text, NULL, err, sizeof(err)) < 0 ||
	    rep_write_file(output, text, strlen(text), err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe trend: %s\n", err);
		goto out;
	}
	rc = MP_EXIT_PASS;
out:
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(reps[i]);
	free(reps);
	free(text);
	cJSON_Delete(t);
	return rc;
}
