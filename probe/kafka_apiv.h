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
#include "kafka_req.h"
#include "model.h"

#define KAFKA_APIV_MAX_REQUEST	      4 /* newest request version we can speak */
#define KAFKA_ERR_NONE		      0
#define KAFKA_ERR_UNSUPPORTED_VERSION 35
#define KAFKA_ERR_INVALID_REQUEST     42

/* Positive results: the peer sent something that is not a valid answer. */
enum {
	KAFKA_APIV_EMALFORMED = KAFKA_EMALFORMED, /* truncated, impossible counts, bad values */
	KAFKA_APIV_ECORRELATION,		  /* correlation id does not match */
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

/* Kafka's name for an error code, "UNKNOWN" otherwise. */
const char *kafka_error_name(int16_t code);

/* Look up a key's range in a table; NULL when absent. */
const struct mp_api_range *mp_api_table_find(const struct mp_api_table *t, int16_t key);

#endif
