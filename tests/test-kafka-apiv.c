/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ApiVersions codec (probe/kafka_apiv.c) against byte strings written out by
 * hand from ApiVersions{Request,Response}.json, KIP-511 and KIP-584, and
 * against hostile answers. Response byte strings start after the int32 frame
 * size, as kafka_apiv_decode_response() takes them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_apiv.h"
#include "tap.h"
#include "util.h"

#define CORR 7

/* Request v0, correlation 7, client id "mp". */
static const uint8_t req_v0[] = {
	0x00, 0x00, 0x00, 0x0c, /* size 12 */
	0x00, 0x12,		/* api key 18 */
	0x00, 0x00,		/* version 0 */
	0x00, 0x00, 0x00, 0x07, /* correlation id */
	0x00, 0x02, 'm',  'p',	/* client id */
};

/* Request v3 with client software "mskprobe" "0.1.0". */
static const uint8_t req_v3[] = {
	0x00, 0x00, 0x00, 0x1d,				     /* size 29 */
	0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07,	     /* key 18, v3, corr 7 */
	0x00, 0x02, 'm',  'p',				     /* client id */
	0x00,						     /* header tags: none */
	0x09, 'm',  's',  'k',	'p',  'r',  'o',  'b',	'e', /* compact "mskprobe" */
	0x06, '0',  '.',  '1',	'.',  '0',		     /* compact "0.1.0" */
	0x00,						     /* body tags: none */
};

/* v0 answer: error 0, 2 keys (0: 0-3, 18: 0-1). */
static const uint8_t rsp_v0[] = {
	0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x12, 0x00, 0x00, 0x00, 0x01,
};

/* v1 answer: the v0 body then throttle_time_ms 100. */
static const uint8_t rsp_v1[] = {
	0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x03, 0x00, 0x12, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x64,
};

/* v3 answer of a 3.7 KRaft broker (two keys shown), with every tagged field. */
static const uint8_t rsp_v3[] = {
	0x00, 0x00, 0x00, 0x07,			  /* correlation id */
	0x00, 0x00,				  /* error 0 */
	0x03,					  /* compact array: 2 entries */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, /* key 0: 0-9, no tags */
	0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00, /* key 18: 0-3, no tags */
	0x00, 0x00, 0x00, 0x00,			  /* throttle 0 */
	0x04,					  /* 4 tagged fields */
	0x00, 0x17,				  /* tag 0 SupportedFeatures, 23 bytes */
	0x02, 0x11, 'm',  'e',	't',  'a',  'd',  'a',	't',  'a',  '.',  'v',
	'e',  'r',  's',  'i',	'o',  'n',  0x00, 0x01, 0x00, 0x13, 0x00, /* metadata.version min 1 max 19 */
	0x01, 0x08,					/* tag 1 FinalizedFeaturesEpoch */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x92, /* 4242 */
	0x02, 0x17,					/* tag 2 FinalizedFeatures */
	0x02, 0x11, 'm',  'e',	't',  'a',  'd',  'a',	't',  'a',  '.',  'v',
	'e',  'r',  's',  'i',	'o',  'n',  0x00, 0x13, 0x00, 0x11, 0x00, /* max level 19, then min level 17 */
	0x03, 0x01, 0x01, /* tag 3 ZkMigrationReady true */
};

/* UNSUPPORTED_VERSION to a v4 request from a 2.4+ broker: v0 layout, key 18 listed. */
static const uint8_t rsp_35_kip511[] = {
	0x00, 0x00, 0x00, 0x07, 0x00, 0x23, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x03,
};

/* UNSUPPORTED_VERSION from a pre-2.4 broker: v0 layout, empty array. */
static const uint8_t rsp_35_old[] = {
	0x00, 0x00, 0x00, 0x07, 0x00, 0x23, 0x00, 0x00, 0x00, 0x00,
};

/*
 * UNSUPPORTED_VERSION to a v3 request in the request's flexible layout (as
 * librdkafka's mock cluster writes it), with a throttle: the fuzzer's crash
 * input AwAAAAcAIwH/IAAAAA== (after its selector byte).
 */
