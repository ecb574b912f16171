/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ZooKeeper stand-in (STANDIN_ZOOKEEPER, lab/standin.h): a standalone
 * ZooKeeper 3.8 as a network probe sees it. Frames are read and written by
 * probe/zk_wire.h's jute codec (its layouts are drawn in zk_wire.c); what
 * is decided here is ZooKeeper's server side: ZooKeeperServer's session
 * handshake, FinalRequestProcessor's answers to the few requests mskprobe
 * sends, NIOServerCnxn's four-letter words at connection start.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "standin-internal.h"
#include "util.h"
#include "zk_wire.h"

/* zoo.cfg tickTime and the session bounds it implies
 * (minSessionTimeout = 2 ticks, maxSessionTimeout = 20 ticks). */
#define ZK_TICK_MS	  2000
#define ZK_SESSION_MIN_MS (2 * ZK_TICK_MS)
#define ZK_SESSION_MAX_MS (20 * ZK_TICK_MS)
#define ZK_STANDIN_ZXID	  0x10000002aLL /* epoch 1, a few transactions in */
#define ZK_SRVR_TEXT_MAX  512u

/*
 * The fixed tree getChildren lists with zk_list: what a Kafka 2.x cluster's
 * ZooKeeper holds, cut to ZK_CHILD_NAMES_KEPT names per node (the encoder's
 * bound). Kafka's KafkaZkClient creates /brokers/{ids,topics,seqid} and
 * /kafka-acl/<resource type>.
 */
static const struct {
	const char *path;
	const char *children[ZK_CHILD_NAMES_KEPT];
} zk_tree[] = {
	{ "/", { "brokers", "config", "controller", "kafka-acl", "zookeeper" } },
	{ "/brokers", { "ids", "seqid", "topics" } },
	{ "/brokers/ids", { "1", "2", "3" } },
	{ "/kafka-acl", { "Cluster", "DelegationToken", "Group", "Topic", "TransactionalId" } },
	{ "/zookeeper", { "config", "quota" } },
};

/* Four-letter words ZooKeeper 3.8 knows (FourLetterCommands.java). */
static const char zk_4lw_known[][5] = { "conf", "cons", "crst", "dirs", "dump", "envi",
					"gtmk", "hash", "isro", "mntr", "ruok", "srst",
					"srvr", "stat", "stmk", "wchc", "wchp", "wchs" };

static uint32_t zk_node_count(void)
{
	uint32_t n = 1; /* "/" */
	for (size_t i = 0; i < sizeof(zk_tree) / sizeof(zk_tree[0]); i++)
		for (size_t j = 0; j < ZK_CHILD_NAMES_KEPT && zk_tree[i].children[j]; j++)
			n++;
	return n;
}

/* Queue a framed answer from the zk_wire encoders; -1 when one failed. */
static int zk_queue(struct standin_server *s, struct conn *c, int rc, uint8_t *buf, size_t len)
{
	if (rc < 0)
		return -1;
	standin_conn_queue(c, buf, len);
	standin_count(&s->answers);
	c->l->zk_sent++;
	return 0;
}

/*
 * A four-letter word at connection start (NIOServerCnxn.checkFourLetterWord):
 * 1 answered (the connection closes after the text), 0 not a known word,
 * -1 out of memory.
 */
static int zk_four_letter(struct standin_server *s, struct conn *c)
{
	struct listener *l = c->l;
	char word[5], text[ZK_SRVR_TEXT_MAX];
	bool known = false;

	memcpy(word, c->in, 4);
	word[4] = '\0';
	for (size_t i = 0; i < sizeof(zk_4lw_known) / sizeof(zk_4lw_known[0]) && !known; i++)
		known = memcmp(word, zk_4lw_known[i], 4) == 0;
	if (!known)
		return 0;
	standin_count(&s->requests);
	l->zk_received++;
	if (strcmp(word, "srvr") != 0 || l->zk_4lw_refused)
		mp_fmt(text, sizeof(text),
		       "%s is not executed because it is not in the whitelist.\n", word);
	else
		/* Debian's 3.8.0 build leaves the git placeholder in (docs/facts.md) */
		mp_fmt(text, sizeof(text),
		       "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 "
		       "UTC\n"
		       "Latency min/avg/max: 0/0.0/0\n"
		       "Received: %llu\n"
		       "Sent: %llu\n"
		       "Connections: %llu\n"
		       "Outstanding: 0\n"
		       "Zxid: 0x%llx\n"
		       "Mode: standalone\n"
		       "Node count: %u\n",
		       (unsigned long long)l->zk_received, (unsigned long long)l->zk_sent,
		       (unsigned long long)l->open_conns, (unsigned long long)ZK_STANDIN_ZXID,
		       zk_node_count());
	c->in_len = 0;
	c->close_after_write = true;
	standin_count(&s->answers);
	l->zk_sent++;
	return standin_conn_queue_copy(c, text, strlen(text)) ? -1 : 1;
}

