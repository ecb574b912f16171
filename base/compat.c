/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client compatibility with a target Kafka release (compat.h): the accepted
 * request versions per 4.x release and the client library table, parsed
 * once from the compiled-in data files, and the judgements and findings
 * built from them.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "js.h"
#include "kafka_req.h"
#include "util.h"

extern const char mp_kafka_accepted_builtin[];
extern const size_t mp_kafka_accepted_builtin_len;
extern const char mp_client_libs_builtin[];
extern const size_t mp_client_libs_builtin_len;

#define COMPAT_ROWS_MAX	    32u
#define COMPAT_PATCHES_MAX  8u
#define COMPAT_KEYS	    128 /* api keys 0..127 */
#define COMPAT_LIBS_MAX	    32u
#define COMPAT_EVIDENCE_MAX 32u /* clients named in one finding */

struct accepted_row {
	unsigned n_patches;
	char patches[COMPAT_PATCHES_MAX][16];
	int8_t min[COMPAT_KEYS], max[COMPAT_KEYS]; /* -1: not served */
};

struct client_lib {
	char name[64];
	char first_fit[24]; /* "" = judged through via */
	bool below_incompatible;
	bool via_rdkafka;
	char source[320];
};

static struct {
	unsigned n_rows, n_libs;
	struct accepted_row rows[COMPAT_ROWS_MAX];
	struct client_lib libs[COMPAT_LIBS_MAX];
	int rc;
	char err[160];
} tab;

/* ---- versions ------------------------------------------------------------------------------- */

/*
 * A client library's version: optional 'v', then up to four numbers joined
 * by '.', stopping at the first other character ("2.16.1-rdkafka-2.16.0"
 * is 2.16.1). false when it does not start with a number.
 */
static bool libver_parse(const char *s, long out[4])
{
	int n = 0;
	memset(out, 0, 4 * sizeof(long));
	if (*s == 'v' || *s == 'V')
		s++;
	while (n < 4 && *s >= '0' && *s <= '9') {
		long v = 0;
		while (*s >= '0' && *s <= '9' && v < 1000000)
			v = v * 10 + (*s++ - '0');
		out[n++] = v;
		if (*s != '.')
			break;
		s++;
	}
	return n > 0;
}