static const uint8_t rsp_35_flexible[] = {
	0x00, 0x00, 0x00, 0x07, /* correlation id */
	0x00, 0x23,		/* error 35 */
	0x01,			/* compact array: empty */
	0xff, 0x20, 0x00, 0x00, /* throttle (negative) */
	0x00,			/* no tagged fields */
};

/* The same with a tagged field, FinalizedFeaturesEpoch 5. */
static const uint8_t rsp_35_flexible_tags[] = {
	0x00, 0x00, 0x00, 0x07, 0x00, 0x23, 0x01, 0xff, 0x20, 0x00, 0x00, 0x01, /* 1 tagged field */
	0x01, 0x08,								/* tag 1, 8 bytes */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,				/* 5 */
};

static void check_request(int16_t version, const uint8_t *want, size_t want_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	TAP_EQ_INT(kafka_apiv_encode_request(version, CORR, "mp", "mskprobe", "0.1.0", &buf, &len),
		   0, "encode v%d request", version);
	TAP_OK(buf && len == want_len && memcmp(buf, want, len) == 0,
	       "v%d request matches the spec bytes", version);
	free(buf);
}

static void test_encode_request(void)
{
	uint8_t req_v4[sizeof(req_v3)], *buf = NULL;
	size_t len = 0;

	check_request(0, req_v0, sizeof(req_v0));
	check_request(3, req_v3, sizeof(req_v3)); /* header tags, compact strings, body tags */
	memcpy(req_v4, req_v3, sizeof(req_v3));
	req_v4[7] = 4; /* v4 differs from v3 only in the version */
	check_request(4, req_v4, sizeof(req_v4));
	TAP_EQ_INT(kafka_apiv_encode_request(5, CORR, "mp", "a", "b", &buf, &len), -EINVAL,
		   "version 5 is refused");
	TAP_EQ_INT(kafka_apiv_encode_request(-1, CORR, "mp", "a", "b", &buf, &len), -EINVAL,
		   "version -1 is refused");
}

static bool rd_is(struct mp_rd s, const char *want)
{
	return !s.bad && s.left == strlen(want) && memcmp(s.p, want, s.left) == 0;
}

/* kafka_req_header_parse() and kafka_apiv_request_parse() read back what
 * the encoder writes (the spec bytes above), and refuse what is not a
 * request header. */
