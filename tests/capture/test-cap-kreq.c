/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client inventory's request streams (capture/cap_kreq.c), segment by
 * segment: requests split anywhere, retransmitted, reordered, cut by a snap
 * length, lost in a gap; KIP-511 names valid or not; hostile client ids.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"
#include "js.h"
#include "../tap.h"

static const struct cap_addr CLIENT = { .family = 4, .a = { 10, 0, 0, 1 } };
static const struct cap_addr SERVER = { .family = 4, .a = { 10, 0, 0, 9 } };

/* A request frame: size, key, version, correlation id, client id, then extra body bytes. */
static size_t req(uint8_t *out, int key, int ver, const char *cid, const uint8_t *body, size_t blen)
{
	size_t n = 4, cl = cid ? strlen(cid) : 0;
	out[n++] = (uint8_t)(key >> 8);
	out[n++] = (uint8_t)key;
	out[n++] = (uint8_t)(ver >> 8);
	out[n++] = (uint8_t)ver;
	memset(out + n, 0, 3);
	out[n + 3] = 7;
	n += 4;
	if (cid) {
		out[n++] = (uint8_t)(cl >> 8);
		out[n++] = (uint8_t)cl;
		memcpy(out + n, cid, cl);
		n += cl;
	} else {
		out[n++] = 0xff;
		out[n++] = 0xff;
	}
	if (blen)
		memcpy(out + n, body, blen);
	n += blen;
	uint32_t size = (uint32_t)(n - 4);
	out[0] = (uint8_t)(size >> 24);
	out[1] = (uint8_t)(size >> 16);
	out[2] = (uint8_t)(size >> 8);
	out[3] = (uint8_t)size;
	return n;
}

/* ApiVersions v3 body: header tags, two compact strings, body tags. */
static size_t apiv3_body(uint8_t *out, const char *name, const char *version)
{
	size_t n = 0;
	out[n++] = 0; /* header v2 tags */
	out[n++] = (uint8_t)(strlen(name) + 1);
	memcpy(out + n, name, strlen(name));
	n += strlen(name);
	out[n++] = (uint8_t)(strlen(version) + 1);
	memcpy(out + n, version, strlen(version));
	n += strlen(version);
	out[n++] = 0;
	return n;
}

struct feed {
	struct cap_kclients *kc;
	struct cap_kstream *s;
};

static void seg(struct feed *f, uint32_t seq, const uint8_t *p, size_t captured, size_t declared)
{
	struct cap_pkt pk = { .seq = seq,
			      .payload = p,
			      .payload_len = captured,
			      .payload_declared = (uint32_t)declared };
	cap_kstream_seg(f->kc, f->s, &pk, &CLIENT, &SERVER, 9092);
}

static cJSON *render(struct feed *f, const char *target, cJSON **ret_root)
{
	cJSON *root = cJSON_CreateObject(), *findings = cJSON_CreateArray();
	cap_kclients_json(f->kc, NULL, 0, NULL, NULL, target, root, findings);
	cJSON_Delete(findings);
	*ret_root = root;
	return cJSON_GetObjectItemCaseSensitive(root, "clients");
}

static void feed_new(struct feed *f)
{
	cap_kclients_new(&f->kc);
	f->s = cap_kstream_new(f->kc);
}

static void feed_free(struct feed *f)
{
	cap_kstream_free(f->kc, f->s);
	cap_kclients_free(f->kc);
}

static int count_of(const cJSON *client, int key)
{
	const cJSON *r;
	cJSON_ArrayForEach (r, js_arr(client, "requests"))
		if ((int)js_num(r, "api_key", -1) == key)
			return (int)js_num(r, "count", 0);
	return 0;
}

