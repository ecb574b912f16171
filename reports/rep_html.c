/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The auditor's report: one self-contained HTML file (inline stylesheet, no
 * script, no external asset, a Content-Security-Policy that forbids both),
 * rendered from the JSON report. Top to bottom: summary and KPIs, the table
 * of clusters, per cluster the verdict, declared facts, evidence (brokers
 * with their ApiVersions fingerprint, TLS chains, ZooKeeper endpoints,
 * capture statistics), each finding with remediation and compliance
 * mapping, and the provenance block. Every report string goes through
 * rb_html(); nothing from the report is ever an attribute name, a URL or CSS.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

void rep_html_head(struct rep_buf *b, const char *title)
{
	rb_str(b,
	       "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'unsafe-inline'; img-src data:\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	rb_html(b, title);
	rb_str(b,
	       "</title>\n<style>\n"
	       "body{font:14px/1.45 'DejaVu "
	       "Sans',Arial,Helvetica,sans-serif;color:#1b1f24;margin:0;"
	       "background:#f4f5f7}\n"
	       "main{max-width:1180px;margin:0 auto;padding:24px 32px;background:#fff}\n"
	       "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
	       "border-bottom:2px solid #d0d7de;padding-bottom:4px}"
	       "h3{font-size:15px;margin:18px 0 6px}\n"
	       ".sub{color:#57606a;margin:0 0 16px}\n"
	       "table{border-collapse:collapse;width:100%;margin:6px 0 12px}\n"
	       "th,td{border:1px solid #d0d7de;padding:4px "
	       "8px;text-align:left;vertical-align:top}\n"
	       "th{background:#f0f3f6;font-weight:600}\n"
	       "td.num{text-align:right}\n"
	       ".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 12px}\n"
	       ".kpi{border:1px solid #d0d7de;border-radius:6px;padding:10px "
	       "14px;min-width:120px}\n"
	       ".kpi b{display:block;font-size:24px}\n"
	       ".kpi span{color:#57606a;font-size:12px;text-transform:uppercase}\n"
	       ".v{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;"
	       "font-size:12px}\n"
	       ".v-compliant,.s-PASSED{background:#dafbe1;color:#116329}\n"
	       ".v-non_compliant,.s-FAILED,.sev-high,.sev-critical{background:#ffebe9;color:#"
	       "a40e26}\n"
	       ".v-unverified,.s-WARNING,.sev-medium{background:#fff8c5;color:#7d4e00}\n"
	       ".sev-low,.sev-info,.s-NOT_AVAILABLE{background:#eaeef2;color:#424a53}\n"
	       ".cluster{border:1px solid #d0d7de;border-radius:6px;padding:4px 16px 10px;"
	       "margin:14px 0}\n"
	       ".finding{border-left:4px solid #d0d7de;padding:2px 12px;margin:10px 0}\n"
	       ".f-high,.f-critical{border-color:#cf222e}.f-medium{border-color:#bf8700}\n"
	       ".f-low,.f-info{border-color:#8c959f}\n"
	       ".keys{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:11px;"
	       "word-spacing:2px}\n"
	       "code,pre,.mono{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:12px}\n"
	       "pre{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;overflow-x:auto;"
	       "white-space:pre-wrap;word-break:break-all}\n"
	       ".mono{word-break:break-all}\n"
	       "dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:6px 0}\n"
	       "dt{font-weight:600;color:#424a53}dd{margin:0;word-break:break-word}\n"
	       "footer{color:#57606a;font-size:12px;margin-top:24px}\n"
	       "@media print{body{background:#fff}main{padding:0}.cluster,.finding"
	       "{break-inside:avoid}}\n"
	       "</style>\n</head>\n<body>\n<main>\n");
}

static void badge(struct rep_buf *b, const char *cls_prefix, const char *v)
{
	/* the class is only ever one of our fixed values */
	static const char *const ok[] = { "compliant", "non_compliant", "unverified",	 "PASSED",
					  "FAILED",    "WARNING",	"NOT_AVAILABLE", "info",
					  "low",       "medium",	"high",		 "critical",
					  NULL };
	const char *cls = "unverified";
	for (size_t i = 0; ok[i]; i++)
		if (strcmp(v, ok[i]) == 0)
			cls = ok[i];
	rb_put(b, "<span class=\"v %s%s\">", cls_prefix, cls);
	rb_html(b, v);
	rb_str(b, "</span>");
}

void rep_html_td(struct rep_buf *b, const char *s)
{
	rb_str(b, "<td>");
	rb_html(b, s);
	rb_str(b, "</td>");
}

static void dl_row(struct rep_buf *b, const char *k, const char *v)
{
	rb_str(b, "<dt>");
	rb_html(b, k);
	rb_str(b, "</dt><dd>");
	rb_html(b, v);
	rb_str(b, "</dd>\n");
}

static void owners_html(struct rep_buf *b, const cJSON *c)
{
	rep_owners(b, c, rb_html, "<br>", ": ", "&mdash;");
}

static void summary_html(struct rep_buf *b, const cJSON *r)
{
	const cJSON *s = js_obj(r, "summary"), *c, *f;
	int sev[5] = { 0 };
	double n = 0, ok = 0;
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		n++;
		ok += strcmp(js_str(c, "verdict", ""), "compliant") == 0;
		cJSON_ArrayForEach (f, js_arr(c, "findings")) {
			int k = rep_sev_rank(js_str(f, "severity", ""));
			if (k >= 0)
				sev[k]++;
		}
	}
	rb_str(b, "<h2 id=\"summary\">Summary</h2>\n<div class=\"kpis\">\n");
	rb_put(b, "<div class=\"kpi\"><b>%.0f%%</b><span>clusters compliant</span></div>\n",
	       n ? 100.0 * ok / n : 0.0);
	rb_put(b, "<div class=\"kpi\"><b>%.0f</b><span>clusters</span></div>\n", n);
	rb_put(b, "<div class=\"kpi\"><b>%.0f</b><span>compliant</span></div>\n",
	       js_num(s, "compliant", ok));
	rb_put(b, "<div class=\"kpi\"><b>%.0f</b><span>non-compliant</span></div>\n",
	       js_num(s, "non_compliant", 0));
	rb_put(b, "<div class=\"kpi\"><b>%.0f</b><span>unverified</span></div>\n",
	       js_num(s, "unverified", 0));
	rb_put(b, "<div class=\"kpi\"><b>%d</b><span>high/critical findings</span></div>\n",
	       sev[3] + sev[4]);
	/* info findings are neither: counting them as medium/low showed a severity they lack */
	rb_put(b, "<div class=\"kpi\"><b>%d</b><span>medium/low findings</span></div>\n",
	       sev[2] + sev[1]);
	rb_str(b, "</div>\n");
}

