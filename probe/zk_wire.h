/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ZooKeeper client protocol (jute) messages that mskprobe sends or reads:
 * the session handshake (ConnectRequest / ConnectResponse), ping,
 * closeSession and getChildren, in both directions (the decoders of
 * requests serve test peers and the capture classifier), and the text
 * answer of the `srvr` four-letter word. The layouts are drawn in zk_wire.c.
 *
 * Results: 0 ok; -ENOMEM / -EINVAL for our own failures (encoders); a
 * positive ZK_WIRE_E* when the peer's bytes are not the expected message
 * (decoders), which the caller turns into evidence. Decoders take a frame
 * payload (after the int32 length), read it only through struct mp_rd and
 * never past len.
 */
#ifndef MP_ZK_WIRE_H
#define MP_ZK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Caps on what a ZooKeeper peer can cost us (see also base/mp_limits.h).
 * jute.maxbuffer is 1 MiB on the server; we read far less.
 */
#define ZK_FRAME_MAX	     (256u * 1024u) /* largest reply frame read (a listing of many znodes) */
#define ZK_CONNECT_FRAME_MAX 1024u	    /* a ConnectResponse is 36 or 37 bytes */
#define ZK_PASSWD_MAX	     64u   /* session password bytes accepted (ZooKeeper sends 16) */
#define ZK_PATH_MAX	     1024u /* paths we encode or decode */
#define ZK_CHILD_NAMES_KEPT  5u	   /* child names kept from one listing */
#define ZK_CHILD_NAME_MAX    48u   /* bytes of one kept name, sanitised */
#define ZK_SRVR_READ_MAX     4096u /* bytes of a four-letter-word answer read */

#define ZK_PROTOCOL_VERSION 0
#define ZK_PASSWD_LEN	    16
#define ZK_CONNECT_REQ_LEN  45 /* with readOnly; 44 from clients before 3.4 */

/* Special xids (ClientCnxn.java). */
#define ZK_XID_NOTIFICATION (-1)
#define ZK_XID_PING	    (-2)
#define ZK_XID_AUTH	    (-4)
#define ZK_XID_SET_WATCHES  (-8)

/* Operation codes (ZooDefs.OpCode). */
#define ZK_OP_GET_CHILDREN  8
#define ZK_OP_PING	    11
#define ZK_OP_CLOSE_SESSION (-11)

/* Error codes in reply headers (KeeperException.Code). */
#define ZK_ERR_OK     0
#define ZK_ERR_NONODE (-101)
#define ZK_ERR_NOAUTH (-102)

/* Positive results: the peer sent something else. */
enum {
	ZK_WIRE_ETRUNCATED = 1, /* the message ends early */
	ZK_WIRE_ETRAILING,	/* bytes after the message */
	ZK_WIRE_EVALUE,		/* a field holds an impossible value */
	ZK_WIRE_EXID,		/* a reply to another request */
};

struct zk_connect_req {
	int32_t protocol_version;
	int64_t last_zxid;
	int32_t timeout_ms;
	int64_t session_id;
	uint8_t passwd[ZK_PASSWD_LEN];
	bool has_read_only; /* false: the 44-byte form of old clients */
	bool read_only;
};

struct zk_connect_resp {
	int32_t protocol_version;
	int32_t timeout_ms; /* 0 with session_id 0: the server refused the session */
	int64_t session_id;
	int32_t passwd_len; /* -1 null */
	uint8_t passwd[ZK_PASSWD_MAX];
	bool has_read_only; /* false: the 36-byte form of servers before 3.4 */
	bool read_only;
};

/* A request after the handshake: header and, for getChildren, its body. */
struct zk_request {
	int32_t xid;
	int32_t op;
	char path[ZK_PATH_MAX + 1]; /* getChildren only; sanitised when decoded */
	bool watch;
};

/* A reply: header and, for getChildren with err 0, the listing. */
struct zk_reply {
	int32_t xid;
	int64_t zxid;
	int32_t err;
	int32_t n_children; /* -1 null vector or no body */
	uint32_t n_names;   /* kept in names[] */
	char names[ZK_CHILD_NAMES_KEPT][ZK_CHILD_NAME_MAX];
};

/*
 * Framed encoders (int32 length prefix included): 0 and a malloc'd buffer
 * in *ret_buf, or -ENOMEM / -EINVAL (a path that is not "/..." or too long).
 */
int zk_encode_connect_req(const struct zk_connect_req *r, uint8_t **ret_buf, size_t *ret_len);
int zk_encode_connect_resp(const struct zk_connect_resp *r, uint8_t **ret_buf, size_t *ret_len);
int zk_encode_request(const struct zk_request *r, uint8_t **ret_buf, size_t *ret_len);
/* names[] of r are sent as the listing; n_children must equal n_names or be -1. */
int zk_encode_reply(const struct zk_reply *r, int32_t op, uint8_t **ret_buf, size_t *ret_len);

/* Decoders of frame payloads. */
int zk_decode_connect_req(const uint8_t *buf, size_t len, struct zk_connect_req *ret);
int zk_decode_connect_resp(const uint8_t *buf, size_t len, struct zk_connect_resp *ret);
int zk_decode_request(const uint8_t *buf, size_t len, struct zk_request *ret);
/*
 * A reply to a request of operation op with xid `xid` (ZK_XID_PING for a
 * ping). A reply with another xid is ZK_WIRE_EXID (notifications included:
 * mskprobe sets no watches). A listing keeps its count and the first
 * ZK_CHILD_NAMES_KEPT names, sanitised.
 */
int zk_decode_reply(const uint8_t *buf, size_t len, int32_t op, int32_t xid, struct zk_reply *ret);

/* A short English reason for a positive decoder result. */
const char *zk_wire_strerror(int code);
/* KeeperException's name for a reply error ("NONODE"), "UNKNOWN" otherwise. */
const char *zk_err_name(int32_t err);

/* ---- four-letter words ------------------------------------------------- */

enum zk_srvr_kind {
	ZK_SRVR_ANSWER = 0,	 /* "Zookeeper version: ..." */
	ZK_SRVR_NOT_WHITELISTED, /* "srvr is not executed because it is not in the whitelist." */
	ZK_SRVR_OTHER,		 /* text that is neither */
};

struct zk_srvr_info {
	enum zk_srvr_kind kind;
	char version[64];   /* "3.8.0-${mvngit.commit.id}": up to the first ',' or space */
	char release[16];   /* "3.8.0": the leading digits and dots of version */
	char mode[24];	    /* "standalone", "leader", "follower", "observer", "read-only" */
	int64_t node_count; /* -1 absent */
};

/*
 * Parse the answer to `srvr` (raw or already sanitised by
 * zk_text_sanitize()). Fields are restricted to a safe alphabet. Returns 0
 * (kind says what it was), never fails on content.
 */
int zk_srvr_parse(const uint8_t *buf, size_t len, struct zk_srvr_info *ret);

/*
 * Copy peer text into a report-safe string: printable ASCII and '\n' are
 * kept, the '\r' of a CRLF dropped, any other byte (and '\\') becomes
 * "\xNN", so the lines zk_srvr_parse() sees are the same. Truncates
 * whole characters and always NUL-terminates when n > 0.
 */
void zk_text_sanitize(char *dst, size_t n, const uint8_t *src, size_t len);

#endif
