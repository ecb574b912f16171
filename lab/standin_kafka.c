/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kafka broker stand-in (lab/standin.h): what a listener answers, as
 * the release and mode of its fp row would. Request frames read here,
 * through probe/kafka_apiv.h's readers (KIP-511, Kafka's RequestHeader.json,
 * ApiVersionsRequest.json, SaslHandshakeRequest.json):
 *
 *   int32 size | int16 api_key | int16 api_version | int32 correlation_id
 *   | int16 client_id_len (-1 = null) | client_id
 *   [ApiVersions v3+: uvarint header tag count, tags | compact_string
 *    software_name | compact_string software_version | uvarint body tag
 *    count, tags]
 *   [SaslHandshake v0-1: int16 len | mechanism]
 *
 * Answers are prepared per listener at standin_add() time from the row and
 * encoded by kafka_apiv_encode_response(); the misbehaviours (CLOSE_MID,
 * HUGE_FRAME, SLOW, GARBAGE, SILENT, PRE_0_10) bend them here or in the
 * server's output path.
 */
#include <errno.h>
#include <string.h>

#include "standin-internal.h"
#include "util.h"

#define DEFAULT_FEATURES_EPOCH 4242 /* a KRaft metadata offset: any value >= 0 */
#define HUGE_FRAME_SIZE	       0x7fffffffu

/*
 * Newest production metadata.version of each release: Kafka's
 * MetadataVersion.java (3.3.0: latest() = 7; 3.9.0: LATEST_PRODUCTION = 21,
 * docs/fingerprint-sources.md); the other levels from docs/facts.md.
 */
static const struct {
	const char *release;
	int16_t level;
} md_levels[] = {
	{ "3.3", 7 },  { "3.4", 8 },  { "3.5", 11 }, { "3.6", 14 }, { "3.7", 19 }, { "3.8", 20 },
	{ "3.9", 21 }, { "4.0", 25 }, { "4.1", 27 }, { "4.2", 29 }, { "4.3", 30 },
};

int16_t standin_metadata_level(const char *release)
{
	for (size_t i = 0; i < sizeof(md_levels) / sizeof(md_levels[0]); i++)
		if (strcmp(md_levels[i].release, release) == 0)
			return md_levels[i].level;
	return 0;
}

static void set_feature(struct mp_feature *f, const char *name, int16_t min, int16_t max)
{
	mp_strlcpy(f->name, name, sizeof(f->name));
	f->min = min;
	f->max = max;
}

/*
 * Prepare the three answers a listener can give: its table (with KIP-584
 * features, written only in v3+ layouts by the encoder), UNSUPPORTED_VERSION
 * and INVALID_REQUEST.
 */
int standin_kafka_answers(struct listener *l, const struct standin_opts *o, char *errbuf,
			  size_t errlen)
{
	const struct fp_row *row = o->row;
	const struct mp_api_range *r18;
	int16_t level, max;

	memset(&l->ok, 0, sizeof(l->ok));
	l->ok.finalized_epoch = -1;
	l->ok.zk_migration_ready = -1;
	l->unsupported = l->ok;
	l->invalid = l->ok;
	l->unsupported.error_code = KAFKA_ERR_UNSUPPORTED_VERSION;
	l->invalid.error_code = KAFKA_ERR_INVALID_REQUEST;
	if (!row)
		return 0;
	mp_strlcpy(l->release, row->release, sizeof(l->release));
	if (row->table.n > MP_API_KEYS_MAX) {
		mp_fmt(errbuf, errlen, "row %s has %u keys", row->release, row->table.n);
		return -EINVAL;
	}
	l->ok.table = row->table;
	r18 = mp_api_table_find(&row->table, KAFKA_API_VERSIONS);
	if (!r18) {
		mp_fmt(errbuf, errlen, "row %s has no ApiVersions (key 18) range", row->release);
		return -EINVAL;
	}
	l->apiv_max = r18->max;
	/* KIP-511 (2.4): the error answer still lists key 18's range. */
	if (mp_ver_cmp_str(row->release, "2.4") >= 0) {
		l->unsupported.table.n = 1;
		l->unsupported.table.r[0] = *r18;
	}

	max = o->supported_metadata_max ? o->supported_metadata_max
					: standin_metadata_level(row->release);
	level = o->metadata_version;
	if (level == 0)
		level = row->mode == FP_MODE_KRAFT ? max : 0;
	if (level > 0) {
		if (max < level)
			max = level;
		set_feature(&l->ok.supported[0], "metadata.version", 1, max);
		l->ok.n_supported = 1;
		/* KIP-778: a finalized feature is one level, sent as min = max. */
		set_feature(&l->ok.finalized[0], "metadata.version", level, level);
		l->ok.n_finalized = 1;
		l->ok.finalized_epoch =
			o->features_epoch > 0 ? o->features_epoch : DEFAULT_FEATURES_EPOCH;
	} else if (level == 0 && row->mode == FP_MODE_ZK &&
		   mp_ver_cmp_str(row->release, "2.7") >= 0) {
		/* zk 2.7+: the /feature znode exists, empty; its version is the epoch */
		l->ok.finalized_epoch = o->features_epoch > 0 ? o->features_epoch : 0;
	}
	return 0;
}

