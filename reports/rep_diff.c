/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pre/post upgrade: two checked reports in, per cluster (matched by ARN, else
 * name) what changed: version, mode, verdict, ZooKeeper TLS, listeners,
 * certificates, capture classes, declared version, findings opened and
 * closed; out the diff as JSON (mskprobe.diff/1), text or Markdown.
 *
 * A cluster regressed when its verdict got worse, a finding of severity low
 * or more opened, its proven ZooKeeper TLS was lost, its lowest candidate
 * version went down, or it is missing from AFTER. The diff "passes" when
 * nothing regressed and every cluster of AFTER is compliant.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static int verdict_rank(const char *v)
{
	return strcmp(v, "compliant") == 0 ? 2 : strcmp(v, "unverified") == 0 ? 1 : 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, de-duplicated strings joined with ", " into a rep_buf. */
static void join_sorted(struct rep_buf *out, const char **v, size_t n)
{
	qsort(v, n, sizeof(v[0]), str_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(v[i], v[i - 1]) == 0)
			continue;
		rb_str(out, out->len ? ", " : "");
		rb_str(out, v[i]);
	}
	if (!out->p)
		rb_str(out, "");
}

#define FACT_MAX 512u

/* A listener as "host:port tls|plain", collected into strs (owned by pool). */
static size_t listeners(const cJSON *c, char (*pool)[300], size_t cap)
{
	const cJSON *b;
	size_t n = 0;
	static const char *const lists[] = { "brokers", "listener_checks" };
	for (size_t i = 0; i < 2; i++)
		cJSON_ArrayForEach (b, js_arr(js_obj(c, "kafka"), lists[i])) {
			if (n >= cap)
				return n;
			if (!js_obj(b, "api_versions") && !js_obj(b, "tls_info"))
				continue; /* nothing answered there */
			mp_fmt(pool[n++], sizeof(pool[0]), "%s:%.0f %s", js_str(b, "host", "?"),
			       js_num(b, "port", 0), js_true(b, "tls") ? "tls" : "plain");
		}
	return n;
}

static void leaf(char *dst, size_t n, const cJSON *t)
{
	const cJSON *c = cJSON_GetArrayItem(js_arr(t, "chain"), 0);
	mp_fmt(dst, n, "%s until %s (%.16s)", js_str(c, "subject", "?"),
	       js_str(c, "not_after", "?"), js_str(c, "sha256", ""));
}

static size_t certs(const cJSON *c, char (*pool)[300], size_t cap)
{
	const cJSON *b;
	size_t n = 0;
	cJSON_ArrayForEach (b, js_arr(js_obj(c, "kafka"), "brokers"))
		if (n < cap && cJSON_GetArraySize(js_arr(js_obj(b, "tls_info"), "chain")))
			leaf(pool[n++], sizeof(pool[0]), js_obj(b, "tls_info"));
	cJSON_ArrayForEach (b, js_arr(c, "zookeeper"))
		if (n < cap && cJSON_GetArraySize(js_arr(js_obj(b, "tls"), "chain")))
			leaf(pool[n++], sizeof(pool[0]), js_obj(b, "tls"));
	return n;
}

static size_t classes(const cJSON *c, char (*pool)[300], size_t cap)
{
	const cJSON *it;
	size_t n = 0;
	cJSON_ArrayForEach (it, js_obj(js_obj(js_obj(c, "capture"), "stats"), "classes"))
		if (n < cap && cJSON_IsNumber(it) && it->valuedouble > 0)
			mp_fmt(pool[n++], sizeof(pool[0]), "%s=%.0f", it->string ? it->string : "?",
			       it->valuedouble);
	return n;
}

typedef size_t (*collect_fn)(const cJSON *c, char (*pool)[300], size_t cap);

/* The joined fact of one kind for one cluster; NULL c gives "". */
static char *fact(const cJSON *c, collect_fn fn)
{
	char(*pool)[300] = malloc(FACT_MAX * sizeof(*pool));
	const char **v = malloc(FACT_MAX * sizeof(*v));
	struct rep_buf b = { 0 };
	char *s = NULL;
	if (pool && v) {
		size_t n = c ? fn(c, pool, FACT_MAX) : 0;
		for (size_t i = 0; i < n; i++)
			v[i] = pool[i];
		join_sorted(&b, v, n);
		if (rb_take(&b, &s, NULL) < 0)
			s = NULL;
	}
	free(pool);
	free(v);
	return s;
}

