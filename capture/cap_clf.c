/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Classify the first bytes of one TCP direction. Each detector checks one
 * wire format and answers a class, a confidence and a reason; the strongest
 * wins. Ports never enter here: they are only a hint, applied by the flow.
 *
 * ZooKeeper client protocol (apache/zookeeper zookeeper.jute, ClientCnxn.java):
 *   frame        int32 len | len bytes (0 <= len <= jute.maxbuffer, 1 MiB)
 *   ConnectReq   len=44|45 | protocolVersion=0 | lastZxid i64 | timeOut i32 | sessionId i64
 *                | passwd (int32 16 + 16 bytes) | readOnly bool (45 only)
 *   ConnectResp  len=36|37 | protocolVersion=0 | timeOut i32 | sessionId i64 | passwd(16) | [readOnly]
 *   request      len | xid i32 | type i32 | body (path-bearing bodies start with a jute string "/...")
 *   reply        len | xid i32 | zxid i64 | err i32 | body
 *   ping         00000008 fffffffe 0000000b, reply 00000010 fffffffe <zxid> 00000000
 *   watch event  len | xid=-1 | zxid | err | type i32 | state i32 | path
 *   4lw          raw ASCII "srvr", "ruok", ... at connection start, text answer, close
 * ZooKeeper server to server (QuorumCnxManager.java, Learner.java):
 *   election     i64 protocol (-65536 | -65535) | sid i64 | int32 len | "host:port"
 *   notification int32 len | state i32 | leader i64 | zxid i64 | electionEpoch i64 | peerEpoch i64
 *                | version i32 | config (int32 len + "server.N=...")
 *   QuorumPacket type i32 (1..19) | zxid i64 | data (int32 len|-1 + bytes) | authinfo (int32 n|-1 ...)
 *                (no length prefix: BinaryOutputArchive.writeRecord)
 * TLS (RFC 8446 5.1, RFC 5246 6.2): type(20..24) | 0x03 | minor 0..4 | len <= 2^14+2048;
 *   handshake: type(1) len(3) ...; ClientHello: version random(32) session_id cipher_suites
 *   compression extensions; server_name (0, RFC 6066 3), supported_versions (43, RFC 8446 4.2.1).
 * Kafka request (KIP-35/KIP-482): int32 size | int16 api_key | int16 api_version | int32
 *   correlation_id | int16 client_id length (-1 = null) | client_id.
 */
#include <string.h>

#include "bytes.h"
#include "cap-internal.h"
#include "util.h"

static void set(struct cap_clf_out *o, enum cap_class cls, enum cap_conf conf, enum cap_reason why,
		int sender_is_client, uint16_t arg)
{
	o->cls = (uint8_t)cls;
	o->conf = (uint8_t)conf;
	o->reason = (uint8_t)why;
	o->sender_is_client = (int8_t)sender_is_client;
	o->arg = arg;
}

/* ---- ZooKeeper client protocol ------------------------------------------ */

static bool zk_frame_len_ok(uint32_t len)
{
	return len <= CAP_ZK_FRAME_MAX;
}

static bool zk_connect_req(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t len = mp_rd_be32(&r);
	uint32_t proto = mp_rd_be32(&r);
	uint64_t zxid = mp_rd_be64(&r);
	if (r.bad || (len != 44 && len != 45) || proto != 0 || zxid >> 63)
		return false;
	uint32_t timeout = mp_rd_be32(&r);
	mp_rd_skip(&r, 8); /* sessionId */
	uint32_t plen = mp_rd_be32(&r);
	if (r.bad) { /* cut short (snap length, mirroring): the prefix still fits */
		set(o, CAP_CLASS_ZK, CAP_CONF_MEDIUM, CAP_R_ZK_CONNECT_REQ, 1, 0);
		return true;
	}
	if (timeout == 0 || timeout > 86400000u || plen != 16)
		return false;
	set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_CONNECT_REQ, 1, 0);
	return true;
}

static bool zk_connect_resp(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t len = mp_rd_be32(&r);
	uint32_t proto = mp_rd_be32(&r);
	uint32_t timeout = mp_rd_be32(&r);
	mp_rd_skip(&r, 8); /* sessionId */
	uint32_t plen = mp_rd_be32(&r);
	if (r.bad || (len != 36 && len != 37) || proto != 0 || timeout > 86400000u || plen != 16)
		return false;
	set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_CONNECT_RESP, 0, 0);
	return true;
}