static void test_parse_request(void)
{
	struct kafka_req_header h;
	struct kafka_apiv_req a;
	struct mp_rd r;

	r = mp_rd_init(req_v0 + 4, sizeof(req_v0) - 4);
	TAP_OK(kafka_req_header_parse(&r, &h) == 0 && h.api_key == 18 && h.api_version == 0 &&
		       h.correlation_id == CORR && !h.client_id_null && rd_is(h.client_id, "mp") &&
		       !h.flexible && r.left == 0,
	       "v0 request: header v1, client id \"mp\", nothing after");
	TAP_OK(kafka_apiv_request_parse(&r, 0, &a) == 0 && a.sw_name.left == 0 && r.left == 0,
	       "v0 request: no body");

	r = mp_rd_init(req_v3 + 4, sizeof(req_v3) - 4);
	TAP_OK(kafka_req_header_parse(&r, &h) == 0 && h.api_version == 3 && h.flexible &&
		       rd_is(h.client_id, "mp"),
	       "v3 request: header v2, its tag section read");
	TAP_OK(kafka_apiv_request_parse(&r, 3, &a) == 0 && rd_is(a.sw_name, "mskprobe") &&
		       rd_is(a.sw_version, "0.1.0") && r.left == 0,
	       "v3 request body: client software name and version, body tags");
	TAP_OK(kafka_sw_field_valid(a.sw_name) && kafka_sw_field_valid(a.sw_version),
	       "mskprobe's software fields pass KIP-511's rule");

	/* truncated anywhere: malformed, never a read past the end */
	bool all = true;
	for (size_t n = 0; n < sizeof(req_v3) - 4; n++) {
		r = mp_rd_init(req_v3 + 4, n);
		if (kafka_req_header_parse(&r, &h) == 0 && kafka_apiv_request_parse(&r, 3, &a) == 0)
			all = false;
	}
	TAP_OK(all, "every truncation of the v3 request is malformed");

	/* null client id (-1) is allowed, -2 is not */
	uint8_t b[sizeof(req_v0)];
	memcpy(b, req_v0, sizeof(b));
	b[12] = b[13] = 0xff;
	r = mp_rd_init(b + 4, 10);
	TAP_OK(kafka_req_header_parse(&r, &h) == 0 && h.client_id_null && h.client_id.left == 0,
	       "null client id");
	b[13] = 0xfe;
	r = mp_rd_init(b + 4, 10);
	TAP_EQ_INT(kafka_req_header_parse(&r, &h), KAFKA_APIV_EMALFORMED, "client id length -2");

	/* SaslHandshake (17) has no flexible versions: no tags read after the client id */
	memcpy(b, req_v0, sizeof(b));
	b[5] = 17;
	b[7] = 1;
	r = mp_rd_init(b + 4, sizeof(b) - 4);
	TAP_OK(kafka_req_header_parse(&r, &h) == 0 && h.api_key == 17 && !h.flexible,
	       "SaslHandshake v1: header v1");
	TAP_OK(!kafka_req_header_flexible(17, 1) && !kafka_req_header_flexible(18, 2) &&
		       kafka_req_header_flexible(18, 3) && kafka_req_header_flexible(18, 9) &&
		       !kafka_req_header_flexible(18, -1),
	       "header v2 exactly for ApiVersions v3+");

	/* tag sections: a field skipped, a count over the cap, an overrun */
	static const uint8_t tags_ok[] = { 0x02, 0x00, 0x01, 0xaa, 0x05, 0x00, 0x07 };
	r = mp_rd_init(tags_ok, sizeof(tags_ok));
	TAP_OK(kafka_tags_skip(&r) == 0 && r.left == 1 && r.p[0] == 0x07,
	       "two tagged fields skipped, the byte after kept");
	static const uint8_t tags_many[] = { 0x41 };
	r = mp_rd_init(tags_many, sizeof(tags_many));
	TAP_EQ_INT(kafka_tags_skip(&r), KAFKA_APIV_EMALFORMED, "65 tagged fields refused");
	static const uint8_t tags_over[] = { 0x01, 0x00, 0x05, 0xaa };
	r = mp_rd_init(tags_over, sizeof(tags_over));
	TAP_EQ_INT(kafka_tags_skip(&r), KAFKA_APIV_EMALFORMED, "a tagged field past the end");

	/* compact strings: null and overrunning ones set bad */
	static const uint8_t cs_null[] = { 0x00 }, cs_over[] = { 0x05, 'a' }, cs_empty[] = { 0x01 };
	r = mp_rd_init(cs_null, 1);
	TAP_OK(kafka_compact_str(&r).bad && r.bad, "null compact string");
	r = mp_rd_init(cs_over, 2);
	TAP_OK(kafka_compact_str(&r).bad && r.bad, "compact string past the end");
	r = mp_rd_init(cs_empty, 1);
	TAP_OK(rd_is(kafka_compact_str(&r), "") && !r.bad, "empty compact string");

	/* KIP-511's rule */
	static const struct {
		const char *s;
		bool ok;
	} sw[] = { { "a", true },   { "a-b.c", true }, { "", false },	 { "-a", false },
		   { "a.", false }, { "a b", false },  { "a_b", false }, { "1.0.0", true } };
	for (size_t i = 0; i < sizeof(sw) / sizeof(sw[0]); i++)
		TAP_OK(kafka_sw_field_valid(mp_rd_init(sw[i].s, strlen(sw[i].s))) == sw[i].ok,
		       "software field \"%s\" %s", sw[i].s, sw[i].ok ? "valid" : "invalid");
}

