/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A cluster's client inventory (its "clients" and "open_monitoring"), in
 * text, Markdown and HTML: one row per client (base/compat.h's
 * mp_client_row: who, library, versions used, verdict for the target), the
 * Open Monitoring scrape of each broker; and `report --target-version`,
 * which judges a saved report's clients again against another release.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "compat.h"
#include "js.h"
#include "rep-internal.h"
#include "util.h"

static const char *target_of(const cJSON *c)
{
	const cJSON *it;
	cJSON_ArrayForEach (it, js_arr(c, "clients")) {
		const char *v = js_str(js_obj(it, "target"), "version", NULL);
		if (v)
			return v;
	}
	return NULL;
}

static void scrape_line(char *buf, size_t n, const cJSON *s)
{
	const char *reason = js_str(s, "reason", NULL);
	mp_fmt(buf, n, "%s: %s%s%s", js_str(s, "url", js_str(s, "broker", "?")),
	       js_str(s, "status", "?"), reason ? ": " : "", reason ? reason : "");
}

void rep_clients_text(struct rep_buf *o, const cJSON *c)
{
	const cJSON *clients = js_arr(c, "clients"), *it;
	const char *target = target_of(c);
	char line[600];
	cJSON_ArrayForEach (it, js_arr(c, "open_monitoring")) {
		scrape_line(line, sizeof(line), it);
		rb_put(o, "    open monitoring %s\n", line);
	}
	if (!clients)
		return;
	rb_put(o, "    clients (%d%s%s):\n", cJSON_GetArraySize(clients),
	       target ? "; judged against Kafka " : "", target ? target : "");
	cJSON_ArrayForEach (it, clients) {
		struct mp_client_row row;
		mp_client_row(it, &row);
		rb_put(o, "      %s  [%s]  (%s)\n          uses: %s\n          %s\n", row.who,
		       row.library, js_str(it, "source", "?"), row.versions, row.verdict);
	}
}

void rep_clients_md(struct rep_buf *b, const cJSON *c)
{
	const cJSON *clients = js_arr(c, "clients"), *it;
	const char *target = target_of(c);
	char line[600];
	cJSON_ArrayForEach (it, js_arr(c, "open_monitoring")) {
		scrape_line(line, sizeof(line), it);
		rb_str(b, "- Open Monitoring ");
		rb_md(b, line);
		rb_str(b, "\n");
	}
	if (!clients)
		return;
	rb_put(b, "\n**Clients (%d)**\n\n", cJSON_GetArraySize(clients));
	if (!cJSON_GetArraySize(clients)) {
		rb_str(b, "None seen.\n");
		return;
	}
	rb_str(b, "| Client | Library | Versions used | Verdict for ");
	rb_md(b, target ? target : "the target");
	rb_str(b, " | Source |\n|---|---|---|---|---|\n");
	cJSON_ArrayForEach (it, clients) {
		struct mp_client_row row;
		mp_client_row(it, &row);
		const char *cells[] = { row.who, row.library, row.versions, row.verdict,
					js_str(it, "source", "?") };
		for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
			rb_str(b, "| ");
			rb_md(b, cells[i]);
			rb_str(b, " ");
		}
		rb_str(b, "|\n");
	}
}

void rep_clients_html(struct rep_buf *b, const cJSON *c)
{
	const cJSON *clients = js_arr(c, "clients"), *it;
	const char *target = target_of(c);
	char line[600];
	if (cJSON_GetArraySize(js_arr(c, "open_monitoring"))) {
		rb_str(b, "<h3>Open Monitoring</h3>\n<ul>\n");
		cJSON_ArrayForEach (it, js_arr(c, "open_monitoring")) {
			scrape_line(line, sizeof(line), it);
			rb_str(b, "<li>");
			rb_html(b, line);
			rb_str(b, "</li>\n");
		}
		rb_str(b, "</ul>\n");
	}
	if (!clients)
		return;
	rb_put(b, "<h3>Clients (%d)</h3>\n", cJSON_GetArraySize(clients));
	if (!cJSON_GetArraySize(clients)) {
		rb_str(b, "<p>None seen.</p>\n");
		return;
	}
	rb_str(b, "<table>\n<tr><th>Client</th><th>Library</th><th>Versions used</th><th>Verdict "
		  "for ");
	rb_html(b, target ? target : "the target");
	rb_str(b, "</th><th>Source</th></tr>\n");
	cJSON_ArrayForEach (it, clients) {
		struct mp_client_row row;
		mp_client_row(it, &row);
		rb_str(b, "<tr>");
		rep_html_td(b, row.who);
		rep_html_td(b, row.library);
		rep_html_td(b, row.versions);
		rep_html_td(b, row.verdict);
		rep_html_td(b, js_str(it, "source", "?"));
		rb_str(b, "</tr>\n");
	}
	rb_str(b, "</table>\n");
}

