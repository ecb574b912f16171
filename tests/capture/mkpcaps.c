/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mkpcaps DIR: write the golden-test captures into DIR (each case in
 * golden/cases.txt names one). Every frame is crafted here: nothing comes
 * from a real network, so the expected JSON is exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craft.h"

static char dir[512];

static const char *path(const char *name)
{
	static char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int open_case(struct craft_out *o, const char *name, enum craft_link link)
{
	if (craft_open(o, path(name), link) < 0) {
		fprintf(stderr, "mkpcaps: can not write %s\n", path(name));
		return -1;
	}
	return 0;
}

static int zk_plain(void)
{
	struct craft_out o;
	struct craft_conv v;
	if (open_case(&o, "zk-plain.pcap", CRAFT_ETH) < 0)
		return -1;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53422), craft_ep4("10.0.2.7", 2181));
	craft_zk_session(&v, true);
	/* a connection attempt with no payload on the ZooKeeper port */
	craft_conv_init(&v, &o, craft_ep4("10.0.1.9", 40000), craft_ep4("10.0.2.7", 2181));
	craft_handshake(&v);
	craft_close(&o);
	return 0;
}

static int tls(void)
{
	struct craft_out o;
	struct craft_conv v;
	if (open_case(&o, "tls.pcap", CRAFT_ETH) < 0)
		return -1;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53500), craft_ep4("10.0.2.7", 2182));
	craft_tls_session(&v, "z-1.zk.example.com", true);
	/* TLS on the plaintext port is still TLS */
	craft_conv_init(&v, &o, craft_ep4("10.0.1.6", 53501), craft_ep4("10.0.2.7", 2181));
	craft_tls_session(&v, NULL, true);
	/* a hostile SNI must not reach the report */
	craft_conv_init(&v, &o, craft_ep4("10.0.1.7", 53502), craft_ep4("10.0.2.7", 2182));
	craft_tls_session(&v, "bad\"name\\<script>", true);
	craft_close(&o);
	return 0;
}

static int vxlan(void)
{
	struct craft_out o;
	struct craft_conv v;
	if (open_case(&o, "vxlan.pcap", CRAFT_ETH) < 0)
		return -1;
	o.vni = 42;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53422), craft_ep4("10.0.2.7", 2181));
	craft_zk_session(&v, true);
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53500), craft_ep4("10.0.2.7", 2182));
	craft_tls_session(&v, "z-1.zk.example.com", true);
	o.vni = 43; /* the other end mirrored too: the same flow again, another VNI */
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53422), craft_ep4("10.0.2.7", 2181));
	craft_zk_session(&v, true);
	o.vni = 7;
	o.geneve = true;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.8", 53600), craft_ep4("10.0.2.7", 2181));
	craft_zk_session(&v, true);
	craft_close(&o);
	return 0;
}

static int midsession(void)
{
	struct craft_out o;
	struct craft_conv v;
	uint8_t m[256];
	if (open_case(&o, "midsession.pcap", CRAFT_ETH) < 0)
		return -1;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53422), craft_ep4("10.0.2.7", 2181));
	craft_zk_session(&v, false);
	/* plaintext ZooKeeper on a port nobody hinted, seen only from its pings */
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53999), craft_ep4("10.0.2.9", 31337));
	craft_send(&v, true, m, craft_zk_ping(m));
	craft_send(&v, false, m, craft_zk_ping_reply(m));
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53500), craft_ep4("10.0.2.7", 2182));
	craft_tls_session(&v, NULL, false);
	/* bytes nothing recognises, on the ZooKeeper port */
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53777), craft_ep4("10.0.2.7", 2181));
	memset(m, 0xc3, 64);
	craft_send(&v, true, m, 64);
	craft_close(&o);
	return 0;
}

static void raw_frame(struct craft_out *o, const uint8_t *f, size_t n)
{
	craft_frame(o, f, n);
}