static int decode(const uint8_t *b, size_t n, int16_t ver, struct mp_apiv *a, char *err,
		  size_t errlen)
{
	memset(a, 0xa5, sizeof(*a)); /* catch fields the decoder forgets */
	err[0] = '\0';
	return kafka_apiv_decode_response(b, n, ver, CORR, a, err, errlen);
}

static void test_decode_good(void)
{
	struct mp_apiv *a = malloc(sizeof(*a));
	char err[256];

	TAP_EQ_INT(decode(rsp_v0, sizeof(rsp_v0), 0, a, err, sizeof(err)), 0, "v0 decodes");
	TAP_OK(a->error_code == 0 && a->table.n == 2 && a->table.r[1].key == 18 &&
		       a->table.r[1].max == 1 && a->throttle_ms == 0,
	       "v0 table read");
	TAP_OK(a->n_supported == 0 && a->n_finalized == 0 && a->finalized_epoch == -1 &&
		       a->zk_migration_ready == -1,
	       "v0 has no features, epoch -1, no migration flag");

	TAP_EQ_INT(decode(rsp_v1, sizeof(rsp_v1), 1, a, err, sizeof(err)), 0, "v1 decodes");
	TAP_OK(a->table.n == 2 && a->table.r[1].max == 2 && a->throttle_ms == 100,
	       "v1 table and throttle read");
	TAP_EQ_INT(decode(rsp_v1, sizeof(rsp_v1), 2, a, err, sizeof(err)), 0,
		   "v2 has the v1 layout");

	TAP_EQ_INT(decode(rsp_v3, sizeof(rsp_v3), 3, a, err, sizeof(err)), 0, "v3 decodes: %s",
		   err);
	TAP_OK(a->table.n == 2 && a->table.r[0].max == 9 && a->table.r[1].max == 3,
	       "v3 compact array read");
	TAP_OK(a->n_supported == 1 && strcmp(a->supported[0].name, "metadata.version") == 0 &&
		       a->supported[0].min == 1 && a->supported[0].max == 19,
	       "SupportedFeatures min then max");
	TAP_OK(a->n_finalized == 1 && a->finalized[0].min == 17 && a->finalized[0].max == 19,
	       "FinalizedFeatures max level then min level");
	TAP_EQ_INT(a->finalized_epoch, 4242, "FinalizedFeaturesEpoch");
	TAP_EQ_INT(a->zk_migration_ready, 1, "ZkMigrationReady");
	TAP_EQ_INT(decode(rsp_v3, sizeof(rsp_v3), 4, a, err, sizeof(err)), 0,
		   "v4 has the v3 layout");

	TAP_EQ_INT(decode(rsp_35_kip511, sizeof(rsp_35_kip511), 4, a, err, sizeof(err)), 0,
		   "error 35 to a v4 request decodes in the v0 layout");
	TAP_OK(a->error_code == 35 && a->table.n == 1 && a->table.r[0].key == 18 &&
		       a->table.r[0].max == 3,
	       "KIP-511: the broker's key 18 range rides along");
	TAP_EQ_INT(decode(rsp_35_old, sizeof(rsp_35_old), 3, a, err, sizeof(err)), 0,
		   "pre-2.4 error 35 decodes");
	TAP_OK(a->error_code == 35 && a->table.n == 0, "pre-2.4 error 35 has an empty array");
	TAP_EQ_INT(decode(rsp_35_old, sizeof(rsp_35_old), 1, a, err, sizeof(err)), 0,
		   "error 35 to v1 has no throttle field");
	free(a);
}

/* A filled answer for round trips. */
static void sample(struct mp_apiv *a)
{
	memset(a, 0, sizeof(*a));
	a->finalized_epoch = -1;
	a->zk_migration_ready = -1;
	for (int16_t k = 0; k < 70; k++)
		a->table.r[a->table.n++] =
			(struct mp_api_range){ k, (int16_t)(k % 3), (int16_t)(k % 3 + k % 11) };
	a->throttle_ms = 5;
	a->n_supported = 2;
	mp_strlcpy(a->supported[0].name, "metadata.version", sizeof(a->supported[0].name));
	a->supported[0].min = 1;
	a->supported[0].max = 21;
	mp_strlcpy(a->supported[1].name, "kraft.version", sizeof(a->supported[1].name));
	a->supported[1].max = 1;
	a->n_finalized = 1;
	mp_strlcpy(a->finalized[0].name, "metadata.version", sizeof(a->finalized[0].name));
	a->finalized[0].min = a->finalized[0].max = 21;
	a->finalized_epoch = 99;
}

