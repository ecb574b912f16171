/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the mapped reader's record walker (cap_pcapwalk.c).
 * Input: a whole classic pcap file. Every record it hands out must lie
 * inside the input (the copy makes ASan see a read past its end), its caplen
 * within the snapshot length, and each is peeled by cap_decap as the session
 * would (link type Ethernet) and judged by the filter `tcp port 2181` both
 * without the interpreter (cap_fastf_match) and with it: the verdicts agree.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bpf_program prog;
static struct cap_fastf fast;

static void filter_once(void)
{
	pcap_t *p;
	if (fast.on)
		return;
	p = pcap_open_dead(DLT_EN10MB, 262144);
	if (!p || pcap_compile(p, &prog, "tcp port 2181", 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    !cap_fastf_compile(&fast, &prog))
		abort(); /* this libpcap compiles it differently: nothing to compare */
	pcap_close(p);
}

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
	filter_once();
	memcpy(f, data, size);
	if (cap_pcapw_init(&w, f, size) == 0) {
		while ((r = cap_pcapw_next(&w, &h, &rec, err, sizeof(err))) == 1) {
			struct cap_pkt p;
			if (rec < f || rec + h.caplen > f + size || h.caplen > w.snapshot ||
			    w.off > size)
				abort();
			(void)cap_decap(DLT_EN10MB, rec, h.caplen, &p);
			if (cap_fastf_match(&fast, rec, h.caplen) !=
			    (pcap_offline_filter(&prog, &h, rec) != 0))
				abort();
		}
		if (r != 0 && (r != -EBADMSG || !err[0]))
			abort();
	}
	free(f);
	return 0;
}