static void clusters_table(struct rep_buf *b, const cJSON *r)
{
	const cJSON *c;
	rb_str(b, "<h2 id=\"clusters\">Clusters</h2>\n<table>\n<tr><th>Cluster</th><th>Owner</th>"
		  "<th>Kafka version (candidates)</th><th>Mode</th><th>Verdict</th>"
		  "<th>Findings</th></tr>\n");
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		char ver[256];
		js_version_cell(c, ver, sizeof(ver));
		rb_str(b, "<tr>");
		rep_html_td(b, js_str(c, "name", "?"));
		rb_str(b, "<td>");
		owners_html(b, c);
		rb_str(b, "</td>");
		rep_html_td(b, ver);
		rep_html_td(b, js_str(js_obj(c, "kafka"), "mode", "unknown"));
		rb_str(b, "<td>");
		badge(b, "v-", js_str(c, "verdict", "unverified"));
		rb_put(b, "</td><td class=\"num\">%d</td></tr>\n",
		       cJSON_GetArraySize(js_arr(c, "findings")));
	}
	rb_str(b, "</table>\n");
}

static void apiv_line(struct rep_buf *b, const cJSON *apiv)
{
	const cJSON *it;
	bool any = false;
	rb_str(b, "<div class=\"keys\">");
	cJSON_ArrayForEach (it, apiv) {
		const cJSON *lo = cJSON_GetArrayItem(it, 0), *hi = cJSON_GetArrayItem(it, 1);
		if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi))
			continue;
		rb_str(b, any ? " " : "");
		rb_html(b, it->string ? it->string : "?");
		rb_put(b, ":%.0f-%.0f", lo->valuedouble, hi->valuedouble);
		any = true;
	}
	rb_str(b, any ? "</div>" : "none</div>");
}

