/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A throw-away PKI for the demo and the tests: a CA, a server certificate
 * signed by it (SANs and validity window chosen by the caller, so tests can
 * make expired or wrong-name certificates) and optionally a client
 * certificate, all EC P-256 / SHA-256 X.509 v3, written as PEM files; and
 * the SSL_CTXs that serve or present them.
 *
 * Files written into `dir` (which must exist): ca.pem, server.pem,
 * server-key.pem and, with a client certificate, client.pem and
 * client-key.pem. Keys are created mode 0600; the CA key is never written.
 */
#ifndef MP_PKI_H
#define MP_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define PKI_PATH_MAX  4096u
#define PKI_NAMES_MAX 16u

struct pki_opts {
	const char *dir;
	const char *cn;		/* server subject CN; NULL = first DNS name or "localhost" */
	const char *const *dns; /* server SAN DNS names */
	size_t n_dns;
	const char *const *ips; /* server SAN IP addresses (v4 or v6 literals) */
	size_t n_ips;
	int64_t not_before; /* unix seconds; 0 = now - 1 hour */
	int64_t not_after;  /* unix seconds; 0 = now + 1 day */
	bool client_cert;   /* also issue client.pem / client-key.pem */
};

struct pki_paths {
	char ca_cert[PKI_PATH_MAX];
	char server_cert[PKI_PATH_MAX];
	char server_key[PKI_PATH_MAX];
	char client_cert[PKI_PATH_MAX]; /* "" without a client certificate */
	char client_key[PKI_PATH_MAX];
};

/*
 * Generate the CA and certificates and write them. The CA's own validity
 * covers the server's window (and now), so an expired server certificate
 * fails on itself, not on its issuer. Returns 0, -EINVAL (bad options,
 * a name or address that can not go in a SAN), -ENOMEM, -EIO (an OpenSSL
 * failure) or -errno of a file operation, with the reason in errbuf.
 */
int pki_generate(const struct pki_opts *o, struct pki_paths *ret, char *errbuf, size_t errlen);

/*
 * A TLS server context (TLS 1.2 and later) presenting the server
 * certificate; with require_client_cert, clients must present a
 * certificate signed by the CA. Returns 0 or -EIO with the reason.
 */
int pki_server_ctx(SSL_CTX **ret, const struct pki_paths *p, bool require_client_cert, char *errbuf,
		   size_t errlen);

/*
 * A TLS client context trusting the CA (verification on) and, when
 * with_client_cert, presenting the client certificate. For tests and the
 * demo. Returns 0, -EINVAL (no client certificate to present) or -EIO.
 */
int pki_client_ctx(SSL_CTX **ret, const struct pki_paths *p, bool with_client_cert, char *errbuf,
		   size_t errlen);

#endif
