/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: decap -> flow table (a cap of 8), with the client
 * inventory reading Kafka requests -> report JSON.
 * Input: byte 0 picks the link type, then frames as [u16 big-endian length][bytes].
 * The report must be valid JSON that parses back (no raw peer bytes in strings).
 */
#include <cjson/cJSON.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, 276, DLT_NULL, DLT_RAW };
	struct cap_ports ports = { .zk = { 2181 }, .n_zk = 1, .kafka = { 9092 }, .n_kafka = 1 };
	struct cap_report *rep = NULL;
	struct cap_flowtab *ft = NULL;
	struct cap_kclients *kc = NULL;
	struct cap_run_info in = { .kind = "file", .name = "fuzz", .linktype = "x" };
	cJSON *cap = NULL, *fin = NULL;
	uint64_t ts = 1;

	if (size < 1 || cap_report_new(&rep) < 0)
		return 0;
	cap_report_set_ports(rep, &ports);
	if (cap_flowtab_new(&ft, 8, &ports, cap_report_flow, rep) < 0 || cap_kclients_new(&kc) < 0)
		goto out;
	cap_flowtab_set_kclients(ft, kc);
	cap_report_set_kclients(rep, kc, data[0] & 0x80 ? "4.0.0" : NULL);
	int dlt = dlts[data[0] % 5];
	for (size_t i = 1; i + 2 <= size;) {
		size_t n = (size_t)data[i] << 8 | data[i + 1];
		i += 2;
		if (n > size - i)
			n = size - i;
		uint8_t *f = malloc(n ? n : 1);
		struct cap_pkt p;
		if (!f)
			break;
		memcpy(f, data + i, n);
		if (cap_decap(dlt, f, n, &p) == CAP_DECAP_TCP)
			(void)cap_flowtab_add(ft, &p, ts += 1000);
		free(f);
		i += n;
	}
	cap_flowtab_flush(ft);
	cap_flowtab_stats(ft, &in.ft);
	if (cap_report_build(rep, &in, &cap, &fin) == 0) {
		char *s = cJSON_PrintUnformatted(cap);
		cJSON *back = s ? cJSON_Parse(s) : NULL;
		if (s && !back)
			abort();
		cJSON_Delete(back);
		free(s);
	}
out:
	cJSON_Delete(cap);
	cJSON_Delete(fin);
	cap_flowtab_free(ft);
	cap_kclients_free(kc);
	cap_report_free(rep);
	return 0;
}
