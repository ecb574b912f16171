/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Prometheus text exposition format (version 0.0.4,
 * prometheus.io/docs/instrumenting/exposition_formats/) of a report, for
 * node_exporter's textfile collector: one family at a time, each with its
 * HELP and TYPE lines, every sample a gauge. Label values are untrusted
 * (cluster names and owner tags come from inventory files): each goes
 * through prom_label(), which escapes backslash, double quote and line feed
 * as the format requires. A cluster name met twice exports the first
 * cluster only (a family must not hold one label set twice).
 *
 * The end-of-support time comes from the MSK catalogue
 * (probe/data/msk-versions.tsv, compiled into this library as well): the
 * latest end of support among the cluster's candidate versions, written only
 * on platform msk and only when every candidate has a published date.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

/* A label value: \ " and LF escaped (the format's only escapes). */
static void prom_label(struct rep_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			rb_str(b, "\\\\");
		else if (*s == '"')
			rb_str(b, "\\\"");
		else if (*s == '\n')
			rb_str(b, "\\n");
		else
			rb_add(b, s, 1);
	}
}

/* The first owner tag's value ("" none): what Alertmanager routes on. */
static const char *owner(const cJSON *c)
{
	const cJSON *it;
	cJSON_ArrayForEach (it, js_obj(js_obj(c, "inventory"), "owners"))
		if (cJSON_IsString(it))
			return it->valuestring;
	return "";
}

static bool first_of_name(const cJSON *r, const cJSON *c)
{
	const cJSON *o;
	const char *name = js_str(c, "name", "");
	cJSON_ArrayForEach (o, js_arr(r, "clusters")) {
		if (o == c)
			return true;
		if (strcmp(js_str(o, "name", ""), name) == 0)
			return false;
	}
	return true;
}

/* The latest end of support of c's candidates, or 0 (apache, unknown, none). */
static int64_t end_of_support(const cJSON *r, const cJSON *c)
{
	const cJSON *it;
	int64_t latest = 0, rel, eos;
	if (strcmp(js_str(js_obj(r, "policy"), "platform", ""), "msk") != 0)
		return 0;
	cJSON_ArrayForEach (it, js_arr(js_obj(c, "kafka"), "candidates")) {
		if (!cJSON_IsString(it) || rep_msk_dates(it->valuestring, &rel, &eos) < 0 || !eos)
			return 0;
		if (eos > latest)
			latest = eos;
	}
	return latest;
}

