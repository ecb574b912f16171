/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Untrusted JSON in (saved reports, inventories, policy files, manifests):
 * a bounded read, the pre-scan of rep_jscan.c that checks the syntax and
 * counts values, depth, members, string lengths and the estimated tree
 * against the MP_JSON_* caps before anything is allocated, then the cJSON
 * parse, and a walk that rejects strings that are not UTF-8
 * and defangs control characters (C0, DEL, C1, bidirectional overrides,
 * line separators become the visible text "\u00NN"), so no renderer can be
 * made to emit terminal escapes, invalid JSON or reordered text.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rep-internal.h"
#include "util.h"

int rep_read_file(const char *path, size_t max, char **ret, size_t *ret_len, char *errbuf,
		  size_t errlen)
{
	struct stat st;
	/* never blocks on a FIFO; anything but a regular file is refused */
	int fd = mp_open_regular(path, &st, errbuf, errlen);
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > max) {
		mp_fmt(errbuf, errlen, "%s: %lld bytes, more than the %zu allowed", path,
		       (long long)st.st_size, max);
		rc = -EFBIG;
		goto out;
	}
	/* room for the size fstat gave plus slack, never more than max + 1 */
	size_t cap = (size_t)st.st_size + 4096;
	if (cap > max + 1)
		cap = max + 1;
	buf = malloc(cap);
	if (!buf) {
		rc = -ENOMEM;
		mp_fmt(errbuf, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) { /* the file grew while we read it */
			mp_fmt(errbuf, errlen, "%s: more than the %zu bytes allowed", path, max);
			rc = -EFBIG;
			goto out;
		}
		if (len == cap) {
			mp_fmt(errbuf, errlen, "%s: grew while being read", path);
			rc = -EINVAL;
			goto out;
		}
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* Bytes to defang: U+0000-001F, U+007F-009F, U+2028/2029, U+202A-202E, U+2066-2069. */
static size_t danger_len(const unsigned char *p)
{
	if (p[0] < 0x20 || p[0] == 0x7f)
		return 1;
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0xa8 || p[2] == 0xa9 || (p[2] >= 0xaa && p[2] <= 0xae)))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
		return 3;
	return 0;
}

static uint32_t cp_of(const unsigned char *p, size_t n)
{
	if (n == 1)
		return p[0];
	if (n == 2)
		return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
}

/* Validate and defang one string in place (may reallocate). 0 or -EINVAL/-ENOMEM. */
static int fix_string(char **sp)
{
	const unsigned char *s = (const unsigned char *)*sp;
	size_t len = strlen(*sp), extra = 0;
	if (!mp_utf8_valid(*sp, len))
		return -EINVAL;
	for (size_t i = 0; i < len;) {
		size_t d = danger_len(s + i);
		extra += d ? 6 : 0;
		i += d ? d : 1;
	}
	if (!extra)
		return 0;
	char *out = cJSON_malloc(len + extra + 1), *o = out;
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len;) {
		size_t d = danger_len(s + i);
		if (d) {
			o += snprintf(o, 7, "\\u%04X", (unsigned)cp_of(s + i, d));
			i += d;
		} else {
			*o++ = (char)s[i++];
		}
	}
	*o = '\0';
	cJSON_free(*sp);
	*sp = out;
	return 0;
}

struct walk {
	size_t nodes;
	char path[160];
};

/* The pre-scan has bounded depth and count; they are checked again for safety. */
static int walk(cJSON *n, unsigned depth, struct walk *w)
{
	for (cJSON *it = n; it; it = it->next) {
		int rc;
		if (++w->nodes > MP_JSON_VALUES_MAX)
			return -E2BIG;
		if (depth >= MP_JSON_DEPTH_MAX)
			return -ELOOP;
		if (it->string && (rc = fix_string(&it->string)) < 0) {
			mp_fmt(w->path, sizeof(w->path), "a member name");
			return rc;
		}
		if (cJSON_IsString(it) && it->valuestring &&
		    (rc = fix_string(&it->valuestring)) < 0) {
			if (it->string)
				mp_fmt(w->path, sizeof(w->path), "the value of \"%.60s\"",
				       it->string);
			else
				mp_fmt(w->path, sizeof(w->path), "an array element");
			return rc;
		}
		if ((cJSON_IsArray(it) || cJSON_IsObject(it)) && it->child &&
		    (rc = walk(it->child, depth + 1, w)) < 0)
			return rc;
	}
	return 0;
}

