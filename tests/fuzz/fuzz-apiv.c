/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for kafka_apiv_decode_response() (probe/kafka_apiv.c).
 *
 * Input: byte 0 selects the call, the rest is a response frame payload
 * (after the int32 size), as the decoder takes it:
 *   bits 0-2  request version (0-4; 5-7 are ignored inputs)
 *   bit 7     expect correlation id 7; clear: the payload's own first 4 bytes
 *
 * Beyond "never crash, never read past the end", a successful decode must
 * survive a round trip through kafka_apiv_encode_response(): what the
 * encoder writes for that version decodes to the same table, error,
 * throttle and feature levels, or the harness aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_apiv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct mp_apiv *a, int16_t version)
{
	struct mp_apiv *b = malloc(sizeof(*b));
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];

	if (!b)
		return;
	if (kafka_apiv_encode_response(a, version, 7, &buf, &len) != 0)
		abort(); /* anything the decoder accepts fits the encoder's caps */
	if (len < 4 ||
	    kafka_apiv_decode_response(buf + 4, len - 4, version, 7, b, err, sizeof(err)) != 0)
		abort();
	if (b->error_code != a->error_code || b->throttle_ms != a->throttle_ms ||
	    b->table.n != a->table.n ||
	    memcmp(b->table.r, a->table.r, a->table.n * sizeof(a->table.r[0])) != 0)
		abort();
	if (b->n_supported != a->n_supported || b->n_finalized != a->n_finalized ||
	    b->zk_migration_ready != a->zk_migration_ready ||
	    (a->finalized_epoch >= 0 && b->finalized_epoch != a->finalized_epoch))
		abort();
	for (uint16_t i = 0; i < a->n_supported; i++)
		if (b->supported[i].min != a->supported[i].min ||
		    b->supported[i].max != a->supported[i].max)
			abort();
	for (uint16_t i = 0; i < a->n_finalized; i++)
		if (b->finalized[i].min != a->finalized[i].min ||
		    b->finalized[i].max != a->finalized[i].max)
			abort();
	free(buf);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_apiv *a;
	char err[256];
	int32_t corr = 7;

	if (size < 1 || (data[0] & 7) > KAFKA_APIV_MAX_REQUEST)
		return 0;
	int16_t version = data[0] & 7;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	if (!(data[0] & 0x80) && n >= 4)
		corr = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
				 p[3]);
	a = malloc(sizeof(*a));
	if (!a)
		return 0;
	err[0] = '\0';
	int rc = kafka_apiv_decode_response(p, n, version, corr, a, err, sizeof(err));
	if (rc == 0)
		check_round_trip(a, version);
	else if (rc < 0 && rc != -12 /* -ENOMEM */)
		abort();
	else if (rc > 0 && (!err[0] || !memchr(err, '\0', sizeof(err))))
		abort(); /* every rejection carries a reason */
	free(a);
	return 0;
}
