/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Peel a captured frame down to its TCP segment.
 *
 * Link layers (libpcap DLT_* / LINKTYPE_*, tcpdump.org/linktypes.html):
 *   EN10MB   dst(6) src(6) [TPID 8100/88a8/9100 TCI(2)]* ethertype(2)
 *   LINUX_SLL  pkttype(2) arphrd(2) alen(2) addr(8) protocol(2)          = 16
 *   LINUX_SLL2 protocol(2) rsv(2) ifindex(4) arphrd(2) pkttype alen addr(8) = 20
 *   NULL     AF family, 4 bytes in the capturing host's byte order
 *   LOOP     AF family, 4 bytes big-endian (OpenBSD)
 *   RAW, IPV4, IPV6: the IP header first
 * IPv4 (RFC 791): ver/ihl, tos, total length, id, flags/frag offset, ttl, proto, csum, src, dst.
 *   Fragments are counted, not reassembled; a first fragment is still decoded.
 * IPv6 (RFC 8200): 40 bytes, then extension headers hop-by-hop(0), routing(43),
 *   fragment(44), destination options(60), AH(51, RFC 4302 length in 4-byte units).
 * UDP 4789 VXLAN (RFC 7348): flags(1, 0x08 = VNI valid) rsv(3) VNI(3) rsv(1), inner Ethernet.
 *   This is how AWS VPC Traffic Mirroring delivers copies: the VNI names the mirror session.
 * UDP 6081 GENEVE (RFC 8926): ver(2b) optlen(6b, 4-byte units) flags(1) protocol(2) VNI(3)
 *   rsv(1) options; protocol 0x6558 = Ethernet, 0x0800/0x86dd = IP.
 * TCP (RFC 9293): ports, seq, ack, data offset (4-byte units, >= 5), flags, ...
 *
 * Checksums are never checked: mirrored and snaplen-cut packets are often short.
 * Every byte is read through struct mp_rd.
 */
#include <pcap/pcap.h>
#include <string.h>

#include "bytes.h"
#include "cap-internal.h"

#define ETH_IPV4     0x0800
#define ETH_IPV6     0x86dd
#define ETH_VLAN     0x8100
#define ETH_QINQ     0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_TEB	     0x6558 /* transparent Ethernet bridging (GENEVE) */

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

#define PORT_VXLAN  4789
#define PORT_GENEVE 6081

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct dctx {
	const uint8_t *frame; /* start of the whole frame, for payload offsets */
	unsigned depth;	      /* tunnels peeled so far */
	struct cap_pkt *pkt;
};

static enum cap_decap_rc dec_ether(struct dctx *c, const uint8_t *p, size_t n);
static enum cap_decap_rc dec_ethertype(struct dctx *c, uint16_t type, struct mp_rd r);

bool cap_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	default:
		return false;
	}
}

/*
 * TCP header; r holds the IP payload cut to the IP length, declared its uncut size.
 * The fixed 20 bytes come through one sub-reader: after its single check the
 * compiler sees the remaining length and drops the per-field checks.
 */
static enum cap_decap_rc dec_tcp(struct dctx *c, struct mp_rd r, uint32_t declared)
{
	struct cap_pkt *p = c->pkt;
	struct mp_rd h = mp_rd_sub(&r, 20);
	if (h.bad)
		return CAP_DECAP_MALFORMED;
	p->sport = mp_rd_be16(&h);
	p->dport = mp_rd_be16(&h);
	p->seq = mp_rd_be32(&h);
	mp_rd_skip(&h, 4); /* ack */
	uint8_t off = mp_rd_u8(&h) >> 4;
	p->tcp_flags = mp_rd_u8(&h);
	/* window, checksum, urgent: the rest of h */
	if (off < 5)
		return CAP_DECAP_MALFORMED;
	mp_rd_skip(&r, (size_t)(off - 5) * 4); /* options */
	if (r.bad || declared < (uint32_t)off * 4)
		return CAP_DECAP_MALFORMED;
	p->payload = r.p;
	p->payload_len = r.left;
	p->payload_declared = declared - (uint32_t)off * 4;
	p->payload_off = (size_t)(r.p - c->frame);
	return CAP_DECAP_TCP;
}

static enum cap_decap_rc dec_vxlan(struct dctx *c, struct mp_rd r)
{
	uint8_t flags = mp_rd_u8(&r);
	mp_rd_skip(&r, 3);
	uint32_t vni = mp_rd_be32(&r) >> 8;
	if (r.bad)
		return CAP_DECAP_MALFORMED;
	if (!(flags & 0x08))
		return CAP_DECAP_OTHER; /* no valid VNI: not the VXLAN we know */
	c->pkt->vni = vni;
	c->pkt->tunnel = CAP_TUNNEL_VXLAN;
	return dec_ether(c, r.p, r.left); /* r.bad is false here */
}