static void test_round_trip(void)
{
	struct mp_apiv *in = malloc(sizeof(*in)), *out = malloc(sizeof(*out));
	char err[256];

	sample(in);
	for (int16_t v = 0; v <= KAFKA_APIV_MAX_REQUEST; v++) {
		uint8_t *buf = NULL;
		size_t len = 0;
		TAP_EQ_INT(kafka_apiv_encode_response(in, v, CORR, &buf, &len), 0, "encode v%d", v);
		TAP_OK(len > 4 && buf[0] == 0 && ((size_t)buf[2] << 8 | buf[3]) == len - 4,
		       "v%d frame size prefix", v);
		int rc = decode(buf + 4, len - 4, v, out, err, sizeof(err));
		TAP_EQ_INT(rc, 0, "v%d decodes back: %s", v, err);
		TAP_OK(out->table.n == in->table.n &&
			       memcmp(out->table.r, in->table.r,
				      in->table.n * sizeof(in->table.r[0])) == 0,
		       "v%d table survives", v);
		TAP_EQ_INT(out->throttle_ms, v == 0 ? 0 : 5, "v%d throttle", v);
		if (v >= 3)
			TAP_OK(out->n_supported == 2 && out->supported[1].max == 1 &&
				       out->n_finalized == 1 && out->finalized[0].min == 21 &&
				       out->finalized_epoch == 99 && out->zk_migration_ready == -1,
			       "v%d features survive", v);
		else
			TAP_OK(out->n_supported == 0 && out->finalized_epoch == -1,
			       "v%d carries no features", v);
		free(buf);
	}

	/* the encoder reproduces the hand-written v3 answer byte for byte */
	struct mp_apiv *h = malloc(sizeof(*h));
	uint8_t *buf = NULL;
	size_t len = 0;
	TAP_EQ_INT(decode(rsp_v3, sizeof(rsp_v3), 3, h, err, sizeof(err)), 0, "v3 sample decodes");
	TAP_EQ_INT(kafka_apiv_encode_response(h, 3, CORR, &buf, &len), 0, "v3 sample re-encodes");
	TAP_OK(len == sizeof(rsp_v3) + 4 && memcmp(buf + 4, rsp_v3, sizeof(rsp_v3)) == 0,
	       "v3 encoding equals the spec bytes");
	free(buf);
	buf = NULL;
	h->error_code = 35;
	h->table.n = 1;
	h->table.r[0] = (struct mp_api_range){ 18, 0, 3 };
	TAP_EQ_INT(kafka_apiv_encode_response(h, 4, CORR, &buf, &len), 0, "error 35 encodes");
	TAP_OK(len == sizeof(rsp_35_kip511) + 4 &&
		       memcmp(buf + 4, rsp_35_kip511, sizeof(rsp_35_kip511)) == 0,
	       "error 35 to v4 is the v0 layout, no throttle, no tags");
	free(buf);
	free(h);
	free(in);
	free(out);
}

/*
 * An UNSUPPORTED_VERSION answer is the v0 layout whatever was asked (Kafka's
 * RequestContext.apiVersion()): error and table, nothing else. The flexible
 * variant is accepted but must decode to what the encoder can write back,
 * or the fuzz target's round trip fails.
 */
