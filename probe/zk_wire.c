/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ZooKeeper client wire format, from apache/zookeeper
 * zookeeper-jute/src/main/resources/zookeeper.jute (records), ClientCnxn.java
 * (xids, framing) and ZooDefs.OpCode (operation codes). Jute: int32/int64
 * big-endian, boolean one byte, buffer/ustring = int32 length (-1 = null)
 * then the bytes, vector = int32 count (-1 = null) then the elements.
 * Every frame is int32 len | len bytes; the decoders below take the payload.
 *
 * ConnectRequest (first client frame, no request header), len 45 (44 old):
 *   +-----------------+-------------------+--------------+-------------------+
 *   | protocolVersion | lastZxidSeen      | timeOut      | sessionId         |
 *   | int32 = 0       | int64             | int32 ms     | int64 (0 = new)   |
 *   +-----------------+----------+--------+--------------+-------------------+
 *   | passwd len int32 = 16      | passwd 16 bytes       | readOnly bool     |
 *   +----------------------------+-----------------------+-------------------+
 *
 * ConnectResponse, len 37 (36 from servers before 3.4, without readOnly):
 *   | protocolVersion int32 | timeOut int32 | sessionId int64 |
 *   | passwd len int32 | passwd | readOnly bool |
 *
 * Request after the handshake:   | xid int32 | type int32 | body |
 *   ping          xid -2, type 11, no body   (frame 00000008 fffffffe 0000000b)
 *   closeSession  xid n,  type -11, no body
 *   getChildren   xid n,  type 8, body: | path ustring | watch bool |
 *
 * Reply:                          | xid int32 | zxid int64 | err int32 | body |
 *   the body is present only when err == 0; ping and closeSession have none;
 *   getChildren: | children vector<ustring> |
 */
#include "zk_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "util.h"

#define ENC_LIMIT (ZK_PATH_MAX + 64u + ZK_CHILD_NAMES_KEPT * (ZK_CHILD_NAME_MAX + 4u))

