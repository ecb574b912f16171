/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for every decoder of probe/zk_wire.c.
 *
 * Input: byte 0 selects the decoder, the rest is a frame payload (after
 * the int32 length), as the decoders take it:
 *   0 ConnectRequest   1 ConnectResponse   2 request after the handshake
 *   3 ping reply       4 closeSession reply (xid 4)   5 getChildren reply (xid 2)
 *   other values: every decoder on the same bytes.
 *
 * Beyond "never crash, never read past the end": results are 0 or a known
 * positive code, never negative; what the ConnectResponse, request and
 * reply decoders accept survives a round trip through their encoders.
 */
#include <stdlib.h>
#include <string.h>

#include "zk_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rc(int rc)
{
	if (rc < 0 || rc > ZK_WIRE_EXID)
		abort();
}

static void connect_resp(const uint8_t *p, size_t n)
{
	struct zk_connect_resp a, b;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = zk_decode_connect_resp(p, n, &a);
	check_rc(rc);
	if (rc)
		return;
	if (zk_encode_connect_resp(&a, &buf, &len) != 0 || len != n + 4 ||
	    memcmp(buf + 4, p, n) != 0 || zk_decode_connect_resp(buf + 4, len - 4, &b) != 0 ||
	    b.session_id != a.session_id || b.passwd_len != a.passwd_len)
		abort(); /* jute has one encoding: re-encoding gives the same bytes */
	free(buf);
}

static void connect_req(const uint8_t *p, size_t n)
{
	struct zk_connect_req a, b;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = zk_decode_connect_req(p, n, &a);
	check_rc(rc);
	if (rc)
		return;
	if (zk_encode_connect_req(&a, &buf, &len) != 0 ||
	    zk_decode_connect_req(buf + 4, len - 4, &b) != 0 || b.session_id != a.session_id ||
	    b.timeout_ms != a.timeout_ms || b.has_read_only != a.has_read_only)
		abort();
	free(buf);
}

static void request(const uint8_t *p, size_t n)
{
	struct zk_request a, b;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = zk_decode_request(p, n, &a);
	check_rc(rc);
	if (rc)
		return;
	if (!memchr(a.path, '\0', sizeof(a.path)))
		abort();
	/* an escaped path ("\x99") would be escaped again: no round trip */
	if (strchr(a.path, '\\'))
		return;
	/* a decoded path is sanitised; it may not be one we send (no leading '/') */
	rc = zk_encode_request(&a, &buf, &len);
	if (rc == 0 && (zk_decode_request(buf + 4, len - 4, &b) != 0 || b.xid != a.xid ||
			b.op != a.op || strcmp(b.path, a.path) != 0))
		abort();
	if (rc != 0 && rc != -22 /* -EINVAL */)
		abort();
	free(buf);
}

static void reply(const uint8_t *p, size_t n, int32_t op, int32_t xid)
{
	struct zk_reply a, b;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = zk_decode_reply(p, n, op, xid, &a);
	check_rc(rc);
	if (rc)
		return;
	if (a.n_names > ZK_CHILD_NAMES_KEPT ||
	    (a.n_children >= 0 && a.n_names > (uint32_t)a.n_children))
		abort();
	for (uint32_t i = 0; i < a.n_names; i++)
		if (!memchr(a.names[i], '\0', ZK_CHILD_NAME_MAX))
			abort();
	if (a.n_children > (int32_t)a.n_names)
		return; /* not every name was kept: nothing to re-encode */
	if (zk_encode_reply(&a, op, &buf, &len) != 0 ||
	    zk_decode_reply(buf + 4, len - 4, op, xid, &b) != 0 || b.err != a.err ||
	    b.n_children != a.n_children || b.zxid != a.zxid)
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	unsigned sel = data[0];

	if (sel == 0 || sel > 5)
		connect_req(p, n);
	if (sel == 1 || sel > 5)
		connect_resp(p, n);
	if (sel == 2 || sel > 5)
		request(p, n);
	if (sel == 3 || sel > 5)
		reply(p, n, ZK_OP_PING, ZK_XID_PING);
	if (sel == 4 || sel > 5)
		reply(p, n, ZK_OP_CLOSE_SESSION, 4);
	if (sel == 5 || sel > 5)
		reply(p, n, ZK_OP_GET_CHILDREN, 2);
	return 0;
}
