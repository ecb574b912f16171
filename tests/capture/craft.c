/* SPDX-License-Identifier: Apache-2.0 */
/* Crafted frames for the capture tests (see craft.h). Checksums are left 0: the decoder never checks them. */
#include "craft.h"

#include <arpa/inet.h>
#include <string.h>

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)(v >> 16));
	return put16(p, (uint16_t)v);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	p = put32(p, (uint32_t)(v >> 32));
	return put32(p, (uint32_t)v);
}

struct craft_ep craft_ep4(const char *ip, uint16_t port)
{
	struct craft_ep e = { .family = 4, .port = port };
	inet_pton(AF_INET, ip, e.addr);
	return e;
}

struct craft_ep craft_ep6(const char *ip, uint16_t port)
{
	struct craft_ep e = { .family = 6, .port = port };
	inet_pton(AF_INET6, ip, e.addr);
	return e;
}

size_t craft_ip_tcp(uint8_t *buf, const struct craft_ep *s, const struct craft_ep *d, uint32_t seq,
		    uint32_t ack, uint8_t flags, const void *payload, size_t plen)
{
	uint8_t *p = buf;
	size_t tcplen = 20 + plen;
	if (s->family == 4) {
		*p++ = 0x45;
		*p++ = 0;
		p = put16(p, (uint16_t)(20 + tcplen));
		p = put32(p, 0x12344000); /* id, DF */
		*p++ = 64;
		*p++ = 6;
		p = put16(p, 0);
		memcpy(p, s->addr, 4);
		memcpy(p + 4, d->addr, 4);
		p += 8;
	} else {
		p = put32(p, 0x60000000);
		p = put16(p, (uint16_t)tcplen);
		*p++ = 6;
		*p++ = 64;
		memcpy(p, s->addr, 16);
		memcpy(p + 16, d->addr, 16);
		p += 32;
	}
	p = put16(p, s->port);
	p = put16(p, d->port);
	p = put32(p, seq);
	p = put32(p, ack);
	*p++ = 0x50;
	*p++ = flags;
	p = put16(p, 65535);
	p = put32(p, 0);
	if (plen) /* payload may be NULL for a bare segment */
		memcpy(p, payload, plen);
	return (size_t)(p - buf) + plen;
}

int craft_dlt(enum craft_link link)
{
	switch (link) {
	case CRAFT_SLL:
		return DLT_LINUX_SLL;
	case CRAFT_SLL2:
		return 276;
	case CRAFT_NULL:
		return DLT_NULL;
	case CRAFT_RAW:
		return DLT_RAW;
	default:
		return DLT_EN10MB;
	}
}

static size_t eth_header(uint8_t *p, uint16_t type, bool vlan)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	uint8_t *q = p;
	memcpy(q, macs, 12);
	q += 12;
	if (vlan) {
		q = put16(q, 0x88a8);
		q = put16(q, 100);
		q = put16(q, 0x8100);
		q = put16(q, 200);
	}
	q = put16(q, type);
	return (size_t)(q - p);
}

size_t craft_link(uint8_t *buf, enum craft_link link, const uint8_t *ip, size_t iplen)
{
	uint16_t type = (ip[0] >> 4) == 6 ? 0x86dd : 0x0800;
	size_t h = 0;
	switch (link) {
	case CRAFT_ETH:
	case CRAFT_VLAN:
		h = eth_header(buf, type, link == CRAFT_VLAN);
		break;
	case CRAFT_SLL:
		memset(buf, 0, 16);
		put16(buf + 2, 772); /* ARPHRD_LOOPBACK */
		put16(buf + 14, type);
		h = 16;
		break;
	case CRAFT_SLL2:
		memset(buf, 0, 20);
		put16(buf, type);
		put32(buf + 4, 1);
		put16(buf + 8, 772);
		h = 20;
		break;
	case CRAFT_NULL: /* host byte order, as a little-endian machine writes it */
		buf[0] = (type == 0x0800) ? 2 : 30;
		buf[1] = buf[2] = buf[3] = 0;
		h = 4;
		break;
	case CRAFT_RAW:
		h = 0;
		break;
	}
	memcpy(buf + h, ip, iplen);
	return h + iplen;
}

