/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crafted frames for the capture tests, the fuzz seeds and the benchmark:
 * TCP over Ethernet (optionally 802.1Q), Linux SLL/SLL2, DLT_NULL or raw IP,
 * IPv4 or IPv6, optionally wrapped in VXLAN or GENEVE; and a "conversation"
 * helper that keeps sequence numbers so sessions look like the real thing.
 */
#ifndef CRAFT_H
#define CRAFT_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum craft_link {
	CRAFT_ETH = 0,
	CRAFT_VLAN, /* Ethernet with two 802.1Q/QinQ tags */
	CRAFT_SLL,
	CRAFT_SLL2,
	CRAFT_NULL,
	CRAFT_RAW,
};

struct craft_ep {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
};

struct craft_ep craft_ep4(const char *ip, uint16_t port);
struct craft_ep craft_ep6(const char *ip, uint16_t port);

/* An IP packet (no link header) holding a TCP segment; returns its length. */
size_t craft_ip_tcp(uint8_t *buf, const struct craft_ep *s, const struct craft_ep *d, uint32_t seq,
		    uint32_t ack, uint8_t flags, const void *payload, size_t plen);
/* Put a link header of kind link in front of an IP packet. */
size_t craft_link(uint8_t *buf, enum craft_link link, const uint8_t *ip, size_t iplen);
/* Wrap an Ethernet frame in Ethernet/IPv4/UDP/VXLAN (vni) or GENEVE. */
size_t craft_vxlan(uint8_t *buf, uint32_t vni, const uint8_t *inner, size_t len);
size_t craft_geneve(uint8_t *buf, uint32_t vni, const uint8_t *inner, size_t len);
int craft_dlt(enum craft_link link);
/* Store v at p in big-endian (be) or little-endian order (pcap headers of either writer). */
void craft_put32(uint8_t *p, uint32_t v, bool be);
void craft_put16(uint8_t *p, uint16_t v, bool be);

#define CRAFT_FRAME_MAX 4096

/* Writes frames to a pcap dumper, advancing a fake clock. */
struct craft_out {
	pcap_t *dead;
	pcap_dumper_t *dump;
	enum craft_link link;
	int64_t vni; /* >= 0: wrap every frame in VXLAN (or GENEVE with geneve set) */
	bool geneve;
	uint64_t ts_us;
	unsigned snap; /* > 0: cut frames to this many bytes */
};

int craft_open(struct craft_out *o, const char *path, enum craft_link link);
void craft_close(struct craft_out *o);
void craft_frame(struct craft_out *o, const uint8_t *frame, size_t len);

/* A TCP conversation between a client and a server. */
struct craft_conv {
	struct craft_out *out;
	struct craft_ep c, s;
	uint32_t cseq, sseq;
};

void craft_conv_init(struct craft_conv *v, struct craft_out *out, struct craft_ep c,
		     struct craft_ep s);
void craft_handshake(struct craft_conv *v);
/* from_client: data from the client (else from the server). */
void craft_send(struct craft_conv *v, bool from_client, const void *p, size_t n);
void craft_fin(struct craft_conv *v);

/* Canned application messages. */
size_t craft_zk_connect_req(uint8_t *b);
size_t craft_zk_connect_resp(uint8_t *b);
size_t craft_zk_get_data(uint8_t *b, int32_t xid, const char *path);
size_t craft_zk_reply(uint8_t *b, int32_t xid, int64_t zxid, int32_t err, size_t body);
size_t craft_zk_ping(uint8_t *b);
size_t craft_zk_ping_reply(uint8_t *b);
size_t craft_tls_client_hello(uint8_t *b, const char *sni);
size_t craft_tls_server_hello13(uint8_t *b);
size_t craft_tls_appdata(uint8_t *b, size_t body, unsigned records);
size_t craft_kafka_apiv_req(uint8_t *b, const char *client_id);
size_t craft_zkq_election_init(uint8_t *b);
size_t craft_zkq_followerinfo(uint8_t *b);

/* Common sessions. */
void craft_zk_session(struct craft_conv *v, bool handshake);
void craft_tls_session(struct craft_conv *v, const char *sni, bool handshake);

#endif
