/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS Security Finding Format (ASFF, SchemaVersion 2018-10-08) for Security
 * Hub BatchImportFindings: a JSON array with one finding per cluster and
 * catalogue check (aws securityhub batch-import-findings --findings
 * file://report.asff.json, at most 100 per call). Ids are stable
 * ("mskprobe/<cluster ARN or name>/<check>"), so a re-import updates the
 * finding instead of adding one. Compliance.Status is PASSED, FAILED,
 * WARNING or NOT_AVAILABLE (rep_check_status). Field limits of the ASFF
 * syntax are enforced (Title 256, Description 1024, Recommendation 512,
 * Id 512 bytes), cutting only between UTF-8 sequences.
 *
 * Account and Region come from the cluster's ARN (inventory) or from the
 * render options; without either the format refuses rather than writing
 * findings Security Hub would reject.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

struct where {
	char partition[16], region[32], account[16];
};

static bool all_of(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strlen(s);
	return n >= min && n <= max && strspn(s, set) == n;
}

/* An AWS region name: "eu-west-1", "ap-southeast-2", "us-gov-west-1". */
static bool region_valid(const char *s)
{
	static const char lower[] = "abcdefghijklmnopqrstuvwxyz", digits[] = "0123456789";
	size_t n = strlen(s), words = 0, d;
	if (n < 6 || n > 31 || strspn(s, lower) != 2)
		return false;
	s += 2;
	/* one or more "-word", then "-N" */
	while (s[0] == '-' && strspn(s + 1, lower)) {
		s += 1 + strspn(s + 1, lower);
		words++;
	}
	d = s[0] == '-' ? strspn(s + 1, digits) : 0;
	return words && d >= 1 && d <= 2 && !s[1 + d];
}

int rep_aws_where_check(const char *account, const char *region, char *errbuf, size_t errlen)
{
	if (!account != !region) {
		mp_fmt(errbuf, errlen, "--aws-account and --aws-region go together");
		return -EINVAL;
	}
	if (account && !all_of(account, "0123456789", 12, 12)) {
		mp_fmt(errbuf, errlen, "--aws-account '%.40s': want the 12-digit account id",
		       account);
		return -EINVAL;
	}
	if (region && !region_valid(region)) {
		mp_fmt(errbuf, errlen, "--aws-region '%.40s': want a region like eu-west-1",
		       region);
		return -EINVAL;
	}
	return 0;
}

/* arn:PARTITION:kafka:REGION:ACCOUNT:cluster/NAME/UUID */
static bool from_arn(const char *arn, struct where *w)
{
	char f[5][40];
	const char *p = arn;
	if (!arn || strncmp(arn, "arn:", 4) != 0)
		return false;
	p += 4;
	for (int i = 0; i < 4; i++) {
		size_t n = strcspn(p, ":");
		if (!p[n] || n >= sizeof(f[i]))
			return false;
		memcpy(f[i], p, n);
		f[i][n] = '\0';
		p += n + 1;
	}
	if (strcmp(f[1], "kafka") != 0 || !all_of(f[0], "abcdefghijklmnopqrstuvwxyz-", 3, 15) ||
	    !region_valid(f[2]) || !all_of(f[3], "0123456789", 12, 12))
		return false;
	mp_strlcpy(w->partition, f[0], sizeof(w->partition));
	mp_strlcpy(w->region, f[2], sizeof(w->region));
	mp_strlcpy(w->account, f[3], sizeof(w->account));
	return true;
}

/* The partition a region belongs to (ARNs and ProductArn name it). */
static const char *partition_of(const char *region)
{
	if (strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	if (strncmp(region, "us-isob-", 8) == 0)
		return "aws-iso-b";
	if (strncmp(region, "us-iso-", 7) == 0)
		return "aws-iso";
	return "aws";
}

static int locate(const cJSON *cluster, const struct rep_ctx *ctx, struct where *w, char *errbuf,
		  size_t errlen)
{
	if (from_arn(js_str(js_obj(cluster, "inventory"), "arn", NULL), w))
		return 0;
	if (ctx->aws_account && ctx->aws_region &&
	    rep_aws_where_check(ctx->aws_account, ctx->aws_region, errbuf, errlen) == 0) {
		mp_strlcpy(w->partition,
			   ctx->aws_partition ? ctx->aws_partition : partition_of(ctx->aws_region),
			   sizeof(w->partition));
		mp_strlcpy(w->region, ctx->aws_region, sizeof(w->region));
		mp_strlcpy(w->account, ctx->aws_account, sizeof(w->account));
		return 0;
	}
	mp_fmt(errbuf, errlen,
	       "asff: cluster '%.80s' has no ARN to take the account and region from: give "
	       "--aws-account ID (12 digits) and --aws-region REGION (like eu-west-1)",
	       js_str(cluster, "name", "?"));
	return -EINVAL;
}

static cJSON *add_str(cJSON *o, const char *k, const char *v, size_t max)
{
	char *s = strdup(v ? v : "");
	cJSON *r;
	if (!s)
		return NULL;
	rep_utf8_trunc(s, max);
	r = cJSON_AddStringToObject(o, k, s);
	free(s);
	return r;
}

static const char *sev_label(const char *status, const char *sev)
{
	if (strcmp(status, "FAILED") && strcmp(status, "WARNING"))
		return "INFORMATIONAL";
	switch (rep_sev_rank(sev)) {
	case 4:
		return "CRITICAL";
	case 3:
		return "HIGH";
	case 2:
		return "MEDIUM";
	case 1:
		return "LOW";
	}
	return "INFORMATIONAL";
}

/* The stable finding id; a hash of the key when the plain form would pass 512 bytes. */
static void finding_id(char *dst, size_t n, const char *key, const char *check)
{
	if (strlen(key) + strlen(check) + 16 < 512) {
		mp_fmt(dst, n, "mskprobe/%s/%s", key, check);
		return;
	}
	char h[65];
	if (rep_sha256_hex(key, strlen(key), h) < 0)
		h[0] = '\0';
	mp_fmt(dst, n, "mskprobe/sha256-%s/%s", h, check);
}

static cJSON *one(const cJSON *r, const cJSON *c, const struct mp_check *k, const struct where *w,
		  const char *status, const cJSON *f)
{
	const char *gen = js_str(r, "generated_at", "");
	const char *arn = js_str(js_obj(c, "inventory"), "arn", NULL);
	const char *name = js_str(c, "name", "?");
	char id[600], buf[1200];
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	finding_id(id, sizeof(id), js_cluster_key(c), k->id);
	cJSON_AddStringToObject(o, "SchemaVersion", "2018-10-08");
	cJSON_AddStringToObject(o, "Id", id);
	mp_fmt(buf, sizeof(buf), "arn:%s:securityhub:%s:%s:product/%s/default", w->partition,
	       w->region, w->account, w->account);
	cJSON_AddStringToObject(o, "ProductArn", buf);
	cJSON_AddStringToObject(o, "ProductName", "mskprobe");
	cJSON_AddStringToObject(o, "CompanyName", "mskprobe");
	mp_fmt(buf, sizeof(buf), "mskprobe/%s", k->id);
	cJSON_AddStringToObject(o, "GeneratorId", buf);
	cJSON_AddStringToObject(o, "AwsAccountId", w->account);
	cJSON_AddStringToObject(o, "Region", w->region);
	cJSON *types = cJSON_AddArrayToObject(o, "Types");
	cJSON_AddItemToArray(types,
			     cJSON_CreateString("Software and Configuration Checks/Industry and "
						"Regulatory Standards"));
	if (strcmp(k->requires, "tags") != 0 && strcmp(k->requires, "brokers") != 0)
		cJSON_AddItemToArray(types, cJSON_CreateString("Effects/Data Exposure"));
	cJSON_AddStringToObject(o, "CreatedAt", gen);
	cJSON_AddStringToObject(o, "UpdatedAt", gen);
	cJSON *sev = cJSON_AddObjectToObject(o, "Severity");
	/* the report's: the finding's, else the policy's override, else the catalogue's */
	const char *fsev = rep_check_severity(k, r, f);
	cJSON_AddStringToObject(sev, "Label", sev_label(status, fsev));
	cJSON_AddStringToObject(sev, "Original", fsev);
	mp_fmt(buf, sizeof(buf), "%s: %s", name, f ? js_str(f, "title", k->title) : k->title);
	add_str(o, "Title", buf, 256);
	if (strcmp(k->id, MP_VERDICT_CHECK) == 0)
		mp_fmt(buf, sizeof(buf), "Verdict %s: %s", js_str(c, "verdict", "?"),
		       js_str(c, "verdict_reason", ""));
	else if (f)
		mp_fmt(buf, sizeof(buf), "%s (cluster %s)", js_str(f, "title", k->title), name);
	else if (strcmp(status, "PASSED") == 0)
		mp_fmt(buf, sizeof(buf), "Checked, not found: %s (cluster %s)", k->title, name);
	else
		mp_fmt(buf, sizeof(buf),
		       "Not evaluated: the scan of cluster %s had no %s evidence "
		       "for: %s",
		       name, k->requires, k->title);
	add_str(o, "Description", buf, 1024);
	cJSON *rem = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "Remediation"),
					     "Recommendation");
	add_str(rem, "Text", k->remediation, 512);
	cJSON *pf = cJSON_AddObjectToObject(o, "ProductFields");
	cJSON_AddStringToObject(pf, "mskprobe/check", k->id);
	add_str(pf, "mskprobe/cluster", name, 1024);
	cJSON_AddStringToObject(pf, "mskprobe/verdict", js_str(c, "verdict", "?"));
	cJSON *res = cJSON_AddArrayToObject(o, "Resources");
	cJSON *ro = cJSON_CreateObject();
	cJSON_AddItemToArray(res, ro);
	if (arn) {
		cJSON_AddStringToObject(ro, "Type", "AwsMskCluster");
		add_str(ro, "Id", arn, 512);
	} else {
		cJSON_AddStringToObject(ro, "Type", "Other");
		mp_fmt(buf, sizeof(buf), "mskprobe:cluster/%s", name);
		add_str(ro, "Id", buf, 512);
	}
	cJSON_AddStringToObject(ro, "Partition", w->partition);
	cJSON_AddStringToObject(ro, "Region", w->region);
	cJSON *comp = cJSON_AddObjectToObject(o, "Compliance");
	cJSON_AddStringToObject(comp, "Status", status);
	cJSON *req = cJSON_AddArrayToObject(comp, "RelatedRequirements");
	for (size_t i = 0; i < k->n_controls && i < 32; i++) {
		mp_fmt(buf, sizeof(buf), "%s/%s", k->framework[i], k->control[i]);
		cJSON_AddItemToArray(req, cJSON_CreateString(buf));
	}
	cJSON_AddStringToObject(o, "RecordState", "ACTIVE");
	return o;
}