static const char *lowest_candidate(const cJSON *c)
{
	const cJSON *it;
	const char *lo = NULL;
	cJSON_ArrayForEach (it, js_arr(js_obj(c, "kafka"), "candidates"))
		if (cJSON_IsString(it) && (!lo || mp_ver_cmp_str(it->valuestring, lo) < 0))
			lo = it->valuestring;
	return lo;
}

static void change(cJSON *changes, const char *field, const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "field", field);
	cJSON_AddStringToObject(o, "before", a);
	cJSON_AddStringToObject(o, "after", b);
	cJSON_AddItemToArray(changes, o);
}

/* The findings of cluster c (may be NULL) by id; id-less ones under dflt. */
static int index_findings(struct rep_index *ix, const cJSON *c, const char *dflt)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, js_arr(c, "findings"))
		rep_index_add(ix, js_str(f, "id", dflt), NULL, f);
	return rep_index_sort(ix);
}

/*
 * Findings of a not in b, each id once, as an array of {id, severity, title};
 * *ret_serious set when any >= low. NULL when out of memory. Both sides are
 * indexed by id: O(n log n), not a walk of b per finding of a.
 */
static cJSON *only_in(const cJSON *a, const cJSON *b, bool *ret_serious)
{
	struct rep_index ia = { 0 }, ib = { 0 };
	cJSON *arr = cJSON_CreateArray();
	const cJSON *f;
	if (!arr || index_findings(&ia, a, "?") < 0 || index_findings(&ib, b, "") < 0)
		goto oom;
	cJSON_ArrayForEach (f, js_arr(a, "findings")) {
		const char *id = js_str(f, "id", "?");
		if (rep_index_find(&ia, id, NULL) != f || rep_index_find(&ib, id, NULL))
			continue; /* an earlier finding of a has the id, or b has it */
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o))
			goto oom;
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "severity", js_str(f, "severity", "info"));
		cJSON_AddStringToObject(o, "title", js_str(f, "title", ""));
		if (ret_serious && rep_sev_rank(js_str(f, "severity", "")) >= 1)
			*ret_serious = true;
	}
	rep_index_free(&ia);
	rep_index_free(&ib);
	return arr;
oom:
	rep_index_free(&ia);
	rep_index_free(&ib);
	cJSON_Delete(arr);
	return NULL;
}

