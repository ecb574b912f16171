/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client inventory from the wire: every Kafka request a client sends on
 * a plaintext flow, read at its header (base/kafka_req.h: api key, api
 * version, client id; the ApiVersions v3+ body's KIP-511 software name and
 * version) and folded into one record per client key (client address,
 * client id, software name and version): the servers it talked to and, per
 * api key, the versions used with request counts.
 *
 * A stream follows one flow's client-to-server direction by TCP sequence
 * number. At a request boundary it buffers the first CAP_KREQ_HDR_MAX bytes
 * of the request (the int32 size, the header, an ApiVersions body), then
 * passes over the rest by count, captured or not (a snap length or a
 * mirror's truncation only costs the bytes it cut where a header was). A
 * gap where a header should be, or bytes that do not read as a request,
 * lose the boundary; the stream then waits for a segment that starts with a
 * plausible request header (a capture that begins mid-session does the
 * same). Nothing but header fields is kept: no request body byte reaches
 * the report.
 *
 * Bounded: stream state from a pool of CAP_KREQ_POOL_MAX bytes (flows past
 * it are counted, not inventoried), at most CAP_KCLIENTS_MAX client keys
 * (more are counted), CAP_KCLIENT_SERVERS_MAX servers per key.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"
#include "catalog.h"
#include "compat.h"
#include "kafka_req.h"
#include "model.h"
#include "util.h"

struct cap_kserver {
	struct cap_addr a;
	uint16_t port;
};

struct cap_kclient {
	struct cap_addr addr;
	uint32_t hash, chain; /* chain: next index + 1 in the bucket, 0 = none */
	bool cid_null;
	uint16_t cid_len;
	uint8_t sw_name_len, sw_version_len; /* 0 = none */
	char cid[CAP_CLIENT_ID_MAX];
	char sw_name[CAP_SW_FIELD_MAX], sw_version[CAP_SW_FIELD_MAX];
	uint8_t n_servers;
	uint32_t servers_more;
	struct cap_kserver servers[CAP_KCLIENT_SERVERS_MAX];
	uint64_t flows;
	uint64_t count[CAP_KAFKA_API_KEY_MAX + 1];
	uint32_t versions[CAP_KAFKA_API_KEY_MAX + 1]; /* bit v: version v was used */
};

#define KC_BUCKETS 4096u /* a power of two */

struct cap_kclients {
	struct cap_kclient *c;
	uint32_t n, n_alloc;
	uint32_t bucket[KC_BUCKETS];
	uint64_t pool;
	struct cap_kstats st;
	cap_own_fn own;
	void *own_ctx;
};

struct cap_kstream {
	uint32_t next_seq;
	uint32_t skip; /* bytes of the current request still to pass over */
	uint16_t have; /* request bytes buffered */
	bool started, sync;
	uint32_t client; /* the client record of the last request (index + 1) */
	uint8_t sw_name_len, sw_version_len;
	char sw_name[CAP_SW_FIELD_MAX], sw_version[CAP_SW_FIELD_MAX];
	uint8_t buf[CAP_KREQ_HDR_MAX];
};

int cap_kclients_new(struct cap_kclients **ret)
{
	struct cap_kclients *kc = calloc(1, sizeof(*kc));
	if (!kc)
		return -ENOMEM;
	*ret = kc;
	return 0;
}

void cap_kclients_free(struct cap_kclients *kc)
{
	if (!kc)
		return;
	free(kc->c);
	free(kc);
}

void cap_kclients_stats(const struct cap_kclients *kc, struct cap_kstats *ret)
{
	*ret = kc->st;
}

void cap_kclients_set_own(struct cap_kclients *kc, cap_own_fn own, void *ctx)
{
	kc->own = own;
	kc->own_ctx = ctx;
}

bool cap_kclients_own(const struct cap_kclients *kc, const struct cap_addr *client, uint16_t cport,
		      const struct cap_addr *server, uint16_t sport)
{
	return kc->own && kc->own(kc->own_ctx, client, cport, server, sport);
}

struct cap_kstream *cap_kstream_new(struct cap_kclients *kc)
{
	struct cap_kstream *s;
	if (kc->pool + sizeof(*s) > CAP_KREQ_POOL_MAX) {
		kc->st.flows_not_inventoried++;
		return NULL;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		kc->st.flows_not_inventoried++;
		return NULL;
	}
	memset(s, 0, offsetof(struct cap_kstream, buf));
	kc->pool += sizeof(*s);
	kc->st.flows++;
	return s;
}

void cap_kstream_boundary(struct cap_kstream *s, uint32_t seq)
{
	s->started = true;
	s->sync = true;
	s->next_seq = seq;
}

void cap_kstream_free(struct cap_kclients *kc, struct cap_kstream *s)
{
	if (!s)
		return;
	kc->pool -= sizeof(*s);
	free(s);
}

/* ---- the client records ----------------------------------------------------------- */

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static bool client_is(const struct cap_kclient *c, const struct cap_addr *a, bool cid_null,
		      const uint8_t *cid, uint16_t cid_len, const struct cap_kstream *s)
{
	return c->addr.family == a->family && memcmp(c->addr.a, a->a, sizeof(a->a)) == 0 &&
	       c->cid_null == cid_null && c->cid_len == cid_len &&
	       memcmp(c->cid, cid, cid_len) == 0 && c->sw_name_len == s->sw_name_len &&
	       memcmp(c->sw_name, s->sw_name, s->sw_name_len) == 0 &&
	       c->sw_version_len == s->sw_version_len &&
	       memcmp(c->sw_version, s->sw_version, s->sw_version_len) == 0;
}

/* The record of this key, made when new: index + 1, or 0 past the cap. */
static uint32_t client_get(struct cap_kclients *kc, const struct cap_addr *a, bool cid_null,
			   const uint8_t *cid, uint16_t cid_len, const struct cap_kstream *s)
{
	uint32_t h = fnv(2166136261u, a, sizeof(*a));
	h = fnv(h, cid, cid_len) ^ (uint32_t)cid_null;
	h = fnv(h, s->sw_name, s->sw_name_len);
	h = fnv(h, s->sw_version, s->sw_version_len);
	for (uint32_t i = kc->bucket[h & (KC_BUCKETS - 1)]; i; i = kc->c[i - 1].chain)
		if (kc->c[i - 1].hash == h &&
		    client_is(&kc->c[i - 1], a, cid_null, cid, cid_len, s))
			return i;
	if (kc->n >= CAP_KCLIENTS_MAX) {
		kc->st.clients_over_cap++;
		return 0;
	}
	if (kc->n == kc->n_alloc) {
		uint32_t na = kc->n_alloc ? kc->n_alloc * 2 : 16;
		if (na > CAP_KCLIENTS_MAX)
			na = CAP_KCLIENTS_MAX;
		struct cap_kclient *nc = realloc(kc->c, (size_t)na * sizeof(*nc));
		if (!nc) {
			kc->st.clients_over_cap++;
			return 0;
		}
		kc->c = nc;
		kc->n_alloc = na;
	}
	struct cap_kclient *c = &kc->c[kc->n];
	memset(c, 0, sizeof(*c));
	c->addr = *a;
	c->hash = h;
	c->cid_null = cid_null;
	c->cid_len = cid_len;
	memcpy(c->cid, cid, cid_len);
	c->sw_name_len = s->sw_name_len;
	memcpy(c->sw_name, s->sw_name, s->sw_name_len);
	c->sw_version_len = s->sw_version_len;
	memcpy(c->sw_version, s->sw_version, s->sw_version_len);
	c->chain = kc->bucket[h & (KC_BUCKETS - 1)];
	kc->bucket[h & (KC_BUCKETS - 1)] = ++kc->n;
	return kc->n;
}

static void client_server(struct cap_kclient *c, const struct cap_addr *server, uint16_t port)
{
	for (uint8_t i = 0; i < c->n_servers; i++)
		if (c->servers[i].port == port && c->servers[i].a.family == server->family &&
		    memcmp(c->servers[i].a.a, server->a, sizeof(server->a)) == 0)
			return;
	if (c->n_servers < CAP_KCLIENT_SERVERS_MAX)
		c->servers[c->n_servers++] = (struct cap_kserver){ .a = *server, .port = port };
	else
		c->servers_more++;
}

/* ---- the stream --------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Does p (n captured bytes at a supposed boundary) start with a request
 * header? size, key and version in range, correlation id not negative, a
 * client id length that fits the size and printable where captured.
 */
/* The 14 fixed bytes (size, key, version, correlation id, client id length) are a request's. */
static bool fixed_fields_ok(const uint8_t *p)
{
	uint32_t size = be32(p);
	int16_t clen = (int16_t)be16(p + 12);
	return size >= 10 && size <= CAP_KAFKA_FRAME_MAX && be16(p + 4) <= CAP_KAFKA_API_KEY_MAX &&
	       be16(p + 6) <= CAP_KAFKA_API_VER_MAX && !(p[8] & 0x80) && clen >= -1 &&
	       (clen <= 0 || (uint32_t)clen <= size - 10);
}

static bool plausible(const uint8_t *p, size_t n)
{
	if (n < 14 || !fixed_fields_ok(p))
		return false;
	int16_t clen = (int16_t)be16(p + 12);
	for (size_t i = 14; clen > 0 && i < n && i < 14 + (size_t)clen; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

static void lose_sync(struct cap_kclients *kc, struct cap_kstream *s)
{
	if (s->sync)
		kc->st.desyncs++;
	s->sync = false;
	s->have = 0;
	s->skip = 0;
}

/* Keep a KIP-511 field when it is valid (KIP-511's pattern); else none. */
static void sw_field(struct mp_rd f, char *dst, uint8_t *ret_len)
{
	*ret_len = 0;
	if (!f.bad && f.left <= CAP_SW_FIELD_MAX && kafka_sw_field_valid(f)) {
		memcpy(dst, f.p, f.left);
		*ret_len = (uint8_t)f.left;
	}
}

/*
 * How many bytes of the request to buffer, from what is buffered: the size
 * and fixed header fields (14), then the client id, then for an ApiVersions
 * v3+ its body; never past the request or CAP_KREQ_HDR_MAX. 0 when the
 * size is impossible.
 */
static size_t request_want(const struct cap_kstream *s)
{
	if (s->have < 4)
		return 14;
	uint32_t size = be32(s->buf);
	if (size < 10 || size > CAP_KAFKA_FRAME_MAX)
		return 0;
	size_t all = (size_t)size + 4 < CAP_KREQ_HDR_MAX ? (size_t)size + 4 : CAP_KREQ_HDR_MAX;
	if (s->have < 14)
		return 14;
	int16_t clen = (int16_t)be16(s->buf + 12);
	uint16_t key = be16(s->buf + 4), ver = be16(s->buf + 6);
	size_t want = 14 + (clen > 0 ? (size_t)clen : 0);
	if (key == KAFKA_API_VERSIONS && ver >= 3)
		want = all; /* the KIP-511 names follow the header */
	return want < all ? want : all;
}

/*
 * One whole buffered request start (s->have bytes, the size prefix
 * included): record it. false when it is no request.
 */
static bool request(struct cap_kclients *kc, struct cap_kstream *s, const struct cap_addr *client,
		    const struct cap_addr *server, uint16_t sport)
{
	const uint8_t *p = s->buf;
	int key = be16(p + 4), ver = be16(p + 6);
	int16_t clen = (int16_t)be16(p + 12);

	if (!fixed_fields_ok(p))
		return false;
	size_t cid_have = clen > 0 ? (size_t)clen : 0;
	bool cid_whole = 14 + cid_have <= s->have;
	if (!cid_whole)
		cid_have = s->have - 14;
	if (cid_have > CAP_CLIENT_ID_MAX) {
		cid_have = CAP_CLIENT_ID_MAX;
		cid_whole = false;
	}
	if (!cid_whole)
		kc->st.client_ids_cut++;
	if (key == KAFKA_API_VERSIONS && ver >= 3 && clen >= -1 &&
	    14 + (clen > 0 ? (size_t)clen : 0) <= s->have) {
		/* header v2: tagged fields, then the body's two compact strings */
		struct mp_rd r = mp_rd_init(p + 14 + (clen > 0 ? clen : 0),
					    s->have - 14 - (clen > 0 ? (size_t)clen : 0));
		/*
		 * v3 and v4 end with tagged fields; a client's guess at a newer
		 * version (franz-go sends v5 first) adds fields after the two
		 * names, so only the names are read.
		 */
		if (kafka_tags_skip(&r) == 0) {
			struct mp_rd name = kafka_compact_str(&r);
			struct mp_rd version = kafka_compact_str(&r);
			sw_field(name, s->sw_name, &s->sw_name_len);
			sw_field(version, s->sw_version, &s->sw_version_len);
			if (!s->sw_name_len || !s->sw_version_len)
				s->sw_name_len = s->sw_version_len = 0;
		}
	}
	uint32_t idx = s->client;
	if (!idx || !client_is(&kc->c[idx - 1], client, clen < 0, p + 14, (uint16_t)cid_have, s)) {
		idx = client_get(kc, client, clen < 0, p + 14, (uint16_t)cid_have, s);
		if (idx && idx != s->client)
			kc->c[idx - 1]
				.flows++; /* a new key on this flow (usually its first request) */
		s->client = idx;
	}
	kc->st.requests++;
	if (!idx)
		return true;
	struct cap_kclient *c = &kc->c[idx - 1];
	c->count[key]++;
	c->versions[key] |= 1u << ver;
	client_server(c, server, sport);
	return true;
}

void cap_kstream_seg(struct cap_kclients *kc, struct cap_kstream *s, const struct cap_pkt *p,
		     const struct cap_addr *client, const struct cap_addr *server, uint16_t sport)
{
	uint32_t D = p->payload_declared, off = 0;
	size_t C = p->payload_len < D ? p->payload_len : D;

	if (s->started) {
		int32_t d = (int32_t)(p->seq - s->next_seq);
		if (d < 0) {
			if ((uint32_t)-d >= D)
				return; /* a retransmission of what was read */
			off = (uint32_t)-d;
		} else if (d > 0) { /* d bytes were never seen */
			if (s->sync && s->have == 0 && s->skip >= (uint32_t)d)
				s->skip -= (uint32_t)d;
			else
				lose_sync(kc, s);
		}
	} else {
		s->started = true;
	}
	s->next_seq = p->seq + D;
	while (off < D) {
		if (!s->sync) {
			/* only a segment's start may be taken for a boundary */
			if (off != 0 || !plausible(p->payload, C))
				return;
			s->sync = true;
		}
		if (s->skip) {
			uint32_t n = D - off < s->skip ? D - off : s->skip;
			s->skip -= n;
			off += n;
			continue;
		}
		if (off >= C) { /* the rest of this segment was not captured */
			if (s->have >= 14)
				goto record; /* the fixed fields are here: keep what is */
			kc->st.requests_unreadable++;
			lose_sync(kc, s);
			return;
		}
		size_t want = request_want(s);
		if (!want) {
			lose_sync(kc, s);
			return;
		}
		if (s->have < want) {
			size_t take = want - s->have < C - off ? want - s->have : C - off;
			memcpy(s->buf + s->have, p->payload + off, take);
			s->have = (uint16_t)(s->have + take);
			off += (uint32_t)take;
			if (s->have < want || request_want(s) > s->have)
				continue; /* more to read (the next stage, or the next segment) */
		}
	record:;
		uint32_t total = be32(s->buf) + 4;
		if (!request(kc, s, client, server, sport)) {
			lose_sync(kc, s);
			return;
		}
		s->skip = total - s->have;
		s->have = 0;
	}
}

/* ---- the inventory in the capture object ---------------------------------------- */

struct kc_json {
	bool oom;
};

static cJSON *jx(struct kc_json *b, cJSON *v)
{
	if (!v)
		b->oom = true;
	return v;
}

static void put(struct kc_json *b, cJSON *o, const char *k, cJSON *v)
{
	if (!v || !cJSON_AddItemToObject(o, k, v)) {
		cJSON_Delete(v);
		b->oom = true;
	}
}

static void push(struct kc_json *b, cJSON *a, cJSON *v)
{
	if (!v || !cJSON_AddItemToArray(a, v)) {
		cJSON_Delete(v);
		b->oom = true;
	}
}

static cJSON *str_or_null(const char *s, size_t n, bool have)
{
	char buf[4 * CAP_CLIENT_ID_MAX + 1];
	if (!have)
		return cJSON_CreateNull();
	mp_sanitize(buf, sizeof(buf), (const uint8_t *)s, n);
	return cJSON_CreateString(buf);
}

static bool client_kept(const struct cap_kclient *c, cap_keep_fn keep, void *ud, uint8_t *ret_mask)
{
	bool any = false;
	for (uint8_t i = 0; i < c->n_servers; i++) {
		struct mp_addr m = { .family = c->servers[i].a.family };
		memcpy(m.a, c->servers[i].a.a, sizeof(m.a));
		bool k = !keep || keep(&m, c->servers[i].port, ud);
		ret_mask[i] = k;
		any |= k;
	}
	return any;
}

static cJSON *client_json(struct kc_json *b, const struct cap_kclient *c, const uint8_t *mask,
			  const char *target)
{
	char s[80];
	cJSON *o = jx(b, cJSON_CreateObject()), *a;
	if (!o)
		return NULL;
	put(b, o, "source", cJSON_CreateString("capture"));
	cap_host_str(s, sizeof(s), &c->addr);
	put(b, o, "client", cJSON_CreateString(s));
	put(b, o, "client_id", str_or_null(c->cid, c->cid_len, !c->cid_null));
	put(b, o, "software_name", str_or_null(c->sw_name, c->sw_name_len, c->sw_name_len > 0));
	put(b, o, "software_version",
	    str_or_null(c->sw_version, c->sw_version_len, c->sw_version_len > 0));
	a = jx(b, cJSON_CreateArray());
	for (uint8_t i = 0; a && i < c->n_servers; i++)
		if (mask[i]) {
			cap_endpoint_str(s, sizeof(s), &c->servers[i].a, c->servers[i].port);
			push(b, a, cJSON_CreateString(s));
		}
	put(b, o, "servers", a);
	if (c->servers_more)
		put(b, o, "servers_not_listed", cJSON_CreateNumber((double)c->servers_more));
	put(b, o, "listeners", cJSON_CreateArray());
	put(b, o, "connections", cJSON_CreateNumber((double)c->flows));
	put(b, o, "plaintext", cJSON_CreateBool(true));
	a = jx(b, cJSON_CreateArray());
	for (int k = 0; a && k <= CAP_KAFKA_API_KEY_MAX; k++) {
		if (!c->count[k])
			continue;
		cJSON *r = jx(b, cJSON_CreateObject()), *v;
		if (!r)
			break;
		const char *name = mp_kafka_api_name(k);
		put(b, r, "api_key", cJSON_CreateNumber(k));
		put(b, r, "api", name ? cJSON_CreateString(name) : cJSON_CreateNull());
		v = jx(b, cJSON_CreateArray());
		for (int ver = 0; v && ver <= CAP_KAFKA_API_VER_MAX; ver++)
			if (c->versions[k] & 1u << ver)
				push(b, v, cJSON_CreateNumber(ver));
		put(b, r, "versions", v);
		put(b, r, "count", cJSON_CreateNumber((double)c->count[k]));
		push(b, a, r);
	}
	put(b, o, "requests", a);
	bool broker = false;
	for (int k = 0; k <= CAP_KAFKA_API_KEY_MAX; k++)
		broker |= c->count[k] && mp_kafka_api_inter_broker(k);
	/* a broker's or controller's own connection (LeaderAndIsr, ...), not an application */
	put(b, o, "role", cJSON_CreateString(broker ? "broker" : "client"));
	if (target && a)
		put(b, o, "target", mp_compat_judge_requests(target, a));
	else
		put(b, o, "target", cJSON_CreateNull());
	return o;
}

struct server_count {
	struct cap_addr a;
	uint16_t port;
	uint64_t flows;
};

/* TLS client flows per server (listed flows the view keeps): they could not be inventoried. */
static cJSON *tls_json(struct kc_json *b, const struct cap_flow_result *flows, size_t n,
		       cap_keep_fn keep, void *ud)
{
	struct server_count sc[CAP_FINDING_PAIRS_MAX];
	size_t ns = 0;
	uint64_t more = 0;
	char s[80];
	for (size_t i = 0; i < n; i++) {
		const struct cap_flow_result *f = &flows[i];
		if (f->cls != CAP_CLASS_TLS)
			continue;
		if (keep) {
			struct mp_addr m = { .family = f->server.family };
			memcpy(m.a, f->server.a, sizeof(m.a));
			if (!keep(&m, f->sport, ud))
				continue;
		}
		size_t j;
		for (j = 0; j < ns; j++)
			if (sc[j].port == f->sport &&
			    memcmp(&sc[j].a, &f->server, sizeof(f->server)) == 0)
				break;
		if (j == ns) {
			if (ns == CAP_FINDING_PAIRS_MAX) {
				more++;
				continue;
			}
			sc[ns++] = (struct server_count){ .a = f->server, .port = f->sport };
		}
		sc[j].flows++;
	}
	cJSON *a = jx(b, cJSON_CreateArray());
	for (size_t j = 0; a && j < ns; j++) {
		cJSON *o = jx(b, cJSON_CreateObject());
		if (!o)
			break;
		cap_endpoint_str(s, sizeof(s), &sc[j].a, sc[j].port);
		put(b, o, "server", cJSON_CreateString(s));
		put(b, o, "flows", cJSON_CreateNumber((double)sc[j].flows));
		push(b, a, o);
	}
	if (more) {
		cJSON *o = jx(b, cJSON_CreateObject());
		if (o) {
			put(b, o, "server", cJSON_CreateNull());
			put(b, o, "flows", cJSON_CreateNumber((double)more));
			push(b, a, o);
		}
	}
	return a;
}

struct fadd {
	cJSON *findings;
	struct kc_json *b;
};

/* mp_compat_findings' sink: {id, severity, title, evidence} from the catalogue. */
static int add_finding(void *ud, const char *id, cJSON *evidence)
{
	struct fadd *fa = ud;
	cJSON *f;
	int rc = mp_catalog_finding_json(id, evidence, &f);
	if (rc < 0)
		return rc;
	push(fa->b, fa->findings, f);
	return 0;
}

int cap_kclients_json(const struct cap_kclients *kc, const struct cap_flow_result *flows, size_t n,
		      cap_keep_fn keep, void *ud, const char *target, cJSON *root, cJSON *findings)
{
	struct kc_json b = { .oom = false };
	uint8_t mask[CAP_KCLIENT_SERVERS_MAX];
	cJSON *clients = jx(&b, cJSON_CreateArray()), *st;
	int rc = 0;

	for (uint32_t i = 0; clients && kc && i < kc->n; i++)
		if (client_kept(&kc->c[i], keep, ud, mask))
			push(&b, clients, client_json(&b, &kc->c[i], mask, target));
	st = jx(&b, cJSON_CreateObject());
	if (st) {
		const struct cap_kstats *s = kc ? &kc->st : &(struct cap_kstats){ 0 };
		put(&b, st, "target_version",
		    target ? cJSON_CreateString(target) : cJSON_CreateNull());
		put(&b, st, "flows_read", cJSON_CreateNumber((double)s->flows));
		put(&b, st, "requests_read", cJSON_CreateNumber((double)s->requests));
		put(&b, st, "requests_unreadable",
		    cJSON_CreateNumber((double)s->requests_unreadable));
		put(&b, st, "resyncs", cJSON_CreateNumber((double)s->desyncs));
		put(&b, st, "client_ids_cut", cJSON_CreateNumber((double)s->client_ids_cut));
		put(&b, st, "flows_not_inventoried",
		    cJSON_CreateNumber((double)s->flows_not_inventoried));
		put(&b, st, "clients_over_cap", cJSON_CreateNumber((double)s->clients_over_cap));
		put(&b, st, "tls_flows_not_inventoried", tls_json(&b, flows, n, keep, ud));
		if (keep)
			put(&b, st, "scope",
			    cJSON_CreateString(
				    "clients: those that reached this cluster's endpoints; "
				    "the other figures: the whole capture"));
	}
	if (findings && clients) {
		struct fadd fa = { .findings = findings, .b = &b };
		rc = mp_compat_findings(clients, target, add_finding, &fa);
	}
	put(&b, root, "clients", clients);
	put(&b, root, "client_inventory", st);
	if (rc)
		return rc;
	return b.oom ? -ENOMEM : 0;
}