int main(void)
{
	uint8_t buf[4096], body[600];
	struct cap_kstats st;
	struct feed f;
	cJSON *root;
	const cJSON *cl;
	size_t n, a, b;

	/* 1. three requests in one byte stream, split at every awkward place */
	feed_new(&f);
	n = apiv3_body(body, "librdkafka", "2.0.2");
	a = req(buf, 18, 3, "orders", body, n);
	memset(body, 0xab, sizeof(body));
	b = a + req(buf + a, 0, 9, "orders", body, 500); /* Produce with a 500-byte body */
	n = b + req(buf + b, 1, 12, "orders", body, 40);
	cap_kstream_boundary(f.s, 1000);		   /* the first byte after the SYN */
	seg(&f, 1000, buf, 2, 2);			   /* half the size field */
	seg(&f, 1002, buf + 2, 10, 10);			   /* into the header */
	seg(&f, 1012, buf + 12, a + 20 - 12, a + 20 - 12); /* past the first request */
	seg(&f, 1000 + (uint32_t)a + 20, buf + a + 20, n - a - 20, n - a - 20);
	seg(&f, 1000 + (uint32_t)a, buf + a, 100, 100); /* a retransmission */
	cl = render(&f, "4.1.2", &root);
	const cJSON *c0 = cJSON_GetArrayItem(cl, 0);
	TAP_OK(cJSON_GetArraySize(cl) == 1 && strcmp(js_str(c0, "client_id", ""), "orders") == 0 &&
		       strcmp(js_str(c0, "software_name", ""), "librdkafka") == 0 &&
		       strcmp(js_str(c0, "software_version", ""), "2.0.2") == 0,
	       "split anywhere: one client with its KIP-511 name");
	TAP_OK(count_of(c0, 18) == 1 && count_of(c0, 0) == 1 && count_of(c0, 1) == 1,
	       "each request counted once, the retransmission not again");
	TAP_OK(strcmp(js_str(c0, "client", ""), "10.0.0.1") == 0 &&
		       strcmp(js_str(cJSON_GetArrayItem(js_arr(c0, "servers"), 0), NULL, ""), "") ==
			       0,
	       "client address and server");
	TAP_EQ_STR(cJSON_GetArrayItem(js_arr(c0, "servers"), 0)->valuestring, "10.0.0.9:9092",
		   "the server endpoint");
	cJSON_Delete(root);
	feed_free(&f);

	/* 2. a snap length cuts every segment to 64 bytes: headers still read, bodies passed by count */
	feed_new(&f);
	a = req(buf, 0, 3, "cut", body, 500);
	b = a + req(buf + a, 1, 4, "cut", body, 300);
	seg(&f, 5, buf, 64, a);
	seg(&f, 5 + (uint32_t)a, buf + a, 64, b - a);
	cl = render(&f, NULL, &root);
	c0 = cJSON_GetArrayItem(cl, 0);
	cap_kclients_stats(f.kc, &st);
	TAP_OK(count_of(c0, 0) == 1 && count_of(c0, 1) == 1 && st.requests_unreadable == 0,
	       "snap-cut segments: both headers read, bodies skipped by count");
	TAP_OK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c0, "target")),
	       "no target: no judgement");
	cJSON_Delete(root);
	feed_free(&f);

	/* 3. a gap inside a body keeps the boundary; a gap over a header loses it until a new request
	 * starts a segment */
	feed_new(&f);
	a = req(buf, 0, 3, "gap", body, 500);
	b = a + req(buf + a, 3, 12, "gap", body, 20);
	seg(&f, 0, buf, 100, 100);
	seg(&f, 300, buf + 300, a - 300, a - 300);   /* 200 body bytes never seen */
	seg(&f, (uint32_t)a, buf + a, b - a, b - a); /* the next request: in sync */
	seg(&f, (uint32_t)b + 7, buf + 7, 50, 50);   /* a gap where a header was due */
	seg(&f, (uint32_t)b + 57, buf + 57, 10, 10); /* not a boundary: ignored */
	n = req(buf + 1000, 1, 12, "gap", body, 4);
	seg(&f, (uint32_t)b + 67, buf + 1000, n, n); /* a plausible request: in sync again */
	cl = render(&f, NULL, &root);
	c0 = cJSON_GetArrayItem(cl, 0);
	cap_kclients_stats(f.kc, &st);
	TAP_OK(count_of(c0, 0) == 1 && count_of(c0, 3) == 1 && count_of(c0, 1) == 1 &&
		       st.desyncs == 1,
	       "gaps: skipped inside a body, resynchronised after a lost header (%llu desyncs)",
	       (unsigned long long)st.desyncs);
	cJSON_Delete(root);
	feed_free(&f);

	/* 4. hostile: an invalid KIP-511 name, a client id with control bytes, garbage, a huge size */
	feed_new(&f);
	n = apiv3_body(body, "bad name", "1.0");
	a = req(buf, 18, 3, "evil\x01\x1b[31m", body, n);
	cap_kstream_boundary(
		f.s, 0); /* a SYN was seen: the client id's bytes are not what finds the boundary */
	seg(&f, 0, buf, a, a);
	memset(buf + 2000, 0xff, 64);
	seg(&f, (uint32_t)a, buf + 2000, 64, 64); /* 0xffffffff size: not a request */
	cl = render(&f, "4.0.0", &root);
	c0 = cJSON_GetArrayItem(cl, 0);
	char *txt = cJSON_PrintUnformatted(root);
	TAP_OK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c0, "software_name")),
	       "a name outside KIP-511's pattern is no name");
	TAP_OK(txt && !strchr(txt, '\x1b') && !strchr(txt, '\x01') &&
		       strstr(js_str(c0, "client_id", ""), "\\x1b"),
	       "control bytes of a client id are escaped: %s", js_str(c0, "client_id", "?"));
	cap_kclients_stats(f.kc, &st);
	TAP_OK(st.requests == 1 && st.desyncs == 1, "an impossible size loses the boundary");
	free(txt);
	cJSON_Delete(root);
	feed_free(&f);

	/* 5. the sequence space wraps inside a request */
	feed_new(&f);
	a = req(buf, 2, 0, "wrap", body, 200);
	seg(&f, 0xffffff00u, buf, 100, 100);
	seg(&f, 0xffffff00u + 100, buf + 100, a - 100, a - 100);
	n = req(buf + 1000, 2, 1, "wrap", body, 2);
	seg(&f, 0xffffff00u + (uint32_t)a, buf + 1000, n, n);
	cl = render(&f, "4.0.0", &root);
	c0 = cJSON_GetArrayItem(cl, 0);
	TAP_OK(count_of(c0, 2) == 2, "two ListOffsets across a sequence wrap");
	const cJSON *rej = js_arr(js_obj(c0, "target"), "rejected");
	TAP_OK(cJSON_GetArraySize(rej) == 1 &&
		       js_num(cJSON_GetArrayItem(rej, 0), "version", -1) == 0 &&
		       js_num(cJSON_GetArrayItem(rej, 0), "min_accepted", -1) == 1,
	       "ListOffsets v0 is what 4.0.0 rejects (v1 is accepted)");
	cJSON_Delete(root);
	feed_free(&f);

	/* 6. the pool: streams beyond CAP_KREQ_POOL_MAX are refused and counted */
	cap_kclients_new(&f.kc);
	struct cap_kstream **many = calloc(100000, sizeof(*many));
	size_t got = 0;
	for (size_t i = 0; i < 100000 && many; i++)
		if ((many[i] = cap_kstream_new(f.kc)) != NULL)
			got++;
	cap_kclients_stats(f.kc, &st);
	TAP_OK(got < 100000 && st.flows_not_inventoried == 100000 - got,
	       "stream state is bounded: %zu streams, %llu refused", got,
	       (unsigned long long)st.flows_not_inventoried);
	for (size_t i = 0; i < 100000 && many; i++)
		cap_kstream_free(f.kc, many[i]);
	free(many);
	cap_kclients_free(f.kc);
	return tap_done();
}