static void malformed_ipv6_ext(struct craft_out *o)
{
	struct craft_ep c = craft_ep6("2001:db8::5", 53422), s = craft_ep6("2001:db8::7", 2181);
	uint8_t ip[512], zk[64], fr[600];
	size_t zl = craft_zk_connect_req(zk);
	size_t il = craft_ip_tcp(ip, &c, &s, 100, 0, 0x18, zk, zl);
	/* splice hop-by-hop (8 bytes) and destination options (8 bytes) after the fixed header */
	uint8_t withext[600];
	memcpy(withext, ip, 40);
	withext[6] = 0; /* next: hop-by-hop */
	uint16_t plen = (uint16_t)((ip[4] << 8 | ip[5]) + 16);
	withext[4] = (uint8_t)(plen >> 8);
	withext[5] = (uint8_t)plen;
	uint8_t ext[16] = { 60, 0, 1, 4, 0, 0, 0, 0, 6, 0, 1, 4, 0, 0, 0, 0 };
	memcpy(withext + 40, ext, 16);
	memcpy(withext + 56, ip + 40, il - 40);
	raw_frame(o, fr, craft_link(fr, CRAFT_ETH, withext, il + 16));
}

static void malformed_fragments(struct craft_out *o)
{
	struct craft_ep c = craft_ep4("10.0.1.5", 53423), s = craft_ep4("10.0.2.7", 2181);
	uint8_t ip[512], zk[64], fr[600];
	size_t il = craft_ip_tcp(ip, &c, &s, 100, 0, 0x18, zk, craft_zk_connect_req(zk));
	ip[6] = 0x20; /* MF: a first fragment, still decoded */
	ip[7] = 0;
	raw_frame(o, fr, craft_link(fr, CRAFT_ETH, ip, il));
	ip[6] = 0x00; /* offset 8 (in 8-byte units): a later fragment, counted only */
	ip[7] = 0x08;
	raw_frame(o, fr, craft_link(fr, CRAFT_ETH, ip, il));
}

static int malformed(void)
{
	struct craft_out o;
	struct craft_ep c = craft_ep4("10.0.1.5", 53424), s = craft_ep4("10.0.2.7", 2181);
	uint8_t ip[512], fr[600], zk[64];
	size_t il;
	if (open_case(&o, "malformed.pcap", CRAFT_ETH) < 0)
		return -1;
	il = craft_ip_tcp(ip, &c, &s, 1, 0, 0x18, zk, craft_zk_connect_req(zk));
	raw_frame(&o, fr, 10);				      /* cut Ethernet header */
	raw_frame(&o, fr, craft_link(fr, CRAFT_ETH, ip, 16)); /* cut IPv4 header */
	ip[0] = 0x43;					      /* IHL 3 */
	raw_frame(&o, fr, craft_link(fr, CRAFT_ETH, ip, il));
	ip[0] = 0x45;
	ip[32] = 0x30; /* TCP data offset 3 */
	raw_frame(&o, fr, craft_link(fr, CRAFT_ETH, ip, il));
	ip[32] = 0x50;
	ip[2] = 0; /* total length 8 < header */
	ip[3] = 8;
	raw_frame(&o, fr, craft_link(fr, CRAFT_ETH, ip, il));
	memset(fr, 0, 60); /* an ARP frame */
	fr[12] = 0x08;
	fr[13] = 0x06;
	raw_frame(&o, fr, 60);
	malformed_fragments(&o);
	malformed_ipv6_ext(&o);
	/* a ConnectRequest cut by a 70-byte snap length: still recognised */
	struct craft_conv v;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53425), craft_ep4("10.0.2.7", 2181));
	craft_handshake(&v);
	o.snap = 70;
	craft_send(&v, true, zk, craft_zk_connect_req(zk));
	craft_close(&o);
	return 0;
}

static int one_link(const char *name, enum craft_link link, bool v6)
{
	struct craft_out o;
	struct craft_conv v;
	if (open_case(&o, name, link) < 0)
		return -1;
	if (v6)
		craft_conv_init(&v, &o, craft_ep6("2001:db8::5", 53422),
				craft_ep6("2001:db8::7", 2181));
	else
		craft_conv_init(&v, &o, craft_ep4("127.0.0.1", 53422),
				craft_ep4("127.0.0.1", 2181));
	craft_zk_session(&v, true);
	craft_close(&o);
	return 0;
}

