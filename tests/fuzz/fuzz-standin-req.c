/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Kafka stand-in's request reader, called
 * directly: standin_frame() (lab/standin.c) splits a client's bytes into
 * frames as the server does, standin_kafka_parse() (lab/standin_kafka.c)
 * reads each. fuzz-standin.c drives the same code through a connection.
 *
 * Input: byte 0 sets the listener's ApiVersions max (bits 0-2: 0-4 as
 * they are, 5-7 as -1: a row without key 18), the rest is what a client
 * sends on one connection (the seeds are fuzz-standin's Kafka seeds).
 *
 * Beyond "never crash, never read past the end": frames lie inside the
 * input and within the stand-in's cap; what the parser returns points
 * inside its frame; and a frame accepted for a max is accepted for every
 * lower max too (a version above the max is read to its header only).
 */
#include <stdint.h>
#include <stdlib.h>

#include "standin-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(struct mp_rd s, const uint8_t *p, size_t n)
{
	if (s.left && (s.p < p || s.p + s.left > p + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct standin_kreq q, q2;
	int16_t max;
	size_t n;

	if (size < 1)
		return 0;
	max = (data[0] & 7) <= 4 ? (int16_t)(data[0] & 7) : -1;
	data++;
	size--;
	while (standin_frame(data, size, 8, &n) == 1) {
		const uint8_t *p = data + 4;
		if (n < 8 || n > STANDIN_REQ_FRAME_MAX || n > size - 4)
			abort();
		if (standin_kafka_parse(p, n, max, &q) == 0) {
			inside(q.h.client_id, p, n);
			inside(q.mechanism, p, n);
			if (q.h.api_key != KAFKA_SASL_HANDSHAKE && q.mechanism.left)
				abort();
			for (int16_t m = max - 1; m >= -1; m--)
				if (standin_kafka_parse(p, n, m, &q2) != 0 ||
				    q2.h.correlation_id != q.h.correlation_id)
					abort();
		}
		data += 4 + n;
		size -= 4 + n;
	}
	return 0;
}
