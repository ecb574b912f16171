/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark input generator (not built by meson; run.sh compiles it with tests/capture/craft.c).
 *   gen mixed FILE MB   mixed traffic until FILE is at least MB megabytes: plaintext ZooKeeper sessions,
 *                       TLS sessions, plaintext Kafka, bulk TCP, VXLAN-mirrored ZooKeeper, UDP noise
 *   gen flood FILE N    N distinct TCP tuples, one SYN each (the flow-table cap test)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "craft.h"

static struct craft_ep client(uint32_t i, uint16_t port_off)
{
	struct craft_ep e = craft_ep4("10.0.0.0", (uint16_t)(1024 + (i * 7 + port_off) % 60000));
	e.addr[1] = (uint8_t)(i >> 16);
	e.addr[2] = (uint8_t)(i >> 8);
	e.addr[3] = (uint8_t)i;
	return e;
}

static void bulk(struct craft_conv *v, unsigned n, size_t sz)
{
	static uint8_t m[1500];
	for (unsigned k = 0; k < n; k++) {
		memset(m, (int)(k * 13), sz);
		craft_send(v, k % 3 != 0, m, sz);
	}
}

static void round_(struct craft_out *o, uint32_t i)
{
	struct craft_conv v;
	uint8_t m[1500];
	o->vni = -1;
	craft_conv_init(&v, o, client(i, 0), craft_ep4("10.200.0.7", 2181));
	craft_zk_session(&v, true);
	craft_conv_init(&v, o, client(i, 1), craft_ep4("10.200.0.7", 2182));
	craft_handshake(&v);
	craft_send(&v, true, m, craft_tls_client_hello(m, "zk-1.example.com"));
	craft_send(&v, false, m, craft_tls_server_hello13(m));
	bulk(&v, 20, 1400);
	craft_fin(&v);
	craft_conv_init(&v, o, client(i, 2), craft_ep4("10.200.1.9", 9092));
	craft_handshake(&v);
	craft_send(&v, true, m, craft_kafka_apiv_req(m, "producer-1"));
	bulk(&v, 20, 1400);
	craft_fin(&v);
	craft_conv_init(&v, o, client(i, 3), craft_ep4("10.200.2.1", 443));
	craft_handshake(&v);
	bulk(&v, 30, 1448);
	craft_fin(&v);
	if (i % 4 == 0) {
		o->vni = 100 + i % 3;
		craft_conv_init(&v, o, client(i, 4), craft_ep4("10.200.0.8", 2181));
		craft_zk_session(&v, true);
		o->vni = -1;
	}
}

static int mixed(const char *path, unsigned long mb)
{
	struct craft_out o;
	struct stat st;
	if (craft_open(&o, path, CRAFT_ETH) < 0)
		return 1;
	for (uint32_t i = 0;; i++) {
		round_(&o, i);
		if (i % 256 == 0) {
			pcap_dump_flush(o.dump);
			if (stat(path, &st) == 0 && (unsigned long)(st.st_size >> 20) >= mb)
				break;
		}
	}
	craft_close(&o);
	return 0;
}

static int flood(const char *path, unsigned long n)
{
	struct craft_out o;
	uint8_t ip[128], fr[256];
	struct craft_ep s = craft_ep4("10.200.0.7", 2181);
	if (craft_open(&o, path, CRAFT_ETH) < 0)
		return 1;
	for (unsigned long i = 0; i < n; i++) {
		struct craft_ep c = craft_ep4("10.0.0.0", (uint16_t)(1024 + i % 64000));
		uint32_t h = (uint32_t)(i / 64000);
		c.addr[1] = (uint8_t)(h >> 16);
		c.addr[2] = (uint8_t)(h >> 8);
		c.addr[3] = (uint8_t)h;
		size_t il = craft_ip_tcp(ip, &c, &s, (uint32_t)i, 0, 0x02, NULL, 0);
		craft_frame(&o, fr, craft_link(fr, CRAFT_ETH, ip, il));
	}
	craft_close(&o);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen mixed FILE MB | gen flood FILE N\n");
		return 2;
	}
	unsigned long n = strtoul(argv[3], NULL, 10);
	if (strcmp(argv[1], "mixed") == 0)
		return mixed(argv[2], n);
	if (strcmp(argv[1], "flood") == 0)
		return flood(argv[2], n);
	return 2;
}
