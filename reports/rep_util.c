/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output buffer, escapers and type-checked accessors shared by every
 * renderer (rep-internal.h). The escapers are the only way a string from a
 * report reaches HTML, XML or Markdown output.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdbool.h>
#include "rep-internal.h"
#include "js.h"
#include "util.h"

static bool rb_reserve(struct rep_buf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void rb_add(struct rep_buf *b, const char *s, size_t n)
{
	if (!rb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void rb_str(struct rep_buf *b, const char *s)
{
	rb_add(b, s, strlen(s));
}

void rb_put(struct rep_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !rb_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void rb_html(struct rep_buf *b, const char *s)
{
	for (const char *p = s; p && *p; p++) {
		switch (*p) {
		case '&':
			rb_str(b, "&amp;");
			break;
		case '<':
			rb_str(b, "&lt;");
			break;
		case '>':
			rb_str(b, "&gt;");
			break;
		case '"':
			rb_str(b, "&quot;");
			break;
		case '\'':
			rb_str(b, "&#39;");
			break;
		default:
			rb_add(b, p, 1);
		}
	}
}

void rb_xml(struct rep_buf *b, const char *s)
{
	for (const char *p = s; p && *p; p++) {
		unsigned char c = (unsigned char)*p;
		/* XML 1.0 allows only TAB, LF, CR below 0x20 */
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			continue;
		char one[2] = { *p, 0 };
		rb_html(b, one);
	}
}

void rb_md(struct rep_buf *b, const char *s)
{
	for (const char *p = s; p && *p; p++) {
		if (*p == '\n' || *p == '\r') {
			rb_str(b, " ");
		} else if (*p == '<') {
			rb_str(b, "&lt;");
		} else if (*p == '>') {
			rb_str(b, "&gt;");
		} else if (*p == '&') {
			rb_str(b, "&amp;");
		} else if (*p == '|') {
			rb_str(b, "\\|");
		} else if (strchr("\\`*_[]~", *p)) {
			/* emphasis, code, links and images; line-start syntax cannot
			 * occur: a value never starts a line in our Markdown */
			rb_add(b, "\\", 1);
			rb_add(b, p, 1);
		} else {
			rb_add(b, p, 1);
		}
	}
}

int rb_take(struct rep_buf *b, char **ret, size_t *ret_len)
{
	if (!b->oom && !b->p)
		rb_add(b, "", 0);
	if (b->oom) {
		rb_free(b);
		return -ENOMEM;
	}
	*ret = b->p;
	if (ret_len)
		*ret_len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return 0;
}

void rb_free(struct rep_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static size_t cat_list(char *dst, size_t n, size_t o, const cJSON *arr, const char *first,
		       const char *sep, bool *any)
{
	const cJSON *it;
	cJSON_ArrayForEach (it, arr) {
		if (!cJSON_IsString(it) || o + 1 >= n)
			continue;
		int w = snprintf(dst + o, n - o, "%s%s", *any ? sep : first, it->valuestring);
		o = w < 0 ? o : (o + (size_t)w < n ? o + (size_t)w : n - 1);
		*any = true;
	}
	return o;
}

void js_version_cell(const cJSON *cluster, char *dst, size_t n)
{
	const cJSON *k = js_obj(cluster, "kafka");
	bool any = false, cands = false;
	size_t o = cat_list(dst, n, 0, js_arr(k, "releases"), "", "/", &any);
	if (!any) {
		mp_strlcpy(dst, "?", n);
		return;
	}
	o = cat_list(dst, n, o, js_arr(k, "candidates"), " (", ", ", &cands);
	if (cands && o + 1 < n)
		snprintf(dst + o, n - o, ")");
	rep_utf8_trunc(dst, n - 1);
}

const char *js_cluster_key(const cJSON *cluster)
{
	const char *arn = js_str(js_obj(cluster, "inventory"), "arn", NULL);
	return arn && *arn ? arn : js_str(cluster, "name", "?");
}

void rep_utf8_trunc(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return;
	n = max;
	/* back off over continuation bytes to the start of the cut sequence */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
}

int64_t rep_time_parse(const char *s)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, used = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 ||
	    used != 19)
		return -1;
	const char *p = s + used;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z") != 0 || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm);
}

int rep_sev_rank(const char *s)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };
	for (int i = 0; s && i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* ---- sorted index ------------------------------------------------------- */

void rep_index_add(struct rep_index *ix, const char *k1, const char *k2, const cJSON *v)
{
	if (ix->oom)
		return;
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? 2 * ix->cap : 16;
		struct rep_index_ent *e =
			cap > SIZE_MAX / sizeof(*e) ? NULL : realloc(ix->e, cap * sizeof(*e));
		if (!e) {
			ix->oom = true;
			return;
		}
		ix->e = e;
		ix->cap = cap;
	}
	ix->e[ix->n] = (struct rep_index_ent){ k1, k2 ? k2 : "", v, ix->n };
	ix->n++;
}

static int ent_key_cmp(const struct rep_index_ent *a, const char *k1, const char *k2)
{
	int c = strcmp(a->k1, k1);
	return c ? c : strcmp(a->k2, k2);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct rep_index_ent *x = a, *y = b;
	int c = ent_key_cmp(x, y->k1, y->k2);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

int rep_index_sort(struct rep_index *ix)
{
	if (ix->oom) {
		ix->n = 0;
		return -ENOMEM;
	}
	if (ix->n > 1)
		qsort(ix->e, ix->n, sizeof(ix->e[0]), ent_cmp);
	return 0;
}

const cJSON *rep_index_find(const struct rep_index *ix, const char *k1, const char *k2)
{
	size_t lo = 0, hi = ix->n;
	k2 = k2 ? k2 : "";
	/* the lower bound: the first of equal keys, the one added first */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ent_key_cmp(&ix->e[mid], k1, k2) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && ent_key_cmp(&ix->e[lo], k1, k2) == 0 ? ix->e[lo].v : NULL;
}

void rep_index_free(struct rep_index *ix)
{
	free(ix->e);
	*ix = (struct rep_index){ 0 };
}

int rep_index_clusters(struct rep_index *ix, const cJSON *report)
{
	const cJSON *c;
	cJSON_ArrayForEach (c, js_arr(report, "clusters"))
		rep_index_add(ix, js_cluster_key(c), NULL, c);
	return rep_index_sort(ix);
}

void rep_owners(struct rep_buf *b, const cJSON *cluster,
		void (*esc)(struct rep_buf *, const char *), const char *sep, const char *kv,
		const char *none)
{
	const cJSON *it;
	bool any = false;
	cJSON_ArrayForEach (it, js_obj(js_obj(cluster, "inventory"), "owners"))
		if (cJSON_IsString(it)) {
			rb_str(b, any ? sep : "");
			esc(b, it->string ? it->string : "?");
			rb_str(b, kv);
			esc(b, it->valuestring);
			any = true;
		}
	if (!any)
		rb_str(b, none);
}
