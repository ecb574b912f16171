/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS client contexts for probing and the inspection of an established
 * session: protocol, cipher, the peer's certificate chain, chain
 * verification and host name verification.
 *
 * Probing contexts never abort a handshake over trust: they load the trust
 * store, let OpenSSL verify, and record the verdict (SSL_get_verify_result),
 * so an untrusted or expired certificate is evidence, not a failed probe.
 */
#ifndef MP_TLS_H
#define MP_TLS_H

#include <openssl/ssl.h>
#include <stdbool.h>

#include "model.h"

struct tls_ctx_opts {
	const char *ca_file;   /* PEM bundle; NULL: the system store */
	const char *cert_file; /* client certificate (mutual TLS), or NULL */
	const char *key_file;
	int min_proto, max_proto; /* TLS1_VERSION...; 0: OpenSSL defaults */
	bool legacy;		  /* allow what SECLEVEL 1 forbids (to detect TLS 1.0/1.1) */
};

/* 0, or -EINVAL with OpenSSL's reason (naming the file) in errbuf. */
int tls_client_ctx(SSL_CTX **ret, const struct tls_ctx_opts *o, char *errbuf, size_t errlen);

/*
 * After a handshake: whether the server sent a CertificateRequest. Works for
 * SSLs created from a tls_client_ctx() context.
 */
bool tls_cert_requested(SSL *ssl);

/*
 * Fill ti from an established session. host is what the user asked for (a
 * name or an IP literal) and is checked against the leaf certificate.
 * cert_warn_days is not applied here (policy does that). Returns 0 or -ENOMEM.
 */
int tls_inspect(SSL *ssl, const char *host, struct mp_tls_info *ti);

/* Fill one certificate's facts. Returns 0 or -ENOMEM. */
int tls_cert_info(X509 *x, struct mp_cert *ret);

/* "TLSv1.2" for TLS1_2_VERSION etc. */
const char *tls_proto_name(int version);

#endif
