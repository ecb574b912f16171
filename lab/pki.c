/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Throw-away PKI (lab/pki.h) with OpenSSL 3: EVP_PKEY EC P-256 keys,
 * X.509 v3 certificates (RFC 5280) signed with ECDSA-SHA256.
 *
 *   CA:     basicConstraints critical CA:TRUE, keyUsage critical
 *           keyCertSign+cRLSign, subjectKeyIdentifier
 *   server: basicConstraints CA:FALSE, keyUsage critical digitalSignature,
 *           extendedKeyUsage serverAuth, subjectAltName (DNS/IP from the
 *           caller, built as GENERAL_NAMEs so no name is parsed as config),
 *           subject and authority key identifiers
 *   client: as server, extendedKeyUsage clientAuth, no SAN
 */
#include "pki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "util.h"

enum cert_kind { CERT_CA, CERT_SERVER, CERT_CLIENT };

#define DAY_S (24 * 3600)

/* "what: err1; err2" from the whole OpenSSL error queue, which ends empty. */
static void pki_err(char *errbuf, size_t errlen, const char *what)
{
	size_t o;
	unsigned long e;
	bool any = false;

	mp_fmt(errbuf, errlen, "%s", what);
	while ((e = ERR_get_error()) != 0) {
		char one[256];
		ERR_error_string_n(e, one, sizeof(one));
		o = strlen(errbuf);
		if (o + 3 < errlen)
			mp_fmt(errbuf + o, errlen - o, "%s%s", any ? "; " : ": ", one);
		any = true;
	}
}

static bool dns_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || (c == '*' && i == 0)))
			return false;
	}
	return true;
}

static int san_add(GENERAL_NAMES *gens, int type, const void *data, int len)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_STRING *str = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();

	if (!gn || !str || !ASN1_STRING_set(str, data, len))
		goto fail;
	GENERAL_NAME_set0_value(gn, type, str); /* takes str */
	str = NULL;
	if (!sk_GENERAL_NAME_push(gens, gn))
		goto fail;
	return 0;
fail:
	ASN1_STRING_free(str);
	GENERAL_NAME_free(gn);
	return -ENOMEM;
}

/* The caller's names and addresses as GENERAL_NAMES. */
static int build_sans(const struct pki_opts *o, GENERAL_NAMES **ret, char *errbuf, size_t errlen)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	int rc = -ENOMEM;

	if (!gens)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_dns; i++) {
		if (!dns_name_valid(o->dns[i])) {
			mp_fmt(errbuf, errlen, "'%s' is not a DNS name", o->dns[i]);
			rc = -EINVAL;
			goto fail;
		}
		if (san_add(gens, GEN_DNS, o->dns[i], (int)strlen(o->dns[i])))
			goto fail;
	}
	for (size_t i = 0; i < o->n_ips; i++) {
		unsigned char addr[16];
		int len = 0;
		if (inet_pton(AF_INET, o->ips[i], addr) == 1)
			len = 4;
		else if (inet_pton(AF_INET6, o->ips[i], addr) == 1)
			len = 16;
		if (!len) {
			mp_fmt(errbuf, errlen, "'%s' is not an IP address", o->ips[i]);
			rc = -EINVAL;
			goto fail;
		}
		if (san_add(gens, GEN_IPADD, addr, len))
			goto fail;
	}
	*ret = gens;
	return 0;
fail:
	if (rc == -ENOMEM)
		mp_fmt(errbuf, errlen, "out of memory building subjectAltName");
	GENERAL_NAMES_free(gens);
	return rc;
}

/* One extension from its config-string form (fixed strings only). */
static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return false;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1;
}

/*
 * A certificate for `key`, issued by issuer/issuer_key (self-signed when
 * issuer is NULL). `sans` is used, not taken.
 */