static int wr_finish(struct mp_wr *w, uint8_t **ret_buf, size_t *ret_len)
{
	uint8_t *buf;
	size_t len;

	if (w->bad || w->len < 4) {
		mp_wr_free(w);
		return -ENOMEM;
	}
	mp_wr_put_be32(w, 0, (uint32_t)(w->len - 4));
	buf = mp_wr_take(w, &len);
	if (!buf)
		return -ENOMEM;
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static void wr_buffer(struct mp_wr *w, const void *p, int32_t len)
{
	mp_wr_be32(w, (uint32_t)len);
	if (len > 0)
		mp_wr_bytes(w, p, (size_t)len);
}

/* A path we are willing to send: "/" then printable ASCII, bounded. */
static bool path_ok(const char *path)
{
	size_t n = strnlen(path, ZK_PATH_MAX + 1);
	if (n == 0 || n > ZK_PATH_MAX || path[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x21 || (unsigned char)path[i] > 0x7e)
			return false;
	return true;
}

int zk_encode_connect_req(const struct zk_connect_req *r, uint8_t **ret_buf, size_t *ret_len)
{
	struct mp_wr w;

	mp_wr_init(&w, ENC_LIMIT);
	mp_wr_be32(&w, 0); /* frame length, patched */
	mp_wr_be32(&w, (uint32_t)r->protocol_version);
	mp_wr_be64(&w, (uint64_t)r->last_zxid);
	mp_wr_be32(&w, (uint32_t)r->timeout_ms);
	mp_wr_be64(&w, (uint64_t)r->session_id);
	wr_buffer(&w, r->passwd, ZK_PASSWD_LEN);
	if (r->has_read_only)
		mp_wr_u8(&w, r->read_only ? 1 : 0);
	return wr_finish(&w, ret_buf, ret_len);
}

int zk_encode_connect_resp(const struct zk_connect_resp *r, uint8_t **ret_buf, size_t *ret_len)
{
	struct mp_wr w;

	if (r->passwd_len < -1 || r->passwd_len > (int32_t)ZK_PASSWD_MAX)
		return -EINVAL;
	mp_wr_init(&w, ENC_LIMIT);
	mp_wr_be32(&w, 0);
	mp_wr_be32(&w, (uint32_t)r->protocol_version);
	mp_wr_be32(&w, (uint32_t)r->timeout_ms);
	mp_wr_be64(&w, (uint64_t)r->session_id);
	wr_buffer(&w, r->passwd, r->passwd_len);
	if (r->has_read_only)
		mp_wr_u8(&w, r->read_only ? 1 : 0);
	return wr_finish(&w, ret_buf, ret_len);
}

int zk_encode_request(const struct zk_request *r, uint8_t **ret_buf, size_t *ret_len)
{
	struct mp_wr w;

	if (r->op == ZK_OP_GET_CHILDREN && !path_ok(r->path))
		return -EINVAL;
	mp_wr_init(&w, ENC_LIMIT);
	mp_wr_be32(&w, 0);
	mp_wr_be32(&w, (uint32_t)r->xid);
	mp_wr_be32(&w, (uint32_t)r->op);
	if (r->op == ZK_OP_GET_CHILDREN) {
		wr_buffer(&w, r->path, (int32_t)strlen(r->path));
		mp_wr_u8(&w, r->watch ? 1 : 0);
	}
	return wr_finish(&w, ret_buf, ret_len);
}

int zk_encode_reply(const struct zk_reply *r, int32_t op, uint8_t **ret_buf, size_t *ret_len)
{
	struct mp_wr w;

	if (r->n_names > ZK_CHILD_NAMES_KEPT ||
	    (r->n_children != -1 && r->n_children != (int32_t)r->n_names))
		return -EINVAL;
	mp_wr_init(&w, ENC_LIMIT);
	mp_wr_be32(&w, 0);
	mp_wr_be32(&w, (uint32_t)r->xid);
	mp_wr_be64(&w, (uint64_t)r->zxid);
	mp_wr_be32(&w, (uint32_t)r->err);
	if (op == ZK_OP_GET_CHILDREN && r->err == ZK_ERR_OK) {
		mp_wr_be32(&w, (uint32_t)r->n_children);
		for (uint32_t i = 0; i < r->n_names; i++) {
			size_t n = strnlen(r->names[i], ZK_CHILD_NAME_MAX);
			wr_buffer(&w, r->names[i], (int32_t)n);
		}
	}
	return wr_finish(&w, ret_buf, ret_len);
}

/*
 * A jute buffer or ustring of at most max bytes: 0 with *ret_body over its
 * bytes (left 0 and *ret_null for -1), ZK_WIRE_ETRUNCATED or ZK_WIRE_EVALUE.
 */
static int rd_buffer(struct mp_rd *r, uint32_t max, struct mp_rd *ret_body, bool *ret_null)
{
	int32_t n = (int32_t)mp_rd_be32(r);
	if (r->bad)
		return ZK_WIRE_ETRUNCATED;
	if (n < -1 || (n > 0 && (uint32_t)n > max))
		return ZK_WIRE_EVALUE;
	*ret_null = n == -1;
	*ret_body = mp_rd_sub(r, n > 0 ? (size_t)n : 0);
	return ret_body->bad ? ZK_WIRE_ETRUNCATED : 0;
}

static int end_of(const struct mp_rd *r)
{
	if (r->bad)
		return ZK_WIRE_ETRUNCATED;
	return r->left ? ZK_WIRE_ETRAILING : 0;
}

/* A trailing jute bool that only newer peers send: absent, 0 or 1. */
static int rd_opt_bool(struct mp_rd *r, bool *ret_has, bool *ret_v)
{
	*ret_has = false;
	*ret_v = false;
	if (r->left == 0)
		return 0;
	uint8_t b = mp_rd_u8(r);
	if (b > 1)
		return ZK_WIRE_EVALUE;
	*ret_has = true;
	*ret_v = b == 1;
	return 0;
}

int zk_decode_connect_req(const uint8_t *buf, size_t len, struct zk_connect_req *ret)
{
	struct mp_rd r = mp_rd_init(buf, len);
	struct zk_connect_req q = { 0 };
	struct mp_rd pw;
	bool null;
	int rc;

	q.protocol_version = (int32_t)mp_rd_be32(&r);
	q.last_zxid = (int64_t)mp_rd_be64(&r);
	q.timeout_ms = (int32_t)mp_rd_be32(&r);
	q.session_id = (int64_t)mp_rd_be64(&r);
	if (r.bad)
		return ZK_WIRE_ETRUNCATED;
	/* clients send 16 bytes (zeros for a new session) */
	if ((rc = rd_buffer(&r, ZK_PASSWD_LEN, &pw, &null)))
		return rc;
	memcpy(q.passwd, pw.p, pw.left);
	if ((rc = rd_opt_bool(&r, &q.has_read_only, &q.read_only)))
		return rc;
	if (q.protocol_version != ZK_PROTOCOL_VERSION || q.timeout_ms < 0)
		return ZK_WIRE_EVALUE;
	if ((rc = end_of(&r)))
		return rc;
	*ret = q;
	return 0;
}

int zk_decode_connect_resp(const uint8_t *buf, size_t len, struct zk_connect_resp *ret)
{
	struct mp_rd r = mp_rd_init(buf, len);
	struct zk_connect_resp s = { 0 };
	struct mp_rd pw;
	bool null;
	int rc;

	s.protocol_version = (int32_t)mp_rd_be32(&r);
	s.timeout_ms = (int32_t)mp_rd_be32(&r);
	s.session_id = (int64_t)mp_rd_be64(&r);
	if (r.bad)
		return ZK_WIRE_ETRUNCATED;
	if ((rc = rd_buffer(&r, ZK_PASSWD_MAX, &pw, &null)))
		return rc;
	s.passwd_len = null ? -1 : (int32_t)pw.left;
	memcpy(s.passwd, pw.p, pw.left);
	if ((rc = rd_opt_bool(&r, &s.has_read_only, &s.read_only)))
		return rc;
	if (s.protocol_version != ZK_PROTOCOL_VERSION || s.timeout_ms < 0)
		return ZK_WIRE_EVALUE;
	if ((rc = end_of(&r)))
		return rc;
	*ret = s;
	return 0;
}

/* A ustring that must not be null, into a report-safe name (dst may be NULL: skip). */
static int rd_name(struct mp_rd *r, char *dst, size_t n)
{
	struct mp_rd s;
	bool null;
	int rc = rd_buffer(r, ZK_PATH_MAX, &s, &null);
	if (rc)
		return rc;
	if (null)
		return ZK_WIRE_EVALUE;
	if (dst)
		mp_sanitize(dst, n, s.p, s.left);
	return 0;
}

int zk_decode_request(const uint8_t *buf, size_t len, struct zk_request *ret)
{
	struct mp_rd r = mp_rd_init(buf, len);
	struct zk_request q = { 0 };

	q.xid = (int32_t)mp_rd_be32(&r);
	q.op = (int32_t)mp_rd_be32(&r);
	if (r.bad)
		return ZK_WIRE_ETRUNCATED;
	if (q.op == ZK_OP_GET_CHILDREN) {
		int rc = rd_name(&r, q.path, sizeof(q.path));
		if (rc)
			return rc;
		uint8_t w = mp_rd_u8(&r);
		if (r.bad)
			return ZK_WIRE_ETRUNCATED;
		if (w > 1)
			return ZK_WIRE_EVALUE;
		q.watch = w == 1;
	}
	/* other operations' bodies are not decoded here: their bytes are left */
	if (q.op == ZK_OP_GET_CHILDREN || q.op == ZK_OP_PING || q.op == ZK_OP_CLOSE_SESSION) {
		int rc = end_of(&r);
		if (rc)
			return rc;
	}
	*ret = q;
	return 0;
}

int zk_decode_reply(const uint8_t *buf, size_t len, int32_t op, int32_t xid, struct zk_reply *ret)
{
	struct mp_rd r = mp_rd_init(buf, len);
	struct zk_reply p = { 0 };

	p.xid = (int32_t)mp_rd_be32(&r);
	p.zxid = (int64_t)mp_rd_be64(&r);
	p.err = (int32_t)mp_rd_be32(&r);
	p.n_children = -1;
	if (r.bad)
		return ZK_WIRE_ETRUNCATED;
	if (p.xid != xid)
		return ZK_WIRE_EXID;
	if (op == ZK_OP_GET_CHILDREN && p.err == ZK_ERR_OK) {
		p.n_children = (int32_t)mp_rd_be32(&r);
		if (r.bad)
			return ZK_WIRE_ETRUNCATED;
		/* each child costs at least its 4-byte length: a bigger count is a lie */
		if (p.n_children < -1 || (p.n_children > 0 && (uint64_t)p.n_children * 4u > r.left))
			return ZK_WIRE_EVALUE;
		for (int32_t i = 0; i < p.n_children; i++) {
			bool keep = p.n_names < ZK_CHILD_NAMES_KEPT;
			int rc = rd_name(&r, keep ? p.names[p.n_names] : NULL, ZK_CHILD_NAME_MAX);
			if (rc)
				return rc;
			if (keep)
				p.n_names++;
		}
	}
	int rc = end_of(&r);
	if (rc)
		return rc;
	*ret = p;
	return 0;
}

const char *zk_wire_strerror(int code)
{
	switch (code) {
	case 0:
		return "ok";
	case ZK_WIRE_ETRUNCATED:
		return "message ends early";
	case ZK_WIRE_ETRAILING:
		return "bytes after the message";
	case ZK_WIRE_EVALUE:
		return "impossible field value";
	case ZK_WIRE_EXID:
		return "reply to another request (xid)";
	default:
		return "unknown decoder result";
	}
}

const char *zk_err_name(int32_t err)
{
	static const struct {
		int32_t code;
		const char *name;
	} t[] = {
		{ 0, "OK" },
		{ -1, "SYSTEMERROR" },
		{ -4, "CONNECTIONLOSS" },
		{ -6, "UNIMPLEMENTED" },
		{ -8, "BADARGUMENTS" },
		{ -13, "NEWCONFIGNOQUORUM" },
		{ -100, "APIERROR" },
		{ -101, "NONODE" },
		{ -102, "NOAUTH" },
		{ -112, "SESSIONEXPIRED" },
		{ -115, "AUTHFAILED" },
		{ -119, "NOTREADONLY" },
		{ -124, "SESSIONMOVED" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == err)
			return t[i].name;
	return "UNKNOWN";
}

/* ---- four-letter words ------------------------------------------------- */

/* Bytes mp_sanitize() needs for line: 4 for every byte it escapes. */
static size_t sanitized_len(struct mp_rd line)
{
	size_t need = line.left;
	for (size_t i = 0; i < line.left; i++)
		if (line.p[i] < 0x20 || line.p[i] >= 0x7f || line.p[i] == '\\')
			need += 3;
	return need;
}

void zk_text_sanitize(char *dst, size_t n, const uint8_t *src, size_t len)
{
	struct mp_rd r = mp_rd_init(src, len);
	size_t o = 0;

	if (!n)
		return;
	dst[0] = '\0';
	while (r.left) {
		size_t l = 0;
		while (l < r.left && r.p[l] != '\n')
			l++;
		struct mp_rd line = mp_rd_sub(&r, l);
		bool nl = r.left > 0;
		if (nl) {
			mp_rd_skip(&r, 1);
			if (line.left && line.p[line.left - 1] == '\r')
				line.left--; /* CRLF -> LF; a lone CR is escaped */
		}
		mp_sanitize(dst + o, n - o, line.p, line.left);
		size_t w = strlen(dst + o);
		o += w;
		if (w < sanitized_len(line) || (nl && o + 1 >= n))
			return; /* truncated: never a partial line after a cut */
		if (nl) {
			dst[o++] = '\n';
			dst[o] = '\0';
		}
	}
}

/* Does line (not NUL-terminated) start with prefix? Then *ret_rest follows it. */
static bool line_starts(struct mp_rd line, const char *prefix, struct mp_rd *ret_rest)
{
	size_t n = strlen(prefix);
	if (line.left < n || memcmp(line.p, prefix, n) != 0)
		return false;
	mp_rd_skip(&line, n);
	*ret_rest = line;
	return true;
}

/* Copy a token of [A-Za-z0-9._+${}-] up to the first other byte. */
static void token(struct mp_rd v, char *dst, size_t n)
{
	size_t o = 0;
	while (v.left && o + 1 < n) {
		uint8_t c = v.p[0];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == '_' || c == '-' || c == '+' || c == '$' || c == '{' ||
		      c == '}'))
			break;
		dst[o++] = (char)mp_rd_u8(&v);
	}
	dst[o] = '\0';
}

static void srvr_line(struct mp_rd line, struct zk_srvr_info *s)
{
	struct mp_rd v;

	if (line_starts(line, "Zookeeper version: ", &v)) {
		s->kind = ZK_SRVR_ANSWER;
		token(v, s->version, sizeof(s->version));
		size_t i = 0;
		while (s->version[i] && i + 1 < sizeof(s->release) &&
		       ((s->version[i] >= '0' && s->version[i] <= '9') || s->version[i] == '.'))
			i++;
		memcpy(s->release, s->version, i);
		s->release[i] = '\0';
	} else if (line_starts(line, "Mode: ", &v)) {
		token(v, s->mode, sizeof(s->mode));
	} else if (line_starts(line, "Node count: ", &v)) {
		int64_t c = 0;
		bool any = false;
		while (v.left && v.p[0] >= '0' && v.p[0] <= '9' && c < (int64_t)1 << 40) {
			c = c * 10 + (mp_rd_u8(&v) - '0');
			any = true;
		}
		if (any)
			s->node_count = c;
	} else if (s->kind != ZK_SRVR_ANSWER) {
		static const char refused[] = "is not executed because it is not in the whitelist";
		for (size_t i = 0; i + sizeof(refused) - 1 <= line.left; i++)
			if (memcmp(line.p + i, refused, sizeof(refused) - 1) == 0) {
				s->kind = ZK_SRVR_NOT_WHITELISTED;
				break;
			}
	}
}

int zk_srvr_parse(const uint8_t *buf, size_t len, struct zk_srvr_info *ret)
{
	struct mp_rd r = mp_rd_init(buf, len);
	struct zk_srvr_info s = { .kind = ZK_SRVR_OTHER, .node_count = -1 };

	while (r.left) {
		size_t n = 0;
		while (n < r.left && r.p[n] != '\n')
			n++;
		struct mp_rd line = mp_rd_sub(&r, n);
		if (line.left && line.p[line.left - 1] == '\r')
			line.left--;
		srvr_line(line, &s);
		if (r.left)
			mp_rd_skip(&r, 1); /* the '\n' */
	}
	*ret = s;
	return 0;
}
