/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: cap_decap. Byte 0 picks the link type, the rest is the frame. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>

#include "cap-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, 276, DLT_NULL,
				    DLT_LOOP,	DLT_RAW,       228, 229 };
	struct cap_pkt p;
	if (size < 1)
		return 0;
	/* copy so that ASan sees a read past the frame's end */
	uint8_t *f = malloc(size - 1 ? size - 1 : 1);
	if (!f)
		return 0;
	for (size_t i = 1; i < size; i++)
		f[i - 1] = data[i];
	if (cap_decap(dlts[data[0] % 8], f, size - 1, &p) == CAP_DECAP_TCP &&
	    (p.payload_off + p.payload_len > size - 1 || p.payload != f + p.payload_off))
		abort();
	free(f);
	return 0;
}
