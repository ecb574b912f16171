/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KPIs over a series of checked reports (mskprobe.trend/1): per report the
 * share of compliant clusters and the oldest version in production; mean
 * time to remediate (from the first report a cluster is non_compliant to
 * the first later report it is compliant, per cluster and overall); and the
 * findings open in the latest report by age (since the start of their
 * current unbroken run); on platform msk, the age of the oldest version
 * since Amazon MSK released it and the clusters past MSK's end of support
 * (a KAFKA_VERSION_END_OF_SUPPORT finding; the dates: rep_msk.c). Clusters are matched by ARN, else name. Rendered
 * as text, JSON or an HTML page with an inline SVG chart.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

struct item {
	const cJSON *r;
	const char *name;
	int64_t t;
	/* the report's clusters by key, and (key, finding id) of the first cluster of each key */
	struct rep_index clusters, findings;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

/* Index the clusters and findings of v (the first cluster of a key is the one found). */
static int index_item(struct item *v)
{
	const cJSON *c, *f;
	if (rep_index_clusters(&v->clusters, v->r) < 0)
		return -ENOMEM;
	cJSON_ArrayForEach (c, js_arr(v->r, "clusters")) {
		const char *key = js_cluster_key(c);
		if (rep_index_find(&v->clusters, key, NULL) != c)
			continue;
		cJSON_ArrayForEach (f, js_arr(c, "findings"))
			rep_index_add(&v->findings, key, js_str(f, "id", ""), f);
	}
	return rep_index_sort(&v->findings);
}

static const char *lowest_version(const cJSON *c)
{
	const cJSON *k = js_obj(c, "kafka"), *it;
	const char *lo = NULL;
	cJSON_ArrayForEach (it, js_arr(k, "candidates"))
		if (cJSON_IsString(it) && (!lo || mp_ver_cmp_str(it->valuestring, lo) < 0))
			lo = it->valuestring;
	if (!lo)
		cJSON_ArrayForEach (it, js_arr(k, "releases"))
			if (cJSON_IsString(it) && (!lo || mp_ver_cmp_str(it->valuestring, lo) < 0))
				lo = it->valuestring;
	return lo;
}

static void iso(char *dst, int64_t t)
{
	mp_rfc3339(dst, t);
}

static bool has_finding(const cJSON *c, const char *id)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, js_arr(c, "findings"))
		if (strcmp(js_str(f, "id", ""), id) == 0)
			return true;
	return false;
}

/* The oldest version's MSK release date and age on the report's date (msk only). */
static void version_age(cJSON *p, const struct item *it, const char *oldest)
{
	int64_t rel = 0, eos;
	char d[32];
	if (!oldest || strcmp(js_str(js_obj(it->r, "policy"), "platform", ""), "msk") != 0 ||
	    rep_msk_dates(oldest, &rel, &eos) < 0 || !rel) {
		cJSON_AddNullToObject(p, "oldest_version_released");
		cJSON_AddNullToObject(p, "oldest_version_age_days");
		return;
	}
	iso(d, rel);
	d[10] = '\0';
	cJSON_AddStringToObject(p, "oldest_version_released", d);
	cJSON_AddNumberToObject(p, "oldest_version_age_days", (double)((it->t - rel) / 86400));
}