static size_t udp_tunnel(uint8_t *buf, uint16_t port, const uint8_t *hdr, size_t hlen,
			 const uint8_t *inner, size_t len)
{
	uint8_t *p = buf + eth_header(buf, 0x0800, false);
	size_t udplen = 8 + hlen + len;
	*p++ = 0x45;
	*p++ = 0;
	p = put16(p, (uint16_t)(20 + udplen));
	p = put32(p, 0);
	*p++ = 64;
	*p++ = 17;
	p = put16(p, 0);
	p = put32(p, 0x0a000001); /* mirror source 10.0.0.1 */
	p = put32(p, 0x0a0000fe); /* mirror target 10.0.0.254 */
	p = put16(p, 49152);
	p = put16(p, port);
	p = put16(p, (uint16_t)udplen);
	p = put16(p, 0);
	memcpy(p, hdr, hlen);
	memcpy(p + hlen, inner, len);
	return (size_t)(p - buf) + hlen + len;
}

size_t craft_vxlan(uint8_t *buf, uint32_t vni, const uint8_t *inner, size_t len)
{
	uint8_t h[8] = {
		0x08, 0, 0, 0, (uint8_t)(vni >> 16), (uint8_t)(vni >> 8), (uint8_t)vni, 0
	};
	return udp_tunnel(buf, 4789, h, sizeof(h), inner, len);
}

size_t craft_geneve(uint8_t *buf, uint32_t vni, const uint8_t *inner, size_t len)
{
	/* one 4-byte option (optlen 1) to exercise the option skip */
	uint8_t h[12] = {
		0x01, 0,    0x65, 0x58, (uint8_t)(vni >> 16), (uint8_t)(vni >> 8), (uint8_t)vni, 0,
		0x01, 0x02, 0x03, 0x00
	};
	return udp_tunnel(buf, 6081, h, sizeof(h), inner, len);
}

int craft_open(struct craft_out *o, const char *path, enum craft_link link)
{
	memset(o, 0, sizeof(*o));
	o->link = link;
	o->vni = -1;
	o->ts_us = 1700000000ull * 1000000u;
	o->dead = pcap_open_dead(craft_dlt(link), 65535);
	if (!o->dead)
		return -1;
	o->dump = pcap_dump_open(o->dead, path);
	return o->dump ? 0 : -1;
}

void craft_close(struct craft_out *o)
{
	if (o->dump)
		pcap_dump_close(o->dump);
	if (o->dead)
		pcap_close(o->dead);
	o->dump = NULL;
	o->dead = NULL;
}