static void test_err35_flexible(void)
{
	struct mp_apiv *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];

	TAP_EQ_INT(decode(rsp_35_flexible, sizeof(rsp_35_flexible), 3, a, err, sizeof(err)), 0,
		   "flexible error 35 (the fuzz crash input) decodes: %s", err);
	TAP_OK(a->error_code == 35 && a->table.n == 0 && a->throttle_ms == 0,
	       "its throttle is not kept (the v0 layout has none): %d", a->throttle_ms);
	TAP_EQ_INT(
		decode(rsp_35_flexible_tags, sizeof(rsp_35_flexible_tags), 4, a, err, sizeof(err)),
		0, "flexible error 35 with a tagged field decodes: %s", err);
	TAP_OK(a->throttle_ms == 0 && a->finalized_epoch == -1 && a->n_supported == 0 &&
		       a->n_finalized == 0 && a->zk_migration_ready == -1,
	       "nor its tagged fields");
	TAP_EQ_INT(kafka_apiv_encode_response(a, 4, CORR, &buf, &len), 0, "and it re-encodes");
	TAP_OK(len == 4 + 10 && buf[8] == 0 && buf[9] == 35 && buf[10] == 0 && buf[11] == 0 &&
		       buf[12] == 0 && buf[13] == 0,
	       "in the v0 layout: error, int32 count 0, no throttle");
	TAP_EQ_INT(decode(buf + 4, len - 4, 4, b, err, sizeof(err)), 0, "which decodes back");
	TAP_OK(b->error_code == a->error_code && b->throttle_ms == a->throttle_ms &&
		       b->table.n == a->table.n && b->finalized_epoch == a->finalized_epoch,
	       "to the same answer");
	TAP_EQ_INT(decode(rsp_35_flexible_tags, sizeof(rsp_35_flexible_tags) - 1, 3, a, err,
			  sizeof(err)),
		   KAFKA_APIV_EMALFORMED, "a truncated tagged field is still refused: %s", err);
	free(buf);
	free(a);
	free(b);
}

/* Every proper prefix of a valid answer must be rejected with a reason. */
static void truncations(const uint8_t *b, size_t n, int16_t ver, const char *what)
{
	struct mp_apiv *a = malloc(sizeof(*a));
	char err[256];
	size_t bad = 0, silent = 0;

	for (size_t i = 0; i < n; i++) {
		int rc = decode(b, i, ver, a, err, sizeof(err));
		if (rc != KAFKA_APIV_EMALFORMED)
			bad++;
		else if (!err[0])
			silent++;
	}
	TAP_OK(bad == 0 && silent == 0, "%s: all %zu truncations rejected with a reason", what, n);
	free(a);
}

struct hostile {
	const char *what;
	int16_t version;
	int rc;
	size_t len;
	uint8_t b[48];
};

static const struct hostile hostile[] = {
	{ "negative v0 count",
	  0,
	  KAFKA_APIV_EMALFORMED,
	  10,
	  { 0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff } },
	{ "huge v0 count",
	  0,
	  KAFKA_APIV_EMALFORMED,
	  16,
	  { 0, 0, 0, 7, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1 } },
	{ "duplicate keys", 0, KAFKA_APIV_EMALFORMED, 22, { 0, 0, 0, 7, 0, 0, 0, 0, 0, 2, 0,
							    3, 0, 0, 0, 1, 0, 3, 0, 0, 0, 2 } },
	{ "min > max",
	  0,
	  KAFKA_APIV_EMALFORMED,
	  16,
	  { 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0, 3, 0, 5, 0, 1 } },
	{ "negative min",
	  0,
	  KAFKA_APIV_EMALFORMED,
	  16,
	  { 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0, 3, 0xff, 0xff, 0, 1 } },
	{ "negative key",
	  0,
	  KAFKA_APIV_EMALFORMED,
	  16,
	  { 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0xff, 0xfe, 0, 0, 0, 1 } },
	{ "key past the limit",
	  0,
	  KAFKA_APIV_EMALFORMED,
	  16,
	  { 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0x04, 0x00, 0, 0, 0, 1 } },
	{ "correlation mismatch",
	  0,
	  KAFKA_APIV_ECORRELATION,
	  10,
	  { 0, 0, 0, 8, 0, 0, 0, 0, 0, 0 } },
	{ "compact count varint overflow",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  11,
	  { 0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x7f } },
	{ "compact count varint never ends",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  12,
	  { 0, 0, 0, 7, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 } },
	{ "compact count huge",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  11,
	  { 0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f } },
	{ "compact array null (0)",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  11,
	  { 0, 0, 0, 7, 0, 0, 0x00, 0, 0, 0, 0 } },
	{ "tagged field overruns the frame",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  14,
	  { 0, 0, 0, 7, 0, 0, 0x01, 0, 0, 0, 0, 0x01, 0x00, 0x40 } },
	{ "tag count huge",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  16,
	  { 0, 0, 0, 7, 0, 0, 0x01, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f } },
	{ "feature count huge",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  19,
	  { 0, 0, 0, 7, 0, 0, 0x01, 0, 0, 0, 0, 0x01, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f } },
	{ "feature name null", 3, KAFKA_APIV_EMALFORMED, 20, { 0,    0,	   0, 7, 0,    0,    0x01,
							       0,    0,	   0, 0, 0x01, 0x00, 0x06,
							       0x02, 0x00, 0, 1, 0,    2 } },
	{ "epoch shorter than 8 bytes",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  17,
	  { 0, 0, 0, 7, 0, 0, 0x01, 0, 0, 0, 0, 0x01, 0x01, 0x03, 0, 0, 0 } },
	{ "entry tag count varint overflow",
	  3,
	  KAFKA_APIV_EMALFORMED,
	  18,
	  { 0, 0, 0, 7, 0, 0, 0x02, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x7f } },
	{ "empty answer", 0, KAFKA_APIV_EMALFORMED, 0, { 0 } },
};