static X509 *make_cert(enum cert_kind kind, const char *cn, EVP_PKEY *key, X509 *issuer,
		       EVP_PKEY *issuer_key, int64_t not_before, int64_t not_after,
		       GENERAL_NAMES *sans)
{
	X509 *x = X509_new();
	BIGNUM *serial = BN_new();
	X509_NAME *name;
	bool ok;

	if (!x || !serial)
		goto fail;
	/* a positive 127-bit random serial (RFC 5280: at most 20 octets) */
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after) || !X509_set_pubkey(x, key))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
					(const unsigned char *)"mskprobe test PKI", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name))
		goto fail;

	ok = add_ext(x, issuer, NID_subject_key_identifier, "hash");
	switch (kind) {
	case CERT_CA:
		ok = ok && add_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE") &&
		     add_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
		break;
	case CERT_SERVER:
	case CERT_CLIENT:
		ok = ok && add_ext(x, issuer, NID_authority_key_identifier, "keyid:always") &&
		     add_ext(x, issuer, NID_basic_constraints, "CA:FALSE") &&
		     add_ext(x, issuer, NID_key_usage, "critical,digitalSignature") &&
		     add_ext(x, issuer, NID_ext_key_usage,
			     kind == CERT_SERVER ? "serverAuth" : "clientAuth");
		break;
	}
	if (!ok)
		goto fail;
	if (sans && sk_GENERAL_NAME_num(sans) > 0 &&
	    X509_add1_ext_i2d(x, NID_subject_alt_name, sans, 0, X509V3_ADD_DEFAULT) != 1)
		goto fail;
	if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()))
		goto fail;
	BN_free(serial);
	return x;
fail:
	BN_free(serial);
	X509_free(x);
	return NULL;
}

static int write_cert(const char *path, X509 *x, char *errbuf, size_t errlen)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		int rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	ERR_clear_error();
	int ok = PEM_write_X509(f, x);
	if (fclose(f) != 0 || !ok) {
		pki_err(errbuf, errlen, path);
		return -EIO;
	}
	return 0;
}

/* PEM private key, created (or truncated and re-moded) 0600 before any byte is written. */
static int write_key(const char *path, EVP_PKEY *key, char *errbuf, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	FILE *f;
	int rc;

	if (fd < 0 || fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	ERR_clear_error();
	int ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok) {
		pki_err(errbuf, errlen, path);
		return -EIO;
	}
	return 0;
}