static void family(struct rep_buf *b, const char *name, const char *help)
{
	rb_put(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{cluster="...",owner="..." (when with_owner) and the rest as given */
static void series(struct rep_buf *b, const char *name, const cJSON *c, bool with_owner)
{
	rb_put(b, "%s{cluster=\"", name);
	prom_label(b, js_str(c, "name", ""));
	if (with_owner) {
		rb_str(b, "\",owner=\"");
		prom_label(b, owner(c));
	}
	rb_str(b, "\"");
}

static void version_info(struct rep_buf *b, const cJSON *c, const char *version)
{
	series(b, "mskprobe_cluster_kafka_version_info", c, false);
	rb_str(b, ",version=\"");
	prom_label(b, version);
	rb_str(b, "\",mode=\"");
	prom_label(b, js_str(js_obj(c, "kafka"), "mode", "unknown"));
	rb_str(b, "\"} 1\n");
}

static const char *const verdicts[] = { "compliant", "non_compliant", "unverified" };
static const char *const severities[] = { "info", "low", "medium", "high", "critical" };

static int prom_render(const cJSON *r, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
		       size_t errlen)
{
	(void)ctx;
	(void)errbuf;
	(void)errlen;
	const cJSON *c, *it;

	cJSON_ArrayForEach (c, js_arr(r, "clusters"))
		if (!first_of_name(r, c)) {
			rb_str(b, "# mskprobe: a second cluster named \"");
			prom_label(b, js_str(c, "name", ""));
			rb_str(b, "\" is not exported\n");
		}

	family(b, "mskprobe_cluster_compliant",
	       "1 when the cluster's verdict is compliant (control plane proven encrypted), else "
	       "0.");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		if (!first_of_name(r, c))
			continue;
		series(b, "mskprobe_cluster_compliant", c, true);
		rb_str(b, ",arn=\"");
		prom_label(b, js_str(js_obj(c, "inventory"), "arn", ""));
		rb_put(b, "\"} %d\n", strcmp(js_str(c, "verdict", ""), "compliant") == 0);
	}

	family(b, "mskprobe_cluster_verdict",
	       "1 for the cluster's verdict (compliant, non_compliant or unverified), 0 for the "
	       "others.");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		if (!first_of_name(r, c))
			continue;
		for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
			series(b, "mskprobe_cluster_verdict", c, true);
			rb_put(b, ",verdict=\"%s\"} %d\n", verdicts[i],
			       strcmp(js_str(c, "verdict", ""), verdicts[i]) == 0);
		}
	}

	family(b, "mskprobe_cluster_findings",
	       "Number of findings the cluster has, by severity (0 included).");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		if (!first_of_name(r, c))
			continue;
		for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]); i++) {
			unsigned n = 0;
			cJSON_ArrayForEach (it, js_arr(c, "findings"))
				n += strcmp(js_str(it, "severity", ""), severities[i]) == 0;
			series(b, "mskprobe_cluster_findings", c, true);
			rb_put(b, ",severity=\"%s\"} %u\n", severities[i], n);
		}
	}

	family(b, "mskprobe_cluster_finding",
	       "1 for each finding id the cluster has, with its severity.");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		if (!first_of_name(r, c))
			continue;
		cJSON_ArrayForEach (it, js_arr(c, "findings")) {
			const cJSON *o;
			bool dup = false;
			cJSON_ArrayForEach (o, js_arr(c, "findings")) { /* one series per id */
				if (o == it)
					break;
				dup = dup || strcmp(js_str(o, "id", ""), js_str(it, "id", "")) == 0;
			}
			if (dup)
				continue;
			series(b, "mskprobe_cluster_finding", c, true);
			rb_str(b, ",id=\"");
			prom_label(b, js_str(it, "id", ""));
			rb_str(b, "\",severity=\"");
			prom_label(b, js_str(it, "severity", ""));
			rb_str(b, "\"} 1\n");
		}
	}

	family(b, "mskprobe_cluster_kafka_version_info",
	       "1 for each Kafka version consistent with the evidence (MSK names on platform msk), "
	       "with the broker mode.");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		const cJSON *k = js_obj(c, "kafka");
		bool any = false;
		if (!first_of_name(r, c))
			continue;
		cJSON_ArrayForEach (it, js_arr(k, "candidates"))
			if (cJSON_IsString(it)) {
				version_info(b, c, it->valuestring);
				any = true;
			}
		if (!any)
			version_info(b, c, "unknown");
	}

	family(b, "mskprobe_cluster_end_of_support_timestamp_seconds",
	       "Amazon MSK's end of support of the cluster's Kafka version (the latest among the "
	       "candidates), Unix time; absent when unknown or on platform apache.");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		int64_t eos = end_of_support(r, c);
		if (!first_of_name(r, c) || !eos)
			continue;
		series(b, "mskprobe_cluster_end_of_support_timestamp_seconds", c, true);
		rb_put(b, "} %lld\n", (long long)eos);
	}

	family(b, "mskprobe_last_scan_timestamp_seconds",
	       "When the report was generated (its generated_at), Unix time.");
	int64_t t = rep_time_parse(js_str(r, "generated_at", ""));
	rb_put(b, "mskprobe_last_scan_timestamp_seconds %lld\n", (long long)(t > 0 ? t : 0));
	return 0;
}

const struct rep_format_ops rep_fmt_prom = {
	.name = "prom",
	.ext = "prom",
	.summary =
		"Prometheus text format for node_exporter's textfile collector (docs/metrics.md)",
	.render = { [REP_DOC_REPORT] = prom_render },
};
