/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the mapped reader's record walker (cap_pcapwalk.c).
 * Input: a whole classic pcap file. Every record it hands out must lie
 * inside the input (the copy makes ASan see a read past its end), its caplen
 * within the snapshot length, and each is peeled by cap_decap as the session
 * would (link type Ethernet).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_pcapw w;
	struct pcap_pkthdr h;
	const uint8_t *rec;
	char err[256];
	uint8_t *f = malloc(size ? size : 1);
	int r;

	if (!f)
		return 0;
	memcpy(f, data, size);
	if (cap_pcapw_init(&w, f, size) == 0) {
		while ((r = cap_pcapw_next(&w, &h, &rec, err, sizeof(err))) == 1) {
			struct cap_pkt p;
			if (rec < f || rec + h.caplen > f + size || h.caplen > w.snapshot ||
			    w.off > size)
				abort();
			(void)cap_decap(DLT_EN10MB, rec, h.caplen, &p);
		}
		if (r != 0 && (r != -EBADMSG || !err[0]))
			abort();
	}
	free(f);
	return 0;
}