static int diff_cluster(cJSON *out, const cJSON *a, const cJSON *b, bool *ret_regressed,
			bool *ret_noncompliant)
{
	const cJSON *any = b ? b : a;
	cJSON *o = cJSON_CreateObject(), *reasons, *changes;
	char va[256] = "", vb[256] = "";
	bool reg = false, opened_serious = false;
	static const struct {
		const char *field;
		collect_fn fn;
	} facts[] = { { "listeners", listeners },
		      { "certificates", certs },
		      { "capture_classes", classes } };

	if (!o)
		return -ENOMEM;
	cJSON_AddItemToArray(out, o);
	cJSON_AddStringToObject(o, "name", js_str(any, "name", "?"));
	cJSON_AddStringToObject(o, "key", js_cluster_key(any));
	cJSON_AddStringToObject(o, "status", !a ? "added" : !b ? "removed" : "compared");
	cJSON_AddStringToObject(o, "verdict_before", a ? js_str(a, "verdict", "?") : "absent");
	cJSON_AddStringToObject(o, "verdict_after", b ? js_str(b, "verdict", "?") : "absent");
	reasons = cJSON_AddArrayToObject(o, "regressions");
	changes = cJSON_AddArrayToObject(o, "changes");
	if (a)
		js_version_cell(a, va, sizeof(va));
	if (b)
		js_version_cell(b, vb, sizeof(vb));
	change(changes, "version", a ? va : "", b ? vb : "");
	change(changes, "mode", a ? js_str(js_obj(a, "kafka"), "mode", "?") : "",
	       b ? js_str(js_obj(b, "kafka"), "mode", "?") : "");
	change(changes, "verdict", a ? js_str(a, "verdict", "?") : "",
	       b ? js_str(b, "verdict", "?") : "");
	bool zka = a && js_true(js_obj(a, "proven"), "encrypted_zookeeper_endpoint");
	bool zkb = b && js_true(js_obj(b, "proven"), "encrypted_zookeeper_endpoint");
	change(changes, "zookeeper_tls_proven", zka ? "yes" : "no", zkb ? "yes" : "no");
	change(changes, "declared_version",
	       a ? js_str(js_obj(js_obj(a, "inventory"), "declared"), "kafka_version", "") : "",
	       b ? js_str(js_obj(js_obj(b, "inventory"), "declared"), "kafka_version", "") : "");
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		char *fa = fact(a, facts[i].fn), *fb = fact(b, facts[i].fn);
		if (fa && fb)
			change(changes, facts[i].field, fa, fb);
		free(fa);
		free(fb);
	}
	cJSON *opened = only_in(b, a, &opened_serious), *closed = only_in(a, b, NULL);
	if (!opened || !closed) {
		cJSON_Delete(opened);
		cJSON_Delete(closed);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(o, "findings_opened", opened);
	cJSON_AddItemToObject(o, "findings_closed", closed);
	bool clients_worse = false;
	cJSON *cd = rep_clients_diff(a, b, &clients_worse);
	if (cd)
		cJSON_AddItemToObject(o, "clients", cd);
	if (!b) {
		cJSON_AddItemToArray(reasons, cJSON_CreateString("missing from AFTER"));
		reg = true;
	} else if (a) {
		if (verdict_rank(js_str(b, "verdict", "")) <
		    verdict_rank(js_str(a, "verdict", ""))) {
			cJSON_AddItemToArray(reasons, cJSON_CreateString("verdict got worse"));
			reg = true;
		}
		if (zka && !zkb) {
			cJSON_AddItemToArray(reasons,
					     cJSON_CreateString("ZooKeeper TLS no longer proven"));
			reg = true;
		}
		const char *la = lowest_candidate(a), *lb = lowest_candidate(b);
		if (la && lb && mp_ver_cmp_str(lb, la) < 0) {
			cJSON_AddItemToArray(reasons, cJSON_CreateString("version went down"));
			reg = true;
		}
	}
	if (clients_worse && a && b) {
		cJSON_AddItemToArray(
			reasons, cJSON_CreateString("a client no longer fits the target release"));
		reg = true;
	}
	if (opened_serious && a) {
		cJSON_AddItemToArray(reasons, cJSON_CreateString("new findings"));
		reg = true;
	}
	cJSON_AddBoolToObject(o, "regressed", reg);
	*ret_regressed |= reg;
	*ret_noncompliant |= b && strcmp(js_str(b, "verdict", ""), "compliant") != 0;
	return 0;
}

int rep_diff(const cJSON *before, const cJSON *after, cJSON **ret)
{
	struct rep_index ib = { 0 }, ia = { 0 };
	cJSON *d = cJSON_CreateObject(), *cl;
	const cJSON *c;
	bool regressed = false, noncompliant = false;
	if (!d || rep_index_clusters(&ib, before) < 0 || rep_index_clusters(&ia, after) < 0)
		goto oom;
	cJSON_AddStringToObject(d, "schema", "mskprobe.diff/1");
	cJSON_AddStringToObject(d, "before", js_str(before, "generated_at", "?"));
	cJSON_AddStringToObject(d, "after", js_str(after, "generated_at", "?"));
	cl = cJSON_AddArrayToObject(d, "clusters");
	cJSON_ArrayForEach (c, js_arr(before, "clusters"))
		if (diff_cluster(cl, c, rep_index_find(&ia, js_cluster_key(c), NULL), &regressed,
				 &noncompliant) < 0)
			goto oom;
	cJSON_ArrayForEach (c, js_arr(after, "clusters"))
		if (!rep_index_find(&ib, js_cluster_key(c), NULL) &&
		    diff_cluster(cl, NULL, c, &regressed, &noncompliant) < 0)
			goto oom;
	cJSON_AddBoolToObject(d, "regressed", regressed);
	cJSON_AddBoolToObject(d, "after_compliant", !noncompliant);
	cJSON_AddBoolToObject(d, "pass", !regressed && !noncompliant);
	rep_index_free(&ib);
	rep_index_free(&ia);
	*ret = d;
	return 0;
oom:
	rep_index_free(&ib);
	rep_index_free(&ia);
	cJSON_Delete(d);
	return -ENOMEM;
}

