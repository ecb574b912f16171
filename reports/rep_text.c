/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The terminal view, rendered from the JSON report: one line per cluster
 * (name, version, mode, verdict, owner), then per cluster its reason,
 * declared facts, brokers, ZooKeeper endpoints and findings. Colour only
 * when asked (a TTY). Strings are already free of control characters
 * (rep_report_check / the model's sanitiser), so nothing can move the cursor.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static const char *paint(const struct rep_ctx *c, const char *what)
{
	if (!c->color)
		return "";
	if (strcmp(what, "compliant") == 0 || strcmp(what, "ok") == 0)
		return "\033[32m";
	if (strcmp(what, "non_compliant") == 0 || strcmp(what, "high") == 0 ||
	    strcmp(what, "critical") == 0)
		return "\033[31m";
	if (strcmp(what, "unverified") == 0 || strcmp(what, "medium") == 0)
		return "\033[33m";
	if (strcmp(what, "reset") == 0)
		return "\033[0m";
	return "\033[36m";
}

/* "Owner=team-a, CostCenter=42" from cluster.inventory.owners. */
static void owners_cell(const cJSON *c, char *dst, size_t n)
{
	const cJSON *o = js_obj(js_obj(c, "inventory"), "owners"), *it;
	size_t off = 0;
	dst[0] = '\0';
	cJSON_ArrayForEach (it, o) {
		if (!cJSON_IsString(it) || off + 1 >= n)
			continue;
		int w = snprintf(dst + off, n - off, "%s%s=%s", off ? ", " : "", it->string,
				 it->valuestring);
		off = w < 0 ? off : (off + (size_t)w < n ? off + (size_t)w : n - 1);
	}
	rep_utf8_trunc(dst, n - 1);
}

static void brokers_text(struct rep_buf *o, const cJSON *kafka, const char *list)
{
	const cJSON *b;
	cJSON_ArrayForEach (b, js_arr(kafka, list)) {
		const cJSON *fp = js_obj(b, "fingerprint");
		const char *err = js_str(b, "error", NULL);
		const char *src = js_str(b, "source", "");
		rb_put(o, "    %s %s:%.0f %s%s", strcmp(list, "brokers") ? "listener" : "broker",
		       js_str(b, "host", "?"), js_num(b, "port", 0),
		       js_true(b, "tls") ? "tls" : "plain",
		       strcmp(src, "discovered") == 0 ? " (discovered)" : "");
		if (fp) {
			const cJSON *rel;
			rb_str(o, ": release");
			cJSON_ArrayForEach (rel, js_arr(fp, "releases"))
				if (cJSON_IsString(rel))
					rb_put(o, " %s", rel->valuestring);
			rb_put(o, ", %s, %s", js_str(fp, "mode", "unknown"),
			       js_true(fp, "exact") ? "exact match" : "nearest match");
		}
		if (err)
			rb_put(o, ": %s", err);
		rb_str(o, "\n");
	}
}

static void zk_text(struct rep_buf *o, const cJSON *c)
{
	const cJSON *z;
	cJSON_ArrayForEach (z, js_arr(c, "zookeeper")) {
		const cJSON *tls = js_obj(z, "tls");
		rb_put(o, "    zookeeper %s:%.0f ", js_str(z, "host", "?"), js_num(z, "port", 0));
		if (tls)
			rb_put(o, "TLS %s %s %s, verify %s%s\n", js_str(tls, "handshake", "?"),
			       js_str(tls, "protocol", ""), js_str(tls, "cipher", ""),
			       js_str(tls, "verify", "?"),
			       js_true(tls, "speaks_zookeeper") ? ", speaks ZooKeeper" : "");
		else if (js_true(z, "reachable"))
			rb_put(o, "plaintext%s\n",
			       js_true(js_obj(z, "plaintext"), "speaks_zookeeper")
				       ? ", speaks ZooKeeper"
				       : ", not ZooKeeper");
		else
			rb_put(o, "unreachable: %s\n", js_str(z, "error", "?"));
	}
}

static void declared_text(struct rep_buf *o, const cJSON *c)
{
	const cJSON *inv = js_obj(c, "inventory");
	const cJSON *d = js_obj(inv, "declared");
	char owners[256];
	if (!inv)
		return;
	owners_cell(c, owners, sizeof(owners));
	if (js_str(inv, "arn", NULL))
		rb_put(o, "    arn: %s\n", js_str(inv, "arn", ""));
	rb_put(o, "    owners: %s\n", owners[0] ? owners : "(none tagged)");
	if (d)
		rb_put(o, "    declared by AWS: Kafka %s, client-broker %s, in-cluster %s\n",
		       js_str(d, "kafka_version", "?"), js_str(d, "client_broker", "?"),
		       cJSON_IsBool(js_get(d, "in_cluster"))
			       ? (js_true(d, "in_cluster") ? "encrypted" : "plaintext")
			       : "?");
}

/* Where a finding was seen: evidence.endpoint, else the server of the first captured pair. */
static const char *finding_endpoint(const cJSON *ev)
{
	const char *ep = js_str(ev, "endpoint", NULL);
	if (!ep || !ep[0])
		ep = js_str(cJSON_GetArrayItem(js_arr(ev, "pairs"), 0), "server", NULL);
	return ep && ep[0] ? ep : NULL;
}

static void findings_text(struct rep_buf *o, const struct rep_ctx *ctx, const cJSON *c)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, js_arr(c, "findings")) {
		const char *sev = js_str(f, "severity", "info");
		char up[16];
		size_t i;
		for (i = 0; sev[i] && i + 1 < sizeof(up); i++)
			up[i] = (char)(sev[i] >= 'a' && sev[i] <= 'z' ? sev[i] - 32 : sev[i]);
		up[i] = '\0';
		rb_put(o, "    %s[%s]%s %s: %s", paint(ctx, sev), up, paint(ctx, "reset"),
		       js_str(f, "id", "?"), js_str(f, "title", ""));
		const char *ep = finding_endpoint(js_obj(f, "evidence"));
		rb_str(o, ep ? " (" : "");
		rb_str(o, ep ? ep : "");
		rb_str(o, ep ? ")\n" : "\n");
		const struct mp_check *k = mp_catalog_find(ctx->cat, js_str(f, "id", ""));
		if (k)
			rb_put(o, "        fix: %s\n", k->remediation);
	}
}