int standin_kafka_parse(const uint8_t *p, size_t n, int16_t apiv_max, struct standin_kreq *ret)
{
	struct mp_rd r = mp_rd_init(p, n);
	struct standin_kreq q = { .sw_valid = true };

	if (kafka_req_header_parse(&r, &q.h))
		return -1;
	switch (q.h.api_key) {
	case KAFKA_API_VERSIONS:
		if (q.h.api_version >= 0 && q.h.api_version <= apiv_max) {
			struct kafka_apiv_req a;
			if (kafka_apiv_request_parse(&r, q.h.api_version, &a))
				return -1; /* unparseable body: Kafka closes */
			q.sw_valid = q.h.api_version < 3 || (kafka_sw_field_valid(a.sw_name) &&
							     kafka_sw_field_valid(a.sw_version));
		}
		break;
	case KAFKA_SASL_HANDSHAKE:
		if (q.h.api_version >= 0 && q.h.api_version <= 1) {
			uint16_t mlen = mp_rd_be16(&r);
			q.mechanism = mp_rd_sub(&r, mlen);
			if (r.bad)
				return -1;
		}
		break;
	default:
		break;
	}
	*ret = q;
	return 0;
}

static int queue_apiv(struct standin_server *s, struct conn *c, const struct mp_apiv *a,
		      int16_t version, int32_t corr)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (kafka_apiv_encode_response(a, version, corr, &buf, &len))
		return -1;
	standin_count(&s->answers);
	switch (c->l->behaviour) {
	case STANDIN_CLOSE_MID:
		len /= 2;
		c->close_after_write = true;
		break;
	case STANDIN_HUGE_FRAME:
		/* keep the correlation id and the first body bytes, lie about the size */
		buf[0] = (uint8_t)(HUGE_FRAME_SIZE >> 24);
		buf[1] = buf[2] = buf[3] = 0xff;
		if (len > 16)
			len = 16;
		break;
	default:
		break;
	}
	standin_conn_queue(c, buf, len);
	return 0;
}

/* ApiVersions, as KafkaApis / SaslServerAuthenticator answer it. -1 closes the connection. */
static int handle_apiv(struct standin_server *s, struct conn *c, const struct standin_kreq *q)
{
	struct listener *l = c->l;
	int16_t version = q->h.api_version;
	int32_t corr = q->h.correlation_id;

	if (l->behaviour == STANDIN_PRE_0_10)
		return -1;
	if (version < 0 || version > l->apiv_max)
		return queue_apiv(s, c, &l->unsupported, 0, corr);
	if (!q->sw_valid)
		return queue_apiv(s, c, &l->invalid, version, corr);
	standin_sasl_versions_done(c);
	return queue_apiv(s, c, &l->ok, version, corr);
}

/* One complete request frame (after the size). -1 closes the connection. */
static int handle_frame(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct standin_kreq q;

	standin_count(&s->requests);
	if (c->l->behaviour == STANDIN_SILENT)
		return 0;
	if (standin_kafka_parse(p, n, c->l->apiv_max, &q) || !standin_sasl_admits(c, q.h.api_key))
		return -1;
	switch (q.h.api_key) {
	case KAFKA_API_VERSIONS:
		return handle_apiv(s, c, &q);
	case KAFKA_SASL_HANDSHAKE:
		return standin_sasl_handshake(s, c, &q);
	default:
		return -1;
	}
}

/* The answer of a GARBAGE listener to whatever comes first. */
static const char http_400[] = "HTTP/1.1 400 Bad Request\r\n"
			       "Content-Type: text/plain\r\n"
			       "Content-Length: 12\r\n"
			       "Connection: close\r\n"
			       "\r\n"
			       "Bad Request\n";

int standin_kafka_process(struct standin_server *s, struct conn *c)
{
	size_t n;

	if (c->l->behaviour == STANDIN_GARBAGE) {
		if (c->in_len == 0)
			return 0;
		c->in_len = 0;
		c->close_after_write = true;
		return standin_conn_queue_copy(c, http_400, sizeof(http_400) - 1) ? -1 : 1;
	}
	int rc = standin_frame(c->in, c->in_len, 8, &n);
	if (rc <= 0)
		return rc; /* -1: not Kafka, or more than a stand-in will buffer */
	if (handle_frame(s, c, c->in + 4, n) < 0)
		return -1;
	standin_conn_consume(c, n);
	return 1;
}
