/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS facts that a single handshake through probe/loop.h does not give,
 * measured the same way for ZooKeeper endpoints and Kafka TLS listeners:
 *
 *  - a handshake watch (server hello seen, CertificateRequest seen, the
 *    first fatal alert received, and the peer's chain even when the
 *    handshake then fails), attached from a mp_xchg_spec.tls_setup hook;
 *  - accepted protocol versions, by one handshake per version pinned to
 *    TLSv1, TLSv1.1 (SECLEVEL 0: OpenSSL 3 refuses them otherwise),
 *    TLSv1.2 and TLSv1.3;
 *  - whether a server that asks for a client certificate also requires
 *    one, by a handshake without a certificate followed by one request
 *    (a TLS 1.3 server only says so on the first read after the handshake).
 *
 * The functions carry the tls_ prefix of the TLS subsystem; they live in a
 * zk_ file only because probe/tls.c belongs to another change (move them
 * there when convenient: nothing here depends on ZooKeeper).
 */
#ifndef MP_ZK_TLS_H
#define MP_ZK_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "loop.h"
#include "model.h"

#define TLS_PROBE_VERSIONS 4u /* TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 */

/* What one handshake showed. Zero it, then set alert to -1 (tls_watch_init). */
struct tls_watch {
	bool server_hello;   /* a ServerHello was read: the peer speaks TLS */
	bool cert_requested; /* the server sent a CertificateRequest */
	int alert;	     /* first fatal alert received (description), -1 none */
	/* optional: filled by tls_inspect() when a fatal alert arrives after the
	 * server's Certificate (a handshake that fails for lack of a client
	 * certificate still shows the chain); its handshake field is then
	 * "failed"; host is the name checked against the leaf */
	struct mp_tls_info *early;
	const char *host;
	SSL *ssl; /* set by tls_watch_attach(), cleared by tls_watch_detach() */
};

void tls_watch_init(struct tls_watch *w);

/*
 * Watch ssl's handshake and record into w. Call it from a
 * mp_xchg_spec.tls_setup hook, and tls_watch_detach() first thing in the
 * exchange's done() (the loop's SSL lives until done() returns and then
 * sends close_notify, which must not reach a freed watch). Uses SSL's info
 * callback and one ex_data index; works with tls_client_ctx().
 */
void tls_watch_attach(SSL *ssl, struct tls_watch *w);
/* Stop watching (idempotent; the facts recorded stay). */
void tls_watch_detach(struct tls_watch *w);

/* Alerts that a server sends when it wants a client certificate it did not get. */
bool tls_alert_wants_cert(int alert);

/* "alert 42 (bad certificate)" into buf. */
void tls_alert_text(char *buf, size_t n, int alert);

/*
 * Contexts for the probes below, built once per scan and shared: one per
 * version (each presenting the client certificate when given, so that a
 * mutual-TLS server still answers) and one without a certificate. Their
 * verification results are ignored: these handshakes judge versions and
 * client-certificate demands, not certificates.
 */
struct tls_probe_set;

/* 0, or -EINVAL / -ENOMEM with the reason (naming the file) in errbuf. */
int tls_probe_set_new(struct tls_probe_set **ret, const char *cert_file, const char *key_file,
		      char *errbuf, size_t errlen);
void tls_probe_set_free(struct tls_probe_set *s);

struct tls_probe_req {
	struct mp_loop *loop;
	const struct tls_probe_set *set; /* must outlive the probe */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *sni; /* copied by the loop; NULL or an IP literal: no SNI */
	int timeout_ms;	 /* per step */
	bool protocols;	 /* pinned handshakes -> ti->accepted[] (replaced) */
	/*
	 * Non-NULL: a handshake without a client certificate, then this request
	 * (one the server answers: a ZooKeeper ConnectRequest, a Kafka
	 * ApiVersions); sets ti->client_cert to "required" when the server sends
	 * an alert for the missing certificate (in the handshake, or TLS 1.3's
	 * on the first read after it; a plain close is not that) and to
	 * "requested" when an answer comes. Copied at start.
	 */
	const uint8_t *nocert_req;
	size_t nocert_req_len;
	struct mp_tls_info *ti; /* must outlive the probe; written only by it until done() */
	void (*done)(void *ud); /* exactly once, after every handshake ended */
	void *ud;
};

/*
 * Start the probes on the loop (they run concurrently with everything
 * else). Returns 0, or -errno and then done() is never called (-EINVAL when
 * there is nothing to probe: no protocols and no nocert_req). A version
 * whose context could not be built (an OpenSSL without TLS 1.0) is not
 * probed and so not listed.
 */
int tls_probe_protocols(const struct tls_probe_req *r);

#endif
