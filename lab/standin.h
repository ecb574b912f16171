/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Broker stand-ins: in-process fake Kafka listeners on loopback that answer
 * ApiVersions exactly as a given release and mode would (probe/fp.h rows),
 * or misbehave on purpose. Used by `mskprobe demo`, the integration tests
 * and the benchmark.
 *
 * One server owns one thread that serves every listener and connection with
 * epoll, non-blocking sockets and OpenSSL in non-blocking mode. The stand-ins
 * speak ApiVersions (key 18) and, on SASL listeners, SaslHandshake (key 17);
 * any other request closes the connection, as nothing else is needed to
 * fingerprint a broker. Hostile clients cost a bounded buffer and an idle
 * timeout, never a crash.
 *
 * Release-faithful answers (see docs/fingerprint-sources.md and docs/facts.md):
 * - request version <= the row's key-18 max: the row's table in the layout
 *   of the request's version, header v0 always (KIP-511); v3+ answers carry
 *   KIP-584 features on KRaft 3.3+ rows;
 * - request version above it: error 35 UNSUPPORTED_VERSION in the v0 layout,
 *   with an empty array before 2.4 and key 18's range from 2.4 on;
 * - v3+ with a client software name or version outside
 *   [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?: error 42 INVALID_REQUEST,
 *   empty array, in the v3 layout;
 * - features (docs/fingerprint-sources.md): KRaft 3.3+ rows send
 *   SupportedFeatures metadata.version [1, release's newest level],
 *   FinalizedFeatures metadata.version = the cluster level and an epoch;
 *   ZooKeeper rows from 2.7 send only FinalizedFeaturesEpoch (the /feature
 *   znode version), no features. Not modelled: the min-0 features of 3.9+
 *   (kraft.version, transaction.version, group.version...) that real
 *   brokers add to v4 answers;
 * - SASL listeners: before authentication only ApiVersions and SaslHandshake
 *   are served; after one successful ApiVersions only SaslHandshake is
 *   (a second ApiVersions closes the connection); any other request closes
 *   it (Kafka's SaslServerAuthenticator). An UNSUPPORTED_VERSION answer does
 *   not count as successful, so a client may step down on one connection.
 *   After SaslHandshake the stand-in does not authenticate: the next
 *   request closes the connection.
 *
 * ZooKeeper stand-in (STANDIN_ZOOKEEPER; no row): a standalone ZooKeeper
 * 3.8 server as Debian packages it, as far as a network probe can see it
 * (apache/zookeeper NIOServerCnxn, ZooKeeperServer, FourLetterCommands,
 * ServerStats; docs/facts.md). Only the first frame of a connection may be a
 * four-letter word: `srvr` answers Debian's text (or, with zk_4lw_refused,
 * "srvr is not executed because it is not in the whitelist."), any other
 * known word the whitelist refusal, then the connection closes; any other
 * first int32 is a frame length, and a length < 0 or above
 * STANDIN_REQ_FRAME_MAX closes silently (so a TLS ClientHello or HTTP on a
 * plain port gets an EOF, as from ZooKeeper). The first frame is a
 * ConnectRequest: a new session (id 0) gets a ConnectResponse with a fresh
 * session id, a random 16-byte password and the asked timeout clamped to
 * [2, 20] ticks of 2 s (the 36-byte form to a 44-byte request); a session
 * id it did not issue gets timeout 0, id 0, a zero password, then close;
 * a lastZxidSeen above the server's, or a malformed request, closes. After
 * that: ping answers xid -2 with the server's zxid; closeSession answers
 * and closes; getChildren answers NOAUTH (-102), or with zk_list a small
 * fixed Kafka tree (/, /brokers, /brokers/ids, /kafka-acl, /zookeeper;
 * other paths NONODE); any other request closes (ZooKeeper would serve
 * it: the stand-in is read-only and answers only what mskprobe asks).
 * Plain or TLS (the 4lw works inside TLS too, as on ZooKeeper's secure port).
 *
 * Replay (STANDIN_REPLAY, STANDIN_ZK_REPLAY; no row): answers recorded
 * from a broker or ZooKeeper (or a stand-in), one file per kind of request,
 * served with the request's correlation id or xid (lab/standin_replay.c).
 * For golden tests of the probes (tests/golden-probe/).
 *
 * Thread safety: standin_add() may be called before or after
 * standin_server_start(), from one thread at a time; standin_stats() from
 * any thread. standin_server_free() stops the thread and must not race
 * with standin_add().
 */
#ifndef MP_STANDIN_H
#define MP_STANDIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "fp.h"

/* Caps on what one client can cost the stand-in (see also base/mp_limits.h). */
#define STANDIN_REQ_FRAME_MAX	(64u * 1024u) /* largest request frame read */
#define STANDIN_CONNS_MAX	8192u	      /* open connections per server */
#define STANDIN_IDLE_MS_DEFAULT 10000
#define STANDIN_SLOW_STEP_MS	200 /* SLOW: one byte per step */

enum standin_behaviour {
	STANDIN_RELEASE = 0, /* answer as the row's release and mode */
	STANDIN_PRE_0_10,    /* close the connection on ApiVersions (< 0.10.0) */
	STANDIN_SILENT,	     /* accept, read, never answer */
	STANDIN_GARBAGE,     /* answer an HTTP 400 to the first bytes, then close */
	STANDIN_CLOSE_MID,   /* send half of the right answer, then close */
	STANDIN_HUGE_FRAME,  /* announce a 2 GiB - 1 frame, send a few bytes, stay */
	STANDIN_SLOW,	     /* the right answer, one byte per STANDIN_SLOW_STEP_MS */
	STANDIN_ZOOKEEPER,   /* a ZooKeeper 3.8 server, not Kafka (see above) */
	STANDIN_REPLAY,	     /* Kafka: recorded answers from replay_dir (below) */
	STANDIN_ZK_REPLAY,   /* ZooKeeper: recorded answers from replay_dir (below) */
};

/*
 * One listener. Everything is copied by standin_add(); `tls` gains a
 * reference, so the caller keeps (and frees) its own.
 */
struct standin_opts {
	const struct fp_row *row;    /* required unless SILENT/GARBAGE/PRE_0_10/ZOOKEEPER */
	SSL_CTX *tls;		     /* NULL = plain TCP */
	bool sasl;		     /* a SASL listener (SASL_PLAINTEXT / SASL_SSL) */
	const char *sasl_mechanisms; /* comma-separated; NULL = "SCRAM-SHA-512" */
	enum standin_behaviour behaviour;
	uint16_t port; /* 0 = an ephemeral port on 127.0.0.1 */
	/*
	 * KIP-584 features in v3+ answers. metadata_version is the finalized
	 * metadata.version level: 0 = the release's default (KRaft rows from
	 * 3.3: the release's newest production level; ZooKeeper rows: none),
	 * -1 = send no features and no epoch at all. supported_metadata_max:
	 * 0 = the release's newest production level. features_epoch: 0 = the
	 * default (KRaft: a plausible metadata offset; ZooKeeper 2.7+: 0).
	 */
	int16_t metadata_version;
	int16_t supported_metadata_max;
	int64_t features_epoch;
	int idle_timeout_ms; /* 0 = STANDIN_IDLE_MS_DEFAULT */
	/* STANDIN_ZOOKEEPER only */
	bool zk_list;	     /* getChildren lists the fixed tree; false: NOAUTH for every path */
	bool zk_4lw_refused; /* srvr is not in the 4lw whitelist */
	/*
	 * STANDIN_REPLAY / STANDIN_ZK_REPLAY: a directory of recorded answer
	 * frames, read whole by standin_add() (lab/standin_replay.c says which
	 * file answers what). With `sasl`, a Kafka replay keeps the SASL
	 * listener's order of requests.
	 */
	const char *replay_dir;
};

struct standin_stats {
	uint64_t accepted;   /* connections accepted */
	uint64_t requests;   /* complete request frames read */
	uint64_t answers;    /* responses queued */
	uint64_t dropped;    /* connections closed for client misbehaviour or idleness */
	uint64_t tls_failed; /* TLS handshakes that failed */
};

struct standin_server;

/* Returns 0 or -errno with a reason in errbuf. */
int standin_server_new(struct standin_server **ret, char *errbuf, size_t errlen);

/*
 * Bind and listen on 127.0.0.1 (o->port or an ephemeral port), writing the
 * port to *ret_port. Returns 0, -EINVAL for bad options, or -errno.
 */
int standin_add(struct standin_server *s, const struct standin_opts *o, uint16_t *ret_port,
		char *errbuf, size_t errlen);

/* Start the serving thread (once). Returns 0, -EALREADY or -errno. */
int standin_server_start(struct standin_server *s, char *errbuf, size_t errlen);

/* Counters since standin_server_new(); safe while the thread runs. */
void standin_stats(struct standin_server *s, struct standin_stats *ret);

/* Stop the thread, close every listener and connection. Accepts NULL. */
void standin_server_free(struct standin_server *s);

/*
 * metadata.version level of a release's newest production MetadataVersion
 * ("3.7" -> 19), 0 before 3.3 or when unknown. Source: Kafka's
 * server-common MetadataVersion.java at each release tag (docs/facts.md).
 */
int16_t standin_metadata_level(const char *release);

const char *standin_behaviour_name(enum standin_behaviour b);

#endif
