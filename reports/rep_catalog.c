/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The finding catalogue and compliance map: base/data/findings.tsv
 * (compiled in by scripts/embed.py as mp_findings_builtin). Layout, one
 * finding per line, TAB separated, '#' comments:
 *
 *   id  severity  requires  title  remediation  FW|CTRL;FW|CTRL;...
 *
 * The parser keeps one copy of the text and points into it.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static bool any_tls(const cJSON *cluster)
{
	const cJSON *k = js_obj(cluster, "kafka"), *it;
	static const char *const lists[] = { "brokers", "listener_checks" };
	for (size_t i = 0; i < 2; i++)
		cJSON_ArrayForEach (it, js_arr(k, lists[i]))
			if (js_obj(it, "tls_info"))
				return true;
	cJSON_ArrayForEach (it, js_arr(cluster, "zookeeper"))
		if (js_obj(it, "tls"))
			return true;
	return false;
}

static bool nonempty(const cJSON *arr)
{
	return cJSON_GetArraySize(arr) > 0;
}

bool rep_check_evaluated(const struct mp_check *k, const cJSON *report, const cJSON *cluster)
{
	const cJSON *kafka = js_obj(cluster, "kafka");
	const char *r = k->requires;
	if (strcmp(r, "always") == 0)
		return true;
	if (strcmp(r, "brokers") == 0)
		return nonempty(js_arr(kafka, "brokers"));
	if (strcmp(r, "zookeeper") == 0)
		return nonempty(js_arr(cluster, "zookeeper"));
	if (strcmp(r, "tls") == 0)
		return any_tls(cluster);
	if (strcmp(r, "configs") == 0)
		return strcmp(js_str(js_obj(kafka, "discovery"), "configs", ""), "ok") == 0;
	if (strcmp(r, "capture") == 0)
		return js_obj(cluster, "capture") != NULL;
	if (strcmp(r, "inventory") == 0)
		return js_obj(js_obj(cluster, "inventory"), "declared") != NULL;
	if (strcmp(r, "listeners") == 0)
		return nonempty(js_arr(kafka, "listener_checks")) ||
		       js_obj(js_obj(cluster, "inventory"), "declared") != NULL;
	if (strcmp(r, "tags") == 0)
		return nonempty(js_arr(js_obj(report, "policy"), "required_tags"));
	if (strcmp(r, "clients") == 0) /* a capture or Open Monitoring gave an inventory */
		return js_arr(cluster, "clients") != NULL;
	return false;
}

const char *rep_check_status(const struct mp_check *k, const cJSON *report, const cJSON *cluster,
			     const cJSON **ret_finding)
{
	const cJSON *f, *worst = NULL;
	*ret_finding = NULL;
	if (strcmp(k->id, MP_VERDICT_CHECK) == 0) {
		const char *v = js_str(cluster, "verdict", "");
		return strcmp(v, "compliant") == 0	 ? "PASSED"
		       : strcmp(v, "non_compliant") == 0 ? "FAILED"
							 : "WARNING";
	}
	cJSON_ArrayForEach (f, js_arr(cluster, "findings")) {
		if (strcmp(js_str(f, "id", ""), k->id) != 0)
			continue;
		if (!worst || rep_sev_rank(js_str(f, "severity", "")) >
				      rep_sev_rank(js_str(worst, "severity", "")))
			worst = f;
	}
	if (worst) {
		*ret_finding = worst;
		return rep_sev_rank(js_str(worst, "severity", "")) >= 1 ? "FAILED" : "WARNING";
	}
	return rep_check_evaluated(k, report, cluster) ? "PASSED" : "NOT_AVAILABLE";
}

const char *rep_check_severity(const struct mp_check *k, const cJSON *report, const cJSON *finding)
{
	if (finding)
		return js_str(finding, "severity", "info");
	const char *o = js_str(js_obj(js_obj(report, "policy"), "severity_overrides"), k->id, NULL);
	return o && rep_sev_rank(o) >= 0 ? o : k->severity;
}

void rep_finding_block(struct rep_buf *b, const struct rep_ctx *ctx, const cJSON *f,
		       const struct rep_finding_style *st)
{
	const char *sev = js_str(f, "severity", "info");
	const struct mp_check *k = mp_catalog_find(ctx->cat, js_str(f, "id", ""));
	const cJSON *ev = js_obj(f, "evidence");
	if (rep_sev_rank(sev) < 0)
		sev = "info";
	st->head(b, sev, js_str(f, "id", "?"), js_str(f, "title", ""));
	if (k) {
		rb_str(b, st->remediation);
		st->esc(b, k->remediation);
		rb_str(b, st->controls);
		for (size_t i = 0; i < k->n_controls; i++) {
			rb_str(b, i ? "; " : "");
			st->esc(b, k->framework[i]);
			rb_str(b, " ");
			st->esc(b, k->control[i]);
		}
		rb_str(b, st->controls_end);
	} else {
		rb_str(b, st->uncatalogued);
	}
	if (ev && ev->child)
		st->evidence(b, ev);
	rb_str(b, st->end);
}