static bool zk_ping(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t len = mp_rd_be32(&r), xid = mp_rd_be32(&r);
	if (r.bad || xid != 0xfffffffeu)
		return false;
	if (len == 8 && mp_rd_be32(&r) == 11 && !r.bad) {
		set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_PING, 1, 0);
		return true;
	}
	mp_rd_skip(&r, 8); /* zxid */
	if (len == 16 && mp_rd_be32(&r) == 0 && !r.bad) {
		set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_PING_REPLY, 0, 0);
		return true;
	}
	return false;
}

/* A jute string holding a ZooKeeper path: "/" then printable bytes (what was captured of it). */
static bool zk_path(struct mp_rd *r, uint32_t frame_left)
{
	uint32_t plen = mp_rd_be32(r);
	if (r->bad || plen == 0 || plen > 4096 || plen > frame_left)
		return false;
	size_t have = plen < r->left ? plen : r->left;
	if (have == 0 || r->p[0] != '/')
		return false;
	for (size_t i = 0; i < have; i++)
		if (r->p[i] < 0x20 || r->p[i] >= 0x7f)
			return false;
	return true;
}

static bool zk_notification(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t len = mp_rd_be32(&r), xid = mp_rd_be32(&r);
	mp_rd_skip(&r, 8); /* zxid */
	uint32_t err = mp_rd_be32(&r);
	int32_t type = (int32_t)mp_rd_be32(&r);
	mp_rd_skip(&r, 4); /* state */
	if (r.bad || xid != 0xffffffffu || err != 0 || type < -1 || type > 8 || len < 28 ||
	    !zk_frame_len_ok(len) || !zk_path(&r, len - 28))
		return false;
	set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_NOTIFICATION, 0, 0);
	return true;
}

/* Opcodes (ZooDefs.OpCode) and whether the request body starts with a path. */
static bool zk_opcode(int32_t type, bool *ret_path)
{
	static const int16_t path_ops[] = { 1,	2,  3,	4,  5,	6,  7,	8,   9,	  12,
					    13, 15, 17, 18, 19, 20, 21, 103, 104, 106 };
	static const int16_t other_ops[] = { 11, 14, 16, 22, 100, 101, 102, 105, 107, -10, -11 };
	for (size_t i = 0; i < sizeof(path_ops) / sizeof(path_ops[0]); i++)
		if (type == path_ops[i]) {
			*ret_path = true;
			return true;
		}
	for (size_t i = 0; i < sizeof(other_ops) / sizeof(other_ops[0]); i++)
		if (type == other_ops[i]) {
			*ret_path = false;
			return true;
		}
	return false;
}

static bool zk_request(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t len = mp_rd_be32(&r);
	int32_t xid = (int32_t)mp_rd_be32(&r);
	int32_t type = (int32_t)mp_rd_be32(&r);
	bool has_path = false;
	if (r.bad || len < 8 || !zk_frame_len_ok(len) || xid < -8 || !zk_opcode(type, &has_path))
		return false;
	if (has_path) {
		if (!zk_path(&r, len - 8))
			return false;
		set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_PATH_REQ, 1, (uint16_t)type);
		return true;
	}
	if (type == -11 && len != 8)
		return false; /* closeSession has no body */
	if (type == 100 && xid != -4)
		return false; /* auth packets use xid -4 */
	set(o, CAP_CLASS_ZK, CAP_CONF_MEDIUM, CAP_R_ZK_REQ, 1, (uint16_t)type);
	return true;
}

static bool zk_err_ok(int32_t err)
{
	return err == 0 || (err <= -1 && err >= -16) || (err <= -100 && err >= -130);
}