static int libver_cmp(const long a[4], const long b[4])
{
	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* ---- tables --------------------------------------------------------------------------------- */

/* Split one line into at most n TAB-separated fields (in place); the count. */
static unsigned split_tabs(char *line, char **f, unsigned n)
{
	unsigned k = 0;
	for (char *p = line; p && k < n;) {
		f[k++] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
	return k;
}

static int parse_accepted_row(struct accepted_row *row, char *patches, char *apis)
{
	memset(row->min, -1, sizeof(row->min));
	memset(row->max, -1, sizeof(row->max));
	for (char *p = patches; *p;) {
		size_t len = strcspn(p, ",");
		struct mp_ver v;
		if (row->n_patches >= COMPAT_PATCHES_MAX || len == 0 || len >= 16)
			return -EINVAL;
		memcpy(row->patches[row->n_patches], p, len);
		row->patches[row->n_patches][len] = '\0';
		if (mp_ver_parse(row->patches[row->n_patches], &v) < 0 || v.n != 3)
			return -EINVAL;
		row->n_patches++;
		p += len + (p[len] == ',');
	}
	for (char *p = apis; *p;) {
		int key, lo, hi, used = 0;
		if (sscanf(p, "%d:%d-%d%n", &key, &lo, &hi, &used) != 3 || key < 0 ||
		    key >= COMPAT_KEYS || lo < 0 || hi < lo || hi > 127 || row->min[key] >= 0)
			return -EINVAL;
		row->min[key] = (int8_t)lo;
		row->max[key] = (int8_t)hi;
		p += used;
		if (*p == ' ')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return row->n_patches ? 0 : -EINVAL;
}

static int parse_lib(struct client_lib *l, char **f)
{
	if (strlen(f[0]) >= sizeof(l->name) || strlen(f[1]) >= sizeof(l->first_fit) || !*f[0])
		return -EINVAL;
	mp_strlcpy(l->name, f[0], sizeof(l->name));
	if (strcmp(f[1], "-") != 0)
		mp_strlcpy(l->first_fit, f[1], sizeof(l->first_fit));
	if (strcmp(f[2], "unknown") != 0 && strcmp(f[2], "incompatible") != 0)
		return -EINVAL;
	l->below_incompatible = strcmp(f[2], "incompatible") == 0;
	if (strcmp(f[3], "rdkafka") == 0)
		l->via_rdkafka = true;
	else if (strcmp(f[3], "-") != 0)
		return -EINVAL;
	long v[4];
	if (!l->via_rdkafka && !libver_parse(l->first_fit, v))
		return -EINVAL;
	mp_strlcpy(l->source, f[4], sizeof(l->source));
	return 0;
}

/* Parse one table's text: accepted (true) or libraries. */
static int parse_table(const char *text, size_t len, bool accepted)
{
	char *copy = strndup(text, len), *save = NULL;
	unsigned line = 0;
	int rc = 0;
	if (!copy)
		return -ENOMEM;
	for (char *l = strtok_r(copy, "\n", &save); l && !rc; l = strtok_r(NULL, "\n", &save)) {
		char *f[5];
		line++;
		if (l[0] == '#' || l[0] == '\0')
			continue;
		if (accepted) {
			if (tab.n_rows >= COMPAT_ROWS_MAX || split_tabs(l, f, 2) != 2 ||
			    parse_accepted_row(&tab.rows[tab.n_rows], f[0], f[1]) < 0)
				rc = -EINVAL;
			else
				tab.n_rows++;
		} else {
			if (tab.n_libs >= COMPAT_LIBS_MAX || split_tabs(l, f, 5) != 5 ||
			    parse_lib(&tab.libs[tab.n_libs], f) < 0)
				rc = -EINVAL;
			else
				tab.n_libs++;
		}
	}
	if (rc)
		mp_fmt(tab.err, sizeof(tab.err), "base/data/%s: record %u is malformed",
		       accepted ? "kafka-accepted.tsv" : "client-libraries.tsv", line);
	free(copy);
	return rc;
}

static void tables_init(void)
{
	tab.rc = parse_table(mp_kafka_accepted_builtin, mp_kafka_accepted_builtin_len, true);
	if (!tab.rc)
		tab.rc = parse_table(mp_client_libs_builtin, mp_client_libs_builtin_len, false);
}

static int tables(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, tables_init);
	return tab.rc;
}

int mp_compat_check_tables(char *errbuf, size_t errlen)
{
	int rc = tables();
	if (rc)
		mp_fmt(errbuf, errlen, "%s", tab.err[0] ? tab.err : "out of memory");
	return rc;
}

static const struct accepted_row *row_of(const char *release)
{
	for (unsigned i = 0; i < tab.n_rows; i++)
		for (unsigned j = 0; j < tab.rows[i].n_patches; j++)
			if (strcmp(tab.rows[i].patches[j], release) == 0)
				return &tab.rows[i];
	return NULL;
}

static bool before_removal(const char *release)
{
	return mp_ver_cmp_str(release, MP_COMPAT_FIRST_REMOVAL) < 0;
}

int mp_compat_resolve_target(const char *arg, char *out, size_t n, char *errbuf, size_t errlen)
{
	struct mp_ver v;
	const char *best = NULL;

	if (tables() < 0) {
		mp_fmt(errbuf, errlen, "%s", tab.err);
		return -EINVAL;
	}
	bool wildcard = false;
	bool ok = arg && strlen(arg) < 16 && mp_ver_parse(arg, &v) == 0 && !v.label[0] &&
		  v.n >= 2 && v.n <= 3;
	for (int i = 0; ok && i < v.n; i++)
		wildcard |= v.c[i] < 0;
	if (!ok || wildcard) {
		mp_fmt(errbuf, errlen, "--target-version: want a release such as 4.0.0 or 4.1");
		return -EINVAL;
	}
	if (v.n == 3) {
		if (row_of(arg) || before_removal(arg)) {
			mp_strlcpy(out, arg, n);
			return 0;
		}
	} else {
		for (unsigned i = 0; i < tab.n_rows; i++)
			for (unsigned j = 0; j < tab.rows[i].n_patches; j++) {
				struct mp_ver p;
				const char *s = tab.rows[i].patches[j];
				if (mp_ver_parse(s, &p) == 0 && p.c[0] == v.c[0] &&
				    p.c[1] == v.c[1] && (!best || mp_ver_cmp_str(s, best) > 0))
					best = s;
			}
		if (best) {
			mp_strlcpy(out, best, n);
			return 0;
		}
		if (before_removal(arg)) { /* "3.9": every 3.9 patch accepts the same */
			mp_fmt(out, n, "%d.%d.0", v.c[0], v.c[1]);
			return 0;
		}
	}
	mp_fmt(errbuf, errlen,
	       "--target-version %s: not a release mskprobe knows what it accepts (base/data/"
	       "kafka-accepted.tsv lists 4.x releases; any release before 4.0.0 accepts every "
	       "version)",
	       arg);
	return -EINVAL;
}

int mp_compat_accepted(const char *target, int api_key, int *ret_min, int *ret_max)
{
	const struct accepted_row *row;
	if (tables() < 0 || !target)
		return -EINVAL;
	row = row_of(target);
	if (!row)
		return before_removal(target) ? 2 : -EINVAL;
	if (api_key < 0 || api_key >= COMPAT_KEYS || row->min[api_key] < 0)
		return 0;
	*ret_min = row->min[api_key];
	*ret_max = row->max[api_key];
	return 1;
}

/* ---- judgements ------------------------------------------------------------------------------ */

static cJSON *target_new(const char *target, const char *basis)
{
	cJSON *t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "version", target);
	cJSON_AddStringToObject(t, "basis", basis);
	return t;
}

static cJSON *target_done(cJSON *t, int compatible, const char *reason)
{
	if (compatible < 0)
		cJSON_AddNullToObject(t, "compatible");
	else
		cJSON_AddBoolToObject(t, "compatible", compatible);
	if (!cJSON_GetObjectItemCaseSensitive(t, "rejected"))
		cJSON_AddArrayToObject(t, "rejected");
	cJSON_AddStringToObject(t, "reason", reason);
	return t;
}

static void add_rejected(cJSON *rej, int key, int version, int min_accepted)
{
	cJSON *o = cJSON_CreateObject();
	const char *name = mp_kafka_api_name(key);
	cJSON_AddNumberToObject(o, "api_key", key);
	if (name)
		cJSON_AddStringToObject(o, "api", name);
	else
		cJSON_AddNullToObject(o, "api");
	cJSON_AddNumberToObject(o, "version", version);
	if (min_accepted >= 0)
		cJSON_AddNumberToObject(o, "min_accepted", min_accepted);
	else
		cJSON_AddNullToObject(o, "min_accepted"); /* not served at all */
	cJSON_AddItemToArray(rej, o);
}

cJSON *mp_compat_judge_requests(const char *target, const cJSON *requests)
{
	cJSON *t = target_new(target, "requests"), *rej, *it;
	char reason[256];
	const char *ib = NULL;
	bool any = false;

	if (tables() < 0)
		return target_done(t, -1, "the compatibility tables did not load");
	rej = cJSON_AddArrayToObject(t, "rejected");
	cJSON_ArrayForEach (it, requests) {
		int key = (int)js_num(it, "api_key", -1), lo = 0, hi = 0;
		const cJSON *v;
		if (key < 0)
			continue;
		any = true;
		if (mp_kafka_api_inter_broker(key) && !ib)
			ib = mp_kafka_api_name(key);
		int acc = mp_compat_accepted(target, key, &lo, &hi);
		if (acc == 2 || acc < 0)
			continue;
		cJSON_ArrayForEach (v, js_arr(it, "versions")) {
			if (!cJSON_IsNumber(v))
				continue;
			int ver = (int)v->valuedouble;
			if (acc == 0) {
				add_rejected(rej, key, ver, -1);
				break;
			}
			if (ver < lo) {
				add_rejected(rej, key, ver, lo);
				break; /* versions are sorted: the lowest one names the problem */
			}
		}
	}
	if (ib) {
		mp_fmt(reason, sizeof(reason),
		       "sends inter-broker requests (%s): a broker or controller of the cluster, "
		       "replaced by the upgrade rather than judged as a client",
		       ib);
		cJSON_DeleteItemFromObjectCaseSensitive(t, "rejected");
		return target_done(t, -1, reason);
	}
	if (!any)
		return target_done(t, -1, "no request was read from this client");
	if (before_removal(target))
		return target_done(t, 1,
				   "releases before 4.0.0 accept every request version older "
				   "clients send (KIP-896 removed old versions in 4.0)");
	if (cJSON_GetArraySize(rej) == 0) {
		mp_fmt(reason, sizeof(reason),
		       "every request version seen is one Kafka %s accepts (base/data/"
		       "kafka-accepted.tsv)",
		       target);
		return target_done(t, 1, reason);
	}
	mp_fmt(reason, sizeof(reason),
	       "Kafka %s rejects %d of the request kinds seen at the versions this client sent "
	       "(KIP-896)",
	       target, cJSON_GetArraySize(rej));
	return target_done(t, 0, reason);
}

static const struct client_lib *lib_of(const char *name)
{
	for (unsigned i = 0; i < tab.n_libs; i++)
		if (strcmp(tab.libs[i].name, name) == 0)
			return &tab.libs[i];
	return NULL;
}

cJSON *mp_compat_judge_software(const char *target, const char *sw_name, const char *sw_version)
{
	cJSON *t = target_new(target, "software");
	const struct client_lib *lib;
	char reason[512];
	long have[4], fit[4];

	if (tables() < 0)
		return target_done(t, -1, "the compatibility tables did not load");
	if (before_removal(target))
		return target_done(t, 1,
				   "releases before 4.0.0 accept every request version older "
				   "clients send (KIP-896 removed old versions in 4.0)");
	if (!sw_name || !*sw_name || strcmp(sw_name, "unknown") == 0)
		return target_done(t, -1,
				   "the client sent no KIP-511 name (ApiVersions before v3): only "
				   "its requests can judge it (capture the plaintext listener)");
	lib = lib_of(sw_name);
	if (!lib) {
		mp_fmt(reason, sizeof(reason),
		       "client library \"%s\" is not in base/data/client-libraries.tsv: no version "
		       "known to fit Kafka 4.x",
		       sw_name);
		return target_done(t, -1, reason);
	}
	const char *ver = sw_version ? sw_version : "";
	const struct client_lib *judged = lib;
	if (lib->via_rdkafka) {
		const char *rd = strstr(ver, "-rdkafka-");
		judged = lib_of("librdkafka");
		if (!rd || !judged) {
			mp_fmt(reason, sizeof(reason),
			       "%s version \"%s\" does not name its librdkafka (\"-rdkafka-X\")",
			       sw_name, ver);
			return target_done(t, -1, reason);
		}
		ver = rd + strlen("-rdkafka-");
	}
	if (!libver_parse(ver, have) || !libver_parse(judged->first_fit, fit)) {
		mp_fmt(reason, sizeof(reason), "%s version \"%s\" is not a version number", sw_name,
		       sw_version ? sw_version : "");
		return target_done(t, -1, reason);
	}
	if (libver_cmp(have, fit) >= 0) {
		mp_fmt(reason, sizeof(reason),
		       "%s %s is at or after %s, known to fit Kafka 4.x (%s)", judged->name, ver,
		       judged->first_fit, judged->source);
		return target_done(t, 1, reason);
	}
	mp_fmt(reason, sizeof(reason),
	       "%s %s is older than %s, the oldest known to fit Kafka 4.x (%s)", judged->name, ver,
	       judged->first_fit, judged->source);
	return target_done(t, judged->below_incompatible ? 0 : -1, reason);
}

cJSON *mp_compat_judge_client(const char *target, const cJSON *client)
{
	const cJSON *req = js_arr(client, "requests");
	bool measured = false, it_dep = false;
	const cJSON *it;
	cJSON_ArrayForEach (it, req) {
		if (js_true(it, "deprecated"))
			it_dep = true; /* metrics' deprecated-request counters, not every request */
		else
			measured = true;
	}
	if (measured && !it_dep)
		return mp_compat_judge_requests(target, req);
	cJSON *t = mp_compat_judge_software(target, js_str(client, "software_name", NULL),
					    js_str(client, "software_version", NULL));
	if (it_dep && !before_removal(target)) {
		/* a broker counted requests it deprecates: the ones the target rejects decide */
		cJSON *byreq = mp_compat_judge_requests(target, req);
		const cJSON *rej = js_arr(byreq, "rejected");
		if (cJSON_GetArraySize(rej) > 0) {
			cJSON_Delete(t);
			cJSON_ReplaceItemInObjectCaseSensitive(byreq, "basis",
							       cJSON_CreateString("requests"));
			return byreq;
		}
		cJSON_Delete(byreq);
	}
	return t;
}

/* ---- findings -------------------------------------------------------------------------------- */

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* A short naming of one client for a finding's evidence (no request payload: header fields only). */
static cJSON *client_brief(const cJSON *c)
{
	cJSON *o = cJSON_CreateObject();
	add_str_or_null(o, "source", js_str(c, "source", NULL));
	add_str_or_null(o, "client", js_str(c, "client", NULL));
	add_str_or_null(o, "client_id", js_str(c, "client_id", NULL));
	add_str_or_null(o, "software_name", js_str(c, "software_name", NULL));
	add_str_or_null(o, "software_version", js_str(c, "software_version", NULL));
	cJSON_AddItemToObject(o, "servers", cJSON_Duplicate(js_arr(c, "servers"), 1));
	if (!cJSON_GetObjectItemCaseSensitive(o, "servers") ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "servers"))) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "servers");
		cJSON_AddArrayToObject(o, "servers");
	}
	return o;
}