void craft_frame(struct craft_out *o, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	o->ts_us += 1000;
	h.ts.tv_sec = (time_t)(o->ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(o->ts_us % 1000000u);
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(o->snap && o->snap < len ? o->snap : len);
	pcap_dump((u_char *)o->dump, &h, frame);
}

void craft_conv_init(struct craft_conv *v, struct craft_out *out, struct craft_ep c,
		     struct craft_ep s)
{
	v->out = out;
	v->c = c;
	v->s = s;
	v->cseq = 1000000u + c.port;
	v->sseq = 5000000u + s.port;
}

static void emit(struct craft_conv *v, bool from_client, uint8_t flags, const void *p, size_t n)
{
	uint8_t ip[CRAFT_FRAME_MAX], fr[CRAFT_FRAME_MAX], wrapped[CRAFT_FRAME_MAX];
	const struct craft_ep *s = from_client ? &v->c : &v->s, *d = from_client ? &v->s : &v->c;
	uint32_t seq = from_client ? v->cseq : v->sseq, ack = from_client ? v->sseq : v->cseq;
	size_t il = craft_ip_tcp(ip, s, d, seq, ack, flags, p, n);
	struct craft_out *o = v->out;
	size_t fl;

	if (o->vni >= 0) {
		size_t inner = craft_link(fr, CRAFT_ETH, ip, il);
		fl = o->geneve ? craft_geneve(wrapped, (uint32_t)o->vni, fr, inner)
			       : craft_vxlan(wrapped, (uint32_t)o->vni, fr, inner);
		craft_frame(o, wrapped, fl);
	} else {
		fl = craft_link(fr, o->link, ip, il);
		craft_frame(o, fr, fl);
	}
	uint32_t adv =
		(uint32_t)n + ((flags & 0x03) ? 1 : 0); /* SYN and FIN take a sequence number */
	if (from_client)
		v->cseq += adv;
	else
		v->sseq += adv;
}

void craft_handshake(struct craft_conv *v)
{
	emit(v, true, 0x02, NULL, 0);
	emit(v, false, 0x12, NULL, 0);
	emit(v, true, 0x10, NULL, 0);
}

void craft_send(struct craft_conv *v, bool from_client, const void *p, size_t n)
{
	emit(v, from_client, 0x18, p, n);
	emit(v, !from_client, 0x10, NULL, 0);
}

void craft_fin(struct craft_conv *v)
{
	emit(v, true, 0x11, NULL, 0);
	emit(v, false, 0x11, NULL, 0);
	emit(v, true, 0x10, NULL, 0);
}

/* ---- application messages ------------------------------------------------------------ */

size_t craft_zk_connect_req(uint8_t *b)
{
	uint8_t *p = put32(b, 45);
	p = put32(p, 0);     /* protocolVersion */
	p = put64(p, 0);     /* lastZxidSeen */
	p = put32(p, 18000); /* timeOut: Kafka's default */
	p = put64(p, 0);     /* sessionId */
	p = put32(p, 16);
	memset(p, 0, 16); /* passwd */
	p += 16;
	*p++ = 0; /* readOnly */
	return (size_t)(p - b);
}

size_t craft_zk_connect_resp(uint8_t *b)
{
	uint8_t *p = put32(b, 37);
	p = put32(p, 0);
	p = put32(p, 18000);
	p = put64(p, 0x1000000abcdef01ull);
	p = put32(p, 16);
	for (int i = 0; i < 16; i++)
		*p++ = (uint8_t)(0xa0 + i); /* a session password: must never reach the report */
	*p++ = 0;
	return (size_t)(p - b);
}

size_t craft_zk_get_data(uint8_t *b, int32_t xid, const char *path)
{
	size_t l = strlen(path);
	uint8_t *p = put32(b, (uint32_t)(4 + 4 + 4 + l + 1));
	p = put32(p, (uint32_t)xid);
	p = put32(p, 4); /* getData */
	p = put32(p, (uint32_t)l);
	memcpy(p, path, l);
	p += l;
	*p++ = 1; /* watch */
	return (size_t)(p - b);
}

size_t craft_zk_reply(uint8_t *b, int32_t xid, int64_t zxid, int32_t err, size_t body)
{
	uint8_t *p = put32(b, (uint32_t)(16 + body));
	p = put32(p, (uint32_t)xid);
	p = put64(p, (uint64_t)zxid);
	p = put32(p, (uint32_t)err);
	memset(p, 0x5a, body);
	return (size_t)(p - b) + body;
}

size_t craft_zk_ping(uint8_t *b)
{
	uint8_t *p = put32(b, 8);
	p = put32(p, 0xfffffffeu);
	p = put32(p, 11);
	return (size_t)(p - b);
}

size_t craft_zk_ping_reply(uint8_t *b)
{
	uint8_t *p = put32(b, 16);
	p = put32(p, 0xfffffffeu);
	p = put64(p, 0x100000005ull);
	p = put32(p, 0);
	return (size_t)(p - b);
}

size_t craft_tls_client_hello(uint8_t *b, const char *sni)
{
	size_t sl = sni ? strlen(sni) : 0;
	uint8_t ext[512], *e = ext;
	if (sni) {
		e = put16(e, 0);
		e = put16(e, (uint16_t)(sl + 5));
		e = put16(e, (uint16_t)(sl + 3));
		*e++ = 0;
		e = put16(e, (uint16_t)sl);
		memcpy(e, sni, sl);
		e += sl;
	}
	e = put16(e, 43); /* supported_versions: TLS 1.3, 1.2 */
	e = put16(e, 5);
	*e++ = 4;
	e = put16(e, 0x0304);
	e = put16(e, 0x0303);
	size_t el = (size_t)(e - ext);
	size_t body = 2 + 32 + 1 + 32 + 2 + 4 + 1 + 1 + 2 + el;
	uint8_t *p = b;
	*p++ = 22;
	p = put16(p, 0x0301);
	p = put16(p, (uint16_t)(4 + body));
	*p++ = 1;
	*p++ = 0;
	p = put16(p, (uint16_t)body);
	p = put16(p, 0x0303);
	memset(p, 0x11, 32); /* random */
	p += 32;
	*p++ = 32;
	memset(p, 0x22, 32); /* session id */
	p += 32;
	p = put16(p, 4);
	p = put16(p, 0x1301);
	p = put16(p, 0x1302);
	*p++ = 1;
	*p++ = 0;
	p = put16(p, (uint16_t)el);
	memcpy(p, ext, el);
	return (size_t)(p - b) + el;
}

size_t craft_tls_server_hello13(uint8_t *b)
{
	size_t body = 2 + 32 + 1 + 32 + 2 + 1 + 2 + 6;
	uint8_t *p = b;
	*p++ = 22;
	p = put16(p, 0x0303);
	p = put16(p, (uint16_t)(4 + body));
	*p++ = 2;
	*p++ = 0;
	p = put16(p, (uint16_t)body);
	p = put16(p, 0x0303);
	memset(p, 0x33, 32);
	p += 32;
	*p++ = 32;
	memset(p, 0x22, 32);
	p += 32;
	p = put16(p, 0x1301);
	*p++ = 0;
	p = put16(p, 6);
	p = put16(p, 43);
	p = put16(p, 2);
	p = put16(p, 0x0304);
	return (size_t)(p - b);
}

size_t craft_tls_appdata(uint8_t *b, size_t body, unsigned records)
{
	uint8_t *p = b;
	for (unsigned i = 0; i < records; i++) {
		*p++ = 23;
		p = put16(p, 0x0303);
		p = put16(p, (uint16_t)body);
		memset(p, 0x77, body);
		p += body;
	}
	return (size_t)(p - b);
}

size_t craft_kafka_apiv_req(uint8_t *b, const char *client_id)
{
	size_t l = strlen(client_id);
	uint8_t *p = put32(b, (uint32_t)(10 + l));
	p = put16(p, 18);
	p = put16(p, 2);
	p = put32(p, 1);
	p = put16(p, (uint16_t)l);
	memcpy(p, client_id, l);
	return (size_t)(p - b) + l;
}

size_t craft_zkq_election_init(uint8_t *b)
{
	static const char addr[] = "10.0.2.8:3888";
	uint8_t *p = put64(b, 0xffffffffffff0000ull);
	p = put64(p, 2);
	p = put32(p, (uint32_t)strlen(addr));
	memcpy(p, addr, strlen(addr));
	return (size_t)(p - b) + strlen(addr);
}

size_t craft_zkq_followerinfo(uint8_t *b)
{
	uint8_t *p = put32(b, 11);
	p = put64(p, 0);
	p = put32(p, 20);
	memset(p, 0, 20);
	p += 20;
	p = put32(p, 0xffffffffu);
	return (size_t)(p - b);
}

void craft_zk_session(struct craft_conv *v, bool handshake)
{
	uint8_t m[256];
	if (handshake) {
		craft_handshake(v);
		craft_send(v, true, m, craft_zk_connect_req(m));
		craft_send(v, false, m, craft_zk_connect_resp(m));
	}
	craft_send(v, true, m, craft_zk_get_data(m, 1, "/brokers/ids/1"));
	craft_send(v, false, m, craft_zk_reply(m, 1, 0x100000004ll, 0, 40));
	craft_send(v, true, m, craft_zk_ping(m));
	craft_send(v, false, m, craft_zk_ping_reply(m));
	craft_fin(v);
}

void craft_tls_session(struct craft_conv *v, const char *sni, bool handshake)
{
	uint8_t m[1024];
	if (handshake) {
		craft_handshake(v);
		craft_send(v, true, m, craft_tls_client_hello(m, sni));
		craft_send(v, false, m, craft_tls_server_hello13(m));
	}
	craft_send(v, true, m, craft_tls_appdata(m, 40, 2));
	craft_send(v, false, m, craft_tls_appdata(m, 60, 1));
	craft_fin(v);
}

void craft_put32(uint8_t *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

void craft_put16(uint8_t *p, uint16_t v, bool be)
{
	p[be ? 1 : 0] = (uint8_t)v;
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
}
