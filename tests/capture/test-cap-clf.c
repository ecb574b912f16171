/* SPDX-License-Identifier: Apache-2.0 */
/* The classifier, table-driven: bytes in, class, confidence, reason and side out. */
#include <string.h>

#include "../tap.h"
#include "cap-internal.h"
#include "craft.h"

struct clf_case {
	const char *name;
	size_t (*make)(uint8_t *b);
	enum cap_class cls;
	enum cap_conf conf;
	enum cap_reason reason;
	int sender_is_client;
};

static size_t get_data(uint8_t *b)
{
	return craft_zk_get_data(b, 7, "/controller");
}
static size_t reply2(uint8_t *b)
{
	size_t n = craft_zk_reply(b, 7, 0x100000004ll, 0, 12);
	return n + craft_zk_reply(b + n, 8, 0x100000005ll, -101, 0);
}
static size_t hello(uint8_t *b)
{
	return craft_tls_client_hello(b, "zk.example.com");
}
static size_t hello_bad(uint8_t *b)
{
	return craft_tls_client_hello(b, "a..b");
}
static size_t appdata(uint8_t *b)
{
	return craft_tls_appdata(b, 30, 3);
}
static size_t appdata1(uint8_t *b)
{
	return craft_tls_appdata(b, 30, 1) - 10;
}
static size_t kafka(uint8_t *b)
{
	return craft_kafka_apiv_req(b, "producer-1");
}
static size_t srvr(uint8_t *b)
{
	memcpy(b, "srvr", 4);
	return 4;
}
static size_t srvr_reply(uint8_t *b)
{
	memcpy(b, "Zookeeper version: 3.8.0", 24);
	return 24;
}
static size_t junk(uint8_t *b)
{
	memset(b, 0xc3, 64);
	return 64;
}
static size_t empty(uint8_t *b)
{
	(void)b;
	return 0;
}
static size_t http(uint8_t *b)
{
	memcpy(b, "GET / HTTP/1.1\r\n\r\n", 18);
	return 18;
}
static size_t close_session(uint8_t *b)
{
	static const uint8_t m[] = { 0, 0, 0, 8, 0, 0, 0, 9, 0xff, 0xff, 0xff, 0xf5 };
	memcpy(b, m, sizeof(m));
	return sizeof(m);
}
static size_t sslv2(uint8_t *b)
{
	static const uint8_t m[] = { 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15 };
	memcpy(b, m, sizeof(m));
	return sizeof(m);
}

static const struct clf_case cases[] = {
	{ "connect request", craft_zk_connect_req, CAP_CLASS_ZK, CAP_CONF_HIGH,
	  CAP_R_ZK_CONNECT_REQ, 1 },
	{ "connect response", craft_zk_connect_resp, CAP_CLASS_ZK, CAP_CONF_HIGH,
	  CAP_R_ZK_CONNECT_RESP, 0 },
	{ "getData", get_data, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_PATH_REQ, 1 },
	{ "two replies", reply2, CAP_CLASS_ZK, CAP_CONF_MEDIUM, CAP_R_ZK_REPLY, 0 },
	{ "ping", craft_zk_ping, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_PING, 1 },
	{ "ping reply", craft_zk_ping_reply, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_PING_REPLY, 0 },
	{ "closeSession", close_session, CAP_CLASS_ZK, CAP_CONF_MEDIUM, CAP_R_ZK_REQ, 1 },
	{ "srvr", srvr, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_4LW, 1 },
	{ "srvr answer", srvr_reply, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_4LW_REPLY, 0 },
	{ "ClientHello", hello, CAP_CLASS_TLS, CAP_CONF_HIGH, CAP_R_TLS_CLIENT_HELLO, 1 },
	{ "ServerHello", craft_tls_server_hello13, CAP_CLASS_TLS, CAP_CONF_HIGH,
	  CAP_R_TLS_SERVER_HELLO, 0 },
	{ "app data x3", appdata, CAP_CLASS_TLS, CAP_CONF_MEDIUM, CAP_R_TLS_RECORDS, -1 },
	{ "app data cut", appdata1, CAP_CLASS_TLS, CAP_CONF_LOW, CAP_R_TLS_RECORD, -1 },
	{ "SSLv2 hello", sslv2, CAP_CLASS_TLS, CAP_CONF_MEDIUM, CAP_R_TLS_SSLV2_HELLO, 1 },
	{ "Kafka ApiVersions", kafka, CAP_CLASS_KAFKA, CAP_CONF_HIGH, CAP_R_KAFKA_REQ, 1 },
	{ "election", craft_zkq_election_init, CAP_CLASS_ZK_QUORUM, CAP_CONF_HIGH,
	  CAP_R_ZKQ_ELECTION_INIT, 1 },
	{ "FOLLOWERINFO", craft_zkq_followerinfo, CAP_CLASS_ZK_QUORUM, CAP_CONF_HIGH,
	  CAP_R_ZKQ_PACKET, 1 },
	{ "junk", junk, CAP_CLASS_UNKNOWN, CAP_CONF_NONE, CAP_R_NONE, -1 },
	{ "HTTP", http, CAP_CLASS_UNKNOWN, CAP_CONF_NONE, CAP_R_NONE, -1 },
	{ "empty", empty, CAP_CLASS_UNKNOWN, CAP_CONF_NONE, CAP_R_NONE, -1 },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[1024];
		struct cap_clf_out o;
		const struct clf_case *c = &cases[i];
		cap_clf_bytes(b, c->make(b), &o);
		TAP_EQ_STR(cap_class_name(o.cls), cap_class_name(c->cls), "%s: class", c->name);
		TAP_EQ_INT(o.conf, c->conf, "%s: confidence", c->name);
		TAP_EQ_INT(o.reason, c->reason, "%s: reason", c->name);
		if (c->conf)
			TAP_EQ_INT(o.sender_is_client, c->sender_is_client, "%s: side", c->name);
	}
}

static void test_sni(void)
{
	uint8_t b[1024];
	struct cap_clf_out o;
	cap_clf_bytes(b, hello(b), &o);
	TAP_EQ_STR(o.sni, "zk.example.com", "SNI kept when valid");
	TAP_EQ_INT(o.tls_version, 0x0304, "TLS 1.3 from supported_versions");
	cap_clf_bytes(b, hello_bad(b), &o);
	TAP_EQ_STR(o.sni, "(invalid)", "an SNI with an empty label is not kept");
	TAP_OK(!cap_sni_valid((const uint8_t *)"a\xff", 2), "high bytes rejected");
	TAP_OK(!cap_sni_valid((const uint8_t *)"-", 0), "empty rejected");
	TAP_OK(cap_sni_valid((const uint8_t *)"b-1.kafka.us-east-1.amazonaws.com", 33),
	       "MSK host accepted");
}

/* Every prefix of every case must classify without reading past the end (run under ASan in CI fuzz). */
static void test_prefixes(void)
{
	unsigned n = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[1024];
		size_t len = cases[i].make(b);
		for (size_t k = 0; k <= len; k++) {
			struct cap_clf_out o;
			cap_clf_bytes(b, k, &o);
			n++;
		}
	}
	TAP_OK(n > 100, "classified %u prefixes", n);
}

int main(void)
{
	test_table();
	test_sni();
	test_prefixes();
	return tap_done();
}