/* Reply headers: two complete frames in a row, or one that fills the bytes exactly. */
static bool zk_replies(struct mp_rd r, struct cap_clf_out *o)
{
	unsigned frames = 0;
	bool exact = false;
	while (frames < 4 && r.left >= 20) {
		uint32_t len = mp_rd_be32(&r);
		struct mp_rd f = mp_rd_sub(&r, len);
		int32_t xid = (int32_t)mp_rd_be32(&f);
		uint64_t zxid = mp_rd_be64(&f);
		int32_t err = (int32_t)mp_rd_be32(&f);
		if (f.bad || len < 16 || !zk_frame_len_ok(len) || xid < -8 || zxid >> 62 ||
		    !zk_err_ok(err))
			break;
		frames++;
		exact = r.left == 0;
	}
	if (frames >= 2 || (frames == 1 && exact)) {
		set(o, CAP_CLASS_ZK, frames >= 2 ? CAP_CONF_MEDIUM : CAP_CONF_LOW, CAP_R_ZK_REPLY,
		    0, 0);
		return true;
	}
	return false;
}

static const char *const zk_4lw[] = {
	"conf", "cons", "crst", "dump", "envi", "ruok", "srst", "srvr", "stat", "wchs",
	"wchc", "dirs", "wchp", "mntr", "isro", "gtmk", "stmk", "hash", "reqs", "ydfd",
};

static bool zk_four_letter(const uint8_t *p, size_t n, struct cap_clf_out *o)
{
	if (n < 4 || (n > 4 && p[4] != '\n' && p[4] != '\r') || n > 6)
		return false;
	for (size_t i = 0; i < sizeof(zk_4lw) / sizeof(zk_4lw[0]); i++)
		if (memcmp(p, zk_4lw[i], 4) == 0) {
			set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_4LW, 1, (uint16_t)i);
			return true;
		}
	return false;
}

static bool has_prefix(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n >= l && memcmp(p, s, l) == 0;
}

static bool has_within(const uint8_t *p, size_t n, const char *s, size_t window)
{
	size_t l = strlen(s);
	size_t lim = n < window ? n : window;
	for (size_t i = 0; i + l <= lim;
	     i++) /* the first byte before a call: most offsets fail there */
		if (p[i] == (uint8_t)s[0] && memcmp(p + i, s, l) == 0)
			return true;
	return false;
}

/* Four-letter-word answers (FourLetterCommands.java, the command classes). */
static bool zk_four_letter_reply(const uint8_t *p, size_t n, struct cap_clf_out *o)
{
	if ((n == 4 && has_prefix(p, n, "imok")) || has_prefix(p, n, "Zookeeper version: ") ||
	    has_within(p, n, " is not executed because it is not in the whitelist.", 64) ||
	    has_prefix(p, n, "This ZooKeeper instance is not currently serving requests")) {
		set(o, CAP_CLASS_ZK, CAP_CONF_HIGH, CAP_R_ZK_4LW_REPLY, 0, 0);
		return true;
	}
	return false;
}

/* ---- ZooKeeper server to server ------------------------------------------ */

static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

static bool zkq_election_init(struct mp_rd r, struct cap_clf_out *o)
{
	uint64_t proto = mp_rd_be64(&r);
	uint64_t sid = mp_rd_be64(&r);
	uint32_t alen = mp_rd_be32(&r);
	if (r.bad || (proto != 0xffffffffffff0000ull && proto != 0xffffffffffff0001ull) ||
	    sid >> 48 || alen == 0 || alen > 512)
		return false;
	size_t have = alen < r.left ? alen : r.left;
	if (!printable(r.p, have))
		return false;
	set(o, CAP_CLASS_ZK_QUORUM, CAP_CONF_HIGH, CAP_R_ZKQ_ELECTION_INIT, 1, 0);
	return true;
}

static bool zkq_election_note(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t len = mp_rd_be32(&r);
	uint32_t state = mp_rd_be32(&r);
	uint64_t leader = mp_rd_be64(&r);
	mp_rd_skip(&r, 24); /* zxid, electionEpoch, peerEpoch */
	if (r.bad || len < 28 || len > CAP_ZK_FRAME_MAX || state > 3 || leader >> 48)
		return false;
	if (len >= 44) {
		uint32_t version = mp_rd_be32(&r);
		uint32_t clen = mp_rd_be32(&r);
		if (!r.bad && version >= 1 && version <= 2 && clen <= len - 44 &&
		    has_prefix(r.p, r.left, "server.")) {
			set(o, CAP_CLASS_ZK_QUORUM, CAP_CONF_HIGH, CAP_R_ZKQ_ELECTION_NOTE, -1, 0);
			return true;
		}
	}
	if (len == 28 || len == 36 || len == 40 || len == 44) {
		set(o, CAP_CLASS_ZK_QUORUM, CAP_CONF_LOW, CAP_R_ZKQ_ELECTION_NOTE, -1, 0);
		return true;
	}
	return false;
}