struct fbuild {
	cJSON *ev, *list;
	unsigned n;
};

static void fb_add(struct fbuild *b, cJSON *brief)
{
	if (!b->ev) {
		b->ev = cJSON_CreateObject();
		b->list = cJSON_AddArrayToObject(b->ev, "clients");
	}
	b->n++;
	if (cJSON_GetArraySize(b->list) < (int)COMPAT_EVIDENCE_MAX)
		cJSON_AddItemToArray(b->list, brief);
	else
		cJSON_Delete(brief);
}

static int fb_emit(struct fbuild *b, const char *id, const char *target, mp_compat_add_fn add,
		   void *ud)
{
	if (!b->ev)
		return 0;
	cJSON_AddNumberToObject(b->ev, "count", b->n);
	cJSON_AddNumberToObject(b->ev, "clients_not_listed",
				b->n - (unsigned)cJSON_GetArraySize(b->list));
	if (target)
		cJSON_AddStringToObject(b->ev, "target_version", target);
	cJSON *ev = b->ev;
	b->ev = NULL;
	return add(ud, id, ev);
}

int mp_compat_findings(const cJSON *clients, const char *target, mp_compat_add_fn add, void *ud)
{
	struct fbuild inc = { 0 }, unid = { 0 }, plain = { 0 };
	const cJSON *c;
	int rc;

	cJSON_ArrayForEach (c, clients) {
		const cJSON *t = js_obj(c, "target");
		const cJSON *comp = cJSON_GetObjectItemCaseSensitive(t, "compatible");
		if (target && cJSON_IsFalse(comp)) {
			cJSON *b = client_brief(c);
			cJSON_AddItemToObject(b, "rejected",
					      cJSON_Duplicate(js_arr(t, "rejected"), 1));
			cJSON_AddStringToObject(b, "reason", js_str(t, "reason", ""));
			fb_add(&inc, b);
		}
		if (strcmp(js_str(c, "role", "client"), "broker") == 0)
			continue; /* the cluster's own brokers: not applications to inventory */
		if (!js_str(c, "software_name", NULL))
			fb_add(&unid, client_brief(c));
		if (js_true(c, "plaintext"))
			fb_add(&plain, client_brief(c));
	}
	rc = fb_emit(&inc, "CLIENT_INCOMPATIBLE_WITH_TARGET", target, add, ud);
	if (!rc)
		rc = fb_emit(&unid, "CLIENT_UNIDENTIFIED", NULL, add, ud);
	if (!rc)
		rc = fb_emit(&plain, "CLIENT_PLAINTEXT_IN_USE", NULL, add, ud);
	cJSON_Delete(inc.ev);
	cJSON_Delete(unid.ev);
	cJSON_Delete(plain.ev);
	return rc;
}