static int kafka_quorum(void)
{
	struct craft_out o;
	struct craft_conv v;
	uint8_t m[256];
	if (open_case(&o, "kafka-quorum.pcap", CRAFT_ETH) < 0)
		return -1;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 50001), craft_ep4("10.0.3.1", 9092));
	craft_handshake(&v);
	craft_send(&v, true, m, craft_kafka_apiv_req(m, "adminclient-1"));
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 50002), craft_ep4("10.0.3.1", 19092));
	craft_handshake(&v);
	craft_send(&v, true, m, craft_kafka_apiv_req(m, "consumer-7"));
	craft_conv_init(&v, &o, craft_ep4("10.0.2.8", 50003), craft_ep4("10.0.2.7", 3888));
	craft_handshake(&v);
	craft_send(&v, true, m, craft_zkq_election_init(m));
	craft_conv_init(&v, &o, craft_ep4("10.0.2.8", 50004), craft_ep4("10.0.2.7", 2888));
	craft_handshake(&v);
	craft_send(&v, true, m, craft_zkq_followerinfo(m));
	craft_close(&o);
	return 0;
}

static int flood(void)
{
	struct craft_out o;
	struct craft_conv v;
	if (open_case(&o, "flood.pcap", CRAFT_ETH) < 0)
		return -1;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53422), craft_ep4("10.0.2.7", 2181));
	craft_zk_session(&v, true);
	for (unsigned i = 0; i < 50; i++) {
		craft_conv_init(&v, &o, craft_ep4("10.9.9.9", (uint16_t)(20000 + i)),
				craft_ep4("10.0.2.7", 80));
		craft_handshake(&v);
	}
	craft_close(&o);
	return 0;
}

/* pcapng (draft-ietf-opsawg-pcapng): SHB, one IDB, then an EPB per packet, little-endian. */
static void le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fwrite(b, 1, 4, f);
}

static void le16(FILE *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	fwrite(b, 1, 2, f);
}

static int to_pcapng(const char *in, const char *out)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(in, eb);
	FILE *f = fopen(out, "wb");
	struct pcap_pkthdr *h;
	const u_char *d;
	if (!p || !f)
		return -1;
	le32(f, 0x0a0d0d0a);
	le32(f, 28);
	le32(f, 0x1a2b3c4d);
	le16(f, 1);
	le16(f, 0);
	le32(f, 0xffffffff);
	le32(f, 0xffffffff);
	le32(f, 28);
	le32(f, 1);
	le32(f, 20);
	le16(f, (uint16_t)pcap_datalink(p));
	le16(f, 0);
	le32(f, 65535);
	le32(f, 20);
	while (pcap_next_ex(p, &h, &d) == 1) {
		uint32_t pad = (4 - h->caplen % 4) % 4, total = 32 + h->caplen + pad;
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		le32(f, 6);
		le32(f, total);
		le32(f, 0);
		le32(f, (uint32_t)(ts >> 32));
		le32(f, (uint32_t)ts);
		le32(f, h->caplen);
		le32(f, h->len);
		fwrite(d, 1, h->caplen, f);
		for (uint32_t i = 0; i < pad; i++)
			fputc(0, f);
		le32(f, total);
	}
	pcap_close(p);
	return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	char in[1024];
	if (argc != 2) {
		fprintf(stderr, "usage: mkpcaps DIR\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	if (zk_plain() || tls() || vxlan() || midsession() || malformed() || kafka_quorum() ||
	    flood() || one_link("sll.pcap", CRAFT_SLL, false) ||
	    one_link("sll2.pcap", CRAFT_SLL2, false) || one_link("null.pcap", CRAFT_NULL, false) ||
	    one_link("raw.pcap", CRAFT_RAW, false) || one_link("vlan.pcap", CRAFT_VLAN, false) ||
	    one_link("ipv6.pcap", CRAFT_ETH, true))
		return 1;
	snprintf(in, sizeof(in), "%s", path("tls.pcap"));
	if (to_pcapng(in, path("tls.pcapng")) < 0)
		return 1;
	return 0;
}