static cJSON *series_point(const struct item *it)
{
	cJSON *p = cJSON_CreateObject();
	const cJSON *c, *oldest_c = NULL;
	const char *oldest = NULL;
	double n = 0, ok = 0, eos = 0;
	cJSON *eos_names = cJSON_CreateArray();
	cJSON_ArrayForEach (c, js_arr(it->r, "clusters")) {
		const char *v = lowest_version(c);
		n++;
		if (has_finding(c, "KAFKA_VERSION_END_OF_SUPPORT")) {
			eos++;
			cJSON_AddItemToArray(eos_names, cJSON_CreateString(js_str(c, "name", "?")));
		}
		ok += strcmp(js_str(c, "verdict", ""), "compliant") == 0;
		if (v && (!oldest || mp_ver_cmp_str(v, oldest) < 0)) {
			oldest = v;
			oldest_c = c;
		}
	}
	cJSON_AddStringToObject(p, "generated_at", js_str(it->r, "generated_at", ""));
	cJSON_AddStringToObject(p, "file", it->name);
	cJSON_AddNumberToObject(p, "clusters", n);
	cJSON_AddNumberToObject(p, "compliant", ok);
	cJSON_AddNumberToObject(p, "compliant_share", n ? ok / n : 0);
	if (oldest) {
		cJSON_AddStringToObject(p, "oldest_version", oldest);
		cJSON_AddStringToObject(p, "oldest_version_cluster", js_str(oldest_c, "name", "?"));
	} else {
		cJSON_AddNullToObject(p, "oldest_version");
	}
	version_age(p, it, oldest);
	cJSON_AddNumberToObject(p, "past_end_of_support", eos);
	cJSON_AddItemToObject(p, "past_end_of_support_clusters", eos_names);
	return p;
}

/* Every cluster key seen anywhere in the series, first appearance order. */
static cJSON *all_keys(const struct item *v, size_t n)
{
	struct rep_index seen = { 0 };
	cJSON *keys = cJSON_CreateObject();
	const cJSON *c;
	for (size_t i = 0; i < n; i++)
		cJSON_ArrayForEach (c, js_arr(v[i].r, "clusters"))
			rep_index_add(&seen, js_cluster_key(c), NULL, c);
	if (rep_index_sort(&seen) < 0) {
		cJSON_Delete(keys);
		return NULL;
	}
	for (size_t i = 0; keys && i < n; i++)
		cJSON_ArrayForEach (c, js_arr(v[i].r, "clusters"))
			if (rep_index_find(&seen, js_cluster_key(c), NULL) == c)
				cJSON_AddStringToObject(keys, js_cluster_key(c),
							js_str(c, "name", "?"));
	rep_index_free(&seen);
	return keys;
}

static void mttr(cJSON *out, const struct item *v, size_t n, const cJSON *keys)
{
	cJSON *per = cJSON_AddArrayToObject(out, "clusters");
	cJSON *open = cJSON_AddArrayToObject(out, "still_non_compliant");
	const cJSON *k;
	double total = 0;
	size_t episodes = 0;
	cJSON_ArrayForEach (k, keys) {
		int64_t start = -1;
		double sum = 0;
		size_t eps = 0;
		char t1[32], t2[32];
		for (size_t i = 0; i < n; i++) {
			const cJSON *c = rep_index_find(&v[i].clusters, k->string, NULL);
			const char *vd = js_str(c, "verdict", "");
			if (!c)
				continue;
			if (strcmp(vd, "non_compliant") == 0 && start < 0) {
				start = v[i].t;
			} else if (strcmp(vd, "compliant") == 0 && start >= 0) {
				cJSON *e = cJSON_CreateObject();
				iso(t1, start);
				iso(t2, v[i].t);
				cJSON_AddStringToObject(e, "cluster", k->valuestring);
				cJSON_AddStringToObject(e, "non_compliant_since", t1);
				cJSON_AddStringToObject(e, "compliant_at", t2);
				cJSON_AddNumberToObject(e, "hours",
							(double)(v[i].t - start) / 3600.0);
				cJSON_AddItemToArray(per, e);
				sum += (double)(v[i].t - start) / 3600.0;
				eps++;
				start = -1;
			}
		}
		if (start >= 0) {
			cJSON *e = cJSON_CreateObject();
			iso(t1, start);
			cJSON_AddStringToObject(e, "cluster", k->valuestring);
			cJSON_AddStringToObject(e, "non_compliant_since", t1);
			cJSON_AddItemToArray(open, e);
		}
		total += sum;
		episodes += eps;
	}
	cJSON_AddNumberToObject(out, "remediations", (double)episodes);
	if (episodes)
		cJSON_AddNumberToObject(out, "mean_hours", total / (double)episodes);
	else
		cJSON_AddNullToObject(out, "mean_hours");
}

