/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kafka ApiVersions (api key 18) request encoding and response decoding,
 * versions 0 to 4, as KIP-35, KIP-511 and KIP-584 define them and as
 * clients/src/main/resources/common/message/ApiVersions{Request,Response}.json
 * lays them out. The encoder side of responses exists for the broker
 * stand-ins (lab/standin_kafka.c), so both directions are tested against each
 * other and against byte strings written down from the spec.
 */
#ifndef MP_KAFKA_APIV_H
#define MP_KAFKA_APIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "model.h"

#define KAFKA_API_VERSIONS	      18
#define KAFKA_APIV_MAX_REQUEST	      4 /* newest request version we can speak */
#define KAFKA_ERR_NONE		      0
#define KAFKA_ERR_UNSUPPORTED_VERSION 35
#define KAFKA_ERR_INVALID_REQUEST     42

/* Positive results: the peer sent something that is not a valid answer. */
enum {
	KAFKA_APIV_EMALFORMED = 1, /* truncated, impossible counts, bad values */
	KAFKA_APIV_ECORRELATION,   /* correlation id does not match */
};

/*
 * Encode a framed ApiVersions request (int32 size prefix included).
 * v3+ carries client_software_name/version (must match the KIP-511 regex;
 * the caller passes constants). Returns 0 and a malloc'd buffer in
 * *ret_buf, or -ENOMEM / -EINVAL.
 */
int kafka_apiv_encode_request(int16_t version, int32_t correlation_id, const char *client_id,
			      const char *sw_name, const char *sw_version, uint8_t **ret_buf,
			      size_t *ret_len);

/*
 * Decode a response frame payload (after the int32 size) to a request of
 * `request_version`. An UNSUPPORTED_VERSION answer is read in the v0 layout,
 * whatever version was asked, as brokers send it; to a v3+ request the
 * request's flexible layout is accepted too (librdkafka's mock cluster), but
 * only its error and table are kept (throttle 0, no features), as the v0
 * layout carries nothing else. Returns 0 with *ret
 * filled, a positive KAFKA_APIV_E* with the reason in errbuf, never reads
 * past len.
 */
int kafka_apiv_decode_response(const uint8_t *buf, size_t len, int16_t request_version,
			       int32_t correlation_id, struct mp_apiv *ret, char *errbuf,
			       size_t errlen);

/*
 * Encode a framed response as a broker would send it to a request of
 * `request_version` (stand-ins). With error_code 35 the body is the v0
 * layout. Returns 0 or -ENOMEM.
 */
int kafka_apiv_encode_response(const struct mp_apiv *a, int16_t request_version,
			       int32_t correlation_id, uint8_t **ret_buf, size_t *ret_len);

/* ---- requests, read (stand-ins, tests) ------------------------------------ */

/* Tagged fields one section may hold before we call it garbage. */
#define KAFKA_TAGGED_FIELDS_MAX 64u

/*
 * A request header (Kafka's RequestHeader.json, KIP-482): v1 is
 *   int16 api_key | int16 api_version | int32 correlation_id
 *   | int16 client_id_len (-1 = null) | client_id
 * and v2, for flexible versions, adds a tagged-field section. client_id
 * points into the caller's buffer, raw: peer bytes, validate before use.
 */
struct kafka_req_header {
	int16_t api_key;
	int16_t api_version;
	int32_t correlation_id;
	bool client_id_null;
	struct mp_rd client_id;
	bool flexible; /* header v2: its tagged fields were read */
};

/*
 * Does (api_key, api_version) use request header v2? ApiVersions from v3
 * (ApiVersionsRequest.json "flexibleVersions": "3+"); SaslHandshake never
 * ("none"). Keys this codec does not speak are read as header v1.
 */
bool kafka_req_header_flexible(int16_t api_key, int16_t api_version);

/*
 * Read a request header from r, positioned at a frame payload (after the
 * int32 size): the v1 fields, then the tagged fields when
 * kafka_req_header_flexible(). r is left after the header. Returns 0 with
 * *ret filled, or KAFKA_APIV_EMALFORMED (truncated, a client id length
 * below -1, a bad tag section); r is then bad.
 */
int kafka_req_header_parse(struct mp_rd *r, struct kafka_req_header *ret);

/*
 * Skip a tagged-field section (uvarint count, then per field uvarint tag,
 * uvarint size, bytes): 0, or KAFKA_APIV_EMALFORMED with r bad (truncated,
 * or more than KAFKA_TAGGED_FIELDS_MAX fields).
 */
int kafka_tags_skip(struct mp_rd *r);

/*
 * A non-null compact_string (uvarint length + 1, bytes) as a sub-reader
 * over its bytes; a null one (0) or a truncated one sets r->bad.
 */
struct mp_rd kafka_compact_str(struct mp_rd *r);

/*
 * An ApiVersions request body of `version` from r (after the header):
 * nothing before v3; v3+ compact_string client_software_name,
 * compact_string client_software_version, tagged fields. The two names
 * point into the caller's buffer (left 0 before v3). Returns 0 or
 * KAFKA_APIV_EMALFORMED.
 */
struct kafka_apiv_req {
	struct mp_rd sw_name, sw_version;
};
int kafka_apiv_request_parse(struct mp_rd *r, int16_t version, struct kafka_apiv_req *ret);

/*
 * KIP-511's rule for client_software_name/version:
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? (a broker answers
 * INVALID_REQUEST to anything else).
 */
bool kafka_sw_field_valid(struct mp_rd s);

/* Kafka's name for an error code, "UNKNOWN" otherwise. */
const char *kafka_error_name(int16_t code);

/* Look up a key's range in a table; NULL when absent. */
const struct mp_api_range *mp_api_table_find(const struct mp_api_table *t, int16_t key);

#endif