static void test_hostile(void)
{
	struct mp_apiv *a = malloc(sizeof(*a));
	char err[256];

	truncations(rsp_v0, sizeof(rsp_v0), 0, "v0");
	truncations(rsp_v1, sizeof(rsp_v1), 1, "v1");
	truncations(rsp_v3, sizeof(rsp_v3), 3, "v3");
	truncations(rsp_35_kip511, sizeof(rsp_35_kip511), 3, "error 35");
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];
		int rc = decode(h->b, h->len, h->version, a, err, sizeof(err));
		TAP_OK(rc == h->rc && err[0], "%s rejected (%d): %s", h->what, rc, err);
	}

	/* 300 keys: more than MP_API_KEYS_MAX are refused, not truncated silently */
	size_t n = 10 + 300 * 6;
	uint8_t *b = calloc(1, n);
	b[3] = CORR;
	b[8] = 300 >> 8;
	b[9] = 300 & 0xff;
	for (size_t k = 0; k < 300; k++) {
		b[10 + k * 6] = (uint8_t)(k >> 8);
		b[11 + k * 6] = (uint8_t)k;
	}
	TAP_EQ_INT(decode(b, n, 0, a, err, sizeof(err)), KAFKA_APIV_EMALFORMED,
		   "more keys than MP_API_KEYS_MAX rejected: %s", err);
	free(b);

	/* an unknown tag is skipped, as Kafka does */
	static const uint8_t unknown_tag[] = { 0, 0, 0, 7,    0,    0,	  0x01, 0,
					       0, 0, 0, 0x01, 0x21, 0x02, 0xaa, 0xbb };
	TAP_EQ_INT(decode(unknown_tag, sizeof(unknown_tag), 3, a, err, sizeof(err)), 0,
		   "unknown tagged field skipped");
	/* a hostile feature name is sanitised */
	static const uint8_t ugly[] = { 0,    0,    0,	  7,	0,   0,	   0x01, 0, 0, 0, 0, 0x01,
					0x00, 0x0a, 0x02, 0x04, '"', 0x01, 0xff, 0, 1, 0, 2, 0 };
	TAP_EQ_INT(decode(ugly, sizeof(ugly), 3, a, err, sizeof(err)), 0, "odd feature name read");
	TAP_EQ_STR(a->supported[0].name, "\"\\x01\\xff", "feature name hex-escaped");
	free(a);
}

int main(void)
{
	test_encode_request();
	test_parse_request();
	test_decode_good();
	test_round_trip();
	test_err35_flexible();
	test_hostile();
	return tap_done();
}