static void open_findings(cJSON *out, const struct item *v, size_t n)
{
	static const struct {
		const char *name;
		double max_days;
	} buckets[] = { { "under_7_days", 7 },
			{ "7_to_30_days", 30 },
			{ "30_to_90_days", 90 },
			{ "over_90_days", 1e18 } };
	double count[4] = { 0 };
	cJSON *list = cJSON_AddArrayToObject(out, "findings");
	const cJSON *c, *f;
	const struct item *last = &v[n - 1];
	cJSON_ArrayForEach (c, js_arr(last->r, "clusters")) {
		const char *key = js_cluster_key(c);
		cJSON_ArrayForEach (f, js_arr(c, "findings")) {
			const char *id = js_str(f, "id", "?");
			size_t first = n - 1;
			while (first > 0 && rep_index_find(&v[first - 1].findings, key, id))
				first--;
			double days = (double)(last->t - v[first].t) / 86400.0;
			char t[32];
			iso(t, v[first].t);
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "cluster", js_str(c, "name", "?"));
			cJSON_AddStringToObject(e, "id", id);
			cJSON_AddStringToObject(e, "severity", js_str(f, "severity", "info"));
			cJSON_AddStringToObject(e, "first_seen", t);
			cJSON_AddNumberToObject(e, "age_days", days);
			cJSON_AddItemToArray(list, e);
			for (size_t b = 0; b < 4; b++)
				if (days < buckets[b].max_days) {
					count[b]++;
					break;
				}
		}
	}
	cJSON *by = cJSON_AddObjectToObject(out, "by_age");
	for (size_t b = 0; b < 4; b++)
		cJSON_AddNumberToObject(by, buckets[b].name, count[b]);
}

int rep_trend(const cJSON *const *reports, const char *const *names, size_t n, cJSON **ret,
	      char *errbuf, size_t errlen)
{
	struct item *v = NULL;
	cJSON *t = NULL, *keys = NULL;
	int rc = -ENOMEM;
	if (n == 0 || n > MP_TREND_REPORTS_MAX) {
		mp_fmt(errbuf, errlen, "trend: want 1 to %u reports", MP_TREND_REPORTS_MAX);
		return -EINVAL;
	}
	if (!(v = calloc(n, sizeof(*v))))
		goto out;
	for (size_t i = 0; i < n; i++) {
		v[i].r = reports[i];
		v[i].name = names[i];
		v[i].t = rep_time_parse(js_str(reports[i], "generated_at", ""));
		if (v[i].t < 0) {
			mp_fmt(errbuf, errlen, "%s: generated_at: want an RFC 3339 UTC time",
			       names[i]);
			rc = -EINVAL;
			goto out;
		}
	}
	qsort(v, n, sizeof(*v), item_cmp);
	for (size_t i = 0; i < n; i++)
		if (index_item(&v[i]) < 0)
			goto out;
	if (!(t = cJSON_CreateObject()) || !(keys = all_keys(v, n)))
		goto out;
	cJSON_AddStringToObject(t, "schema", "mskprobe.trend/1");
	cJSON_AddNumberToObject(t, "reports", (double)n);
	cJSON *series = cJSON_AddArrayToObject(t, "series");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(series, series_point(&v[i]));
	cJSON *latest = cJSON_GetArrayItem(series, (int)n - 1);
	cJSON *old = cJSON_AddObjectToObject(t, "oldest_version_in_production");
	cJSON_AddStringToObject(old, "version", js_str(latest, "oldest_version", "unknown"));
	cJSON_AddStringToObject(old, "cluster", js_str(latest, "oldest_version_cluster", ""));
	cJSON_AddStringToObject(old, "as_of", js_str(latest, "generated_at", ""));
	cJSON_AddItemToObject(old, "msk_released",
			      cJSON_Duplicate(js_get(latest, "oldest_version_released"), 1));
	cJSON_AddItemToObject(old, "age_days",
			      cJSON_Duplicate(js_get(latest, "oldest_version_age_days"), 1));
	cJSON *pe = cJSON_AddObjectToObject(t, "past_end_of_support");
	cJSON_AddNumberToObject(pe, "clusters", js_num(latest, "past_end_of_support", 0));
	cJSON_AddItemToObject(pe, "names",
			      cJSON_Duplicate(js_get(latest, "past_end_of_support_clusters"), 1));
	cJSON_AddStringToObject(pe, "as_of", js_str(latest, "generated_at", ""));
	mttr(cJSON_AddObjectToObject(t, "mttr"), v, n, keys);
	open_findings(cJSON_AddObjectToObject(t, "open_findings"), v, n);
	*ret = t;
	t = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		mp_fmt(errbuf, errlen, "out of memory");
	cJSON_Delete(keys);
	cJSON_Delete(t);
	for (size_t i = 0; v && i < n; i++) {
		rep_index_free(&v[i].clusters);
		rep_index_free(&v[i].findings);
	}
	free(v);
	return rc;
}

