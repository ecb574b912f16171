/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCSF 1.1 Compliance Finding events (class_uid 2003, category_uid 2
 * Findings, activity 1 Create, type_uid 200301), one per cluster and
 * catalogue check, one JSON object per line (NDJSON) for Security Lake
 * custom sources and SIEMs. compliance.status_id: 1 Pass, 2 Warning,
 * 3 Fail, 0 Unknown (not evaluated). finding_info.uid is the same stable id
 * as the ASFF one.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static int status_id(const char *s)
{
	if (strcmp(s, "PASSED") == 0)
		return 1;
	if (strcmp(s, "WARNING") == 0)
		return 2;
	if (strcmp(s, "FAILED") == 0)
		return 3;
	return 0;
}

static const char *status_name(int id)
{
	static const char *const n[] = { "Unknown", "Pass", "Warning", "Fail" };
	return n[id];
}

static cJSON *event(const cJSON *r, const cJSON *c, const struct mp_check *k, const char *status,
		    const cJSON *f)
{
	int64_t t = rep_time_parse(js_str(r, "generated_at", ""));
	/* the report's, as in ASFF (a check that did not fail shows info below) */
	const char *sev = rep_check_severity(k, r, f);
	int sid = status_id(status);
	char buf[1200];
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (sid != 3 && sid != 2)
		sev = "info";
	cJSON_AddNumberToObject(o, "class_uid", 2003);
	cJSON_AddStringToObject(o, "class_name", "Compliance Finding");
	cJSON_AddNumberToObject(o, "category_uid", 2);
	cJSON_AddStringToObject(o, "category_name", "Findings");
	cJSON_AddNumberToObject(o, "activity_id", 1);
	cJSON_AddStringToObject(o, "activity_name", "Create");
	cJSON_AddNumberToObject(o, "type_uid", 200301);
	cJSON_AddNumberToObject(o, "severity_id", rep_sev_rank(sev) + 1);
	cJSON_AddStringToObject(o, "severity",
				rep_sev_rank(sev) == 0	 ? "Informational"
				: rep_sev_rank(sev) == 1 ? "Low"
				: rep_sev_rank(sev) == 2 ? "Medium"
				: rep_sev_rank(sev) == 3 ? "High"
							 : "Critical");
	cJSON_AddNumberToObject(o, "time", t > 0 ? (double)t * 1000.0 : 0);
	cJSON_AddNumberToObject(o, "status_id", 1);
	cJSON_AddStringToObject(o, "status", "New");
	cJSON *md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(md, "version", "1.1.0");
	cJSON *prod = cJSON_AddObjectToObject(md, "product");
	cJSON_AddStringToObject(prod, "name", "mskprobe");
	cJSON_AddStringToObject(prod, "vendor_name", "mskprobe");
	cJSON_AddStringToObject(prod, "version", js_str(js_obj(r, "tool"), "version", "?"));
	cJSON *fi = cJSON_AddObjectToObject(o, "finding_info");
	mp_fmt(buf, sizeof(buf), "mskprobe/%s/%s", js_cluster_key(c), k->id);
	cJSON_AddStringToObject(fi, "uid", buf);
	cJSON_AddStringToObject(fi, "title", f ? js_str(f, "title", k->title) : k->title);
	cJSON_AddStringToObject(
		fi, "desc",
		strcmp(k->id, MP_VERDICT_CHECK) == 0 ? js_str(c, "verdict_reason", "") : k->title);
	cJSON_AddItemToObject(fi, "types", cJSON_CreateStringArray(&k->id, 1));
	if (t > 0)
		cJSON_AddNumberToObject(fi, "created_time", (double)t * 1000.0);
	cJSON *comp = cJSON_AddObjectToObject(o, "compliance");
	cJSON_AddStringToObject(comp, "control", k->id);
	cJSON_AddNumberToObject(comp, "status_id", sid);
	cJSON_AddStringToObject(comp, "status", status_name(sid));
	cJSON *reqs = cJSON_AddArrayToObject(comp, "requirements");
	cJSON *stds = cJSON_AddArrayToObject(comp, "standards");
	for (size_t i = 0; i < k->n_controls; i++) {
		mp_fmt(buf, sizeof(buf), "%s %s", k->framework[i], k->control[i]);
		cJSON_AddItemToArray(reqs, cJSON_CreateString(buf));
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen = seen || strcmp(k->framework[j], k->framework[i]) == 0;
		if (!seen)
			cJSON_AddItemToArray(stds, cJSON_CreateString(k->framework[i]));
	}
	cJSON *rem = cJSON_AddObjectToObject(o, "remediation");
	cJSON_AddStringToObject(rem, "desc", k->remediation);
	cJSON *res = cJSON_AddArrayToObject(o, "resources");
	cJSON *ro = cJSON_CreateObject();
	cJSON_AddItemToArray(res, ro);
	cJSON_AddStringToObject(ro, "uid", js_cluster_key(c));
	cJSON_AddStringToObject(ro, "name", js_str(c, "name", "?"));
	cJSON_AddStringToObject(ro, "type", "Kafka Cluster");
	const cJSON *owners = js_obj(js_obj(c, "inventory"), "owners");
	if (owners && owners->child)
		cJSON_AddItemToObject(ro, "labels", cJSON_Duplicate(owners, 1));
	if (f && js_obj(f, "evidence"))
		cJSON_AddItemToObject(o, "evidences", cJSON_Duplicate(js_obj(f, "evidence"), 1));
	cJSON *un = cJSON_AddObjectToObject(o, "unmapped");
	cJSON_AddStringToObject(un, "verdict", js_str(c, "verdict", "?"));
	return o;
}

static int ocsf_render(const cJSON *r, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
		       size_t errlen)
{
	(void)errbuf;
	(void)errlen;
	const cJSON *c;
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		for (size_t i = 0; i < mp_catalog_size(ctx->cat); i++) {
			const struct mp_check *k = mp_catalog_at(ctx->cat, i);
			const cJSON *f = NULL;
			if (k->observation) /* not a check */
				continue;
			const char *status = rep_check_status(k, r, c, &f);
			cJSON *e = event(r, c, k, status, f);
			char *s = e ? cJSON_PrintUnformatted(e) : NULL;
			cJSON_Delete(e);
			if (!s) {
				b->oom = true;
				return 0;
			}
			rb_str(b, s);
			rb_str(b, "\n");
			free(s);
		}
	}
	return 0;
}

const struct rep_format_ops rep_fmt_ocsf = {
	.name = "ocsf",
	.ext = "ocsf.jsonl",
	.summary = "OCSF 1.1 Compliance Finding events (class 2003), one per line",
	.render = { [REP_DOC_REPORT] = ocsf_render },
};