/* One QuorumPacket; false when it does not parse completely. */
static bool zkq_packet(struct mp_rd *r, uint32_t *ret_type)
{
	uint32_t type = mp_rd_be32(r);
	mp_rd_skip(r, 8); /* zxid */
	uint32_t dlen = mp_rd_be32(r);
	if (r->bad || type < 1 || type > 19 || (dlen != 0xffffffffu && dlen > CAP_ZK_FRAME_MAX))
		return false;
	if (dlen != 0xffffffffu)
		mp_rd_skip(r, dlen);
	uint32_t n = mp_rd_be32(r);
	if (r->bad || (n != 0xffffffffu && n > 16))
		return false;
	for (uint32_t i = 0; n != 0xffffffffu && i < n; i++) {
		uint32_t slen = mp_rd_be32(r);
		if (slen > 64)
			return false;
		mp_rd_skip(r, slen);
		uint32_t alen = mp_rd_be32(r);
		if (alen > 1024)
			return false;
		mp_rd_skip(r, alen);
	}
	*ret_type = type;
	return !r->bad;
}

static bool zkq_packets(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t first = 0, type = 0;
	unsigned n = 0;
	while (n < 4 && r.left > 0 && zkq_packet(&r, &type)) {
		if (n++ == 0)
			first = type;
	}
	if (n == 0)
		return false;
	/* FOLLOWERINFO 11, OBSERVERINFO 16, ACKEPOCH 18 come from the learner; LEADERINFO 17 from the leader */
	if (first == 11 || first == 16 || first == 18) {
		set(o, CAP_CLASS_ZK_QUORUM, CAP_CONF_HIGH, CAP_R_ZKQ_PACKET, 1, (uint16_t)first);
	} else if (first == 17) {
		set(o, CAP_CLASS_ZK_QUORUM, CAP_CONF_HIGH, CAP_R_ZKQ_PACKET, 0, (uint16_t)first);
	} else if (n >= 2 || r.left == 0) {
		set(o, CAP_CLASS_ZK_QUORUM, n >= 2 ? CAP_CONF_MEDIUM : CAP_CONF_LOW,
		    CAP_R_ZKQ_PACKET, -1, (uint16_t)first);
	} else {
		return false;
	}
	return true;
}

/* ---- TLS ----------------------------------------------------------------- */

bool cap_sni_valid(const uint8_t *p, size_t n)
{
	size_t label = 0;
	if (n == 0 || n > CAP_SNI_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok || ++label > 63)
			return false;
	}
	return label > 0;
}

static bool tls_header(struct mp_rd *r, uint8_t *ret_type, uint16_t *ret_len)
{
	uint8_t type = mp_rd_u8(r), major = mp_rd_u8(r), minor = mp_rd_u8(r);
	uint16_t len = mp_rd_be16(r);
	if (r->bad || type < 20 || type > 24 || major != 3 || minor > 4 || len == 0 ||
	    len > CAP_TLS_RECORD_MAX)
		return false;
	*ret_type = type;
	*ret_len = len;
	return true;
}

/* server_name (RFC 6066 3): list len | type 0 | name len | name. */
static void tls_sni(struct mp_rd e, struct cap_clf_out *o)
{
	mp_rd_skip(&e, 2);
	uint8_t type = mp_rd_u8(&e);
	uint16_t nlen = mp_rd_be16(&e);
	struct mp_rd name = mp_rd_sub(&e, nlen);
	if (name.bad || type != 0)
		return;
	if (!cap_sni_valid(name.p, name.left)) {
		mp_strlcpy(o->sni, "(invalid)", sizeof(o->sni));
		return;
	}
	memcpy(o->sni, name.p, name.left);
	o->sni[name.left] = '\0';
}