static void brokers_html(struct rep_buf *b, const cJSON *kafka, const char *list, const char *title)
{
	const cJSON *br;
	if (!cJSON_GetArraySize(js_arr(kafka, list)))
		return;
	rb_put(b,
	       "<h3>%s</h3>\n<table>\n<tr><th>Endpoint</th><th>Transport</th><th>Node</th>"
	       "<th>Fingerprint</th><th>ApiVersions (key:min-max)</th></tr>\n",
	       title);
	cJSON_ArrayForEach (br, js_arr(kafka, list)) {
		const cJSON *fp = js_obj(br, "fingerprint"), *rel;
		char ep[400];
		mp_fmt(ep, sizeof(ep), "%s:%.0f", js_str(br, "host", "?"), js_num(br, "port", 0));
		rb_str(b, "<tr>");
		rep_html_td(b, ep);
		rep_html_td(b, js_true(br, "tls") ? "TLS" : "plaintext");
		if (cJSON_IsNumber(js_get(br, "node_id")))
			rb_put(b, "<td class=\"num\">%.0f</td>", js_num(br, "node_id", -1));
		else
			rb_str(b, "<td>&mdash;</td>");
		rb_str(b, "<td>");
		if (fp) {
			cJSON_ArrayForEach (rel, js_arr(fp, "releases"))
				if (cJSON_IsString(rel)) {
					rb_html(b, rel->valuestring);
					rb_str(b, " ");
				}
			rb_put(b, "(%s, %.0f differing keys), ",
			       js_true(fp, "exact") ? "exact" : "nearest",
			       js_num(fp, "distance", 0));
			rb_html(b, js_str(fp, "mode", "unknown"));
			rb_str(b, " mode: ");
			rb_html(b, js_str(fp, "mode_reason", ""));
		} else {
			rb_str(b, "no answer: ");
			rb_html(b, js_str(br, "error", "closed on ApiVersions"));
		}
		rb_str(b, "</td><td>");
		apiv_line(b, js_obj(br, "api_versions"));
		rb_str(b, "</td></tr>\n");
	}
	rb_str(b, "</table>\n");
}

static void tls_html(struct rep_buf *b, const char *where, const cJSON *t)
{
	const cJSON *cert, *p;
	char line[512] = "";
	size_t o = 0;
	cJSON_ArrayForEach (p, js_arr(t, "accepted_protocols"))
		if (cJSON_IsString(p) && o + 1 < sizeof(line))
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s", o ? ", " : "",
					      p->valuestring);
	rb_str(b, "<h3>TLS: ");
	rb_html(b, where);
	rb_str(b, "</h3>\n<dl>\n");
	dl_row(b, "handshake", js_str(t, "handshake", "?"));
	if (js_str(t, "error", NULL))
		dl_row(b, "error", js_str(t, "error", ""));
	dl_row(b, "protocol / cipher", js_str(t, "protocol", "?"));
	rb_str(b, "<dt></dt><dd>");
	rb_html(b, js_str(t, "cipher", ""));
	rb_str(b, "</dd>\n");
	dl_row(b, "protocols accepted", line[0] ? line : "not tested");
	dl_row(b, "chain verification", js_str(t, "verify", "not checked"));
	const cJSON *hm = js_get(t, "hostname_match");
	dl_row(b, "host name match",
	       cJSON_IsBool(hm) ? (cJSON_IsTrue(hm) ? "yes" : "no") : "not checked");
	dl_row(b, "client certificate", js_str(t, "client_cert", "unknown"));
	rb_str(b, "</dl>\n");
	if (!cJSON_GetArraySize(js_arr(t, "chain")))
		return;
	rb_str(b, "<table>\n<tr><th>#</th><th>Subject</th><th>Issuer</th><th>Valid until</th>"
		  "<th>Days left</th><th>Key / signature</th><th>SHA-256</th></tr>\n");
	int i = 0;
	cJSON_ArrayForEach (cert, js_arr(t, "chain")) {
		char ks[128];
		mp_fmt(ks, sizeof(ks), "%s / %s", js_str(cert, "key", "?"),
		       js_str(cert, "sig_alg", "?"));
		rb_put(b, "<tr><td class=\"num\">%d</td>", i++);
		rep_html_td(b, js_str(cert, "subject", "?"));
		rep_html_td(b, js_str(cert, "issuer", "?"));
		rep_html_td(b, js_str(cert, "not_after", "?"));
		rb_put(b, "<td class=\"num\">%.0f</td>", js_num(cert, "days_left", 0));
		rep_html_td(b, ks);
		rb_str(b, "<td class=\"mono\">");
		rb_html(b, js_str(cert, "sha256", ""));
		rb_str(b, "</td></tr>\n");
	}
	rb_str(b, "</table>\n");
}

