/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The finding catalogue and compliance map: reports/data/findings.tsv
 * (compiled in by scripts/embed.py as rep_findings_builtin). Layout, one
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

extern const char rep_findings_builtin[];
extern const size_t rep_findings_builtin_len;

#define CATALOG_ROWS_MAX  256u
#define CATALOG_BYTES_MAX (256u * 1024u)

struct rep_catalog {
	char *text;
	size_t n;
	struct rep_check rows[CATALOG_ROWS_MAX];
};

static const char *const requires_names[] = { "always",	 "brokers",   "zookeeper", "tls", "configs",
					      "capture", "inventory", "listeners", "tags" };

static bool id_valid(const char *id)
{
	size_t n = 0;
	for (const char *p = id; *p; p++, n++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return n > 0 && n < 48;
}

static int parse_controls(struct rep_check *k, char *s, unsigned line, char *errbuf, size_t errlen)
{
	for (char *p = s; p && *p;) {
		char *semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		char *bar = strchr(p, '|');
		if (!bar || bar == p || !bar[1] || k->n_controls >= REP_CONTROLS_MAX) {
			mp_fmt(errbuf, errlen, "line %u: control '%s': want FRAMEWORK|CONTROL",
			       line, p);
			return -EINVAL;
		}
		*bar = '\0';
		k->framework[k->n_controls] = p;
		k->control[k->n_controls++] = bar + 1;
		p = semi ? semi + 1 : NULL;
	}
	return 0;
}

static int parse_row(struct rep_check *k, char *line, unsigned no, char *errbuf, size_t errlen)
{
	char *f[6];
	size_t n = 0;
	for (char *p = line; p && n < 6;) {
		char *tab = strchr(p, '\t');
		if (tab)
			*tab = '\0';
		f[n++] = p;
		p = tab ? tab + 1 : NULL;
		if (n == 6 && tab) {
			mp_fmt(errbuf, errlen, "line %u: more than 6 columns", no);
			return -EINVAL;
		}
	}
	if (n != 6) {
		mp_fmt(errbuf, errlen, "line %u: %zu columns, want 6", no, n);
		return -EINVAL;
	}
	if (!id_valid(f[0])) {
		mp_fmt(errbuf, errlen, "line %u: id '%s': want [A-Z0-9_], at most 47", no, f[0]);
		return -EINVAL;
	}
	if (rep_sev_rank(f[1]) < 0) {
		mp_fmt(errbuf, errlen, "line %u: severity '%s'", no, f[1]);
		return -EINVAL;
	}
	bool req = false;
	for (size_t i = 0; i < sizeof(requires_names) / sizeof(requires_names[0]); i++)
		req = req || strcmp(f[2], requires_names[i]) == 0;
	if (!req || !f[3][0] || strlen(f[3]) > 200 || !f[4][0] || strlen(f[4]) > 500) {
		mp_fmt(errbuf, errlen, "line %u: bad requires, title or remediation", no);
		return -EINVAL;
	}
	k->id = f[0];
	k->severity = f[1];
	k->requires = f[2];
	k->title = f[3];
	k->remediation = f[4];
	return parse_controls(k, f[5], no, errbuf, errlen);
}

int rep_catalog_parse(struct rep_catalog **ret, const char *text, size_t len, char *errbuf,
		      size_t errlen)
{
	struct rep_catalog *c = NULL;
	unsigned no = 0;
	int rc = -EINVAL;

	if (len > CATALOG_BYTES_MAX || memchr(text, '\0', len) || !rep_utf8_valid(text, len)) {
		mp_fmt(errbuf, errlen, "catalogue: too large, or not UTF-8 text");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->text = malloc(len + 1))) {
		rc = -ENOMEM;
		goto fail;
	}
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	for (char *p = c->text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		no++;
		if (*p && *p != '#') {
			if (c->n >= CATALOG_ROWS_MAX) {
				mp_fmt(errbuf, errlen, "line %u: more than %u rows", no,
				       CATALOG_ROWS_MAX);
				goto fail;
			}
			if (parse_row(&c->rows[c->n], p, no, errbuf, errlen) < 0)
				goto fail;
			if (rep_catalog_find(c, c->rows[c->n].id)) {
				mp_fmt(errbuf, errlen, "line %u: id %s listed twice", no,
				       c->rows[c->n].id);
				goto fail;
			}
			c->n++;
		}
		p = nl ? nl + 1 : NULL;
	}
	*ret = c;
	return 0;
fail:
	rep_catalog_free(c);
	return rc;
}

int rep_catalog_builtin(struct rep_catalog **ret, char *errbuf, size_t errlen)
{
	return rep_catalog_parse(ret, rep_findings_builtin, rep_findings_builtin_len, errbuf,
				 errlen);
}

void rep_catalog_free(struct rep_catalog *c)
{
	if (!c)
		return;
	free(c->text);
	free(c);
}

size_t rep_catalog_size(const struct rep_catalog *c)
{
	return c->n;
}

const struct rep_check *rep_catalog_at(const struct rep_catalog *c, size_t i)
{
	return i < c->n ? &c->rows[i] : NULL;
}

const struct rep_check *rep_catalog_find(const struct rep_catalog *c, const char *id)
{
	for (size_t i = 0; id && i < c->n; i++)
		if (strcmp(c->rows[i].id, id) == 0)
			return &c->rows[i];
	return NULL;
}

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

bool rep_check_evaluated(const struct rep_check *k, const cJSON *report, const cJSON *cluster)
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
	return false;
}

const char *rep_check_status(const struct rep_check *k, const cJSON *report, const cJSON *cluster,
			     const cJSON **ret_finding)
{
	const cJSON *f, *worst = NULL;
	*ret_finding = NULL;
	if (strcmp(k->id, REP_VERDICT_CHECK) == 0) {
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
