/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mkpcaps DIR: write the golden-test captures into DIR (each case in
 * golden/cases.txt names one). Every frame is crafted here: nothing comes
 * from a real network, so the expected JSON is exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- variants of a classic pcap written by libpcap (host order, microseconds) ---- */

enum variant {
	V_COPY,	      /* the same records */
	V_NANO,	      /* nanosecond magic and timestamps */
	V_CUT_DATA,   /* the last record's data cut short */
	V_CUT_HEADER, /* the file ends inside the last record's header */
	V_CAPLEN,     /* a record claiming a 2^31-byte caplen after the third packet */
	V_SNAPCUT,    /* a record longer than the file's snaplen (libpcap cuts it to the snaplen) */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_all(const char *name, uint8_t **ret, size_t *ret_len)
{
	FILE *f = fopen(path(name), "rb");
	uint8_t *b = NULL;
	long n;
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 24 || fseek(f, 0, SEEK_SET) ||
	    !(b = malloc((size_t)n)) || fread(b, 1, (size_t)n, f) != (size_t)n ||
	    rd32(b) != 0xa1b2c3d4) {
		if (f)
			fclose(f);
		free(b);
		return -1;
	}
	fclose(f);
	*ret = b;
	*ret_len = (size_t)n;
	return 0;
}

/*
 * Write src (a little-endian microsecond pcap from this program) as the
 * variant v, every header field big-endian when be is set.
 */
static int variant(const char *src, const char *dst, enum variant v, bool be)
{
	bool nano = v == V_NANO;
	uint8_t *in = NULL, h[24], rh[16];
	size_t n, off = 24, last = 0;
	unsigned k = 0;
	FILE *f;

	if (read_all(src, &in, &n) < 0 || !(f = fopen(path(dst), "wb"))) {
		free(in);
		return -1;
	}
	craft_put32(h, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
	craft_put16(h + 4, 2, be);
	craft_put16(h + 6, 4, be);
	craft_put32(h + 8, 0, be);
	craft_put32(h + 12, 0, be);
	craft_put32(h + 16, rd32(in + 16), be);
	craft_put32(h + 20, rd32(in + 20), be);
	fwrite(h, 1, 24, f);
	while (off + 16 <= n) {
		uint32_t sec = rd32(in + off), usec = rd32(in + off + 4);
		uint32_t cap = rd32(in + off + 8), len = rd32(in + off + 12);
		last = off;
		craft_put32(rh, sec, be);
		craft_put32(rh + 4, nano ? usec * 1000u + 999u : usec, be);
		craft_put32(rh + 8, cap, be);
		craft_put32(rh + 12, len, be);
		if (v == V_CAPLEN && k == 3) {
			craft_put32(rh + 8, 0x80000000u, be);
			craft_put32(rh + 12, 0x80000000u, be);
		}
		fwrite(rh, 1, 16, f);
		if (v == V_SNAPCUT && k == 2) {
			/* 70,000 bytes: the frame, then zeros past the file's 65,535-byte snaplen */
			static uint8_t big[70000];
			memcpy(big, in + off + 16, cap);
			craft_put32(rh + 8, sizeof(big), be);
			craft_put32(rh + 12, sizeof(big), be);
			fseek(f, -16, SEEK_CUR);
			fwrite(rh, 1, 16, f);
			fwrite(big, 1, sizeof(big), f);
		} else {
			fwrite(in + off + 16, 1, cap, f);
		}
		off += 16 + cap;
		k++;
	}
	if (v == V_CUT_DATA || v == V_CUT_HEADER) {
		/* keep the last record's header and 10 data bytes, or 9 bytes of its header */
		long keep = (long)(last + (v == V_CUT_DATA ? 26 : 9));
		if (fflush(f) || ftruncate(fileno(f), keep)) {
			fclose(f);
			free(in);
			return -1;
		}
	}
	free(in);
	return fclose(f) == 0 ? 0 : -1;
}

/* tls.pcapng followed by an Enhanced Packet Block that claims 1 GiB. */
static int pcapng_huge_block(void)
{
	FILE *f = NULL, *src = fopen(path("tls.pcapng"), "rb");
	uint8_t buf[65536];
	size_t m;
	if (!src || !(f = fopen(path("huge-block.pcapng"), "wb"))) {
		if (src)
			fclose(src);
		return -1;
	}
	while ((m = fread(buf, 1, sizeof(buf), src)) > 0)
		fwrite(buf, 1, m, f);
	fclose(src);
	le32(f, 6);
	le32(f, 1u << 30);
	for (int i = 0; i < 6; i++)
		le32(f, 0);
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
	if (to_pcapng(in, path("tls.pcapng")) < 0 || pcapng_huge_block() < 0)
		return 1;
	if (variant("zk-plain.pcap", "zk-plain-be.pcap", V_COPY, true) ||
	    variant("zk-plain.pcap", "zk-plain-nano.pcap", V_NANO, false) ||
	    variant("zk-plain.pcap", "zk-plain-be-nano.pcap", V_NANO, true) ||
	    variant("zk-plain.pcap", "cut-data.pcap", V_CUT_DATA, false) ||
	    variant("zk-plain.pcap", "cut-header.pcap", V_CUT_HEADER, true) ||
	    variant("zk-plain.pcap", "caplen.pcap", V_CAPLEN, false) ||
	    variant("zk-plain.pcap", "caplen-be.pcap", V_CAPLEN, true) ||
	    variant("zk-plain.pcap", "snapcut.pcap", V_SNAPCUT, false))
		return 1;
	return 0;
}