static void tls_all_html(struct rep_buf *b, const cJSON *c)
{
	const cJSON *it;
	static const char *const lists[] = { "brokers", "listener_checks" };
	char where[400];
	for (size_t i = 0; i < 2; i++)
		cJSON_ArrayForEach (it, js_arr(js_obj(c, "kafka"), lists[i])) {
			const cJSON *t = js_obj(it, "tls_info");
			if (!t)
				continue;
			mp_fmt(where, sizeof(where), "Kafka %s:%.0f", js_str(it, "host", "?"),
			       js_num(it, "port", 0));
			tls_html(b, where, t);
		}
	cJSON_ArrayForEach (it, js_arr(c, "zookeeper")) {
		const cJSON *t = js_obj(it, "tls");
		if (!t)
			continue;
		mp_fmt(where, sizeof(where), "ZooKeeper %s:%.0f", js_str(it, "host", "?"),
		       js_num(it, "port", 0));
		tls_html(b, where, t);
	}
}

static void zk_html(struct rep_buf *b, const cJSON *c)
{
	const cJSON *z;
	if (!cJSON_GetArraySize(js_arr(c, "zookeeper")))
		return;
	rb_str(b, "<h3>ZooKeeper endpoints</h3>\n<table>\n<tr><th>Endpoint</th><th>Transport</th>"
		  "<th>Speaks ZooKeeper</th><th>Detail</th></tr>\n");
	cJSON_ArrayForEach (z, js_arr(c, "zookeeper")) {
		const cJSON *tls = js_obj(z, "tls"), *plain = js_obj(z, "plaintext");
		char ep[400];
		mp_fmt(ep, sizeof(ep), "%s:%.0f", js_str(z, "host", "?"), js_num(z, "port", 0));
		rb_str(b, "<tr>");
		rep_html_td(b, ep);
		if (!js_true(z, "reachable")) {
			rep_html_td(b, "unreachable");
			rep_html_td(b, "");
			rep_html_td(b, js_str(z, "error", ""));
		} else if (tls) {
			rep_html_td(b, "TLS");
			rep_html_td(b, js_true(tls, "speaks_zookeeper") ? "yes" : "no");
			rep_html_td(b, js_str(tls, "verify", ""));
		} else {
			rep_html_td(b, "plaintext");
			rep_html_td(b, js_true(plain, "speaks_zookeeper") ? "yes" : "no");
			rep_html_td(b, js_str(plain, "srvr_status", ""));
		}
		rb_str(b, "</tr>\n");
	}
	rb_str(b, "</table>\n");
}

static void capture_html(struct rep_buf *b, const cJSON *c)
{
	const cJSON *cap = js_obj(c, "capture"), *st, *it;
	if (!cap)
		return;
	st = js_obj(cap, "stats");
	rb_str(b, "<h3>Capture statistics</h3>\n<dl>\n");
	dl_row(b, "source", js_str(js_obj(cap, "source"), "name", "?"));
	static const char *const keys[] = { "packets", "bytes",	    "flows",
					    "dropped", "malformed", "seconds" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char v[64];
		mp_fmt(v, sizeof(v), "%.15g", js_num(st, keys[i], 0));
		dl_row(b, keys[i], v);
	}
	const cJSON *ev = js_obj(cap, "evidence");
	if (ev) {
		char v[256];
		mp_fmt(v, sizeof(v), "%s (SHA-256 %s)", js_str(ev, "file", "?"),
		       js_str(ev, "sha256", "?"));
		dl_row(b, "evidence pcap", v);
	}
	rb_str(b, "</dl>\n<table>\n<tr><th>Traffic class</th><th>Flows</th></tr>\n");
	cJSON_ArrayForEach (it, js_obj(st, "classes")) {
		rb_str(b, "<tr>");
		rep_html_td(b, it->string ? it->string : "?");
		rb_put(b, "<td class=\"num\">%.0f</td></tr>\n",
		       cJSON_IsNumber(it) ? it->valuedouble : 0.0);
	}
	rb_str(b, "</table>\n");
}

