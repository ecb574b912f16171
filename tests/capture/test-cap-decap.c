/* SPDX-License-Identifier: Apache-2.0 */
/* Decapsulation, table-driven over link types and tunnels, plus every truncation of each frame. */
#include <string.h>

#include "../tap.h"
#include "cap-internal.h"
#include "craft.h"

static size_t zk_frame(uint8_t *fr, enum craft_link link, bool v6, int tunnel, uint32_t vni)
{
	struct craft_ep c = v6 ? craft_ep6("2001:db8::5", 53422) : craft_ep4("10.0.1.5", 53422);
	struct craft_ep s = v6 ? craft_ep6("2001:db8::7", 2181) : craft_ep4("10.0.2.7", 2181);
	uint8_t ip[512], zk[64], inner[600];
	size_t il = craft_ip_tcp(ip, &c, &s, 77, 0, 0x18, zk, craft_zk_connect_req(zk));
	if (!tunnel)
		return craft_link(fr, link, ip, il);
	size_t n = craft_link(inner, CRAFT_ETH, ip, il);
	return tunnel == 1 ? craft_vxlan(fr, vni, inner, n) : craft_geneve(fr, vni, inner, n);
}

struct dcase {
	const char *name;
	enum craft_link link;
	bool v6;
	int tunnel; /* 0 none, 1 VXLAN, 2 GENEVE */
	int64_t vni;
};

static const struct dcase dcases[] = {
	{ "Ethernet IPv4", CRAFT_ETH, false, 0, -1 }, { "Ethernet IPv6", CRAFT_ETH, true, 0, -1 },
	{ "QinQ", CRAFT_VLAN, false, 0, -1 },	      { "SLL", CRAFT_SLL, false, 0, -1 },
	{ "SLL2", CRAFT_SLL2, true, 0, -1 },	      { "NULL", CRAFT_NULL, false, 0, -1 },
	{ "NULL IPv6", CRAFT_NULL, true, 0, -1 },     { "raw", CRAFT_RAW, false, 0, -1 },
	{ "VXLAN", CRAFT_ETH, false, 1, 4242 },	      { "VXLAN IPv6 inner", CRAFT_ETH, true, 1, 1 },
	{ "GENEVE", CRAFT_ETH, false, 2, 77 },
};

static void test_links(void)
{
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		uint8_t fr[1024];
		struct cap_pkt p;
		size_t n = zk_frame(fr, c->link, c->v6, c->tunnel, (uint32_t)c->vni);
		enum cap_decap_rc rc = cap_decap(craft_dlt(c->link), fr, n, &p);
		TAP_EQ_INT(rc, CAP_DECAP_TCP, "%s: TCP", c->name);
		TAP_EQ_INT(p.dport, 2181, "%s: port", c->name);
		TAP_EQ_INT(p.seq, 77, "%s: seq", c->name);
		TAP_EQ_INT(p.payload_len, 49, "%s: payload", c->name);
		TAP_EQ_INT(p.vni, c->vni, "%s: vni", c->name);
		TAP_EQ_INT(p.src.family, c->v6 ? 6 : 4, "%s: family", c->name);
		TAP_OK(p.payload == fr + p.payload_off, "%s: payload offset", c->name);
		unsigned bad = 0;
		for (size_t k = 0; k < n;
		     k++) { /* every cut is refused or decoded, never overread */
			rc = cap_decap(craft_dlt(c->link), fr, k, &p);
			if (rc == CAP_DECAP_TCP && p.payload_off + p.payload_len > k)
				bad++;
		}
		TAP_EQ_INT(bad, 0, "%s: every truncation stays inside the frame", c->name);
	}
}

static void test_odd(void)
{
	uint8_t fr[1024];
	struct cap_pkt p;
	size_t n = zk_frame(fr, CRAFT_ETH, false, 0, 0);
	fr[14 + 6] = 0x00; /* fragment offset 8 */
	fr[14 + 7] = 0x08;
	TAP_EQ_INT(cap_decap(DLT_EN10MB, fr, n, &p), CAP_DECAP_FRAGMENT, "later fragment counted");
	fr[14 + 6] = 0x20; /* MF, offset 0 */
	fr[14 + 7] = 0;
	TAP_EQ_INT(cap_decap(DLT_EN10MB, fr, n, &p), CAP_DECAP_TCP, "first fragment decoded");
	TAP_OK(p.fragment, "first fragment flagged");
	fr[14 + 6] = 0x40;
	memset(fr + n, 0, 20); /* Ethernet padding after the IP packet is not payload */
	TAP_EQ_INT(cap_decap(DLT_EN10MB, fr, n + 20, &p), CAP_DECAP_TCP, "padded frame");
	TAP_EQ_INT(p.payload_len, 49, "padding trimmed by the IP length");
	TAP_EQ_INT(cap_decap(DLT_IEEE802_11, fr, n, &p), CAP_DECAP_UNSUPPORTED,
		   "802.11 unsupported");
	fr[12] = 0x08;
	fr[13] = 0x06;
	TAP_EQ_INT(cap_decap(DLT_EN10MB, fr, n, &p), CAP_DECAP_OTHER, "ARP is not TCP");
}

int main(void)
{
	test_links();
	test_odd();
	return tap_done();
}
