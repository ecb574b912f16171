/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kafka request framing read from bytes a client sent: the request header
 * (RequestHeader.json, KIP-482), the ApiVersions v3+ body's KIP-511 client
 * software name and version, and the API key names. Below probe/ (the
 * stand-ins answer requests with it), capture/ (the client inventory reads
 * clients' requests off the wire with it) and everything else: every field
 * is peer bytes, read through the bounds-checked reader (bytes.h).
 *
 * Source: apache/kafka clients/src/main/resources/common/message/
 * RequestHeader.json, ApiVersionsRequest.json and each *Request.json's
 * "apiKey", "name" and "listeners" (snapshot of trunk 1eb7644, 2024-10-25:
 * keys 0-87; later keys have no name here).
 */
#ifndef MP_KAFKA_REQ_H
#define MP_KAFKA_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define KAFKA_API_VERSIONS 18

/* Positive result: the bytes are not a valid request (truncated, bad counts). */
#define KAFKA_EMALFORMED 1

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
 * *ret filled, or KAFKA_EMALFORMED (truncated, a client id length
 * below -1, a bad tag section); r is then bad.
 */
int kafka_req_header_parse(struct mp_rd *r, struct kafka_req_header *ret);

/*
 * Skip a tagged-field section (uvarint count, then per field uvarint tag,
 * uvarint size, bytes): 0, or KAFKA_EMALFORMED with r bad (truncated,
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
 * KAFKA_EMALFORMED.
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

/* Kafka's name of an API key ("Produce", "Fetch", ...), NULL when not known here. */
const char *mp_kafka_api_name(int api_key);

/*
 * Is api_key one only brokers and controllers send to each other (the
 * request JSON's "listeners" never includes "broker": LeaderAndIsr,
 * StopReplica, UpdateMetadata, ControlledShutdown, the Raft and
 * registration keys ...)? A connection sending one is a broker, not a client.
 */
bool mp_kafka_api_inter_broker(int api_key);

#endif