static int asff_render(const cJSON *r, const struct rep_ctx *ctx, struct rep_buf *b, char *errbuf,
		       size_t errlen)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *c;
	int rc = 0;
	if (!arr) {
		b->oom = true;
		return 0;
	}
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		struct where w;
		if ((rc = locate(c, ctx, &w, errbuf, errlen)) < 0)
			goto out;
		for (size_t i = 0; i < mp_catalog_size(ctx->cat); i++) {
			const struct mp_check *k = mp_catalog_at(ctx->cat, i);
			const cJSON *f = NULL;
			if (k->observation) /* not a check */
				continue;
			const char *status = rep_check_status(k, r, c, &f);
			cJSON *o = one(r, c, k, &w, status, f);
			if (!o) {
				b->oom = true;
				goto out;
			}
			cJSON_AddItemToArray(arr, o);
		}
	}
	char *s = cJSON_Print(arr);
	if (!s) {
		b->oom = true;
		goto out;
	}
	rb_str(b, s);
	rb_str(b, "\n");
	free(s);
out:
	cJSON_Delete(arr);
	return rc;
}

const struct rep_format_ops rep_fmt_asff = {
	.name = "asff",
	.ext = "asff.json",
	.summary = "AWS Security Finding Format for Security Hub BatchImportFindings",
	.render = { [REP_DOC_REPORT] = asff_render },
};