static void declared_html(struct rep_buf *b, const cJSON *c)
{
	const cJSON *inv = js_obj(c, "inventory"), *d = js_obj(inv, "declared"), *it;
	if (!inv)
		return;
	rb_str(b, "<h3>Inventory (declared by AWS)</h3>\n<dl>\n");
	if (js_str(inv, "arn", NULL))
		dl_row(b, "ARN", js_str(inv, "arn", ""));
	if (d) {
		dl_row(b, "Kafka version", js_str(d, "kafka_version", "?"));
		dl_row(b, "client-broker encryption", js_str(d, "client_broker", "?"));
		const cJSON *ic = js_get(d, "in_cluster");
		dl_row(b, "in-cluster encryption",
		       cJSON_IsBool(ic) ? (cJSON_IsTrue(ic) ? "on" : "off") : "?");
		dl_row(b, "state", js_str(d, "state", "?"));
	}
	cJSON_ArrayForEach (it, js_obj(inv, "tags"))
		if (cJSON_IsString(it)) {
			char k[200];
			mp_fmt(k, sizeof(k), "tag %s", it->string ? it->string : "?");
			dl_row(b, k, it->valuestring);
		}
	rb_str(b, "</dl>\n");
}

static void finding_head_html(struct rep_buf *b, const char *sev, const char *id, const char *title)
{
	rb_put(b, "<div class=\"finding f-%s\">\n<p>", sev);
	badge(b, "sev-", sev);
	rb_str(b, " <code>");
	rb_html(b, id);
	rb_str(b, "</code> ");
	rb_html(b, title);
	rb_str(b, "</p>\n");
}

static void evidence_html(struct rep_buf *b, const cJSON *ev)
{
	char *s = cJSON_Print(ev);
	rb_str(b, "<p><b>Evidence.</b></p><pre>");
	if (s)
		rb_html(b, s);
	else
		b->oom = true;
	rb_str(b, "</pre>\n");
	free(s);
}

static const struct rep_finding_style finding_html = {
	.esc = rb_html,
	.head = finding_head_html,
	.remediation = "<p><b>Remediation.</b> ",
	.controls = "</p>\n<p><b>Controls.</b> ",
	.controls_end = "</p>\n",
	.uncatalogued = "<p><b>Remediation.</b> not in the finding catalogue of this mskprobe "
			"build.</p>\n",
	.evidence = evidence_html,
	.end = "</div>\n",
};

static void cluster_html(struct rep_buf *b, const struct rep_ctx *ctx, const cJSON *c, int idx)
{
	const cJSON *kafka = js_obj(c, "kafka"), *f;
	const cJSON *disc = js_obj(kafka, "discovery");
	char ver[256], d[600];
	js_version_cell(c, ver, sizeof(ver));
	rb_put(b, "<section class=\"cluster\" id=\"cluster-%d\">\n<h2>", idx);
	rb_html(b, js_str(c, "name", "?"));
	rb_str(b, " ");
	badge(b, "v-", js_str(c, "verdict", "unverified"));
	rb_str(b, "</h2>\n<p>");
	rb_html(b, js_str(c, "verdict_reason", ""));
	rb_str(b, "</p>\n<dl>\n");
	dl_row(b, "Kafka version", ver);
	dl_row(b, "mode", js_str(kafka, "mode", "unknown"));
	mp_fmt(d, sizeof(d), "%s%s%s", js_str(disc, "status", "?"),
	       js_str(disc, "error", NULL) ? ": " : "", js_str(disc, "error", ""));
	dl_row(b, "discovery", d);
	rb_str(b, "<dt>owners</dt><dd>");
	owners_html(b, c);
	rb_str(b, "</dd>\n</dl>\n");
	declared_html(b, c);
	brokers_html(b, kafka, "brokers", "Kafka brokers and ApiVersions fingerprint");
	brokers_html(b, kafka, "listener_checks", "Listener checks");
	zk_html(b, c);
	tls_all_html(b, c);
	capture_html(b, c);
	rep_clients_html(b, c);
	rb_put(b, "<h3>Findings (%d)</h3>\n", cJSON_GetArraySize(js_arr(c, "findings")));
	if (!cJSON_GetArraySize(js_arr(c, "findings")))
		rb_str(b, "<p>None.</p>\n");
	cJSON_ArrayForEach (f, js_arr(c, "findings"))
		rep_finding_block(b, ctx, f, &finding_html);
	rb_str(b, "</section>\n");
}