static int text_render(const cJSON *r, const struct rep_ctx *ctx, struct rep_buf *o, char *errbuf,
		       size_t errlen)
{
	const cJSON *clusters = js_arr(r, "clusters");
	const cJSON *pol = js_obj(r, "policy");
	const cJSON *c;

	if (!clusters || strcmp(js_str(r, "schema", ""), REP_SCHEMA) != 0) {
		mp_fmt(errbuf, errlen, "not a %s report", REP_SCHEMA);
		return -EINVAL;
	}
	rb_put(o, "mskprobe report %s: policy Kafka >= %s on %s\n\n",
	       js_str(r, "generated_at", "?"), js_str(pol, "min_kafka_version", "?"),
	       js_str(pol, "platform", "?"));
	rb_put(o, "%-24s %-28s %-10s %-14s %s\n", "CLUSTER", "VERSION", "MODE", "VERDICT", "OWNER");
	cJSON_ArrayForEach (c, clusters) {
		const char *verdict = js_str(c, "verdict", "unverified");
		char ver[128], owners[128], name[128];
		js_version_cell(c, ver, sizeof(ver));
		if (strlen(ver) > 28) /* say it is cut; the cluster's block below has it whole */
			mp_strlcpy(ver + 25, "...", sizeof(ver) - 25);
		owners_cell(c, owners, sizeof(owners));
		mp_strlcpy(name, js_str(c, "name", "?"), sizeof(name));
		rep_utf8_trunc(name, 24);
		rb_put(o, "%-24s %-28.28s %-10.10s %s%-14s%s %s\n", name, ver,
		       js_str(js_obj(c, "kafka"), "mode", "unknown"), paint(ctx, verdict), verdict,
		       paint(ctx, "reset"), owners[0] ? owners : "-");
	}
	cJSON_ArrayForEach (c, clusters) {
		const cJSON *kafka = js_obj(c, "kafka");
		const cJSON *disc = js_obj(kafka, "discovery");
		rb_put(o, "\n%s: %s\n", js_str(c, "name", "?"), js_str(c, "verdict_reason", ""));
		declared_text(o, c);
		rb_put(o, "    discovery: %s%s%s\n", js_str(disc, "status", "?"),
		       js_str(disc, "error", NULL) ? ": " : "", js_str(disc, "error", ""));
		brokers_text(o, kafka, "brokers");
		brokers_text(o, kafka, "listener_checks");
		zk_text(o, c);
		rep_clients_text(o, c);
		findings_text(o, ctx, c);
	}
	return 0;
}

const struct rep_format_ops rep_fmt_text = {
	.name = "text",
	.ext = "txt",
	.summary = "the terminal view (colour on a TTY only)",
	.render = { [REP_DOC_REPORT] = text_render,
		    [REP_DOC_DIFF] = rep_diff_text,
		    [REP_DOC_TREND] = rep_trend_text },
};

int rep_render_text(const cJSON *report, bool color, char **ret, char *errbuf, size_t errlen)
{
	struct rep_render_opts o = { .color = color };
	return rep_render("text", report, &o, ret, NULL, errbuf, errlen);
}
