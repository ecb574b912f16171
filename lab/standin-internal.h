/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stand-ins' private parts (lab/standin.h is the public face):
 *
 *   standin.c        the server: listeners, connections, the epoll thread,
 *                    framing (standin_frame) shared by both protocols
 *   standin_kafka.c  the Kafka broker: release-table answers, the request
 *                    parser (standin_kafka_parse, on probe/kafka_apiv.h's
 *                    header and tag readers), ApiVersions, misbehaviours
 *   standin_sasl.c   SASL listeners: which request is served when, and
 *                    SaslHandshake
 *   standin_zk.c     the ZooKeeper server (on probe/zk_wire.h's codec)
 *   standin_replay.c recorded answers served back (golden tests)
 *
 * Everything here runs on the server's thread, except listener setup
 * (standin_add) and the counters.
 */
#ifndef MP_STANDIN_INTERNAL_H
#define MP_STANDIN_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include "bytes.h"
#include "kafka_apiv.h"
#include "standin.h"

#define MECHS_MAX 128u /* bytes of a listener's SASL mechanism list */

enum ev_kind { EV_WAKE, EV_LISTENER, EV_CONN };

/* Every epoll registration points at one of these as its first member. */
struct ev {
	enum ev_kind kind;
};

struct listener {
	struct ev ev;
	struct listener *next;
	int fd;
	uint16_t port;
	enum standin_behaviour behaviour;
	SSL_CTX *tls;
	bool sasl;
	char mechs[MECHS_MAX];
	char release[sizeof(((struct fp_row *)0)->release)];
	int idle_ms;
	int64_t paused_until; /* accept backoff after EMFILE; 0 = not paused */
	/* answers prepared at add time, indexed by what they answer */
	struct mp_apiv ok, unsupported, invalid;
	int16_t apiv_max; /* key 18's max: above it, UNSUPPORTED_VERSION */
	/* STANDIN_ZOOKEEPER; the counters are the thread's own (for srvr) */
	bool zk_list, zk_4lw_refused;
	uint64_t zk_received, zk_sent, open_conns;
	/* STANDIN_REPLAY / STANDIN_ZK_REPLAY: the recorded answers */
	struct replay_file *replay;
	size_t n_replay;
};

enum sasl_state {
	SASL_HANDSHAKE_OR_VERSIONS = 0,
	SASL_HANDSHAKE,	   /* after one successful ApiVersions */
	SASL_AUTHENTICATE, /* after SaslHandshake: we do not authenticate */
};

struct conn {
	struct ev ev;
	struct conn *prev, *next;
	struct listener *l;
	int fd;
	SSL *ssl;
	bool handshaking;
	bool ssl_wants_write; /* the last SSL call needs the socket writable */
	bool ssl_wants_read;  /* the last SSL_write needs the socket readable */
	bool close_after_write;
	uint32_t events; /* registered with epoll */
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_len, out_off;
	int64_t idle_deadline;
	int64_t next_drip; /* SLOW */
	enum sasl_state sasl;
	bool zk_session; /* ZooKeeper: the ConnectRequest was answered */
};

struct standin_server {
	int epfd, wakefd;
	struct ev wake_ev;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t lock; /* guards listeners (the list, not their fixed fields) */
	struct listener *listeners;
	struct conn *conns; /* thread-owned */
	size_t n_conns;
	uint64_t zk_next_sid; /* next ZooKeeper session id (thread-owned) */
	_Atomic uint64_t accepted, requests, answers, dropped, tls_failed;
};

static inline void standin_count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* ---- standin.c ------------------------------------------------------------ */

/* Queue bytes to send, replacing what was pending; takes ownership of buf. */
void standin_conn_queue(struct conn *c, uint8_t *buf, size_t len);
/* The same with a copy of p; -1 out of memory. */
int standin_conn_queue_copy(struct conn *c, const void *p, size_t len);

/*
 * The first int32-framed request of in[0, len): 1 with its payload length
 * in *ret_n (the payload starts at in + 4), 0 while incomplete, -1 when
 * the length is below min or above STANDIN_REQ_FRAME_MAX (the peer is not
 * speaking the protocol, or wants more than a stand-in buffers).
 */
int standin_frame(const uint8_t *in, size_t len, uint32_t min, size_t *ret_n);

/* Drop the first frame of n payload bytes from the input buffer. */
void standin_conn_consume(struct conn *c, size_t n);

/* ---- standin_kafka.c ------------------------------------------------------ */

/* A Kafka request as the stand-in reads it. Pointers are into the frame. */
struct standin_kreq {
	struct kafka_req_header h;
	bool sw_valid;		/* ApiVersions: KIP-511 fields valid (or none before v3) */
	struct mp_rd mechanism; /* SaslHandshake v0-1 */
};

/*
 * Parse one request frame payload (after the int32 size) for a listener
 * whose ApiVersions max is apiv_max: the header (v1, or v2 for flexible
 * versions), then the body of ApiVersions v0..apiv_max (a version above
 * has no body we could read: it is answered UNSUPPORTED_VERSION) and of
 * SaslHandshake v0-1; other requests are read to their header. Returns 0,
 * or -1 where Kafka closes the connection (truncated or malformed).
 */
int standin_kafka_parse(const uint8_t *p, size_t n, int16_t apiv_max, struct standin_kreq *ret);

/* Prepare the listener's ApiVersions answers from its row. 0 or -EINVAL. */
int standin_kafka_answers(struct listener *l, const struct standin_opts *o, char *errbuf,
			  size_t errlen);

/* Handle at most one buffered Kafka request. -1 close, 0 none complete, 1 handled. */
int standin_kafka_process(struct standin_server *s, struct conn *c);

/* ---- standin_sasl.c ------------------------------------------------------- */

#define KAFKA_SASL_HANDSHAKE 17

/* May this connection's listener serve `api_key` in the connection's SASL state? */
bool standin_sasl_admits(const struct conn *c, int16_t api_key);
/* A successful ApiVersions answer was queued: only SaslHandshake may follow. */
void standin_sasl_versions_done(struct conn *c);
/* SaslHandshake (parsed, admitted). -1 closes the connection. */
int standin_sasl_handshake(struct standin_server *s, struct conn *c, const struct standin_kreq *q);

/* ---- standin_zk.c --------------------------------------------------------- */

/* Handle at most one buffered ZooKeeper frame or word. -1 close, 0 none complete, 1 handled. */
int standin_zk_process(struct standin_server *s, struct conn *c);

/* ---- standin_replay.c ----------------------------------------------------- */

/* Read every answer file of dir into the listener. 0, -EINVAL or -errno. */
int standin_replay_load(struct listener *l, const char *dir, char *errbuf, size_t errlen);
/* Free what standin_replay_load() read; accepts a listener without any. */
void standin_replay_free(struct listener *l);
/* Handle at most one buffered request. -1 close, 0 none complete, 1 handled. */
int standin_replay_process(struct standin_server *s, struct conn *c);

#endif