/* rep_json_parse, charging the estimated tree to *budget when there is one. */
static int json_parse(const char *data, size_t len, const char *name, uint64_t *budget, cJSON **ret,
		      char *errbuf, size_t errlen)
{
	struct rep_json_stats st;
	struct walk w = { 0 };
	cJSON *j;
	int rc;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) { /* a BOM some editors write */
		data += 3;
		len -= 3;
	}
	if (memchr(data, '\0', len)) {
		mp_fmt(errbuf, errlen, "%s: contains a NUL byte: not a JSON text file", name);
		return -EINVAL;
	}
	/* count before building: nothing is allocated for a file over a cap */
	if ((rc = rep_json_scan(data, len, name, &st, errbuf, errlen)) < 0)
		return rc;
	if (budget && st.tree_bytes > *budget) {
		mp_fmt(errbuf, errlen,
		       "%s: its JSON tree (about %llu KiB) does not fit in the %llu KiB left of "
		       "the %u MiB (MP_JSON_SERIES_BYTES_MAX) for the series: refused before "
		       "parsing",
		       name, (unsigned long long)(st.tree_bytes >> 10),
		       (unsigned long long)(*budget >> 10), MP_JSON_SERIES_BYTES_MAX >> 20);
		return -E2BIG;
	}
	j = cJSON_ParseWithLength(data, len);
	if (!j) { /* the scan accepted it, so only memory is left to fail */
		mp_fmt(errbuf, errlen, "%s: out of memory parsing JSON", name);
		return -ENOMEM;
	}
	rc = walk(j, 0, &w);
	if (rc < 0) {
		if (rc == -E2BIG)
			mp_fmt(errbuf, errlen, "%s: more than %u JSON values", name,
			       MP_JSON_VALUES_MAX);
		else if (rc == -ELOOP)
			mp_fmt(errbuf, errlen, "%s: nested deeper than %u levels", name,
			       MP_JSON_DEPTH_MAX);
		else if (rc == -ENOMEM)
			mp_fmt(errbuf, errlen, "%s: out of memory", name);
		else
			mp_fmt(errbuf, errlen, "%s: %s is not valid UTF-8", name, w.path);
		cJSON_Delete(j);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	if (budget)
		*budget -= st.tree_bytes;
	*ret = j;
	return 0;
}

int rep_json_parse(const char *data, size_t len, const char *name, cJSON **ret, char *errbuf,
		   size_t errlen)
{
	return json_parse(data, len, name, NULL, ret, errbuf, errlen);
}

static int json_read(const char *path, size_t max, uint64_t *budget, cJSON **ret, char *errbuf,
		     size_t errlen)
{
	char *data = NULL;
	size_t len = 0;
	int rc = rep_read_file(path, max, &data, &len, errbuf, errlen);
	if (rc == 0)
		rc = json_parse(data, len, path, budget, ret, errbuf, errlen);
	free(data);
	return rc;
}

int rep_json_read(const char *path, size_t max, cJSON **ret, char *errbuf, size_t errlen)
{
	return json_read(path, max, NULL, ret, errbuf, errlen);
}

/* ---- the shape of a report ------------------------------------------- */

static int bad(char *errbuf, size_t errlen, const char *name, const char *where, const char *what)
{
	mp_fmt(errbuf, errlen, "%s: %s: %s", name, where, what);
	return -EINVAL;
}

