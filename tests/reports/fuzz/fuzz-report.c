/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the report reader and every renderer: untrusted bytes through
 * rep_json_parse and rep_report_check, then every format, diff against
 * itself and trend over one report. Nothing may crash or leak.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fmts[] = { "json", "text", "html", "md", "asff", "ocsf", "junit" };
	cJSON *j = NULL, *d = NULL, *t = NULL;
	char err[512], *out = NULL;
	if (rep_json_parse((const char *)data, size, "fuzz", &j, err, sizeof(err)) < 0)
		return 0;
	if (rep_report_check(j, "fuzz", err, sizeof(err)) == 0) {
		struct rep_render_opts o = { .aws_account = "123456789012",
					     .aws_region = "us-east-1" };
		for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			if (rep_render(fmts[i], j, &o, &out, NULL, err, sizeof(err)) == 0)
				free(out);
			out = NULL;
		}
		if (rep_diff(j, j, &d) == 0 &&
		    rep_render_doc(REP_DOC_DIFF, "md", d, NULL, &out, NULL, err, sizeof(err)) == 0)
			free(out);
		out = NULL;
		const cJSON *one[1] = { j };
		const char *names[1] = { "fuzz" };
		if (rep_trend(one, names, 1, &t, err, sizeof(err)) == 0 &&
		    rep_render_doc(REP_DOC_TREND, "html", t, NULL, &out, NULL, err, sizeof(err)) ==
			    0)
			free(out);
	}
	cJSON_Delete(t);
	cJSON_Delete(d);
	cJSON_Delete(j);
	return 0;
}
