/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ApiVersions wire format (all integers big-endian):
 *
 * Request, header v1 (request v0-2) or v2 (v3+):
 *   int32 size | int16 api_key=18 | int16 api_version | int32 correlation_id
 *   | int16 client_id_len | client_id [| uvarint 0 (header tags, v3+)]
 *   body v3+: compact_string client_software_name | compact_string
 *             client_software_version | uvarint 0 (tags)
 *
 * Response, header v0 always (KIP-511: even for v3+):
 *   int32 size | int32 correlation_id
 *   v0:   int16 error | int32 n | n x (int16 key, int16 min, int16 max)
 *   v1-2: v0 body | int32 throttle_time_ms
 *   v3+:  int16 error | uvarint n+1 | n x (int16 key, min, max, tags)
 *         | int32 throttle_time_ms | tagged fields:
 *           0 SupportedFeatures: compact array (compact_string name,
 *             int16 min_version, int16 max_version, tags)
 *           1 FinalizedFeaturesEpoch: int64
 *           2 FinalizedFeatures: compact array (compact_string name,
 *             int16 max_version_level, int16 min_version_level, tags)
 *           3 ZkMigrationReady: int8 bool
 *   UNSUPPORTED_VERSION (35) answers use the v0 body whatever was asked
 *   (Kafka's RequestContext.apiVersion() serialises an unsupported
 *   ApiVersions request's answer as v0): no throttle, no tagged fields.
 */
#include "kafka_apiv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "util.h"

#define REQ_LIMIT 512u

static void wr_compact_str(struct mp_wr *w, const char *s)
{
	size_t n = strlen(s);
	mp_wr_uvarint(w, (uint32_t)n + 1);
	mp_wr_bytes(w, s, n);
}

int kafka_apiv_encode_request(int16_t version, int32_t correlation_id, const char *client_id,
			      const char *sw_name, const char *sw_version, uint8_t **ret_buf,
			      size_t *ret_len)
{
	struct mp_wr w;
	size_t cid = strlen(client_id);

	if (version < 0 || version > KAFKA_APIV_MAX_REQUEST || cid > 200 || strlen(sw_name) > 100 ||
	    strlen(sw_version) > 100)
		return -EINVAL;
	mp_wr_init(&w, REQ_LIMIT);
	mp_wr_be32(&w, 0); /* size, patched below */
	mp_wr_be16(&w, KAFKA_API_VERSIONS);
	mp_wr_be16(&w, (uint16_t)version);
	mp_wr_be32(&w, (uint32_t)correlation_id);
	mp_wr_be16(&w, (uint16_t)cid);
	mp_wr_bytes(&w, client_id, cid);
	if (version >= 3) {
		mp_wr_uvarint(&w, 0); /* header tagged fields */
		wr_compact_str(&w, sw_name);
		wr_compact_str(&w, sw_version);
		mp_wr_uvarint(&w, 0); /* body tagged fields */
	}
	mp_wr_put_be32(&w, 0, (uint32_t)(w.len - 4));
	if (w.bad) {
		mp_wr_free(&w);
		return -ENOMEM;
	}
	*ret_buf = mp_wr_take(&w, ret_len);
	return 0;
}

const struct mp_api_range *mp_api_table_find(const struct mp_api_table *t, int16_t key)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->r[mid].key == key)
			return &t->r[mid];
		if (t->r[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int range_cmp(const void *a, const void *b)
{
	const struct mp_api_range *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

/* Validate and append one (key, min, max); keeps the table sorted at the end. */
static int table_add(struct mp_api_table *t, int16_t key, int16_t min, int16_t max, char *errbuf,
		     size_t errlen)
{
	if (key < 0 || key >= MP_API_KEY_LIMIT) {
		mp_fmt(errbuf, errlen, "api key %d out of range", key);
		return KAFKA_APIV_EMALFORMED;
	}
	if (min < 0 || max < min) {
		mp_fmt(errbuf, errlen, "api key %d has impossible range %d-%d", key, min, max);
		return KAFKA_APIV_EMALFORMED;
	}
	if (t->n >= MP_API_KEYS_MAX) {
		mp_fmt(errbuf, errlen, "more than %u api keys", MP_API_KEYS_MAX);
		return KAFKA_APIV_EMALFORMED;
	}
	t->r[t->n++] = (struct mp_api_range){ key, min, max };
	return 0;
}

static int table_finish(struct mp_api_table *t, char *errbuf, size_t errlen)
{
	qsort(t->r, t->n, sizeof(t->r[0]), range_cmp);
	for (size_t i = 1; i < t->n; i++)
		if (t->r[i].key == t->r[i - 1].key) {
			mp_fmt(errbuf, errlen, "api key %d listed twice", t->r[i].key);
			return KAFKA_APIV_EMALFORMED;
		}
	return 0;
}

static int decode_v0_array(struct mp_rd *r, struct mp_api_table *t, char *errbuf, size_t errlen)
{
	int32_t n = (int32_t)mp_rd_be32(r);
	if (r->bad || n < 0 || (uint64_t)n * 6 > r->left) {
		mp_fmt(errbuf, errlen, "api array count %d does not fit the %zu bytes left", n,
		       r->left);
		return KAFKA_APIV_EMALFORMED;
	}
	for (int32_t i = 0; i < n; i++) {
		int16_t key = (int16_t)mp_rd_be16(r);
		int16_t min = (int16_t)mp_rd_be16(r);
		int16_t max = (int16_t)mp_rd_be16(r);
		int rc = table_add(t, key, min, max, errbuf, errlen);
		if (rc)
			return rc;
	}
	return table_finish(t, errbuf, errlen);
}

/* compact_string into a sanitised fixed buffer; null is not allowed for feature names. */
static void rd_compact_str(struct mp_rd *r, char *dst, size_t dstlen)
{
	struct mp_rd s = kafka_compact_str(r);
	if (s.bad)
		return;
	mp_sanitize(dst, dstlen, s.p, s.left);
}

/* Feature arrays (KIP-584). `finalized` swaps the order: max level first. */
static int decode_features(struct mp_rd *r, struct mp_feature *out, uint16_t *ret_n, bool finalized,
			   char *errbuf, size_t errlen)
{
	uint32_t n1 = mp_rd_uvarint(r);
	if (r->bad || n1 == 0 || n1 - 1 > r->left / 6) {
		mp_fmt(errbuf, errlen, "feature array count does not fit");
		return KAFKA_APIV_EMALFORMED;
	}
	uint16_t kept = 0;
	for (uint32_t i = 0; i + 1 < n1 && !r->bad; i++) {
		struct mp_feature f = { 0 };
		rd_compact_str(r, f.name, sizeof(f.name));
		int16_t a = (int16_t)mp_rd_be16(r);
		int16_t b = (int16_t)mp_rd_be16(r);
		f.min = finalized ? b : a;
		f.max = finalized ? a : b;
		if (kafka_tags_skip(r))
			break;
		if (kept < MP_FEATURES_MAX)
			out[kept++] = f;
	}
	if (r->bad) {
		mp_fmt(errbuf, errlen, "truncated feature array");
		return KAFKA_APIV_EMALFORMED;
	}
	*ret_n = kept;
	return 0;
}

static int decode_v3_tags(struct mp_rd *r, struct mp_apiv *a, char *errbuf, size_t errlen)
{
	uint32_t n = mp_rd_uvarint(r);
	if (r->bad || n > KAFKA_TAGGED_FIELDS_MAX) {
		mp_fmt(errbuf, errlen, "bad tagged-field count");
		return KAFKA_APIV_EMALFORMED;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t tag = mp_rd_uvarint(r);
		uint32_t size = mp_rd_uvarint(r);
		struct mp_rd s = mp_rd_sub(r, size);
		int rc = 0;
		if (s.bad) {
			mp_fmt(errbuf, errlen, "tagged field %u overruns the frame", tag);
			return KAFKA_APIV_EMALFORMED;
		}
		switch (tag) {
		case 0:
			rc = decode_features(&s, a->supported, &a->n_supported, false, errbuf,
					     errlen);
			break;
		case 1:
			a->finalized_epoch = (int64_t)mp_rd_be64(&s);
			break;
		case 2:
			rc = decode_features(&s, a->finalized, &a->n_finalized, true, errbuf,
					     errlen);
			break;
		case 3:
			a->zk_migration_ready = mp_rd_u8(&s) ? 1 : 0;
			break;
		default:
			break; /* unknown tags are skipped, as Kafka does */
		}
		if (rc)
			return rc;
		if (s.bad) {
			mp_fmt(errbuf, errlen, "tagged field %u truncated", tag);
			return KAFKA_APIV_EMALFORMED;
		}
	}
	return 0;
}

static int decode_v3_array(struct mp_rd *r, struct mp_api_table *t, char *errbuf, size_t errlen)
{
	uint32_t n1 = mp_rd_uvarint(r);
	if (r->bad || n1 == 0 || n1 - 1 > r->left / 7) {
		mp_fmt(errbuf, errlen, "compact api array count does not fit");
		return KAFKA_APIV_EMALFORMED;
	}
	for (uint32_t i = 0; i + 1 < n1; i++) {
		int16_t key = (int16_t)mp_rd_be16(r);
		int16_t min = (int16_t)mp_rd_be16(r);
		int16_t max = (int16_t)mp_rd_be16(r);
		if (kafka_tags_skip(r) || r->bad) {
			mp_fmt(errbuf, errlen, "truncated api entry %u", i);
			return KAFKA_APIV_EMALFORMED;
		}
		int rc = table_add(t, key, min, max, errbuf, errlen);
		if (rc)
			return rc;
	}
	return table_finish(t, errbuf, errlen);
}

int kafka_apiv_decode_response(const uint8_t *buf, size_t len, int16_t request_version,
			       int32_t correlation_id, struct mp_apiv *ret, char *errbuf,
			       size_t errlen)
{
	struct mp_rd r = mp_rd_init(buf, len);
	struct mp_apiv *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return -ENOMEM;
	a->finalized_epoch = -1;
	a->zk_migration_ready = -1;
	a->request_version = request_version;
	int32_t corr = (int32_t)mp_rd_be32(&r);
	a->error_code = (int16_t)mp_rd_be16(&r);
	if (r.bad) {
		mp_fmt(errbuf, errlen, "answer of %zu bytes is too short for a header", len);
		rc = KAFKA_APIV_EMALFORMED;
		goto out;
	}
	if (corr != correlation_id) {
		mp_fmt(errbuf, errlen, "correlation id %d, expected %d", corr, correlation_id);
		rc = KAFKA_APIV_ECORRELATION;
		goto out;
	}
	if (request_version >= 3 && a->error_code == KAFKA_ERR_UNSUPPORTED_VERSION) {
		/* Brokers send this in the v0 layout; some implementations (librdkafka's
		 * mock cluster) use the request's layout. Accept either, v0 first; the
		 * answer is the v0 one either way (error and table): a throttle or
		 * tagged fields of the flexible variant are checked, then dropped, so
		 * that what we keep is what a broker would have sent. */
		struct mp_rd r0 = r;
		rc = decode_v0_array(&r0, &a->table, errbuf, errlen);
		if (!rc && !r0.bad) {
			r = r0;
		} else {
			struct mp_apiv *drop = calloc(1, sizeof(*drop));
			if (!drop) {
				rc = -ENOMEM;
				goto out;
			}
			memset(&a->table, 0, sizeof(a->table));
			rc = decode_v3_array(&r, &a->table, errbuf, errlen);
			if (!rc)
				(void)mp_rd_be32(&r); /* throttle_time_ms */
			if (!rc && !r.bad)
				rc = decode_v3_tags(&r, drop, errbuf, errlen);
			free(drop);
		}
	} else if (request_version < 3) {
		rc = decode_v0_array(&r, &a->table, errbuf, errlen);
		/* the v0-layout error body has no throttle field */
		if (!rc && request_version >= 1 && a->error_code != KAFKA_ERR_UNSUPPORTED_VERSION)
			a->throttle_ms = (int32_t)mp_rd_be32(&r);
	} else {
		rc = decode_v3_array(&r, &a->table, errbuf, errlen);
		if (!rc)
			a->throttle_ms = (int32_t)mp_rd_be32(&r);
		if (!rc && !r.bad)
			rc = decode_v3_tags(&r, a, errbuf, errlen);
	}
	if (!rc && r.bad) {
		mp_fmt(errbuf, errlen, "answer truncated");
		rc = KAFKA_APIV_EMALFORMED;
	}
	if (!rc)
		*ret = *a;
out:
	free(a);
	return rc;
}

static void wr_features(struct mp_wr *t, const struct mp_feature *f, uint16_t n, bool finalized)
{
	mp_wr_uvarint(t, (uint32_t)n + 1);
	for (uint16_t i = 0; i < n; i++) {
		wr_compact_str(t, f[i].name);
		mp_wr_be16(t, (uint16_t)(finalized ? f[i].max : f[i].min));
		mp_wr_be16(t, (uint16_t)(finalized ? f[i].min : f[i].max));
		mp_wr_uvarint(t, 0);
	}
}

/* Append one tagged field whose body is built in `body`. */
static void wr_tag(struct mp_wr *w, uint32_t tag, struct mp_wr *body)
{
	mp_wr_uvarint(w, tag);
	mp_wr_uvarint(w, (uint32_t)body->len);
	mp_wr_bytes(w, body->buf, body->len);
	if (body->bad)
		w->bad = true;
	mp_wr_free(body);
}

static void encode_v3_tags(struct mp_wr *w, const struct mp_apiv *a)
{
	struct mp_wr t;
	uint32_t n = (a->n_supported > 0) + (a->finalized_epoch >= 0) + (a->n_finalized > 0) +
		     (a->zk_migration_ready >= 0);
	mp_wr_uvarint(w, n);
	if (a->n_supported) {
		mp_wr_init(&t, 4096);
		wr_features(&t, a->supported, a->n_supported, false);
		wr_tag(w, 0, &t);
	}
	if (a->finalized_epoch >= 0) {
		mp_wr_init(&t, 16);
		mp_wr_be64(&t, (uint64_t)a->finalized_epoch);
		wr_tag(w, 1, &t);
	}
	if (a->n_finalized) {
		mp_wr_init(&t, 4096);
		wr_features(&t, a->finalized, a->n_finalized, true);
		wr_tag(w, 2, &t);
	}
	if (a->zk_migration_ready >= 0) {
		mp_wr_init(&t, 4);
		mp_wr_u8(&t, (uint8_t)a->zk_migration_ready);
		wr_tag(w, 3, &t);
	}
}

int kafka_apiv_encode_response(const struct mp_apiv *a, int16_t request_version,
			       int32_t correlation_id, uint8_t **ret_buf, size_t *ret_len)
{
	struct mp_wr w;
	bool v0_layout = request_version < 3 || a->error_code == KAFKA_ERR_UNSUPPORTED_VERSION;

	mp_wr_init(&w, MP_APIV_FRAME_MAX);
	mp_wr_be32(&w, 0);
	mp_wr_be32(&w, (uint32_t)correlation_id);
	mp_wr_be16(&w, (uint16_t)a->error_code);
	if (v0_layout) {
		mp_wr_be32(&w, a->table.n);
	} else {
		mp_wr_uvarint(&w, (uint32_t)a->table.n + 1);
	}
	for (uint16_t i = 0; i < a->table.n; i++) {
		mp_wr_be16(&w, (uint16_t)a->table.r[i].key);
		mp_wr_be16(&w, (uint16_t)a->table.r[i].min);
		mp_wr_be16(&w, (uint16_t)a->table.r[i].max);
		if (!v0_layout)
			mp_wr_uvarint(&w, 0);
	}
	if (!v0_layout || (request_version >= 1 && a->error_code != KAFKA_ERR_UNSUPPORTED_VERSION))
		mp_wr_be32(&w, (uint32_t)a->throttle_ms);
	if (!v0_layout)
		encode_v3_tags(&w, a);
	mp_wr_put_be32(&w, 0, (uint32_t)(w.len - 4));
	if (w.bad) {
		mp_wr_free(&w);
		return -ENOMEM;
	}
	*ret_buf = mp_wr_take(&w, ret_len);
	return 0;
}

const char *kafka_error_name(int16_t code)
{
	switch (code) {
	case 0:
		return "NONE";
	case 35:
		return "UNSUPPORTED_VERSION";
	case 42:
		return "INVALID_REQUEST";
	case 33:
		return "UNSUPPORTED_SASL_MECHANISM";
	case 34:
		return "ILLEGAL_SASL_STATE";
	case 58:
		return "SASL_AUTHENTICATION_FAILED";
	default:
		return "UNKNOWN";
	}
}
