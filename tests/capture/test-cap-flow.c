/* SPDX-License-Identifier: Apache-2.0 */
/* The flow table: both directions joined, client side, the cap, idle eviction, a flood. */
#include <string.h>

#include "../tap.h"
#include "cap-internal.h"
#include "craft.h"

struct sink {
	unsigned n;
	struct cap_flow_result last;
	unsigned zk;
	uint64_t pkts; /* over every flow reported */
};

static void on_done(void *ctx, const struct cap_flow_result *r)
{
	struct sink *s = ctx;
	s->n++;
	s->last = *r;
	s->zk += r->cls == CAP_CLASS_ZK;
	s->pkts += r->pkts[0] + r->pkts[1];
}

static const struct cap_ports ports = {
	.zk = { 2181 }, .n_zk = 1, .kafka = { 9092 }, .n_kafka = 1
};

static int seg(struct cap_flowtab *t, const struct craft_ep *s, const struct craft_ep *d,
	       uint32_t seq, uint8_t flags, const uint8_t *pl, size_t n, uint64_t ts)
{
	uint8_t ip[1024];
	struct cap_pkt p;
	size_t il = craft_ip_tcp(ip, s, d, seq, 0, flags, pl, n);
	if (cap_decap(DLT_RAW, ip, il, &p) != CAP_DECAP_TCP)
		return -1;
	return cap_flowtab_add(t, &p, ts);
}

static void test_join(void)
{
	struct cap_flowtab *t = NULL;
	struct sink s = { 0 };
	struct craft_ep c = craft_ep4("10.0.1.5", 53422), z = craft_ep4("10.0.2.7", 2181);
	uint8_t m[128];
	TAP_EQ_INT(cap_flowtab_new(&t, 16, &ports, on_done, &s), 0, "new");
	seg(t, &c, &z, 100, CAP_TCP_SYN, NULL, 0, 1);
	seg(t, &z, &c, 900, CAP_TCP_SYN | CAP_TCP_ACK, NULL, 0, 2);
	TAP_EQ_INT(seg(t, &c, &z, 101, CAP_TCP_ACK, m, craft_zk_connect_req(m), 3), 1,
		   "flagged plaintext");
	seg(t, &z, &c, 901, CAP_TCP_ACK, m, craft_zk_connect_resp(m), 4);
	cap_flowtab_flush(t);
	TAP_EQ_INT(s.n, 1, "one flow for both directions");
	TAP_EQ_INT(s.last.cls, CAP_CLASS_ZK, "class");
	TAP_EQ_INT(s.last.conf, CAP_CONF_HIGH, "confidence");
	TAP_EQ_INT(s.last.cport, 53422, "client from the SYN");
	TAP_EQ_INT(s.last.client_basis, CAP_BASIS_SYN, "basis syn");
	TAP_EQ_INT(s.last.pkts[0], 2, "client packets");
	TAP_EQ_INT(s.last.pkts[1], 2, "server packets");
	TAP_OK(!s.last.mid_session, "not mid-session");
	cap_flowtab_free(t);
}

static void test_midsession_side(void)
{
	struct cap_flowtab *t = NULL;
	struct sink s = { 0 };
	struct craft_ep c = craft_ep4("10.0.1.5", 40000), z = craft_ep4("10.0.2.7", 31337);
	uint8_t m[128];
	cap_flowtab_new(&t, 16, &ports, on_done, &s);
	/* only the server's ping reply, then the client's ping: the protocol names the client */
	seg(t, &z, &c, 5000, CAP_TCP_ACK, m, craft_zk_ping_reply(m), 1);
	seg(t, &c, &z, 7000, CAP_TCP_ACK, m, craft_zk_ping(m), 2);
	cap_flowtab_flush(t);
	TAP_EQ_INT(s.last.cls, CAP_CLASS_ZK, "ZooKeeper on an unhinted port");
	TAP_EQ_INT(s.last.sport, 31337, "server side from the protocol");
	TAP_EQ_INT(s.last.client_basis, CAP_BASIS_PROTOCOL, "basis protocol");
	TAP_OK(s.last.mid_session, "mid-session");
	cap_flowtab_free(t);
}

static void test_split_and_gap(void)
{
	struct cap_flowtab *t = NULL;
	struct sink s = { 0 };
	struct craft_ep c = craft_ep4("10.0.1.5", 40001), z = craft_ep4("10.0.2.7", 2181);
	uint8_t m[128];
	size_t n = craft_zk_connect_req(m);
	cap_flowtab_new(&t, 16, &ports, on_done, &s);
	seg(t, &c, &z, 100, CAP_TCP_SYN, NULL, 0, 1);
	seg(t, &c, &z, 101, CAP_TCP_ACK, m, 10, 2); /* the request in two pieces */
	seg(t, &c, &z, 101, CAP_TCP_ACK, m, 10, 3); /* a retransmission */
	seg(t, &c, &z, 111, CAP_TCP_ACK, m + 10, n - 10, 4);
	cap_flowtab_flush(t);
	TAP_EQ_INT(s.last.cls, CAP_CLASS_ZK, "reassembled across segments");
	TAP_EQ_INT(s.last.reason, CAP_R_ZK_CONNECT_REQ, "from the ConnectRequest");
	cap_flowtab_free(t);
}

