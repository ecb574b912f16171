/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe/zk_wire.c against byte strings written down from zookeeper.jute and
 * ClientCnxn.java (docs/facts.md: ping 00000008 fffffffe 0000000b), against
 * hostile variants of each message, and encoders against decoders.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"
#include "zk_wire.h"

/* Hex with spaces allowed; returns the byte count. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = hex; *p && n < cap;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		unsigned v;
		if (sscanf(p, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		p += 2;
	}
	return n;
}

static bool same_bytes(const uint8_t *a, size_t alen, const char *hex)
{
	uint8_t want[512];
	size_t n = unhex(hex, want, sizeof(want));
	return n == alen && memcmp(a, want, n) == 0;
}

#define PW16 "00000010 000102030405060708090a0b0c0d0e0f"

static void test_connect_req(void)
{
	struct zk_connect_req r = {
		.protocol_version = 0, .timeout_ms = 10000, .has_read_only = true, .read_only = true
	};
	struct zk_connect_req d;
	uint8_t *buf = NULL;
	size_t len = 0;

	TAP_EQ_INT(zk_encode_connect_req(&r, &buf, &len), 0, "encode ConnectRequest");
	TAP_EQ_INT(len, 4 + ZK_CONNECT_REQ_LEN, "ConnectRequest frame is 4 + 45 bytes");
	TAP_OK(same_bytes(buf, len,
			  "0000002d 00000000 0000000000000000 00002710 0000000000000000 "
			  "00000010 00000000000000000000000000000000 01"),
	       "ConnectRequest bytes as jute lays them out");
	TAP_EQ_INT(zk_decode_connect_req(buf + 4, len - 4, &d), 0, "decode it back");
	TAP_OK(d.timeout_ms == 10000 && d.has_read_only && d.read_only && d.session_id == 0,
	       "fields survive the round trip");
	TAP_EQ_INT(zk_decode_connect_req(buf + 4, len - 5, &d), 0, "44-byte form of old clients");
	TAP_OK(!d.has_read_only, "old form has no readOnly");
	TAP_EQ_INT(zk_decode_connect_req(buf + 4, 20, &d), ZK_WIRE_ETRUNCATED, "truncated request");
	free(buf);
}

struct dec_case {
	const char *name;
	const char *hex;
	int want;
};

static void test_connect_resp(void)
{
	static const struct dec_case cases[] = {
		{ "37-byte answer", "00000000 00002710 0000000100000abc " PW16 " 00", 0 },
		{ "36-byte answer (before 3.4)", "00000000 00002710 0000000100000abc " PW16, 0 },
		{ "refused session (id 0)", "00000000 00000000 0000000000000000 " PW16 " 00", 0 },
		{ "empty", "", ZK_WIRE_ETRUNCATED },
		{ "truncated header", "00000000 00002710 00000001", ZK_WIRE_ETRUNCATED },
		{ "password length huge", "00000000 00002710 0000000100000abc 7fffffff 00",
		  ZK_WIRE_EVALUE },
		{ "password length negative", "00000000 00002710 0000000100000abc fffffff0",
		  ZK_WIRE_EVALUE },
		{ "password cut short", "00000000 00002710 0000000100000abc 00000010 0001020304",
		  ZK_WIRE_ETRUNCATED },
		{ "readOnly not a bool", "00000000 00002710 0000000100000abc " PW16 " 02",
		  ZK_WIRE_EVALUE },
		{ "trailing byte", "00000000 00002710 0000000100000abc " PW16 " 01 00",
		  ZK_WIRE_ETRAILING },
		{ "protocol version 1", "00000001 00002710 0000000100000abc " PW16 " 00",
		  ZK_WIRE_EVALUE },
		{ "negative timeout", "00000000 ffffffff 0000000100000abc " PW16 " 00",
		  ZK_WIRE_EVALUE },
		/* "HTTP/1.1 400 Bad Request\r\n" after the 4 bytes the framing took */
		{ "HTTP answer", "2f312e31 20343030 20426164 20526571 75657374 0d0a0d0a",
		  ZK_WIRE_EVALUE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[256];
		size_t n = unhex(cases[i].hex, b, sizeof(b));
		struct zk_connect_resp r;
		TAP_EQ_INT(zk_decode_connect_resp(b, n, &r), cases[i].want, "ConnectResponse: %s",
			   cases[i].name);
		if (cases[i].want == 0 && i == 0)
			TAP_OK(r.session_id == 0x100000abcLL && r.passwd_len == 16 &&
				       r.has_read_only && !r.read_only && r.timeout_ms == 10000,
			       "ConnectResponse fields");
	}

	struct zk_connect_resp s = { .timeout_ms = 6000,
				     .session_id = 42,
				     .passwd_len = 16,
				     .has_read_only = true },
			       d;
	uint8_t *buf = NULL;
	size_t len = 0;
	TAP_EQ_INT(zk_encode_connect_resp(&s, &buf, &len), 0, "encode ConnectResponse");
	TAP_EQ_INT(len, 4 + 37, "ConnectResponse frame is 4 + 37 bytes");
	TAP_EQ_INT(zk_decode_connect_resp(buf + 4, len - 4, &d), 0, "decode it back");
	TAP_OK(d.session_id == 42 && d.timeout_ms == 6000, "round trip");
	free(buf);
	s.passwd_len = 1000;
	TAP_EQ_INT(zk_encode_connect_resp(&s, &buf, &len), -EINVAL,
		   "refuse a silly password length");
}