static enum cap_decap_rc dec_geneve(struct dctx *c, struct mp_rd r)
{
	uint8_t b0 = mp_rd_u8(&r);
	mp_rd_skip(&r, 1);
	uint16_t proto = mp_rd_be16(&r);
	uint32_t vni = mp_rd_be32(&r) >> 8;
	mp_rd_skip(&r, (size_t)(b0 & 0x3f) * 4);
	if (r.bad)
		return CAP_DECAP_MALFORMED;
	if (b0 >> 6)
		return CAP_DECAP_OTHER; /* unknown version */
	c->pkt->vni = vni;
	c->pkt->tunnel = CAP_TUNNEL_GENEVE;
	if (proto == ETH_TEB)
		return dec_ether(c, r.p, r.left); /* r.bad is false here */
	return dec_ethertype(c, proto, r);
}

static enum cap_decap_rc dec_udp(struct dctx *c, struct mp_rd r)
{
	uint16_t sport = mp_rd_be16(&r), dport = mp_rd_be16(&r);
	mp_rd_skip(&r, 4); /* length, checksum */
	if (r.bad)
		return CAP_DECAP_MALFORMED;
	if (c->depth >= CAP_TUNNEL_DEPTH_MAX)
		return CAP_DECAP_OTHER;
	if (dport == PORT_VXLAN || (sport == PORT_VXLAN && dport != PORT_GENEVE)) {
		c->depth++;
		return dec_vxlan(c, r);
	}
	if (dport == PORT_GENEVE || sport == PORT_GENEVE) {
		c->depth++;
		return dec_geneve(c, r);
	}
	return CAP_DECAP_OTHER;
}

/* After the IP header: dispatch on the protocol; r is cut to the IP length. */
static enum cap_decap_rc dec_l4(struct dctx *c, uint8_t proto, struct mp_rd r, uint32_t declared)
{
	if (proto == IPPROTO_TCP_)
		return dec_tcp(c, r, declared);
	if (proto == IPPROTO_UDP_)
		return dec_udp(c, r);
	return CAP_DECAP_OTHER;
}

/* Cut r to the declared length (drops Ethernet padding; keeps what a snaplen cut left). */
static struct mp_rd cut(struct mp_rd r, uint32_t len)
{
	if (r.left > len)
		r.left = len;
	return r;
}

static enum cap_decap_rc dec_ipv4(struct dctx *c, struct mp_rd r)
{
	struct cap_pkt *p = c->pkt;
	struct mp_rd h = mp_rd_sub(&r, 20); /* one check for the fixed header, as in dec_tcp */
	if (h.bad)
		return CAP_DECAP_MALFORMED;
	uint8_t vihl = mp_rd_u8(&h);
	mp_rd_skip(&h, 1);
	uint16_t total = mp_rd_be16(&h);
	mp_rd_skip(&h, 2);
	uint16_t frag = mp_rd_be16(&h);
	mp_rd_skip(&h, 1);
	uint8_t proto = mp_rd_u8(&h);
	mp_rd_skip(&h, 2);
	uint8_t src[4], dst[4];
	for (int i = 0; i < 4; i++)
		src[i] = mp_rd_u8(&h);
	for (int i = 0; i < 4; i++)
		dst[i] = mp_rd_u8(&h);
	unsigned hl = (unsigned)(vihl & 15) * 4;
	if (vihl >> 4 != 4 || hl < 20 || total < hl)
		return CAP_DECAP_MALFORMED;
	mp_rd_skip(&r, hl - 20); /* options */
	if (r.bad)
		return CAP_DECAP_MALFORMED;
	memset(&p->src, 0, sizeof(p->src)); /* an outer IPv6 header (tunnel) may have set all 16 */
	memset(&p->dst, 0, sizeof(p->dst));
	p->src.family = p->dst.family = 4;
	memcpy(p->src.a, src, 4);
	memcpy(p->dst.a, dst, 4);
	p->ip_len = total;
	if (frag & 0x3fff) { /* MF set or a non-zero offset */
		p->fragment = true;
		if (frag & 0x1fff)
			return CAP_DECAP_FRAGMENT;
	}
	return dec_l4(c, proto, cut(r, total - hl), total - hl);
}

/* Walk IPv6 extension headers; *ret_next is the upper-layer protocol. */
static enum cap_decap_rc ipv6_ext(struct dctx *c, struct mp_rd *r, uint8_t *next,
				  uint32_t *declared)
{
	for (unsigned i = 0; i < CAP_IPV6_EXT_MAX; i++) {
		uint8_t nh = *next;
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60 && nh != 51)
			return CAP_DECAP_TCP; /* reached the upper layer */
		uint8_t n2 = mp_rd_u8(r);
		uint8_t len = mp_rd_u8(r);
		size_t total = nh == 51	  ? ((size_t)len + 2) * 4
			       : nh == 44 ? 8
					  : ((size_t)len + 1) * 8;
		if (nh == 44) {
			uint16_t off = mp_rd_be16(r);
			c->pkt->fragment = true;
			if (off & 0xfff8)
				return CAP_DECAP_FRAGMENT;
			mp_rd_skip(r, 4);
		} else {
			mp_rd_skip(r, total - 2);
		}
		if (r->bad || *declared < total)
			return CAP_DECAP_MALFORMED;
		*declared -= (uint32_t)total;
		*next = n2;
	}
	return CAP_DECAP_MALFORMED; /* too many extension headers */
}