/* supported_versions (RFC 8446 4.2.1): the highest offered, or the one selected. */
static void tls_versions(struct mp_rd e, bool client, struct cap_clf_out *o)
{
	if (!client) {
		uint16_t v = mp_rd_be16(&e);
		if (!e.bad)
			o->tls_version = v;
		return;
	}
	uint8_t n = mp_rd_u8(&e);
	struct mp_rd l = mp_rd_sub(&e, n);
	while (!l.bad && l.left >= 2) {
		uint16_t v = mp_rd_be16(&l);
		if ((v >> 8) == 3 && v > o->tls_version && v <= 0x0304)
			o->tls_version = v;
	}
}

static void tls_extensions(struct mp_rd r, bool client, struct cap_clf_out *o)
{
	uint16_t total = mp_rd_be16(&r);
	struct mp_rd x = mp_rd_sub(&r, total);
	if (x.bad) /* cut by our buffer: walk what we have */
		x = r;
	for (unsigned i = 0; i < CAP_TLS_EXT_MAX && x.left >= 4; i++) {
		uint16_t type = mp_rd_be16(&x), len = mp_rd_be16(&x);
		struct mp_rd e = mp_rd_sub(&x, len);
		if (e.bad)
			return;
		if (type == 0 && client)
			tls_sni(e, o);
		else if (type == 43)
			tls_versions(e, client, o);
	}
}

/* A ClientHello (1) or ServerHello (2) body after the 4-byte handshake header. */
static void tls_hello(struct mp_rd r, bool client, struct cap_clf_out *o)
{
	o->tls_version = mp_rd_be16(&r);
	mp_rd_skip(&r, 32); /* random */
	uint8_t sid = mp_rd_u8(&r);
	if (sid > 32)
		return;
	mp_rd_skip(&r, sid);
	if (client) {
		uint16_t cs = mp_rd_be16(&r);
		mp_rd_skip(&r, cs);
		uint8_t comp = mp_rd_u8(&r);
		mp_rd_skip(&r, comp);
	} else {
		mp_rd_skip(&r, 3); /* cipher suite, compression */
	}
	if (!r.bad)
		tls_extensions(r, client, o);
}

static bool tls_records(struct mp_rd r, struct cap_clf_out *o)
{
	uint8_t type = 0, first = 0;
	uint16_t len = 0;
	unsigned n = 0;
	if (!tls_header(&r, &first, &len))
		return false;
	if (first == 22 && r.left >= 1 && (r.p[0] == 1 || r.p[0] == 2)) {
		bool client = r.p[0] == 1;
		struct mp_rd body = r;
		if (body.left > len)
			body.left = len;
		mp_rd_skip(&body, 4);
		set(o, CAP_CLASS_TLS, CAP_CONF_HIGH,
		    client ? CAP_R_TLS_CLIENT_HELLO : CAP_R_TLS_SERVER_HELLO, client ? 1 : 0, 0);
		if (!body.bad)
			tls_hello(body, client, o);
		return true;
	}
	n = 1;
	mp_rd_skip(&r, len);
	while (!r.bad && r.left >= 5 && n < 8 && tls_header(&r, &type, &len)) {
		n++;
		mp_rd_skip(&r, len);
	}
	bool exact = !r.bad && r.left == 0;
	set(o, CAP_CLASS_TLS, n >= 2 || exact ? CAP_CONF_MEDIUM : CAP_CONF_LOW,
	    n >= 2 ? CAP_R_TLS_RECORDS : CAP_R_TLS_RECORD, -1, first);
	return true;
}

/* SSLv2-compatible ClientHello: 2-byte length with the high bit, type 1, version 3.x. */
static bool tls_sslv2(const uint8_t *p, size_t n, struct cap_clf_out *o)
{
	if (n < 5 || !(p[0] & 0x80) || p[2] != 1 || p[3] != 3 || p[4] > 4)
		return false;
	set(o, CAP_CLASS_TLS, CAP_CONF_MEDIUM, CAP_R_TLS_SSLV2_HELLO, 1, 0);
	return true;
}

/* ---- Kafka ---------------------------------------------------------------- */