static void test_requests(void)
{
	struct zk_request q = { .xid = ZK_XID_PING, .op = ZK_OP_PING }, d;
	uint8_t *buf = NULL;
	size_t len = 0;

	TAP_EQ_INT(zk_encode_request(&q, &buf, &len), 0, "encode ping");
	TAP_OK(same_bytes(buf, len, "00000008 fffffffe 0000000b"), "ping bytes as in ClientCnxn");
	TAP_EQ_INT(zk_decode_request(buf + 4, len - 4, &d), 0, "decode ping");
	TAP_OK(d.xid == -2 && d.op == ZK_OP_PING, "ping fields");
	free(buf);

	q = (struct zk_request){ .xid = 5, .op = ZK_OP_CLOSE_SESSION };
	TAP_EQ_INT(zk_encode_request(&q, &buf, &len), 0, "encode closeSession");
	TAP_OK(same_bytes(buf, len, "00000008 00000005 fffffff5"), "closeSession bytes");
	free(buf);

	q = (struct zk_request){ .xid = 1, .op = ZK_OP_GET_CHILDREN };
	mp_strlcpy(q.path, "/brokers/ids", sizeof(q.path));
	TAP_EQ_INT(zk_encode_request(&q, &buf, &len), 0, "encode getChildren");
	TAP_OK(same_bytes(buf, len,
			  "00000019 00000001 00000008 0000000c 2f62726f6b6572732f696473 00"),
	       "getChildren bytes (path ustring, watch false)");
	TAP_EQ_INT(zk_decode_request(buf + 4, len - 4, &d), 0, "decode getChildren");
	TAP_EQ_STR(d.path, "/brokers/ids", "getChildren path");
	buf[len - 1] = 2;
	TAP_EQ_INT(zk_decode_request(buf + 4, len - 4, &d), ZK_WIRE_EVALUE, "watch not a bool");
	TAP_EQ_INT(zk_decode_request(buf + 4, len - 6, &d), ZK_WIRE_ETRUNCATED, "path cut short");
	free(buf);

	static const char *const bad_paths[] = { "", "brokers", "/a b", "/\x7f" };
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
		mp_strlcpy(q.path, bad_paths[i], sizeof(q.path));
		buf = NULL;
		TAP_EQ_INT(zk_encode_request(&q, &buf, &len), -EINVAL, "refuse path #%zu", i);
		TAP_OK(buf == NULL, "no buffer for a refused path");
	}
	memset(q.path, 'a', ZK_PATH_MAX);
	q.path[0] = '/';
	q.path[ZK_PATH_MAX] = '\0';
	TAP_EQ_INT(zk_encode_request(&q, &buf, &len), 0, "a path of ZK_PATH_MAX bytes");
	free(buf);
}

#define HDR(xid) xid " 0000000000000007"

