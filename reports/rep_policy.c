/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The --policy FILE.json (what the flags set, in one reviewed file) and the
 * findings that need the inventory or the policy: declared-vs-measured and
 * TAG_OWNER_MISSING, plus severity overrides. Layout of a policy file:
 *
 *   { "min_kafka_version": "2.5.1", "platform": "msk", "cert_warn_days": 30,
 *     "required_tags": ["Owner", "CostCenter"],
 *     "severities": { "TAG_OWNER_MISSING": "high" } }
 *
 * Unknown members are errors (a typo must not silently weaken a policy).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rep-internal.h"
#include "util.h"

#define POLICY_FILE_MAX (256u * 1024u)

static int perr(char *errbuf, size_t errlen, const char *path, const char *field, const char *what)
{
	mp_fmt(errbuf, errlen, "%s: %s: %s", path, field, what);
	return -EINVAL;
}

static int add_tag(struct rep_policy *p, const char *t, size_t len, char *errbuf, size_t errlen,
		   const char *where)
{
	if (len == 0 || len >= sizeof(p->required_tags[0]))
		return perr(errbuf, errlen, where, "required tags", "empty or too long tag name");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || (unsigned char)t[i] >= 0x7f || t[i] == '\\')
			return perr(errbuf, errlen, where, "required tags",
				    "tag names are printable ASCII");
	for (size_t i = 0; i < p->n_required_tags; i++)
		if (strlen(p->required_tags[i]) == len && memcmp(p->required_tags[i], t, len) == 0)
			return 0;
	if (p->n_required_tags >= REP_REQUIRED_TAGS_MAX)
		return perr(errbuf, errlen, where, "required tags", "more than 16");
	memcpy(p->required_tags[p->n_required_tags], t, len);
	p->required_tags[p->n_required_tags++][len] = '\0';
	return 0;
}

int rep_policy_tags(struct rep_policy *p, const char *list, char *errbuf, size_t errlen)
{
	for (const char *s = list; *s;) {
		size_t n = strcspn(s, ",");
		if (add_tag(p, s, n, errbuf, errlen, "--require-tags") < 0)
			return -EINVAL;
		s += n + (s[n] == ',');
	}
	return 0;
}

static int severities(struct rep_policy *p, const cJSON *o, const char *path, char *errbuf,
		      size_t errlen)
{
	struct mp_catalog *cat = NULL;
	const cJSON *it;
	int rc = mp_catalog_builtin(&cat, errbuf, errlen);
	if (rc < 0)
		return rc;
	cJSON_ArrayForEach (it, o) {
		enum mp_severity sev;
		char f[128];
		mp_fmt(f, sizeof(f), "severities.%.60s", it->string ? it->string : "");
		if (!mp_catalog_find(cat, it->string) ||
		    strcmp(it->string, MP_VERDICT_CHECK) == 0) {
			rc = perr(errbuf, errlen, path, f, "not a finding id of this mskprobe");
			break;
		}
		if (!cJSON_IsString(it) || mp_severity_parse(it->valuestring, &sev) < 0) {
			rc = perr(errbuf, errlen, path, f,
				  "want \"info\", \"low\", \"medium\", \"high\" or \"critical\"");
			break;
		}
		if (p->n_severity >= sizeof(p->severity) / sizeof(p->severity[0])) {
			rc = perr(errbuf, errlen, path, "severities", "too many");
			break;
		}
		mp_strlcpy(p->severity[p->n_severity].id, it->string, sizeof(p->severity[0].id));
		p->severity[p->n_severity++].severity = sev;
	}
	mp_catalog_free(cat);
	return rc;
}

