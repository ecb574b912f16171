/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Kafka request readers of probe/kafka_apiv.c:
 * kafka_req_header_parse() (with kafka_tags_skip() inside) and
 * kafka_apiv_request_parse() (with kafka_compact_str()).
 *
 * Input: a request frame payload (after the int32 size), as a broker
 * stand-in takes it.
 *
 * Beyond "never crash, never read past the end": what the readers return
 * points inside the input, and an ApiVersions v0-4 request they accept
 * survives a round trip through kafka_apiv_encode_request(): its encoding
 * reads back to the same version, correlation id, client id and software
 * fields, or the harness aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_apiv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CLIENT_ID_MAX 200u /* what the encoder takes */
#define SW_FIELD_MAX  100u

static void inside(struct mp_rd s, const uint8_t *data, size_t size)
{
	if (s.left && (s.p < data || s.p + s.left > data + size))
		abort();
}

/* A NUL-terminated copy of s when it has no NUL and fits; false otherwise. */
static bool to_str(struct mp_rd s, char *dst, size_t cap)
{
	if (s.left >= cap || memchr(s.p, 0, s.left))
		return false;
	memcpy(dst, s.p, s.left);
	dst[s.left] = '\0';
	return true;
}

static bool same(struct mp_rd s, const char *want)
{
	return !s.bad && s.left == strlen(want) && memcmp(s.p, want, s.left) == 0;
}

static void check_round_trip(const struct kafka_req_header *h, const struct kafka_apiv_req *a)
{
	char cid[CLIENT_ID_MAX + 1], name[SW_FIELD_MAX + 1] = "a", ver[SW_FIELD_MAX + 1] = "1";
	struct kafka_req_header h2;
	struct kafka_apiv_req a2;
	uint8_t *buf = NULL;
	size_t len = 0;

	if (h->api_version > KAFKA_APIV_MAX_REQUEST || h->client_id_null ||
	    !to_str(h->client_id, cid, sizeof(cid)))
		return;
	if (h->api_version >= 3 &&
	    (!to_str(a->sw_name, name, sizeof(name)) || !to_str(a->sw_version, ver, sizeof(ver))))
		return;
	if (kafka_apiv_encode_request(h->api_version, h->correlation_id, cid, name, ver, &buf,
				      &len) != 0)
		abort();
	struct mp_rd r = mp_rd_init(buf + 4, len - 4);
	if (kafka_req_header_parse(&r, &h2) != 0 ||
	    kafka_apiv_request_parse(&r, h2.api_version, &a2) != 0 || r.left != 0)
		abort();
	if (h2.api_key != KAFKA_API_VERSIONS || h2.api_version != h->api_version ||
	    h2.correlation_id != h->correlation_id || h2.client_id_null ||
	    !same(h2.client_id, cid) || h2.flexible != h->flexible)
		abort();
	if (h->api_version >= 3 && (!same(a2.sw_name, name) || !same(a2.sw_version, ver)))
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_rd r = mp_rd_init(data, size);
	struct kafka_req_header h;
	struct kafka_apiv_req a;

	if (kafka_req_header_parse(&r, &h) != 0) {
		if (!r.bad)
			abort(); /* a refusal leaves the reader bad */
		return 0;
	}
	inside(h.client_id, data, size);
	if (h.flexible != kafka_req_header_flexible(h.api_key, h.api_version) ||
	    (h.client_id_null && h.client_id.left))
		abort();
	if (h.api_key != KAFKA_API_VERSIONS || h.api_version < 0)
		return 0;
	if (kafka_apiv_request_parse(&r, h.api_version, &a) != 0)
		return 0;
	inside(a.sw_name, data, size);
	inside(a.sw_version, data, size);
	if (r.p < data || r.p + r.left != data + size)
		abort();
	check_round_trip(&h, &a);
	return 0;
}
