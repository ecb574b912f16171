/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JUnit XML for pipelines that gate on a scan: a testsuite per cluster, a
 * testcase per catalogue check. FAILED and WARNING (an unverified verdict,
 * an info finding) are <failure> (type names which), NOT_AVAILABLE is
 * <skipped>. Every string goes through rb_xml(), which also drops the
 * characters XML 1.0 forbids.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static int junit_render(const cJSON *r, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
			size_t errlen)
{
	(void)errbuf;
	(void)errlen;
	const cJSON *c;
	size_t n = mp_catalog_size(ctx->cat), checks = 0, tests = 0, failures = 0, skipped = 0;

	for (size_t i = 0; i < n; i++) /* observations are not checks */
		checks += !mp_catalog_at(ctx->cat, i)->observation;
	cJSON_ArrayForEach (c, js_arr(r, "clusters"))
		for (size_t i = 0; i < n; i++) {
			const cJSON *f;
			if (mp_catalog_at(ctx->cat, i)->observation)
				continue;
			const char *s = rep_check_status(mp_catalog_at(ctx->cat, i), r, c, &f);
			tests++;
			failures += strcmp(s, "FAILED") == 0 || strcmp(s, "WARNING") == 0;
			skipped += strcmp(s, "NOT_AVAILABLE") == 0;
		}
	rb_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	rb_put(b,
	       "<testsuites name=\"mskprobe\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" "
	       "timestamp=\"",
	       tests, failures, skipped);
	rb_xml(b, js_str(r, "generated_at", ""));
	rb_str(b, "\">\n");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		size_t cf = 0, cs = 0;
		for (size_t i = 0; i < n; i++) {
			const cJSON *f;
			if (mp_catalog_at(ctx->cat, i)->observation)
				continue;
			const char *s = rep_check_status(mp_catalog_at(ctx->cat, i), r, c, &f);
			cf += strcmp(s, "FAILED") == 0 || strcmp(s, "WARNING") == 0;
			cs += strcmp(s, "NOT_AVAILABLE") == 0;
		}
		rb_str(b, "  <testsuite name=\"");
		rb_xml(b, js_str(c, "name", "?"));
		rb_put(b, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", checks, cf, cs);
		for (size_t i = 0; i < n; i++) {
			const struct mp_check *k = mp_catalog_at(ctx->cat, i);
			const cJSON *f;
			if (k->observation)
				continue;
			const char *s = rep_check_status(k, r, c, &f);
			rb_str(b, "    <testcase classname=\"mskprobe.");
			rb_xml(b, js_str(c, "name", "?"));
			rb_put(b, "\" name=\"%s\"", k->id);
			if (strcmp(s, "PASSED") == 0) {
				rb_str(b, "/>\n");
				continue;
			}
			rb_str(b, ">\n");
			if (strcmp(s, "NOT_AVAILABLE") == 0) {
				rb_put(b,
				       "      <skipped message=\"not evaluated: no %s "
				       "evidence\"/>\n",
				       k->requires);
			} else {
				const char *title = f ? js_str(f, "title", k->title)
						      : js_str(c, "verdict_reason", k->title);
				rb_put(b, "      <failure type=\"%s\" message=\"", s);
				rb_xml(b, title);
				rb_str(b, "\">");
				rb_xml(b, f ? js_str(f, "severity", "") : js_str(c, "verdict", ""));
				rb_str(b, ": ");
				rb_xml(b, title);
				rb_str(b, "\nremediation: ");
				rb_xml(b, k->remediation);
				rb_str(b, "</failure>\n");
			}
			rb_str(b, "    </testcase>\n");
		}
		rb_str(b, "  </testsuite>\n");
	}
	rb_str(b, "</testsuites>\n");
	return 0;
}

const struct rep_format_ops rep_fmt_junit = {
	.name = "junit",
	.ext = "junit.xml",
	.summary = "JUnit XML, a test case per cluster and check",
	.render = { [REP_DOC_REPORT] = junit_render },
};