static void test_cap_and_flood(void)
{
	struct cap_flowtab *t = NULL;
	struct sink s = { 0 };
	struct cap_flowtab_stats st;
	struct craft_ep c = craft_ep4("10.0.1.5", 40002), z = craft_ep4("10.0.2.7", 2181);
	uint8_t m[128];
	cap_flowtab_new(&t, 8, &ports, on_done, &s);
	seg(t, &c, &z, 100, CAP_TCP_SYN, NULL, 0, 1);
	seg(t, &c, &z, 101, CAP_TCP_ACK, m, craft_zk_connect_req(m), 2);
	for (unsigned i = 0; i < 100000; i++) { /* a SYN flood of distinct tuples */
		struct craft_ep a = craft_ep4("10.9.0.1", (uint16_t)(1024 + i % 60000));
		a.addr[2] = (uint8_t)(i / 60000);
		seg(t, &a, &z, i, CAP_TCP_SYN, NULL, 0, 3 + i);
	}
	cap_flowtab_stats(t, &st);
	TAP_OK(st.active <= 8, "the table holds at most the cap (%llu)",
	       (unsigned long long)st.active);
	TAP_EQ_INT(st.flows_over_cap, 100000 - 7, "each flood flow beyond the cap counted");
	cap_flowtab_flush(t);
	TAP_EQ_INT(s.zk, 1, "the ZooKeeper flow with payload survived the flood");
	cap_flowtab_free(t);

	/* full of flows with payload: new tuples are refused and estimated */
	memset(&s, 0, sizeof(s));
	cap_flowtab_new(&t, 4, &ports, on_done, &s);
	for (unsigned i = 0; i < 1004; i++) {
		struct craft_ep a = craft_ep4("10.8.0.1", (uint16_t)(1024 + i));
		seg(t, &a, &z, 1, CAP_TCP_ACK, m, craft_zk_ping(m), 10);
		seg(t, &a, &z, 13, CAP_TCP_ACK, m, craft_zk_ping(m),
		    11); /* the refused tuple again */
	}
	cap_flowtab_stats(t, &st);
	TAP_OK(st.flows_over_cap >= 990 && st.flows_over_cap <= 1010,
	       "refused tuples estimated: %llu", (unsigned long long)st.flows_over_cap);
	cap_flowtab_free(t);
}

static void test_idle(void)
{
	struct cap_flowtab *t = NULL;
	struct sink s = { 0 };
	struct craft_ep c = craft_ep4("10.0.1.5", 40003), z = craft_ep4("10.0.2.7", 2181);
	uint8_t m[128];
	cap_flowtab_new(&t, 8, &ports, on_done, &s);
	seg(t, &c, &z, 101, CAP_TCP_ACK, m, craft_zk_ping(m), 1000000);
	c.port++;
	seg(t, &c, &z, 101, CAP_TCP_ACK, m, craft_zk_ping(m),
	    1000000 + (CAP_FLOW_IDLE_S + 1) * 1000000ull);
	TAP_EQ_INT(s.n, 1, "the idle flow was finished");
	cap_flowtab_free(t); /* frees the other without reporting */
}

/*
 * The index grows with the table (1024 entries, then 2048, ...): every flow
 * is found again after each growth, whichever order its packets come in.
 */
static void test_index_growth(void)
{
	struct cap_flowtab *t = NULL;
	struct sink s = { 0 };
	struct cap_flowtab_stats st;
	struct craft_ep z = craft_ep4("10.0.2.7", 2181);
	uint8_t m[128];
	size_t n = craft_zk_ping(m);
	const unsigned nflows = 5000;

	TAP_EQ_INT(cap_flowtab_new(&t, 100000, &ports, on_done, &s), 0, "new");
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < nflows; i++) {
			/* rounds 1 and 2 go backwards and odd first: never the previous packet's flow */
			unsigned k =
				round == 0 ? i : nflows - 1 - (i * 2 + (i * 2 >= nflows)) % nflows;
			struct craft_ep c = craft_ep4("10.7.0.1", (uint16_t)(1024 + k % 50000));
			c.addr[2] = (uint8_t)(k >> 8);
			c.addr[3] = (uint8_t)k;
			seg(t, round == 1 ? &z : &c, round == 1 ? &c : &z, 1 + round, CAP_TCP_ACK,
			    m, n, 10 + round);
		}
	cap_flowtab_stats(t, &st);
	TAP_EQ_INT(st.flows, nflows, "each tuple is one flow after the index grew");
	TAP_EQ_INT(st.active, nflows, "all of them in the table");
	cap_flowtab_flush(t);
	TAP_EQ_INT(s.n, nflows, "each flow reported once");
	TAP_EQ_INT(s.pkts, 3 * nflows, "with all its packets");
	cap_flowtab_free(t);
}

int main(void)
{
	test_join();
	test_midsession_side();
	test_split_and_gap();
	test_cap_and_flood();
	test_idle();
	test_index_growth();
	return tap_done();
}