static enum cap_decap_rc dec_ipv6(struct dctx *c, struct mp_rd r)
{
	struct cap_pkt *p = c->pkt;
	uint8_t v = mp_rd_u8(&r);
	mp_rd_skip(&r, 3);
	uint32_t plen = mp_rd_be16(&r);
	uint8_t next = mp_rd_u8(&r);
	mp_rd_skip(&r, 1);
	struct mp_rd a = mp_rd_sub(&r, 32);
	if (r.bad || v >> 4 != 6)
		return CAP_DECAP_MALFORMED;
	memset(&p->src, 0, sizeof(p->src));
	memset(&p->dst, 0, sizeof(p->dst));
	p->src.family = p->dst.family = 6;
	for (int i = 0; i < 16; i++)
		p->src.a[i] = mp_rd_u8(&a);
	for (int i = 0; i < 16; i++)
		p->dst.a[i] = mp_rd_u8(&a);
	p->ip_len = plen + 40;
	r = cut(r, plen);
	enum cap_decap_rc rc = ipv6_ext(c, &r, &next, &plen);
	if (rc != CAP_DECAP_TCP)
		return rc;
	return dec_l4(c, next, r, plen);
}

static enum cap_decap_rc dec_ethertype(struct dctx *c, uint16_t type, struct mp_rd r)
{
	if (type == ETH_IPV4)
		return dec_ipv4(c, r);
	if (type == ETH_IPV6)
		return dec_ipv6(c, r);
	return CAP_DECAP_OTHER;
}

/*
 * Ethernet, then VLAN tags. It takes the frame as pointer and length, not as
 * a reader: a reader built by the caller and passed by value was read back
 * before its stores landed (a store-to-load forwarding stall on every frame).
 */
static enum cap_decap_rc dec_ether(struct dctx *c, const uint8_t *p, size_t n)
{
	struct mp_rd r = mp_rd_init(p, n);
	mp_rd_skip(&r, 12);
	uint16_t type = mp_rd_be16(&r);
	for (unsigned i = 0; i < CAP_VLAN_TAGS_MAX &&
			     (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD);
	     i++) {
		mp_rd_skip(&r, 2); /* TCI */
		type = mp_rd_be16(&r);
	}
	if (r.bad)
		return CAP_DECAP_MALFORMED;
	return dec_ethertype(c, type, r);
}

/* By the IP version nibble (raw IP link types). */
static enum cap_decap_rc dec_raw(struct dctx *c, struct mp_rd r)
{
	if (r.left < 1)
		return CAP_DECAP_MALFORMED;
	uint8_t v = r.p[0] >> 4;
	if (v == 4)
		return dec_ipv4(c, r);
	if (v == 6)
		return dec_ipv6(c, r);
	return CAP_DECAP_OTHER;
}

/* DLT_NULL: host byte order of the capturing machine, so read both ways. */
static enum cap_decap_rc dec_null(struct dctx *c, struct mp_rd r, bool big_endian_only)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = mp_rd_u8(&r);
	if (r.bad)
		return CAP_DECAP_MALFORMED;
	uint32_t be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	uint32_t le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
	uint32_t fam = big_endian_only || be < 256 ? be : le;
	if (fam == 2)
		return dec_ipv4(c, r);
	if (fam == 10 || fam == 24 || fam == 28 || fam == 30) /* Linux, BSDs, macOS AF_INET6 */
		return dec_ipv6(c, r);
	return CAP_DECAP_OTHER;
}

enum cap_decap_rc cap_decap(int dlt, const uint8_t *frame, size_t caplen, struct cap_pkt *ret)
{
	struct mp_rd r = mp_rd_init(frame, caplen);
	struct dctx c = { .frame = frame, .depth = 0, .pkt = ret };
	uint16_t proto;

	memset(ret, 0, sizeof(*ret));
	ret->vni = -1;
	switch (dlt) {
	case DLT_EN10MB:
		return dec_ether(&c, frame, caplen);
	case DLT_LINUX_SLL:
		mp_rd_skip(&r, 14);
		proto = mp_rd_be16(&r);
		return r.bad ? CAP_DECAP_MALFORMED : dec_ethertype(&c, proto, r);
	case DLT_LINUX_SLL2:
		proto = mp_rd_be16(&r);
		mp_rd_skip(&r, 18);
		return r.bad ? CAP_DECAP_MALFORMED : dec_ethertype(&c, proto, r);
	case DLT_NULL:
		return dec_null(&c, r, false);
	case DLT_LOOP:
		return dec_null(&c, r, true);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return dec_raw(&c, r);
	default:
		return CAP_DECAP_UNSUPPORTED;
	}
}