static void findings_list(struct rep_buf *b, const cJSON *arr, const char *what, bool md)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, arr) {
		rb_str(b, md ? "- " : "    ");
		rb_str(b, what);
		rb_str(b, " ");
		if (md) {
			rb_md(b, js_str(f, "id", "?"));
			rb_str(b, " (");
			rb_md(b, js_str(f, "severity", "?"));
			rb_str(b, "): ");
			rb_md(b, js_str(f, "title", ""));
		} else {
			rb_put(b, "%s (%s): %s", js_str(f, "id", "?"), js_str(f, "severity", "?"),
			       js_str(f, "title", ""));
		}
		rb_str(b, "\n");
	}
}

static void diff_render(struct rep_buf *b, const cJSON *d, bool md)
{
	const cJSON *c, *it;
	rb_put(b, md ? "## mskprobe diff: %s → %s\n\n" : "mskprobe diff %s -> %s\n\n",
	       js_str(d, "before", "?"), js_str(d, "after", "?"));
	if (md)
		rb_str(b, "| Cluster | Before | After | Regressed |\n|---|---|---|---|\n");
	cJSON_ArrayForEach (c, js_arr(d, "clusters")) {
		if (md) {
			rb_str(b, "| ");
			rb_md(b, js_str(c, "name", "?"));
			rb_put(b, " | %s | %s | %s |\n", js_str(c, "verdict_before", "?"),
			       js_str(c, "verdict_after", "?"),
			       js_true(c, "regressed") ? "**yes**" : "no");
		} else {
			rb_put(b, "%-32s %-14s -> %-14s %s\n", js_str(c, "name", "?"),
			       js_str(c, "verdict_before", "?"), js_str(c, "verdict_after", "?"),
			       js_true(c, "regressed") ? "REGRESSED" : "");
		}
	}
	cJSON_ArrayForEach (c, js_arr(d, "clusters")) {
		if (md) {
			rb_str(b, "\n### ");
			rb_md(b, js_str(c, "name", "?"));
			rb_str(b, "\n\n");
		} else {
			rb_put(b, "\n%s (%s)\n", js_str(c, "name", "?"), js_str(c, "status", "?"));
		}
		cJSON_ArrayForEach (it, js_arr(c, "regressions"))
			if (cJSON_IsString(it)) {
				rb_str(b, md ? "- **regression**: " : "    REGRESSION: ");
				md ? rb_md(b, it->valuestring) : rb_str(b, it->valuestring);
				rb_str(b, "\n");
			}
		cJSON_ArrayForEach (it, js_arr(c, "changes")) {
			rb_str(b, md ? "- " : "    ");
			if (md) {
				rb_md(b, js_str(it, "field", "?"));
				rb_str(b, ": ");
				rb_md(b, js_str(it, "before", ""));
				rb_str(b, " → ");
				rb_md(b, js_str(it, "after", ""));
			} else {
				rb_put(b, "%s: %s -> %s", js_str(it, "field", "?"),
				       js_str(it, "before", ""), js_str(it, "after", ""));
			}
			rb_str(b, "\n");
		}
		rep_clients_diff_render(b, js_obj(c, "clients"), md);
		findings_list(b, js_arr(c, "findings_opened"), "opened", md);
		findings_list(b, js_arr(c, "findings_closed"), "closed", md);
	}
	rb_put(b, md ? "\n**%s**\n" : "\n%s\n",
	       js_true(d, "pass")	 ? "PASS: nothing regressed and every cluster is compliant"
	       : js_true(d, "regressed") ? "FAIL: something regressed"
					 : "FAIL: some cluster is not compliant");
}

int rep_diff_text(const cJSON *d, const struct rep_ctx *ctx, struct rep_buf *out, char *errbuf,
		  size_t errlen)
{
	(void)ctx;
	(void)errbuf;
	(void)errlen;
	diff_render(out, d, false);
	return 0;
}

int rep_diff_md(const cJSON *d, const struct rep_ctx *ctx, struct rep_buf *out, char *errbuf,
		size_t errlen)
{
	(void)ctx;
	(void)errbuf;
	(void)errlen;
	diff_render(out, d, true);
	return 0;
}