/* ---- rendering ---------------------------------------------------------- */

int rep_trend_text(const cJSON *t, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
		   size_t errlen)
{
	(void)ctx;
	(void)errbuf;
	(void)errlen;
	const cJSON *p, *m = js_obj(t, "mttr"), *of = js_obj(t, "open_findings");
	const cJSON *old = js_obj(t, "oldest_version_in_production");
	const cJSON *pe = js_obj(t, "past_end_of_support");
	rb_put(b, "mskprobe trend over %.0f reports\n\n%-22s %9s %10s %9s  %s\n",
	       js_num(t, "reports", 0), "REPORT", "CLUSTERS", "COMPLIANT", "PAST EOS",
	       "OLDEST VERSION");
	cJSON_ArrayForEach (p, js_arr(t, "series"))
		rb_put(b, "%-22s %9.0f %9.0f%% %9.0f  %s\n", js_str(p, "generated_at", "?"),
		       js_num(p, "clusters", 0), 100 * js_num(p, "compliant_share", 0),
		       js_num(p, "past_end_of_support", 0), js_str(p, "oldest_version", "?"));
	rb_put(b, "\noldest version in production: %s (%s)", js_str(old, "version", "?"),
	       js_str(old, "cluster", "?"));
	if (cJSON_IsNumber(js_get(old, "age_days")))
		rb_put(b, ", released on Amazon MSK %s, %.0f days old",
		       js_str(old, "msk_released", "?"), js_num(old, "age_days", 0));
	rb_put(b, "\nclusters past Amazon MSK end of support: %.0f", js_num(pe, "clusters", 0));
	cJSON_ArrayForEach (p, js_arr(pe, "names"))
		rb_put(b, "%s%s", p == js_arr(pe, "names")->child ? " (" : ", ",
		       cJSON_IsString(p) ? p->valuestring : "?");
	rb_str(b, cJSON_GetArraySize(js_arr(pe, "names")) ? ")\n" : "\n");
	if (cJSON_IsNumber(js_get(m, "mean_hours")))
		rb_put(b, "mean time to remediate: %.1f hours over %.0f remediation(s)\n",
		       js_num(m, "mean_hours", 0), js_num(m, "remediations", 0));
	else
		rb_str(b, "mean time to remediate: no remediation in the series\n");
	cJSON_ArrayForEach (p, js_arr(m, "clusters"))
		rb_put(b, "    %s: %.1f hours (%s -> %s)\n", js_str(p, "cluster", "?"),
		       js_num(p, "hours", 0), js_str(p, "non_compliant_since", "?"),
		       js_str(p, "compliant_at", "?"));
	cJSON_ArrayForEach (p, js_arr(m, "still_non_compliant"))
		rb_put(b, "    %s: still non-compliant since %s\n", js_str(p, "cluster", "?"),
		       js_str(p, "non_compliant_since", "?"));
	const cJSON *by = js_obj(of, "by_age");
	rb_put(b, "open findings by age: <7d %.0f, 7-30d %.0f, 30-90d %.0f, >90d %.0f\n",
	       js_num(by, "under_7_days", 0), js_num(by, "7_to_30_days", 0),
	       js_num(by, "30_to_90_days", 0), js_num(by, "over_90_days", 0));
	cJSON_ArrayForEach (p, js_arr(of, "findings"))
		rb_put(b, "    %s %s (%s) open %.1f days, since %s\n", js_str(p, "cluster", "?"),
		       js_str(p, "id", "?"), js_str(p, "severity", "?"), js_num(p, "age_days", 0),
		       js_str(p, "first_seen", "?"));
	return 0;
}

