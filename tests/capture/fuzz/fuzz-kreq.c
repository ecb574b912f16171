/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the client inventory's request streams (cap_kreq.c) fed
 * TCP segments in any order, with gaps, retransmissions and snap-length
 * cuts, then rendered with a judgement and the client findings.
 *
 * Input: records of [u8 flags][be16 seq step][be16 declared][be16 captured]
 * [captured bytes]: flags bit 0 picks one of two flows (two clients), bit 1
 * makes the step go backwards (a retransmission or reordering). The capture
 * object must be valid JSON that parses back, and every stream is freed.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_kclients *kc = NULL;
	struct cap_kstream *s[2] = { NULL, NULL };
	struct cap_addr client[2] = { { .family = 4, .a = { 10, 0, 0, 1 } },
				      { .family = 6, .a = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } } };
	struct cap_addr server = { .family = 4, .a = { 10, 0, 0, 9 } };
	uint32_t seq[2] = { 1000, 0xfffffff0u }; /* one stream wraps the sequence space */
	cJSON *root = NULL, *findings = NULL;

	if (cap_kclients_new(&kc) < 0)
		return 0;
	for (size_t i = 0; i + 7 <= size;) {
		uint8_t flags = data[i];
		uint16_t step = (uint16_t)(data[i + 1] << 8 | data[i + 2]);
		uint16_t declared = (uint16_t)(data[i + 3] << 8 | data[i + 4]);
		uint16_t captured = (uint16_t)(data[i + 5] << 8 | data[i + 6]);
		i += 7;
		if (captured > declared)
			captured = declared;
		if (captured > size - i)
			captured = (uint16_t)(size - i);
		int k = flags & 1;
		if (!s[k] && !(s[k] = cap_kstream_new(kc)))
			break;
		struct cap_pkt p = {
			.seq = flags & 2 ? seq[k] - step : seq[k] + step,
			.payload = data + i,
			.payload_len = captured,
			.payload_declared = declared,
		};
		seq[k] = p.seq + declared;
		cap_kstream_seg(kc, s[k], &p, &client[k], &server, 9092);
		i += captured;
	}
	root = cJSON_CreateObject();
	findings = cJSON_CreateArray();
	if (root && findings &&
	    cap_kclients_json(kc, NULL, 0, NULL, NULL, size & 1 ? "4.0.0" : NULL, root, findings) ==
		    0) {
		char *txt = cJSON_PrintUnformatted(root);
		cJSON *back = txt ? cJSON_Parse(txt) : NULL;
		if (txt && !back)
			abort();
		cJSON_Delete(back);
		free(txt);
	}
	cJSON_Delete(root);
	cJSON_Delete(findings);
	cap_kstream_free(kc, s[0]);
	cap_kstream_free(kc, s[1]);
	cap_kclients_free(kc);
	return 0;
}