static bool is_oneof(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static int check_finding(const cJSON *f, const char *name, const char *where, char *errbuf,
			 size_t errlen)
{
	static const char *const sev[] = { "info", "low", "medium", "high", "critical", NULL };
	const cJSON *id = js_get(f, "id");
	if (!cJSON_IsObject(f))
		return bad(errbuf, errlen, name, where, "want an object");
	if (!cJSON_IsString(id) || !id->valuestring[0] || strlen(id->valuestring) > 47 ||
	    strspn(id->valuestring, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
		    strlen(id->valuestring))
		return bad(errbuf, errlen, name, where, "id: want [A-Z0-9_], 1 to 47 characters");
	if (!is_oneof(js_str(f, "severity", NULL), sev))
		return bad(errbuf, errlen, name, where,
			   "severity: want info, low, medium, high or critical");
	if (!cJSON_IsString(js_get(f, "title")))
		return bad(errbuf, errlen, name, where, "title: want a string");
	const cJSON *ev = js_get(f, "evidence");
	if (ev && !cJSON_IsObject(ev) && !cJSON_IsNull(ev))
		return bad(errbuf, errlen, name, where, "evidence: want an object");
	return 0;
}

static int check_cluster(const cJSON *c, const char *name, size_t idx, char *errbuf, size_t errlen)
{
	static const char *const verdicts[] = { "compliant", "non_compliant", "unverified", NULL };
	char where[96];
	const cJSON *it;
	size_t i = 0;

	mp_fmt(where, sizeof(where), "clusters[%zu]", idx);
	if (!cJSON_IsObject(c))
		return bad(errbuf, errlen, name, where, "want an object");
	const char *cn = js_str(c, "name", NULL);
	if (!cn || !cn[0])
		return bad(errbuf, errlen, name, where, "name: want a non-empty string");
	if (!is_oneof(js_str(c, "verdict", NULL), verdicts))
		return bad(errbuf, errlen, name, where,
			   "verdict: want compliant, non_compliant or unverified");
	static const char *const objs[] = { "kafka", "proven", "capture", "inventory" };
	for (size_t k = 0; k < sizeof(objs) / sizeof(objs[0]); k++) {
		const cJSON *v = js_get(c, objs[k]);
		if (v && !cJSON_IsObject(v) && !cJSON_IsNull(v)) {
			char w2[128];
			mp_fmt(w2, sizeof(w2), "%s.%s", where, objs[k]);
			return bad(errbuf, errlen, name, w2, "want an object or null");
		}
	}
	/* the arrays diff and trend walk, capped at what a scan can write */
	static const struct {
		const char *name;
		unsigned max;
	} arrs[] = { { "brokers", MP_BROKERS_MAX },
		     { "listener_checks", MP_BROKERS_MAX },
		     { "releases", MP_RELEASES_MAX },
		     { "candidates", MP_RELEASES_MAX } };
	for (size_t k = 0; k < sizeof(arrs) / sizeof(arrs[0]); k++) {
		const cJSON *v = js_get(js_obj(c, "kafka"), arrs[k].name);
		char w2[128], many[64];
		mp_fmt(w2, sizeof(w2), "%s.kafka.%s", where, arrs[k].name);
		if (v && !cJSON_IsArray(v))
			return bad(errbuf, errlen, name, w2, "want an array");
		mp_fmt(many, sizeof(many), "more than %u entries", arrs[k].max);
		if (v && cJSON_GetArraySize(v) > (int)arrs[k].max)
			return bad(errbuf, errlen, name, w2, many);
	}
	const cJSON *zk = js_get(c, "zookeeper");
	if (zk && !cJSON_IsArray(zk))
		return bad(errbuf, errlen, name, where, "zookeeper: want an array");
	char what[64];
	mp_fmt(what, sizeof(what), "zookeeper: more than %u entries", MP_BROKERS_MAX);
	if (zk && cJSON_GetArraySize(zk) > (int)MP_BROKERS_MAX)
		return bad(errbuf, errlen, name, where, what);
	const cJSON *fs = js_get(c, "findings");
	if (!cJSON_IsArray(fs))
		return bad(errbuf, errlen, name, where, "findings: want an array");
	mp_fmt(what, sizeof(what), "findings: more than %u (MP_REP_FINDINGS_MAX)",
	       MP_REP_FINDINGS_MAX);
	if (cJSON_GetArraySize(fs) > (int)MP_REP_FINDINGS_MAX)
		return bad(errbuf, errlen, name, where, what);
	cJSON_ArrayForEach (it, fs) {
		char w2[128];
		mp_fmt(w2, sizeof(w2), "%s.findings[%zu]", where, i++);
		if (check_finding(it, name, w2, errbuf, errlen) < 0)
			return -EINVAL;
	}
	return 0;
}

int rep_report_check(const cJSON *j, const char *name, char *errbuf, size_t errlen)
{
	const cJSON *cl = js_get(j, "clusters"), *it;
	size_t i = 0;
	if (!cJSON_IsObject(j))
		return bad(errbuf, errlen, name, "top level", "want a JSON object");
	if (strcmp(js_str(j, "schema", ""), REP_SCHEMA) != 0)
		return bad(errbuf, errlen, name, "schema",
			   "want \"" REP_SCHEMA "\" (not an mskprobe report)");
	if (!cJSON_IsString(js_get(j, "generated_at")))
		return bad(errbuf, errlen, name, "generated_at", "want a string");
	static const char *const objs[] = { "tool", "policy", "provenance", "summary" };
	for (size_t k = 0; k < sizeof(objs) / sizeof(objs[0]); k++)
		if (js_get(j, objs[k]) && !js_obj(j, objs[k]))
			return bad(errbuf, errlen, name, objs[k], "want an object");
	if (!cJSON_IsArray(cl))
		return bad(errbuf, errlen, name, "clusters", "want an array");
	if (cJSON_GetArraySize(cl) > (int)MP_CLUSTERS_MAX)
		return bad(errbuf, errlen, name, "clusters", "too many clusters");
	cJSON_ArrayForEach (it, cl)
		if (check_cluster(it, name, i++, errbuf, errlen) < 0)
			return -EINVAL;
	return 0;
}

int rep_report_load_within(const char *path, uint64_t *budget, cJSON **ret, char *errbuf,
			   size_t errlen)
{
	cJSON *j = NULL;
	int rc = json_read(path, REP_FILE_MAX, budget, &j, errbuf, errlen);
	if (rc < 0)
		return rc;
	if ((rc = rep_report_check(j, path, errbuf, errlen)) < 0) {
		cJSON_Delete(j);
		return rc;
	}
	*ret = j;
	return 0;
}

int rep_report_load(const char *path, cJSON **ret, char *errbuf, size_t errlen)
{
	return rep_report_load_within(path, NULL, ret, errbuf, errlen);
}