/* A line chart of the compliant share, 640x220, no script, no external asset. */
static void chart(struct rep_buf *b, const cJSON *t)
{
	const cJSON *series = js_arr(t, "series"), *p;
	int n = cJSON_GetArraySize(series), i = 0;
	double x0 = 50, x1 = 620, y0 = 190, y1 = 20;
	rb_str(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"220\" "
		  "role=\"img\" aria-label=\"share of compliant clusters per report\">\n"
		  "<rect x=\"0\" y=\"0\" width=\"640\" height=\"220\" fill=\"#fff\"/>\n");
	for (int g = 0; g <= 4; g++) {
		double y = y0 - (y0 - y1) * g / 4.0;
		rb_put(b,
		       "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#d0d7de\"/>"
		       "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" "
		       "fill=\"#57606a\">%d%%</text>\n",
		       x0, y, x1, y, x0 - 6, y + 4, g * 25);
	}
	rb_str(b, "<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"2.5\" points=\"");
	cJSON_ArrayForEach (p, series) {
		double x = n > 1 ? x0 + (x1 - x0) * i / (n - 1) : (x0 + x1) / 2;
		double y = y0 - (y0 - y1) * js_num(p, "compliant_share", 0);
		rb_put(b, "%s%.1f,%.1f", i ? " " : "", x, y);
		i++;
	}
	rb_str(b, "\"/>\n");
	i = 0;
	cJSON_ArrayForEach (p, series) {
		double x = n > 1 ? x0 + (x1 - x0) * i / (n - 1) : (x0 + x1) / 2;
		double y = y0 - (y0 - y1) * js_num(p, "compliant_share", 0);
		rb_put(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#0969da\"><title>", x, y);
		rb_html(b, js_str(p, "generated_at", ""));
		rb_put(b, ": %.0f%%</title></circle>\n", 100 * js_num(p, "compliant_share", 0));
		if (i == 0 || i == n - 1) {
			char d[11];
			mp_strlcpy(d, js_str(p, "generated_at", ""), sizeof(d));
			rb_put(b,
			       "<text x=\"%.1f\" y=\"210\" font-size=\"11\" text-anchor=\"%s\" "
			       "fill=\"#57606a\">",
			       x,
			       n == 1	? "middle"
			       : i == 0 ? "start"
					: "end");
			rb_html(b, d);
			rb_str(b, "</text>\n");
		}
		i++;
	}
	rb_str(b, "</svg>\n");
}

/* One escaped cell per member of p named (NULL-terminated), "?" when absent. */
static void cells(struct rep_buf *b, const cJSON *p, ...)
{
	va_list ap;
	va_start(ap, p);
	for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *))
		rep_html_td(b, js_str(p, k, "?"));
	va_end(ap);
}

