/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verifies one ZooKeeper endpoint (host:port) from the network, on the
 * exchange loop, concurrently with every other probe, each wait bounded by
 * timeout_ms per step:
 *
 * 1. A TLS ClientHello (env->tls) carrying, once the handshake is done, a
 *    read-only ZooKeeper ConnectRequest. Connect failures end the probe
 *    (z->reachable false, z->error: refused, timed out or unreachable).
 *    ZooKeeper's plaintext port closes silently on a ClientHello (its first
 *    int32 is far above jute.maxbuffer), so "nothing TLS came back" means:
 * 2a. plaintext: a ZooKeeper session (ConnectRequest v0 with readOnly,
 *    ConnectResponse, ping, optional listings, closeSession so the server
 *    frees the session at once) -> z->speaks_zookeeper; and `srvr` on its
 *    own connection -> z->srvr, z->srvr_status.
 * 2b. TLS (a ServerHello or an alert came back) -> z->tls: tls_inspect()
 *    (protocol, cipher, chain, verification against env's trust store, host
 *    name), the same ZooKeeper session inside TLS (tls->speaks_zookeeper),
 *    accepted versions by pinned handshakes (tls->accepted[]), client_cert
 *    none|requested|required, `srvr` inside TLS -> z->srvr.
 * Optional (env->anonymous_read): getChildren on /, /brokers/ids and
 * /kafka-acl in the established session -> z->anonymous_read (1 when any
 * listing was allowed) and z->anonymous_detail (counts, and the first
 * sanitised names of /brokers/ids only).
 *
 * Nothing is ever written to a server; the only requests are the handshake,
 * ping, getChildren, closeSession and srvr. Never logs.
 */
#ifndef MP_ZK_PROBE_H
#define MP_ZK_PROBE_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "loop.h"
#include "model.h"
#include "zk_tls.h"

struct zk_probe_env {
	struct mp_loop *loop;
	/* required: client context from tls_client_ctx() with the user's
	 * --ca-file (or the system store) and --cert/--key; the loop takes its
	 * own reference */
	SSL_CTX *tls;
	/* the same files, for the per-version and no-certificate contexts;
	 * NULL when not given */
	const char *ca_file, *cert_file, *key_file;
	/* optional: contexts shared by every endpoint of a scan, from
	 * tls_probe_set_new(cert_file, key_file); NULL: each TLS endpoint
	 * builds its own. Must outlive every probe. */
	const struct tls_probe_set *protos;
	int timeout_ms;	     /* per step (connect, handshake, each answer); <= 0: 5000 */
	bool anonymous_read; /* --zk-anonymous-read */
	/* called exactly once per endpoint when its probe has ended */
	void (*done)(struct mp_zk_endpoint *z, void *ud);
	void *ud;
};

/*
 * Start probing z (host and port already set; host is what the user named,
 * used for SNI and the host-name check) at addr. z must outlive the probe;
 * the probe owns and writes z only until done(). Returns 0, or -errno with
 * the reason in z->error, and then done() is not called.
 */
int zk_probe_start(const struct zk_probe_env *env, struct mp_zk_endpoint *z,
		   const struct sockaddr_storage *addr, socklen_t addrlen);

#endif