static void test_replies(void)
{
	static const struct {
		const char *name;
		int32_t op, xid;
		const char *hex;
		int want;
		int32_t n_children;
	} cases[] = {
		{ "ping reply", ZK_OP_PING, ZK_XID_PING, HDR("fffffffe") " 00000000", 0, -1 },
		{ "ping reply, other xid", ZK_OP_PING, ZK_XID_PING, HDR("00000001") " 00000000",
		  ZK_WIRE_EXID, 0 },
		{ "notification instead", ZK_OP_PING, ZK_XID_PING, HDR("ffffffff") " 00000000",
		  ZK_WIRE_EXID, 0 },
		{ "closeSession reply", ZK_OP_CLOSE_SESSION, 4, HDR("00000004") " 00000000", 0,
		  -1 },
		{ "listing of 3", ZK_OP_GET_CHILDREN, 2,
		  HDR("00000002") " 00000000 00000003 00000001 31 00000001 32 00000001 33", 0, 3 },
		{ "null listing", ZK_OP_GET_CHILDREN, 2, HDR("00000002") " 00000000 ffffffff", 0,
		  -1 },
		{ "empty listing", ZK_OP_GET_CHILDREN, 2, HDR("00000002") " 00000000 00000000", 0,
		  0 },
		{ "NONODE, no body", ZK_OP_GET_CHILDREN, 2, HDR("00000002") " ffffff9b", 0, -1 },
		{ "NONODE with a body", ZK_OP_GET_CHILDREN, 2, HDR("00000002") " ffffff9b 00000000",
		  ZK_WIRE_ETRAILING, 0 },
		{ "count beyond the frame", ZK_OP_GET_CHILDREN, 2,
		  HDR("00000002") " 00000000 7fffffff 00000001 31", ZK_WIRE_EVALUE, 0 },
		{ "count below -1", ZK_OP_GET_CHILDREN, 2, HDR("00000002") " 00000000 fffffffe",
		  ZK_WIRE_EVALUE, 0 },
		{ "name longer than the frame", ZK_OP_GET_CHILDREN, 2,
		  HDR("00000002") " 00000000 00000001 00000009 31", ZK_WIRE_ETRUNCATED, 0 },
		{ "null name", ZK_OP_GET_CHILDREN, 2, HDR("00000002") " 00000000 00000001 ffffffff",
		  ZK_WIRE_EVALUE, 0 },
		{ "header cut short", ZK_OP_GET_CHILDREN, 2, "00000002 00000000",
		  ZK_WIRE_ETRUNCATED, 0 },
		{ "trailing after listing", ZK_OP_GET_CHILDREN, 2,
		  HDR("00000002") " 00000000 00000001 00000001 31 ff", ZK_WIRE_ETRAILING, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[256];
		size_t n = unhex(cases[i].hex, b, sizeof(b));
		struct zk_reply r;
		int rc = zk_decode_reply(b, n, cases[i].op, cases[i].xid, &r);
		TAP_EQ_INT(rc, cases[i].want, "reply: %s", cases[i].name);
		if (rc == 0 && cases[i].want == 0)
			TAP_EQ_INT(r.n_children, cases[i].n_children, "reply: %s: count",
				   cases[i].name);
	}

	/* a long listing: the count is exact, names are capped and sanitised */
	struct zk_reply s = { .xid = 9, .zxid = 1, .err = 0, .n_children = 5, .n_names = 5 }, d;
	const char *names[] = { "1", "22", "broker\xff", "x", "y" };
	for (int i = 0; i < 5; i++)
		mp_strlcpy(s.names[i], names[i], sizeof(s.names[i]));
	uint8_t *buf = NULL;
	size_t len = 0;
	TAP_EQ_INT(zk_encode_reply(&s, ZK_OP_GET_CHILDREN, &buf, &len), 0, "encode a listing");
	TAP_EQ_INT(zk_decode_reply(buf + 4, len - 4, ZK_OP_GET_CHILDREN, 9, &d), 0,
		   "decode the listing");
	TAP_OK(d.n_children == 5 && d.n_names == 5, "listing counts");
	TAP_EQ_STR(d.names[2], "broker\\xff", "a name with a high byte is escaped");
	free(buf);

	uint8_t big[4 + 16 + 4 + 9 * 5];
	size_t o = 0;
	o += unhex(HDR("00000003") " 00000000 00000009", big, sizeof(big));
	for (int i = 0; i < 9; i++)
		o += unhex("00000001 30", big + o, sizeof(big) - o);
	TAP_EQ_INT(zk_decode_reply(big, o, ZK_OP_GET_CHILDREN, 3, &d), 0, "nine children");
	TAP_OK(d.n_children == 9 && d.n_names == ZK_CHILD_NAMES_KEPT, "count 9, names kept %u",
	       ZK_CHILD_NAMES_KEPT);
}

static void test_srvr(void)
{
	static const char real[] =
		"Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 "
		"17:54 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\n"
		"Connections: 1\nOutstanding: 0\nZxid: 0x0\nMode: standalone\n"
		"Node count: 5\n";
	struct zk_srvr_info si;
	char text[512];

	zk_srvr_parse((const uint8_t *)real, strlen(real), &si);
	TAP_EQ_INT(si.kind, ZK_SRVR_ANSWER, "srvr answer recognised");
	TAP_EQ_STR(si.version, "3.8.0-${mvngit.commit.id}", "srvr version");
	TAP_EQ_STR(si.release, "3.8.0", "srvr release");
	TAP_EQ_STR(si.mode, "standalone", "srvr mode");
	TAP_EQ_INT(si.node_count, 5, "srvr node count");

	zk_text_sanitize(text, sizeof(text), (const uint8_t *)real, strlen(real));
	TAP_EQ_STR(text, real, "plain srvr text passes the sanitiser unchanged");
	zk_srvr_parse((const uint8_t *)text, strlen(text), &si);
	TAP_EQ_STR(si.release, "3.8.0", "sanitised text parses the same");

	static const char crlf[] =
		"Zookeeper version: 3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf, "
		"built on 03/06/2019 16:18 GMT\r\nMode: leader\r\n";
	zk_srvr_parse((const uint8_t *)crlf, strlen(crlf), &si);
	TAP_OK(si.kind == ZK_SRVR_ANSWER && strcmp(si.mode, "leader") == 0 &&
		       strcmp(si.release, "3.4.14") == 0 && si.node_count == -1,
	       "CRLF lines, no node count");

	static const char refused[] = "srvr is not executed because it is not in the whitelist.\n";
	zk_srvr_parse((const uint8_t *)refused, strlen(refused), &si);
	TAP_EQ_INT(si.kind, ZK_SRVR_NOT_WHITELISTED, "4lw whitelist refusal recognised");

	static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	zk_srvr_parse((const uint8_t *)http, strlen(http), &si);
	TAP_EQ_INT(si.kind, ZK_SRVR_OTHER, "HTTP is not a srvr answer");
	zk_srvr_parse(NULL, 0, &si);
	TAP_EQ_INT(si.kind, ZK_SRVR_OTHER, "empty is not a srvr answer");

	static const char hostile[] = "Zookeeper version: 3.9\"<x>\nMode: \x1b[31mred\n";
	zk_srvr_parse((const uint8_t *)hostile, strlen(hostile), &si);
	TAP_OK(strcmp(si.version, "3.9") == 0 && si.mode[0] == '\0',
	       "fields keep only their alphabet");

	static const uint8_t mixed[] = { 'a', '\r', '\n', 'b', 0x01, '\\', 0xff, '\r', 'c' };
	zk_text_sanitize(text, sizeof(text), mixed, sizeof(mixed));
	TAP_EQ_STR(text, "a\nb\\x01\\x5c\\xff\\x0dc",
		   "sanitiser: CRLF becomes LF, a lone CR and controls are escaped");
	/* fuzzer find: a CR opening a line must not turn into a srvr answer */
	static const char cr_line[] = "x\n\rZookeeper version: 3.8.0\n";
	zk_text_sanitize(text, sizeof(text), (const uint8_t *)cr_line, strlen(cr_line));
	zk_srvr_parse((const uint8_t *)text, strlen(text), &si);
	TAP_EQ_INT(si.kind, ZK_SRVR_OTHER, "a CR before the prefix stays visible");
	zk_text_sanitize(text, 6, mixed, sizeof(mixed));
	TAP_EQ_STR(text, "a\nb", "sanitiser truncates whole escapes");
}

int main(void)
{
	test_connect_req();
	test_connect_resp();
	test_requests();
	test_replies();
	test_srvr();
	TAP_OK(strcmp(zk_err_name(ZK_ERR_NONODE), "NONODE") == 0 &&
		       strcmp(zk_err_name(12345), "UNKNOWN") == 0,
	       "error names");
	TAP_OK(strcmp(zk_wire_strerror(ZK_WIRE_EXID), "reply to another request (xid)") == 0,
	       "decoder reasons");
	return tap_done();
}