/* ---- rendering ----------------------------------------------------------------------------- */

/* Append s whole, or once the room is gone a single "..." and nothing more. */
struct sbuf {
	char *buf;
	size_t n, len;
	bool cut;
};

static void cat(struct sbuf *b, const char *s)
{
	size_t l = strlen(s);
	if (b->cut)
		return;
	if (b->len + l + 4 > b->n) {
		memcpy(b->buf + b->len, "...", 4);
		b->len += 3;
		b->cut = true;
		return;
	}
	memcpy(b->buf + b->len, s, l + 1);
	b->len += l;
}

void mp_client_row(const cJSON *client, struct mp_client_row *row)
{
	const char *addr = js_str(client, "client", NULL), *cid = js_str(client, "client_id", NULL);
	const char *sw = js_str(client, "software_name", NULL);
	const cJSON *t = js_obj(client, "target"), *it, *v;
	size_t len;
	char item[96];
	struct sbuf vb = { .buf = row->versions, .n = sizeof(row->versions) };

	if (addr || cid)
		mp_fmt(row->who, sizeof(row->who), "%s%s%s", addr ? addr : "",
		       addr && cid ? " " : "", cid ? cid : "");
	else if (cJSON_GetArraySize(js_arr(client, "listeners")) > 0) {
		/* a broker's metrics: how many connections, on which listeners */
		struct sbuf wb = { .buf = row->who, .n = sizeof(row->who) };
		bool first = true;
		row->who[0] = '\0';
		mp_fmt(item, sizeof(item), "%.0f connections on", js_num(client, "connections", 0));
		cat(&wb, item);
		cJSON_ArrayForEach (it, js_arr(client, "listeners")) {
			mp_fmt(item, sizeof(item), "%s %s (%s)", first ? "" : ",",
			       js_str(it, "listener", "?"), js_str(it, "security", "?"));
			cat(&wb, item);
			first = false;
		}
	} else {
		mp_fmt(row->who, sizeof(row->who), "%s",
		       strcmp(js_str(client, "source", ""), "open-monitoring") == 0
			       ? "requests the brokers counted"
			       : "unnamed clients");
	}
	if (strcmp(js_str(client, "role", "client"), "broker") == 0) {
		len = strlen(row->who);
		mp_fmt(row->who + len, sizeof(row->who) - len, " (broker)");
	}
	if (sw)
		mp_fmt(row->library, sizeof(row->library), "%s %s", sw,
		       js_str(client, "software_version", "?"));
	else
		mp_fmt(row->library, sizeof(row->library), "-");
	row->versions[0] = '\0';
	cJSON_ArrayForEach (it, js_arr(client, "requests")) {
		const char *api = js_str(it, "api", NULL);
		if (vb.len)
			cat(&vb, ", ");
		if (api)
			mp_fmt(item, sizeof(item), "%s", api);
		else
			mp_fmt(item, sizeof(item), "key %d", (int)js_num(it, "api_key", -1));
		cat(&vb, item);
		cJSON_ArrayForEach (v, js_arr(it, "versions")) {
			mp_fmt(item, sizeof(item), " v%d",
			       cJSON_IsNumber(v) ? (int)v->valuedouble : -1);
			cat(&vb, item);
		}
		if (js_true(it, "deprecated"))
			cat(&vb, " (deprecated)");
	}
	if (!vb.len)
		mp_fmt(row->versions, sizeof(row->versions), "-");
	if (!t) {
		mp_fmt(row->verdict, sizeof(row->verdict), "not judged");
		return;
	}
	const cJSON *comp = cJSON_GetObjectItemCaseSensitive(t, "compatible");
	const char *ver = js_str(t, "version", "?");
	if (cJSON_IsTrue(comp)) {
		mp_fmt(row->verdict, sizeof(row->verdict), "fits %s", ver);
		return;
	}
	if (!cJSON_IsFalse(comp)) {
		mp_fmt(row->verdict, sizeof(row->verdict), "unknown for %s: %s", ver,
		       js_str(t, "reason", "no verdict"));
		return;
	}
	mp_fmt(row->verdict, sizeof(row->verdict), "incompatible with %s:", ver);
	struct sbuf db = { .buf = row->verdict, .n = sizeof(row->verdict) };
	db.len = strlen(row->verdict);
	bool first = true;
	cJSON_ArrayForEach (it, js_arr(t, "rejected")) {
		const cJSON *min = cJSON_GetObjectItemCaseSensitive(it, "min_accepted");
		const char *api = js_str(it, "api", NULL);
		char what[48];
		if (api)
			mp_fmt(what, sizeof(what), "%s", api);
		else
			mp_fmt(what, sizeof(what), "key %d", (int)js_num(it, "api_key", -1));
		if (cJSON_IsNumber(min))
			mp_fmt(item, sizeof(item), "%s %s v%d (accepts v%d+)", first ? "" : ",",
			       what, (int)js_num(it, "version", -1), (int)min->valuedouble);
		else
			mp_fmt(item, sizeof(item), "%s %s v%d (not served)", first ? "" : ",", what,
			       (int)js_num(it, "version", -1));
		cat(&db, item);
		first = false;
	}
}