/* The session handshake (ZooKeeperServer.processConnectRequest). -1 closes. */
static int zk_connect(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct zk_connect_req q;
	struct zk_connect_resp a = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;

	if (zk_decode_connect_req(p, n, &q))
		return -1;
	if (q.last_zxid > ZK_STANDIN_ZXID)
		return -1; /* "Refusing session request for client as it has seen zxid ..." */
	a.protocol_version = ZK_PROTOCOL_VERSION;
	a.has_read_only = q.has_read_only; /* the 36-byte form to old clients */
	a.passwd_len = ZK_PASSWD_LEN;
	if (q.session_id != 0) {
		/* not a session we issued: expired, say so and close */
		c->close_after_write = true;
	} else {
		a.timeout_ms = q.timeout_ms < ZK_SESSION_MIN_MS	  ? ZK_SESSION_MIN_MS
			       : q.timeout_ms > ZK_SESSION_MAX_MS ? ZK_SESSION_MAX_MS
								  : q.timeout_ms;
		a.session_id = (int64_t)s->zk_next_sid++;
		if (RAND_bytes(a.passwd, ZK_PASSWD_LEN) != 1) {
			ERR_clear_error();
			return -1;
		}
		c->zk_session = true;
	}
	int rc = zk_encode_connect_resp(&a, &buf, &len);
	OPENSSL_cleanse(a.passwd, sizeof(a.passwd));
	return zk_queue(s, c, rc, buf, len);
}

/* One request in an open session. -1 closes. */
static int zk_request(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct zk_request q;
	struct zk_reply a = { .n_children = -1 };
	uint8_t *buf = NULL;
	size_t len = 0;

	if (zk_decode_request(p, n, &q))
		return -1;
	a.xid = q.xid;
	a.zxid = ZK_STANDIN_ZXID;
	switch (q.op) {
	case ZK_OP_PING:
		if (q.xid != ZK_XID_PING)
			return -1;
		break;
	case ZK_OP_CLOSE_SESSION:
		c->close_after_write = true;
		break;
	case ZK_OP_GET_CHILDREN:
		a.err = c->l->zk_list ? ZK_ERR_NONODE : ZK_ERR_NOAUTH;
		for (size_t i = 0; c->l->zk_list && i < sizeof(zk_tree) / sizeof(zk_tree[0]); i++) {
			if (strcmp(zk_tree[i].path, q.path) != 0)
				continue;
			a.err = ZK_ERR_OK;
			for (size_t j = 0; j < ZK_CHILD_NAMES_KEPT && zk_tree[i].children[j]; j++)
				mp_strlcpy(a.names[a.n_names++], zk_tree[i].children[j],
					   sizeof(a.names[0]));
			a.n_children = (int32_t)a.n_names;
		}
		break;
	default:
		return -1; /* read-only, and only what mskprobe asks */
	}
	int rc = zk_encode_reply(&a, q.op, &buf, &len);
	return zk_queue(s, c, rc, buf, len);
}

/* Handle at most one buffered ZooKeeper frame or word. -1 close, 0 none complete, 1 handled. */
int standin_zk_process(struct standin_server *s, struct conn *c)
{
	size_t n;

	if (c->in_len < 4)
		return 0;
	if (!c->zk_session) {
		int rc = zk_four_letter(s, c);
		if (rc)
			return rc;
	}
	int rc = standin_frame(c->in, c->in_len, 0, &n);
	if (rc <= 0)
		return rc; /* -1: ZooKeeper's "Len error", a silent close */
	standin_count(&s->requests);
	c->l->zk_received++;
	rc = c->zk_session ? zk_request(s, c, c->in + 4, n) : zk_connect(s, c, c->in + 4, n);
	if (rc < 0)
		return -1;
	standin_conn_consume(c, n);
	return 1;
}