static bool kafka_request(struct mp_rd r, struct cap_clf_out *o)
{
	uint32_t size = mp_rd_be32(&r);
	uint16_t key = mp_rd_be16(&r), ver = mp_rd_be16(&r);
	uint32_t corr = mp_rd_be32(&r);
	int16_t clen = (int16_t)mp_rd_be16(&r);
	if (r.bad || size < 10 || size > CAP_KAFKA_FRAME_MAX || key > CAP_KAFKA_API_KEY_MAX ||
	    ver > CAP_KAFKA_API_VER_MAX || corr >> 31 || clen < -1 ||
	    (clen > 0 && (uint32_t)clen > size - 10))
		return false;
	if (clen > 0) {
		size_t have = (size_t)clen < r.left ? (size_t)clen : r.left;
		if (!printable(r.p, have))
			return false;
		set(o, CAP_CLASS_KAFKA, have == (size_t)clen ? CAP_CONF_HIGH : CAP_CONF_MEDIUM,
		    CAP_R_KAFKA_REQ, 1, key);
		return true;
	}
	set(o, CAP_CLASS_KAFKA, key == 18 ? CAP_CONF_MEDIUM : CAP_CONF_LOW, CAP_R_KAFKA_REQ, 1,
	    key);
	return true;
}

/* ---- the classifier --------------------------------------------------------- */

typedef bool (*detector_fn)(struct mp_rd r, struct cap_clf_out *o);

/* Order breaks ties at equal confidence: the first detector that answers wins. */
static const detector_fn detectors[] = {
	tls_records,	   zk_connect_req, zk_connect_resp,   zk_ping,
	zk_notification,   zk_request,	   zkq_election_init, zkq_packets,
	zkq_election_note, kafka_request,  zk_replies,
};

/*
 * Only the fixed fields and the SNI's first byte are cleared and copied: the
 * whole struct is 262 bytes (the SNI slot), and clearing it for each of the
 * eleven detectors was most of the classifier's time on bulk traffic.
 */
static void clf_clear(struct cap_clf_out *o, int8_t sender_is_client)
{
	o->cls = CAP_CLASS_UNKNOWN;
	o->conf = CAP_CONF_NONE;
	o->reason = CAP_R_NONE;
	o->sender_is_client = sender_is_client;
	o->arg = 0;
	o->tls_version = 0;
	o->sni[0] = '\0';
}

static void clf_copy(struct cap_clf_out *to, const struct cap_clf_out *from)
{
	to->cls = from->cls;
	to->conf = from->conf;
	to->reason = from->reason;
	to->sender_is_client = from->sender_is_client;
	to->arg = from->arg;
	to->tls_version = from->tls_version;
	mp_strlcpy(to->sni, from->sni, sizeof(to->sni));
}

void cap_clf_bytes(const uint8_t *p, size_t n, struct cap_clf_out *ret)
{
	struct cap_clf_out cur;

	clf_clear(ret, -1);
	clf_clear(&cur, 0);
	if (zk_four_letter(p, n, &cur) || zk_four_letter_reply(p, n, &cur) ||
	    tls_sslv2(p, n, &cur)) {
		clf_copy(ret, &cur);
		return;
	}
	/* one reader for all: built per call it stalled each one on a store-to-load forward */
	const struct mp_rd r = mp_rd_init(p, n);
	for (size_t i = 0; i < sizeof(detectors) / sizeof(detectors[0]); i++) {
		clf_clear(&cur, 0);
		if (detectors[i](r, &cur) && cur.conf > ret->conf)
			clf_copy(ret, &cur);
		if (ret->conf == CAP_CONF_HIGH)
			break;
	}
}

const char *cap_class_name(enum cap_class c)
{
	static const char *const names[CAP_CLASS_COUNT] = {
		"unknown", "zookeeper-plaintext", "zookeeper-quorum", "tls", "kafka-plaintext",
	};
	return (unsigned)c < CAP_CLASS_COUNT ? names[c] : "unknown";
}

const char *cap_conf_name(enum cap_conf c)
{
	static const char *const names[] = { "none", "low", "medium", "high" };
	return (unsigned)c <= CAP_CONF_HIGH ? names[c] : "none";
}