static int set_paths(const char *dir, bool client, struct pki_paths *p, char *errbuf, size_t errlen)
{
	if (!dir || !*dir || strlen(dir) + 32 > PKI_PATH_MAX) {
		mp_fmt(errbuf, errlen, "PKI directory missing or too long");
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	mp_fmt(p->ca_cert, sizeof(p->ca_cert), "%s/ca.pem", dir);
	mp_fmt(p->server_cert, sizeof(p->server_cert), "%s/server.pem", dir);
	mp_fmt(p->server_key, sizeof(p->server_key), "%s/server-key.pem", dir);
	if (client) {
		mp_fmt(p->client_cert, sizeof(p->client_cert), "%s/client.pem", dir);
		mp_fmt(p->client_key, sizeof(p->client_key), "%s/client-key.pem", dir);
	}
	return 0;
}

int pki_generate(const struct pki_opts *o, struct pki_paths *ret, char *errbuf, size_t errlen)
{
	struct pki_paths p;
	EVP_PKEY *ca_key = NULL, *srv_key = NULL, *cli_key = NULL;
	X509 *ca = NULL, *srv = NULL, *cli = NULL;
	GENERAL_NAMES *sans = NULL;
	int64_t now = (int64_t)time(NULL);
	int64_t nb = o->not_before ? o->not_before : now - 3600;
	int64_t na = o->not_after ? o->not_after : now + DAY_S;
	const char *cn = o->cn ? o->cn : o->n_dns ? o->dns[0] : "localhost";
	int rc;

	if (o->n_dns > PKI_NAMES_MAX || o->n_ips > PKI_NAMES_MAX || na <= nb || strlen(cn) > 64) {
		mp_fmt(errbuf, errlen, "bad PKI options (names, validity window or CN)");
		return -EINVAL;
	}
	rc = set_paths(o->dir, o->client_cert, &p, errbuf, errlen);
	if (rc)
		return rc;
	rc = build_sans(o, &sans, errbuf, errlen);
	if (rc)
		return rc;

	ERR_clear_error();
	rc = -EIO;
	ca_key = EVP_EC_gen("P-256");
	srv_key = EVP_EC_gen("P-256");
	if (!ca_key || !srv_key) {
		pki_err(errbuf, errlen, "EC P-256 key generation");
		goto out;
	}
	/* the CA outlives the server window on both sides, and covers now */
	ca = make_cert(CERT_CA, "mskprobe test CA", ca_key, NULL, NULL,
		       (nb < now ? nb : now) - DAY_S, (na > now ? na : now) + 365 * DAY_S, NULL);
	if (!ca) {
		pki_err(errbuf, errlen, "CA certificate");
		goto out;
	}
	srv = make_cert(CERT_SERVER, cn, srv_key, ca, ca_key, nb, na, sans);
	if (!srv) {
		pki_err(errbuf, errlen, "server certificate");
		goto out;
	}
	if (o->client_cert) {
		cli_key = EVP_EC_gen("P-256");
		cli = cli_key ? make_cert(CERT_CLIENT, "mskprobe test client", cli_key, ca, ca_key,
					  now - 3600, now + 30 * DAY_S, NULL)
			      : NULL;
		if (!cli) {
			pki_err(errbuf, errlen, "client certificate");
			goto out;
		}
	}
	rc = write_cert(p.ca_cert, ca, errbuf, errlen);
	if (!rc)
		rc = write_cert(p.server_cert, srv, errbuf, errlen);
	if (!rc)
		rc = write_key(p.server_key, srv_key, errbuf, errlen);
	if (!rc && cli)
		rc = write_cert(p.client_cert, cli, errbuf, errlen);
	if (!rc && cli)
		rc = write_key(p.client_key, cli_key, errbuf, errlen);
	if (!rc)
		*ret = p;
out:
	GENERAL_NAMES_free(sans);
	X509_free(ca);
	X509_free(srv);
	X509_free(cli);
	EVP_PKEY_free(ca_key); /* EVP_PKEY_free clears key material */
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(cli_key);
	return rc;
}

/* Free a half-built context and report why. */
static int ctx_fail(SSL_CTX *ctx, char *errbuf, size_t errlen, const char *what)
{
	SSL_CTX_free(ctx);
	pki_err(errbuf, errlen, what);
	return -EIO;
}

/* Certificate chain and matching key from PEM files. */
static bool ctx_use_pair(SSL_CTX *ctx, const char *cert, const char *key)
{
	return SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 &&
	       SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 &&
	       SSL_CTX_check_private_key(ctx) == 1;
}

int pki_server_ctx(SSL_CTX **ret, const struct pki_paths *p, bool require_client_cert, char *errbuf,
		   size_t errlen)
{
	const char *what = "server TLS context";
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !ctx_use_pair(ctx, p->server_cert, p->server_key))
		return ctx_fail(ctx, errbuf, errlen, what);
	if (require_client_cert) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(p->ca_cert);
		if (!names || SSL_CTX_load_verify_locations(ctx, p->ca_cert, NULL) != 1) {
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			return ctx_fail(ctx, errbuf, errlen, what);
		}
		SSL_CTX_set_client_CA_list(ctx, names); /* takes names */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	*ret = ctx;
	return 0;
}

int pki_client_ctx(SSL_CTX **ret, const struct pki_paths *p, bool with_client_cert, char *errbuf,
		   size_t errlen)
{
	const char *what = "client TLS context";
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_load_verify_locations(ctx, p->ca_cert, NULL) != 1)
		return ctx_fail(ctx, errbuf, errlen, what);
	if (with_client_cert && !p->client_cert[0]) {
		SSL_CTX_free(ctx);
		mp_fmt(errbuf, errlen, "%s: no client certificate was generated", what);
		return -EINVAL;
	}
	if (with_client_cert && !ctx_use_pair(ctx, p->client_cert, p->client_key))
		return ctx_fail(ctx, errbuf, errlen, what);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	*ret = ctx;
	return 0;
}
