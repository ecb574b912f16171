/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report as GitHub-flavoured Markdown, for tickets and pull requests:
 * summary, clusters table, per cluster the evidence in short and each
 * finding with remediation and controls, provenance. Every report string
 * goes through rb_md() (no links, images, emphasis, raw HTML or table
 * breaks can be injected); evidence JSON sits in fenced blocks whose fence
 * is longer than any backtick run inside.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static void owners_md(struct rep_buf *b, const cJSON *c)
{
	rep_owners(b, c, rb_md, ", ", "=", "-");
}

static void fenced(struct rep_buf *b, const char *s)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	size_t n = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < n; i++)
		rb_str(b, "`");
	rb_str(b, "json\n");
	rb_str(b, s);
	rb_str(b, "\n");
	for (size_t i = 0; i < n; i++)
		rb_str(b, "`");
	rb_str(b, "\n\n");
}

static void finding_head_md(struct rep_buf *b, const char *sev, const char *id, const char *title)
{
	rb_str(b, "- **");
	rb_md(b, sev);
	rb_str(b, "** `");
	/* inside a code span escapes do not work: keep the id alphabet only */
	for (const char *p = id; *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')
			rb_add(b, p, 1);
	rb_str(b, "`: ");
	rb_md(b, title);
	rb_str(b, "\n");
}

static void evidence_md(struct rep_buf *b, const cJSON *ev)
{
	char *s = cJSON_PrintUnformatted(ev);
	if (!s) {
		b->oom = true;
		return;
	}
	rb_str(b, "\n");
	fenced(b, s);
	free(s);
}

static const struct rep_finding_style finding_md = {
	.esc = rb_md,
	.head = finding_head_md,
	.remediation = "  - Remediation: ",
	.controls = "\n  - Controls: ",
	.controls_end = "\n",
	.uncatalogued = "",
	.evidence = evidence_md,
	.end = "",
};

static void cluster_md(struct rep_buf *b, const struct rep_ctx *ctx, const cJSON *c)
{
	const cJSON *kafka = js_obj(c, "kafka"), *it, *inv = js_obj(c, "inventory");
	rb_str(b, "\n### ");
	rb_md(b, js_str(c, "name", "?"));
	rb_str(b, ": ");
	rb_md(b, js_str(c, "verdict", "?"));
	rb_str(b, "\n\n");
	rb_md(b, js_str(c, "verdict_reason", ""));
	rb_str(b, "\n\n");
	if (inv) {
		const cJSON *d = js_obj(inv, "declared");
		rb_str(b, "- Owners: ");
		owners_md(b, c);
		rb_str(b, "\n");
		if (js_str(inv, "arn", NULL)) {
			rb_str(b, "- ARN: ");
			rb_md(b, js_str(inv, "arn", ""));
			rb_str(b, "\n");
		}
		if (d) {
			rb_str(b, "- Declared by AWS: Kafka ");
			rb_md(b, js_str(d, "kafka_version", "?"));
			rb_str(b, ", client-broker ");
			rb_md(b, js_str(d, "client_broker", "?"));
			rb_str(b, "\n");
		}
	}
	cJSON_ArrayForEach (it, js_arr(kafka, "brokers")) {
		const cJSON *fp = js_obj(it, "fingerprint"), *rel;
		rb_str(b, "- Broker ");
		rb_md(b, js_str(it, "host", "?"));
		rb_put(b, ":%.0f %s: ", js_num(it, "port", 0),
		       js_true(it, "tls") ? "TLS" : "plaintext");
		if (fp) {
			cJSON_ArrayForEach (rel, js_arr(fp, "releases"))
				if (cJSON_IsString(rel)) {
					rb_md(b, rel->valuestring);
					rb_str(b, " ");
				}
			rb_str(b, js_true(fp, "exact") ? "(exact fingerprint)"
						       : "(nearest fingerprint)");
		} else {
			rb_md(b, js_str(it, "error", "no answer"));
		}
		rb_str(b, "\n");
	}
	cJSON_ArrayForEach (it, js_arr(c, "zookeeper")) {
		rb_str(b, "- ZooKeeper ");
		rb_md(b, js_str(it, "host", "?"));
		rb_put(b, ":%.0f: %s\n", js_num(it, "port", 0),
		       !js_true(it, "reachable") ? "unreachable"
		       : js_obj(it, "tls")	 ? "TLS"
						 : "plaintext");
	}
	const cJSON *classes = js_obj(js_obj(js_obj(c, "capture"), "stats"), "classes");
	if (classes) {
		rb_str(b, "- Capture flows:");
		cJSON_ArrayForEach (it, classes) {
			rb_str(b, " ");
			rb_md(b, it->string ? it->string : "?");
			rb_put(b, " %.0f", cJSON_IsNumber(it) ? it->valuedouble : 0.0);
		}
		rb_str(b, "\n");
	}
	rep_clients_md(b, c);
	rb_put(b, "\n**Findings (%d)**\n\n", cJSON_GetArraySize(js_arr(c, "findings")));
	if (!cJSON_GetArraySize(js_arr(c, "findings")))
		rb_str(b, "None.\n");
	cJSON_ArrayForEach (it, js_arr(c, "findings"))
		rep_finding_block(b, ctx, it, &finding_md);
}

static int md_render(const cJSON *r, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
		     size_t errlen)
{
	(void)errbuf;
	(void)errlen;
	const cJSON *c, *s = js_obj(r, "summary"), *p = js_obj(r, "provenance");
	const cJSON *pol = js_obj(r, "policy");
	rb_str(b, "## mskprobe: Kafka control-plane encryption report\n\nGenerated ");
	rb_md(b, js_str(r, "generated_at", "?"));
	rb_str(b, " by mskprobe ");
	rb_md(b, js_str(js_obj(r, "tool"), "version", "?"));
	rb_str(b, "; policy Kafka >= ");
	rb_md(b, js_str(pol, "min_kafka_version", "?"));
	rb_str(b, " on ");
	rb_md(b, js_str(pol, "platform", "?"));
	rb_put(b,
	       ".\n\n**%.0f clusters: %.0f compliant, %.0f non-compliant, %.0f unverified; "
	       "%.0f findings.**\n\n",
	       js_num(s, "clusters", 0), js_num(s, "compliant", 0), js_num(s, "non_compliant", 0),
	       js_num(s, "unverified", 0), js_num(s, "findings", 0));
	rb_str(b, "| Cluster | Owner | Version | Mode | Verdict | Findings |\n"
		  "|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		char ver[256];
		js_version_cell(c, ver, sizeof(ver));
		rb_str(b, "| ");
		rb_md(b, js_str(c, "name", "?"));
		rb_str(b, " | ");
		owners_md(b, c);
		rb_str(b, " | ");
		rb_md(b, ver);
		rb_str(b, " | ");
		rb_md(b, js_str(js_obj(c, "kafka"), "mode", "unknown"));
		rb_str(b, " | ");
		rb_md(b, js_str(c, "verdict", "?"));
		rb_put(b, " | %d |\n", cJSON_GetArraySize(js_arr(c, "findings")));
	}
	cJSON_ArrayForEach (c, js_arr(r, "clusters"))
		cluster_md(b, ctx, c);
	rb_str(b, "\n### Provenance\n\n- Tool: mskprobe ");
	rb_md(b, js_str(js_obj(r, "tool"), "version", "?"));
	if (js_str(js_obj(r, "tool"), "build", NULL)) {
		rb_str(b, " (");
		rb_md(b, js_str(js_obj(r, "tool"), "build", ""));
		rb_str(b, ")");
	}
	rb_str(b, "\n- Probe host: ");
	rb_md(b, js_str(p, "probe_host", "unknown"));
	rb_str(b, "\n- Command line: ");
	rb_md(b, js_str(p, "command_line", "?"));
	rb_put(b, "\n- Duration: %.0f ms\n", js_num(p, "duration_ms", 0));
	return 0;
}

const struct rep_format_ops rep_fmt_md = {
	.name = "md",
	.ext = "md",
	.summary = "Markdown for tickets and pull requests",
	.render = { [REP_DOC_REPORT] = md_render, [REP_DOC_DIFF] = rep_diff_md },
};