int rep_policy_load(const char *path, struct rep_policy *p, char *errbuf, size_t errlen)
{
	cJSON *j = NULL;
	const cJSON *it;
	int rc = rep_json_read(path, POLICY_FILE_MAX, &j, errbuf, errlen);
	if (rc < 0)
		return rc;
	rc = -EINVAL;
	if (!cJSON_IsObject(j)) {
		perr(errbuf, errlen, path, "top level", "want a JSON object");
		goto out;
	}
	cJSON_ArrayForEach (it, j) {
		const char *k = it->string ? it->string : "";
		struct mp_ver v;
		if (strcmp(k, "min_kafka_version") == 0) {
			if (!cJSON_IsString(it) ||
			    strlen(it->valuestring) >= sizeof(p->min_version) ||
			    mp_ver_parse(it->valuestring, &v) < 0 || v.label[0]) {
				perr(errbuf, errlen, path, k, "want a version like \"2.5.1\"");
				goto out;
			}
			mp_strlcpy(p->min_version, it->valuestring, sizeof(p->min_version));
			p->has_min_version = true;
		} else if (strcmp(k, "platform") == 0) {
			if (!cJSON_IsString(it) ||
			    (strcmp(it->valuestring, "msk") && strcmp(it->valuestring, "apache"))) {
				perr(errbuf, errlen, path, k, "want \"msk\" or \"apache\"");
				goto out;
			}
			mp_strlcpy(p->platform, it->valuestring, sizeof(p->platform));
			p->has_platform = true;
		} else if (strcmp(k, "cert_warn_days") == 0) {
			if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 3650 ||
			    it->valuedouble != (double)(int)it->valuedouble) {
				perr(errbuf, errlen, path, k, "want a whole number from 0 to 3650");
				goto out;
			}
			p->cert_warn_days = (int)it->valuedouble;
			p->has_cert_warn_days = true;
		} else if (strcmp(k, "required_tags") == 0) {
			const cJSON *t;
			if (!cJSON_IsArray(it)) {
				perr(errbuf, errlen, path, k, "want an array of tag names");
				goto out;
			}
			cJSON_ArrayForEach (t, it) {
				if (!cJSON_IsString(t)) {
					perr(errbuf, errlen, path, k, "want an array of tag names");
					goto out;
				}
				if (add_tag(p, t->valuestring, strlen(t->valuestring), errbuf,
					    errlen, path) < 0)
					goto out;
			}
		} else if (strcmp(k, "severities") == 0) {
			if (!cJSON_IsObject(it)) {
				perr(errbuf, errlen, path, k,
				     "want an object FINDING_ID: severity");
				goto out;
			}
			if (severities(p, it, path, errbuf, errlen) < 0)
				goto out;
		} else {
			char f[96];
			mp_fmt(f, sizeof(f), "\"%.60s\"", k);
			perr(errbuf, errlen, path, f,
			     "unknown member (want min_kafka_version, platform, cert_warn_days, "
			     "required_tags, severities)");
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

/* ---- declared vs measured --------------------------------------------- */

static bool same_feature_release(const char *declared, const char *release)
{
	struct mp_ver a, b;
	if (mp_ver_parse(declared, &a) < 0 || mp_ver_parse(release, &b) < 0 || a.n < 2 || b.n < 2)
		return false;
	return a.c[0] == b.c[0] && a.c[1] == b.c[1];
}

static cJSON *plaintext_answers(const struct mp_cluster *c)
{
	cJSON *arr = cJSON_CreateArray();
	for (int pass = 0; arr && pass < 2; pass++) {
		size_t n = pass ? c->n_listeners : c->n_brokers;
		struct mp_broker **v = pass ? c->listeners : c->brokers;
		for (size_t i = 0; i < n; i++) {
			char ep[MP_HOST_MAX + 8];
			if (v[i]->tls || !v[i]->answered)
				continue;
			mp_fmt(ep, sizeof(ep), "%s:%u", v[i]->host, v[i]->port);
			cJSON_AddItemToArray(arr, cJSON_CreateString(ep));
		}
	}
	return arr;
}

static void owners(cJSON *info, const struct rep_policy *p)
{
	const cJSON *t = js_obj(info, "tags"), *it;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return;
	cJSON_ArrayForEach (it, t) {
		bool want = false;
		for (size_t i = 0; p && i < p->n_required_tags; i++)
			want = want || strcmp(p->required_tags[i], it->string) == 0;
		if (!p || !p->n_required_tags)
			want = strcasestr(it->string, "owner") || strcasestr(it->string, "team") ||
			       strcasestr(it->string, "contact");
		if (want && cJSON_IsString(it))
			cJSON_AddStringToObject(o, it->string, it->valuestring);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(info, "owners");
	cJSON_AddItemToObject(info, "owners", o);
}

/* Severity and title are the catalogue's; rc keeps the first error. */
static void finding(int *rc, struct mp_cluster *c, const char *id, cJSON *ev)
{
	int r = ev ? mp_cluster_add_finding(c, id, ev) : -ENOMEM;
	if (*rc == 0)
		*rc = r;
}

static int declared(struct mp_cluster *c, const cJSON *d)
{
	const char *ver = js_str(d, "kafka_version", NULL);
	const char *cb = js_str(d, "client_broker", NULL);
	int rc = 0;
	if (ver && c->n_releases) {
		bool match = false;
		for (uint16_t i = 0; i < c->n_releases; i++)
			match = match || same_feature_release(ver, c->releases[i]);
		if (!match) {
			cJSON *ev = cJSON_CreateObject();
			cJSON_AddStringToObject(ev, "declared_kafka_version", ver);
			cJSON *m = cJSON_AddArrayToObject(ev, "measured_releases");
			for (uint16_t i = 0; i < c->n_releases; i++)
				cJSON_AddItemToArray(m, cJSON_CreateString(c->releases[i]));
			finding(&rc, c, "DECLARED_VERSION_MISMATCH", ev);
		}
	}
	if (cb && strcmp(cb, "TLS") == 0) {
		cJSON *eps = plaintext_answers(c);
		if (eps && cJSON_GetArraySize(eps)) {
			cJSON *ev = cJSON_CreateObject();
			cJSON_AddStringToObject(ev, "declared_client_broker", cb);
			cJSON_AddItemToObject(ev, "plaintext_endpoints_answering", eps);
			finding(&rc, c, "DECLARED_TLS_ONLY_PLAINTEXT_OPEN", ev);
		} else {
			cJSON_Delete(eps);
		}
	} else if (cb) {
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "declared_client_broker", cb);
		finding(&rc, c, "DECLARED_CLIENT_PLAINTEXT_ALLOWED", ev);
	}
	const cJSON *ic = js_get(d, "in_cluster");
	if (cJSON_IsFalse(ic)) {
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddBoolToObject(ev, "declared_in_cluster", false);
		finding(&rc, c, "DECLARED_IN_CLUSTER_PLAINTEXT", ev);
	}
	return rc;
}

static int missing_tags(struct mp_cluster *c, const struct rep_policy *p)
{
	const cJSON *t = js_obj(c->inventory, "tags");
	cJSON *miss = cJSON_CreateArray();
	if (!miss)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_required_tags; i++) {
		const char *v = js_str(t, p->required_tags[i], NULL);
		if (!v || !v[0])
			cJSON_AddItemToArray(miss, cJSON_CreateString(p->required_tags[i]));
	}
	if (!cJSON_GetArraySize(miss)) {
		cJSON_Delete(miss);
		return 0;
	}
	cJSON *ev = cJSON_CreateObject();
	if (!ev) {
		cJSON_Delete(miss);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(ev, "missing_tags", miss);
	if (!c->inventory)
		cJSON_AddStringToObject(ev, "note", "no inventory: the cluster's tags are unknown");
	int rc = 0;
	finding(&rc, c, "TAG_OWNER_MISSING", ev);
	return rc;
}

/*
 * The one place a finding's severity can differ from the catalogue's: the
 * policy file's "severities", applied after every finding of the cluster
 * exists (probes, capture, declared-vs-measured, tags) and before the exit
 * code is computed. The finding keeps the catalogue's severity beside it, so
 * the report shows both (severity_default, severity_source "policy").
 */
static void policy_severities(struct mp_cluster *c, const struct rep_policy *p)
{
	for (size_t i = 0; p && i < c->n_findings; i++)
		for (size_t k = 0; k < p->n_severity; k++)
			if (strcmp(c->findings[i].id, p->severity[k].id) == 0) {
				c->findings[i].severity = p->severity[k].severity;
				c->findings[i].severity_policy = true;
			}
}

int rep_declared_findings(struct mp_cluster *c, const struct rep_inv_cluster *inv,
			  const struct rep_policy *p)
{
	int rc;
	if (inv && inv->info) {
		cJSON_Delete(c->inventory);
		if (!(c->inventory = cJSON_Duplicate(inv->info, 1)))
			return -ENOMEM;
		owners(c->inventory, p);
		if ((rc = declared(c, js_obj(c->inventory, "declared"))) < 0)
			return rc;
	}
	if (p && p->n_required_tags && (rc = missing_tags(c, p)) < 0)
		return rc;
	policy_severities(c, p);
	return 0;
}

static int input(cJSON *arr, const char *role, const char *path)
{
	char err[256], h[65];
	if (!path)
		return 0;
	if (rep_sha256_file(path, REP_FILE_MAX, h, NULL, err, sizeof(err)) < 0)
		h[0] = '\0';
	char safe[512];
	mp_sanitize(safe, sizeof(safe), (const uint8_t *)path, strlen(path));
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddStringToObject(o, "role", role);
	cJSON_AddStringToObject(o, "file", safe);
	cJSON_AddStringToObject(o, "sha256", h);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

int rep_annotate(cJSON *report, const struct rep_policy *p, const char *inventory_path,
		 const char *policy_path)
{
	cJSON *pol = cJSON_GetObjectItemCaseSensitive(report, "policy");
	cJSON *prov = cJSON_GetObjectItemCaseSensitive(report, "provenance");
	if (!cJSON_IsObject(pol) || !cJSON_IsObject(prov))
		return -EINVAL;
	if (p) {
		cJSON *t = cJSON_AddArrayToObject(pol, "required_tags");
		for (size_t i = 0; t && i < p->n_required_tags; i++)
			cJSON_AddItemToArray(t, cJSON_CreateString(p->required_tags[i]));
		cJSON *s = cJSON_AddObjectToObject(pol, "severity_overrides");
		for (size_t i = 0; s && i < p->n_severity; i++)
			cJSON_AddStringToObject(s, p->severity[i].id,
						mp_severity_name(p->severity[i].severity));
	}
	cJSON *in = cJSON_AddArrayToObject(prov, "inputs");
	if (!in || input(in, "inventory", inventory_path) < 0 ||
	    input(in, "policy", policy_path) < 0)
		return -ENOMEM;
	return 0;
}