int rep_trend_html(const cJSON *t, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
		   size_t errlen)
{
	(void)ctx;
	(void)errbuf;
	(void)errlen;
	const cJSON *p, *m = js_obj(t, "mttr"), *of = js_obj(t, "open_findings");
	const cJSON *old = js_obj(t, "oldest_version_in_production");
	const cJSON *by = js_obj(of, "by_age");
	const cJSON *last = cJSON_GetArrayItem(js_arr(t, "series"),
					       cJSON_GetArraySize(js_arr(t, "series")) - 1);
	rep_html_head(b, "mskprobe trend");
	rb_put(b,
	       "<h1>Kafka control-plane encryption: trend</h1>\n<p class=\"sub\">%.0f reports, "
	       "latest ",
	       js_num(t, "reports", 0));
	rb_html(b, js_str(last, "generated_at", "?"));
	rb_str(b, ".</p>\n<div class=\"kpis\">\n");
	rb_put(b, "<div class=\"kpi\"><b>%.0f%%</b><span>compliant now</span></div>\n",
	       100 * js_num(last, "compliant_share", 0));
	rb_str(b, "<div class=\"kpi\"><b>");
	rb_html(b, js_str(old, "version", "?"));
	rb_str(b, "</b><span>oldest version in production");
	if (cJSON_IsNumber(js_get(old, "age_days")))
		rb_put(b, ", %.0f days since its MSK release", js_num(old, "age_days", 0));
	rb_str(b, "</span></div>\n");
	rb_put(b,
	       "<div class=\"kpi\"><b>%.0f</b><span>clusters past MSK end of "
	       "support</span></div>\n",
	       js_num(js_obj(t, "past_end_of_support"), "clusters", 0));
	if (cJSON_IsNumber(js_get(m, "mean_hours")))
		rb_put(b,
		       "<div class=\"kpi\"><b>%.1f h</b><span>mean time to "
		       "remediate</span></div>\n",
		       js_num(m, "mean_hours", 0));
	else
		rb_str(b, "<div class=\"kpi\"><b>&mdash;</b><span>mean time to "
			  "remediate</span></div>\n");
	rb_put(b, "<div class=\"kpi\"><b>%d</b><span>open findings</span></div>\n</div>\n",
	       cJSON_GetArraySize(js_arr(of, "findings")));
	rb_str(b, "<h2>Share of compliant clusters</h2>\n");
	chart(b, t);
	rb_str(b,
	       "<h2>Reports</h2>\n<table>\n<tr><th>Generated</th><th>Clusters</th>"
	       "<th>Compliant</th><th>Past MSK end of support</th><th>Oldest version</th></tr>\n");
	cJSON_ArrayForEach (p, js_arr(t, "series")) {
		rb_str(b, "<tr>");
		cells(b, p, "generated_at", NULL);
		rb_put(b,
		       "<td class=\"num\">%.0f</td><td class=\"num\">%.0f%%</td>"
		       "<td class=\"num\">%.0f</td>",
		       js_num(p, "clusters", 0), 100 * js_num(p, "compliant_share", 0),
		       js_num(p, "past_end_of_support", 0));
		cells(b, p, "oldest_version", NULL);
		rb_str(b, "</tr>\n");
	}
	rb_str(b, "</table>\n<h2>Time to remediate</h2>\n<table>\n<tr><th>Cluster</th>"
		  "<th>Non-compliant since</th><th>Compliant at</th><th>Hours</th></tr>\n");
	cJSON_ArrayForEach (p, js_arr(m, "clusters")) {
		rb_str(b, "<tr>");
		cells(b, p, "cluster", "non_compliant_since", "compliant_at", NULL);
		rb_put(b, "<td class=\"num\">%.1f</td></tr>\n", js_num(p, "hours", 0));
	}
	cJSON_ArrayForEach (p, js_arr(m, "still_non_compliant")) {
		rb_str(b, "<tr>");
		cells(b, p, "cluster", "non_compliant_since", NULL);
		rb_str(b, "<td>still non-compliant</td><td></td></tr>\n");
	}
	rb_put(b,
	       "</table>\n<h2>Open findings by age</h2>\n<p>under 7 days: %.0f &middot; 7&ndash;30 "
	       "days: %.0f &middot; 30&ndash;90 days: %.0f &middot; over 90 days: %.0f</p>\n"
	       "<table>\n<tr><th>Cluster</th><th>Finding</th><th>Severity</th><th>First seen</th>"
	       "<th>Age (days)</th></tr>\n",
	       js_num(by, "under_7_days", 0), js_num(by, "7_to_30_days", 0),
	       js_num(by, "30_to_90_days", 0), js_num(by, "over_90_days", 0));
	cJSON_ArrayForEach (p, js_arr(of, "findings")) {
		rb_str(b, "<tr>");
		cells(b, p, "cluster", NULL);
		rb_str(b, "<td><code>");
		rb_html(b, js_str(p, "id", "?"));
		rb_str(b, "</code></td>");
		cells(b, p, "severity", "first_seen", NULL);
		rb_put(b, "<td class=\"num\">%.1f</td></tr>\n", js_num(p, "age_days", 0));
	}
	rb_str(b, "</table>\n</main>\n</body>\n</html>\n");
	return 0;
}