/* ---- judging a saved report again ------------------------------------------------- */

struct rejudge {
	cJSON *findings;
	int added;
};

static int add_finding(void *ud, const char *id, cJSON *evidence)
{
	struct rejudge *rj = ud;
	cJSON *f;
	int rc = mp_catalog_finding_json(id, evidence, &f);
	if (rc < 0)
		return rc;
	cJSON_AddItemToArray(rj->findings, f);
	rj->added++;
	return 0;
}

int rep_clients_rejudge(cJSON *report, const char *target, char *errbuf, size_t errlen)
{
	cJSON *c, *pol = cJSON_GetObjectItemCaseSensitive(report, "policy");
	int delta = 0;

	cJSON_ArrayForEach (c, cJSON_GetObjectItemCaseSensitive(report, "clusters")) {
		cJSON *clients = cJSON_GetObjectItemCaseSensitive(c, "clients"), *it;
		cJSON *findings = cJSON_GetObjectItemCaseSensitive(c, "findings");
		if (!cJSON_IsArray(clients) || !cJSON_IsArray(findings))
			continue;
		cJSON_ArrayForEach (it, clients) {
			cJSON *t = mp_compat_judge_client(target, it);
			if (!t || !cJSON_IsObject(it)) {
				cJSON_Delete(t);
				mp_fmt(errbuf, errlen, "out of memory judging clients");
				return -ENOMEM;
			}
			cJSON_DeleteItemFromObjectCaseSensitive(it, "target");
			cJSON_AddItemToObject(it, "target", t);
		}
		/* the client findings follow the new judgement */
		for (int i = cJSON_GetArraySize(findings) - 1; i >= 0; i--)
			if (strncmp(js_str(cJSON_GetArrayItem(findings, i), "id", ""), "CLIENT_",
				    7) == 0) {
				cJSON_DeleteItemFromArray(findings, i);
				delta--;
			}
		struct rejudge rj = { .findings = findings };
		int rc = mp_compat_findings(clients, target, add_finding, &rj);
		delta += rj.added;
		if (rc < 0) {
			mp_fmt(errbuf, errlen, "judging clients: %s",
			       rc == -EINVAL ? "bad id" : "no memory");
			return rc;
		}
	}
	if (cJSON_IsObject(pol)) {
		cJSON_DeleteItemFromObjectCaseSensitive(pol, "target_version");
		cJSON_AddStringToObject(pol, "target_version", target);
	}
	cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
	cJSON *nf = cJSON_GetObjectItemCaseSensitive(sum, "findings");
	if (cJSON_IsNumber(nf))
		cJSON_SetNumberValue(nf, nf->valuedouble + delta);
	cJSON *prov = cJSON_GetObjectItemCaseSensitive(report, "provenance");
	if (cJSON_IsObject(prov)) {
		char note[160];
		mp_fmt(note, sizeof(note),
		       "clients judged again against Kafka %s by mskprobe report", target);
		cJSON_DeleteItemFromObjectCaseSensitive(prov, "rejudged");
		cJSON_AddStringToObject(prov, "rejudged", note);
	}
	return 0;
}

/* ---- diff ------------------------------------------------------------------------------ */

