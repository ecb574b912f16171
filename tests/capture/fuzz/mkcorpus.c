/* SPDX-License-Identifier: Apache-2.0 */
/* mkcorpus DIR: write the seed corpora (decap/, clf/, pipeline/) from crafted frames. Run once; the output is committed. */
#include <stdio.h>
#include <string.h>

#include "../craft.h"

static void put(const char *dir, const char *sub, const char *name, const uint8_t *b, size_t n)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, name);
	FILE *f = fopen(p, "wb");
	if (f) {
		fwrite(b, 1, n, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	uint8_t m[2048], ip[2048], fr[4096], in[4096], pipe[8192];
	struct craft_ep c = craft_ep4("10.0.1.5", 53422), s = craft_ep4("10.0.2.7", 2181);
	static const struct {
		const char *name;
		size_t (*make)(uint8_t *);
	} msgs[] = {
		{ "zk-connect", craft_zk_connect_req },
		{ "zk-connect-resp", craft_zk_connect_resp },
		{ "zk-ping", craft_zk_ping },
		{ "zk-ping-reply", craft_zk_ping_reply },
		{ "tls-server-hello", craft_tls_server_hello13 },
		{ "zkq-election", craft_zkq_election_init },
		{ "zkq-followerinfo", craft_zkq_followerinfo },
	};
	if (argc != 2)
		return 2;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		put(argv[1], "clf", msgs[i].name, m, msgs[i].make(m));
	put(argv[1], "clf", "tls-client-hello", m, craft_tls_client_hello(m, "zk.example.com"));
	put(argv[1], "clf", "kafka-apiv", m, craft_kafka_apiv_req(m, "adminclient-1"));
	put(argv[1], "clf", "zk-getdata", m, craft_zk_get_data(m, 1, "/brokers/ids/1"));
	size_t ml = craft_zk_connect_req(m);
	size_t il = craft_ip_tcp(ip, &c, &s, 1, 0, 0x18, m, ml);
	static const enum craft_link links[] = { CRAFT_ETH, CRAFT_SLL, CRAFT_SLL2, CRAFT_NULL,
						 CRAFT_RAW };
	static const uint8_t sel[] = { 0, 1, 2, 3, 5 };
	for (size_t i = 0; i < 5; i++) {
		char name[32];
		fr[0] = sel[i];
		size_t n = craft_link(fr + 1, links[i], ip, il);
		snprintf(name, sizeof(name), "link-%zu", i);
		put(argv[1], "decap", name, fr, n + 1);
	}
	size_t inner = craft_link(in, CRAFT_VLAN, ip, il);
	fr[0] = 0;
	put(argv[1], "decap", "vxlan", fr, craft_vxlan(fr + 1, 42, in, inner) + 1);
	put(argv[1], "decap", "geneve", fr, craft_geneve(fr + 1, 7, in, inner) + 1);
	/* pipeline: a handshake and both hellos of a ZooKeeper session, Ethernet */
	size_t pl = 1;
	pipe[0] = 0;
	const uint8_t flags[] = { 0x02, 0x12, 0x18, 0x18 };
	for (int k = 0; k < 4; k++) {
		size_t n = k == 2 ? craft_zk_connect_req(m) : k == 3 ? craft_zk_connect_resp(m) : 0;
		size_t l = k % 2 ? craft_ip_tcp(ip, &s, &c, 9, 0, flags[k], m, n)
				 : craft_ip_tcp(ip, &c, &s, k ? 2 : 1, 0, flags[k], m, n);
		size_t f = craft_link(fr, CRAFT_ETH, ip, l);
		pipe[pl] = (uint8_t)(f >> 8);
		pipe[pl + 1] = (uint8_t)f;
		memcpy(pipe + pl + 2, fr, f);
		pl += 2 + f;
	}
	put(argv[1], "pipeline", "zk-session", pipe, pl);
	return 0;
}