static void provenance_html(struct rep_buf *b, const cJSON *r)
{
	const cJSON *p = js_obj(r, "provenance"), *t = js_obj(r, "tool"),
		    *pol = js_obj(r, "policy");
	const cJSON *it;
	char v[512];
	rb_str(b, "<h2 id=\"provenance\">Provenance</h2>\n<dl>\n");
	mp_fmt(v, sizeof(v), "%s %s", js_str(t, "name", "mskprobe"), js_str(t, "version", "?"));
	dl_row(b, "tool", v);
	if (js_str(t, "build", NULL))
		dl_row(b, "build", js_str(t, "build", ""));
	dl_row(b, "generated (UTC)", js_str(r, "generated_at", "?"));
	dl_row(b, "probe host", js_str(p, "probe_host", "unknown"));
	dl_row(b, "command line", js_str(p, "command_line", "?"));
	mp_fmt(v, sizeof(v), "%.0f ms", js_num(p, "duration_ms", 0));
	dl_row(b, "duration", v);
	mp_fmt(v, sizeof(v), "Kafka >= %s on %s, certificate warning %.0f days",
	       js_str(pol, "min_kafka_version", "?"), js_str(pol, "platform", "?"),
	       js_num(pol, "cert_warn_days", 0));
	dl_row(b, "policy", v);
	cJSON_ArrayForEach (it, js_arr(p, "targets")) {
		const cJSON *e;
		struct rep_buf eps = { 0 };
		cJSON_ArrayForEach (e, js_arr(it, "endpoints"))
			if (cJSON_IsString(e)) {
				rb_str(&eps, eps.len ? ", " : "");
				rb_str(&eps, e->valuestring);
			}
		mp_fmt(v, sizeof(v), "target %s", js_str(it, "cluster", "?"));
		dl_row(b, v, eps.p ? eps.p : "");
		b->oom |= eps.oom;
		rb_free(&eps);
	}
	cJSON_ArrayForEach (it, js_arr(p, "inputs")) {
		mp_fmt(v, sizeof(v), "%s (SHA-256 %s)", js_str(it, "file", "?"),
		       js_str(it, "sha256", "?"));
		dl_row(b, js_str(it, "role", "input"), v);
	}
	cJSON_ArrayForEach (it, js_arr(p, "inventory_skipped")) {
		mp_fmt(v, sizeof(v), "%s (State %s)", js_str(it, "cluster", "?"),
		       js_str(it, "state", "?"));
		dl_row(b, "not scanned", v);
	}
	rb_str(b, "</dl>\n");
}

static int html_render(const cJSON *r, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
		       size_t errlen)
{
	(void)errbuf;
	(void)errlen;
	const cJSON *c;
	int i = 0;
	rep_html_head(b, "mskprobe report");
	rb_str(b, "<h1>Kafka control-plane encryption report</h1>\n<p class=\"sub\">Generated ");
	rb_html(b, js_str(r, "generated_at", "?"));
	rb_str(b, " by mskprobe ");
	rb_html(b, js_str(js_obj(r, "tool"), "version", "?"));
	rb_str(b, " on ");
	rb_html(b, js_str(js_obj(r, "provenance"), "probe_host", "an unknown host"));
	rb_str(b, ". Policy: Kafka &ge; ");
	rb_html(b, js_str(js_obj(r, "policy"), "min_kafka_version", "?"));
	rb_str(b, " (");
	rb_html(b, js_str(js_obj(r, "policy"), "platform", "?"));
	rb_str(b, "). Rendered from the JSON report, which is the evidence.</p>\n");
	summary_html(b, r);
	clusters_table(b, r);
	cJSON_ArrayForEach (c, js_arr(r, "clusters"))
		cluster_html(b, ctx, c, i++);
	provenance_html(b, r);
	rb_str(b, "<footer>Schema ");
	rb_html(b, js_str(r, "schema", "?"));
	rb_str(b, ". A verdict is derived from the evidence shown; re-render, diff or verify this "
		  "report with <code>mskprobe report</code>, <code>mskprobe diff</code> and "
		  "<code>mskprobe verify</code>.</footer>\n</main>\n</body>\n</html>\n");
	return 0;
}

const struct rep_format_ops rep_fmt_html = {
	.name = "html",
	.ext = "html",
	.summary = "self-contained page for auditors",
	.render = { [REP_DOC_REPORT] = html_render, [REP_DOC_TREND] = rep_trend_html },
};