static const char *zk_op_name(int16_t op)
{
	switch (op) {
	case 1:
		return "create";
	case 2:
		return "delete";
	case 3:
		return "exists";
	case 4:
		return "getData";
	case 5:
		return "setData";
	case 6:
		return "getACL";
	case 7:
		return "setACL";
	case 8:
		return "getChildren";
	case 9:
		return "sync";
	case 11:
		return "ping";
	case 12:
		return "getChildren2";
	case 13:
		return "check";
	case 14:
		return "multi";
	case 15:
		return "create2";
	case 16:
		return "reconfig";
	case 17:
		return "checkWatches";
	case 18:
		return "removeWatches";
	case 19:
		return "createContainer";
	case 20:
		return "deleteContainer";
	case 21:
		return "createTTL";
	case 22:
		return "multiRead";
	case 100:
		return "auth";
	case 101:
		return "setWatches";
	case 102:
		return "sasl";
	case 103:
		return "getEphemerals";
	case 104:
		return "getAllChildrenNumber";
	case 105:
		return "setWatches2";
	case 106:
		return "addWatch";
	case 107:
		return "whoAmI";
	case -10:
		return "createSession";
	case -11:
		return "closeSession";
	default:
		return "?";
	}
}

void cap_reason_text(char *buf, size_t n, enum cap_reason r, uint16_t arg)
{
	switch (r) {
	case CAP_R_ZK_CONNECT_REQ:
		mp_fmt(buf, n,
		       "ZooKeeper ConnectRequest (length 44/45, protocol 0, 16-byte passwd)");
		break;
	case CAP_R_ZK_CONNECT_RESP:
		mp_fmt(buf, n,
		       "ZooKeeper ConnectResponse (length 36/37, protocol 0, 16-byte passwd)");
		break;
	case CAP_R_ZK_PING:
		mp_fmt(buf, n, "ZooKeeper ping request (xid -2, op 11)");
		break;
	case CAP_R_ZK_PING_REPLY:
		mp_fmt(buf, n, "ZooKeeper ping reply (xid -2, err 0)");
		break;
	case CAP_R_ZK_NOTIFICATION:
		mp_fmt(buf, n, "ZooKeeper watch notification (xid -1) with a '/' path");
		break;
	case CAP_R_ZK_PATH_REQ:
		mp_fmt(buf, n, "ZooKeeper %s request (op %d) with a '/' path",
		       zk_op_name((int16_t)arg), (int16_t)arg);
		break;
	case CAP_R_ZK_REQ:
		mp_fmt(buf, n, "ZooKeeper %s request header (op %d)", zk_op_name((int16_t)arg),
		       (int16_t)arg);
		break;
	case CAP_R_ZK_REPLY:
		mp_fmt(buf, n, "ZooKeeper reply headers (len, xid, zxid, known error code)");
		break;
	case CAP_R_ZK_4LW:
		mp_fmt(buf, n, "ZooKeeper four-letter word '%s'",
		       arg < sizeof(zk_4lw) / sizeof(zk_4lw[0]) ? zk_4lw[arg] : "?");
		break;
	case CAP_R_ZK_4LW_REPLY:
		mp_fmt(buf, n, "ZooKeeper four-letter-word answer");
		break;
	case CAP_R_ZKQ_ELECTION_INIT:
		mp_fmt(buf, n,
		       "ZooKeeper leader-election connection (protocol -65536, sid, host:port)");
		break;
	case CAP_R_ZKQ_ELECTION_NOTE:
		mp_fmt(buf, n, "ZooKeeper leader-election notification");
		break;
	case CAP_R_ZKQ_PACKET:
		mp_fmt(buf, n, "ZooKeeper QuorumPacket (type %u)", arg);
		break;
	case CAP_R_TLS_CLIENT_HELLO:
		mp_fmt(buf, n, "TLS ClientHello");
		break;
	case CAP_R_TLS_SERVER_HELLO:
		mp_fmt(buf, n, "TLS ServerHello");
		break;
	case CAP_R_TLS_RECORDS:
		mp_fmt(buf, n, "chained TLS record headers (first content type %u)", arg);
		break;
	case CAP_R_TLS_RECORD:
		mp_fmt(buf, n, "one TLS record header (content type %u)", arg);
		break;
	case CAP_R_TLS_SSLV2_HELLO:
		mp_fmt(buf, n, "SSLv2-compatible ClientHello");
		break;
	case CAP_R_KAFKA_REQ:
		mp_fmt(buf, n, "Kafka request header (api key %u)", arg);
		break;
	default:
		mp_fmt(buf, n, "no known protocol in the first payload bytes");
		break;
	}
}