/* "source client client_id software/version": what names one client across two reports. */
static void client_key(char *buf, size_t n, const cJSON *c)
{
	struct mp_client_row row;
	mp_client_row(c, &row);
	mp_fmt(buf, n, "%s [%s] (%s)", row.who, row.library, js_str(c, "source", "?"));
}

/* A client and its key, made once per client; arrays of them sorted by key for the lookups. */
struct keyed {
	char key[600];
	const cJSON *c;
};

static int keyed_cmp(const void *x, const void *y)
{
	return strcmp(((const struct keyed *)x)->key, ((const struct keyed *)y)->key);
}

static int key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyed *)elem)->key);
}

static struct keyed *keyed_sorted(const cJSON *arr, size_t *ret_n)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	struct keyed *k = calloc(n ? n : 1, sizeof(*k));
	const cJSON *it;
	*ret_n = 0;
	if (!k)
		return NULL;
	cJSON_ArrayForEach (it, arr) {
		client_key(k[i].key, sizeof(k[i].key), it);
		k[i++].c = it;
	}
	qsort(k, i, sizeof(*k), keyed_cmp);
	*ret_n = i;
	return k;
}

static const cJSON *find_client(const struct keyed *k, size_t n, const char *key)
{
	const struct keyed *hit = n ? bsearch(key, k, n, sizeof(*k), key_cmp) : NULL;
	return hit ? hit->c : NULL;
}

static int compat_of(const cJSON *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(js_obj(c, "target"), "compatible");
	return cJSON_IsTrue(v) ? 1 : cJSON_IsFalse(v) ? 0 : -1;
}

cJSON *rep_clients_diff(const cJSON *a, const cJSON *b, bool *ret_worse)
{
	const cJSON *ca = js_arr(a, "clients"), *cb = js_arr(b, "clients");
	size_t na = 0, nb = 0;
	*ret_worse = false;
	if (!ca && !cb)
		return NULL;
	struct keyed *ka = keyed_sorted(ca, &na), *kb = keyed_sorted(cb, &nb);
	cJSON *o = ka && kb ? cJSON_CreateObject() : NULL;
	if (!o) {
		free(ka);
		free(kb);
		return NULL;
	}
	cJSON *app = cJSON_AddArrayToObject(o, "appeared");
	cJSON *gone = cJSON_AddArrayToObject(o, "disappeared");
	cJSON *fit = cJSON_AddArrayToObject(o, "became_compatible");
	cJSON *unfit = cJSON_AddArrayToObject(o, "became_incompatible");
	for (size_t i = 0; i < nb; i++) {
		const cJSON *it = kb[i].c, *before = find_client(ka, na, kb[i].key);
		if (!before) {
			cJSON_AddItemToArray(app, cJSON_CreateString(kb[i].key));
			*ret_worse |= compat_of(it) == 0;
		} else if (compat_of(before) != 1 && compat_of(it) == 1) {
			cJSON_AddItemToArray(fit, cJSON_CreateString(kb[i].key));
		} else if (compat_of(before) != 0 && compat_of(it) == 0) {
			cJSON_AddItemToArray(unfit, cJSON_CreateString(kb[i].key));
			*ret_worse = true;
		}
	}
	for (size_t i = 0; i < na; i++)
		if (!find_client(kb, nb, ka[i].key))
			cJSON_AddItemToArray(gone, cJSON_CreateString(ka[i].key));
	free(ka);
	free(kb);
	return o;
}

void rep_clients_diff_render(struct rep_buf *b, const cJSON *d, bool md)
{
	static const struct {
		const char *key, *what;
	} parts[] = { { "appeared", "client appeared" },
		      { "disappeared", "client gone" },
		      { "became_compatible", "client now fits the target" },
		      { "became_incompatible", "client no longer fits the target" } };
	const cJSON *it;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		cJSON_ArrayForEach (it, js_arr(d, parts[i].key)) {
			if (!cJSON_IsString(it))
				continue;
			rb_str(b, md ? "- " : "    ");
			rb_str(b, parts[i].what);
			rb_str(b, ": ");
			md ? rb_md(b, it->valuestring) : rb_str(b, it->valuestring);
			rb_str(b, "\n");
		}
}
