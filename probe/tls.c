/* SPDX-License-Identifier: Apache-2.0 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static int ex_requested = -1;

static void drain(char *errbuf, size_t errlen, const char *what)
{
	unsigned long e, last = 0;
	char tmp[200] = "unknown error";
	while ((e = ERR_get_error()))
		last = e;
	if (last)
		ERR_error_string_n(last, tmp, sizeof(tmp));
	mp_fmt(errbuf, errlen, "%s: %s", what, tmp);
}

/* Record that the server asked for a client certificate, then go on
 * without one unless the context has one configured. */
static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	(void)x509;
	(void)pkey;
	SSL_set_ex_data(ssl, ex_requested, (void *)1);
	return 0;
}

bool tls_cert_requested(SSL *ssl)
{
	return ex_requested >= 0 && SSL_get_ex_data(ssl, ex_requested) != NULL;
}

static int info_cb_index(void)
{
	if (ex_requested < 0)
		ex_requested = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	return ex_requested;
}

/* With a client certificate configured OpenSSL does not call the client
 * cert callback; the message callback sees the CertificateRequest. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
		   SSL *ssl, void *arg)
{
	(void)version;
	(void)arg;
	const unsigned char *b = buf;
	if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
	    b[0] == SSL3_MT_CERTIFICATE_REQUEST)
		SSL_set_ex_data(ssl, ex_requested, (void *)1);
}

int tls_client_ctx(SSL_CTX **ret, const struct tls_ctx_opts *o, char *errbuf, size_t errlen)
{
	SSL_CTX *ctx = NULL;

	ERR_clear_error();
	if (info_cb_index() < 0) {
		drain(errbuf, errlen, "SSL_get_ex_new_index");
		return -ENOMEM;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		drain(errbuf, errlen, "SSL_CTX_new");
		return -ENOMEM;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (o->legacy) {
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	}
	if (o->min_proto && !SSL_CTX_set_min_proto_version(ctx, o->min_proto))
		goto fail_proto;
	if (o->max_proto && !SSL_CTX_set_max_proto_version(ctx, o->max_proto))
		goto fail_proto;
	if (o->ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL) != 1) {
			drain(errbuf, errlen, o->ca_file);
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		drain(errbuf, errlen, "system trust store");
		goto fail;
	}
	if (o->cert_file) {
		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
			drain(errbuf, errlen, o->cert_file);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, o->key_file ? o->key_file : o->cert_file,
						SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			drain(errbuf, errlen, o->key_file ? o->key_file : o->cert_file);
			goto fail;
		}
	} else {
		SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
	}
	SSL_CTX_set_msg_callback(ctx, msg_cb);
	*ret = ctx;
	return 0;
fail_proto:
	drain(errbuf, errlen, "TLS protocol range");
fail:
	SSL_CTX_free(ctx);
	return -EINVAL;
}

const char *tls_proto_name(int v)
{
	switch (v) {
	case TLS1_VERSION:
		return "TLSv1";
	case TLS1_1_VERSION:
		return "TLSv1.1";
	case TLS1_2_VERSION:
		return "TLSv1.2";
	case TLS1_3_VERSION:
		return "TLSv1.3";
	default:
		return "unknown";
	}
}

static void name_line(X509_NAME *n, char *dst, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long l;
	dst[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		l = BIO_get_mem_data(b, &p);
		mp_sanitize(dst, len, (const uint8_t *)p, l > 0 ? (size_t)l : 0);
	}
	BIO_free(b);
}

static void asn1_time_rfc3339(const ASN1_TIME *t, char out[32], time_t *ret_epoch)
{
	struct tm tm;
	out[0] = '\0';
	*ret_epoch = 0;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return;
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	*ret_epoch = timegm(&tm);
}

static void sans(X509 *x, char *dst, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t o = 0;
	dst[0] = '\0';
	if (!gens)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens) && i < 64; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char one[300] = "";
		if (g->type == GEN_DNS) {
			const ASN1_IA5STRING *s = g->d.dNSName;
			char v[260];
			mp_sanitize(v, sizeof(v), ASN1_STRING_get0_data(s),
				    (size_t)ASN1_STRING_length(s));
			mp_fmt(one, sizeof(one), "DNS:%s", v);
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *s = g->d.iPAddress;
			char v[INET6_ADDRSTRLEN] = "?";
			int l = ASN1_STRING_length(s);
			if (l == 4 || l == 16)
				inet_ntop(l == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), v,
					  sizeof(v));
			mp_fmt(one, sizeof(one), "IP:%s", v);
		} else {
			continue;
		}
		if (o + strlen(one) + 2 >= len)
			break;
		o += (size_t)snprintf(dst + o, len - o, "%s%s", o ? "," : "", one);
	}
	GENERAL_NAMES_free(gens);
}

static void key_desc(X509 *x, char *dst, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64] = "";
	size_t gl = 0;
	if (!k) {
		mp_strlcpy(dst, "unknown", len);
		return;
	}
	if (EVP_PKEY_get_group_name(k, group, sizeof(group), &gl) == 1)
		mp_fmt(dst, len, "%s %s", EVP_PKEY_get0_type_name(k), group);
	else
		mp_fmt(dst, len, "%s %d", EVP_PKEY_get0_type_name(k), EVP_PKEY_get_bits(k));
}

int tls_cert_info(X509 *x, struct mp_cert *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	time_t nb, na;
	BIO *b;
	char *p = NULL;
	long l;

	memset(c, 0, sizeof(*c));
	name_line(X509_get_subject_name(x), c->subject, sizeof(c->subject));
	name_line(X509_get_issuer_name(x), c->issuer, sizeof(c->issuer));
	sans(x, c->san, sizeof(c->san));
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn) {
		char *hex = BN_bn2hex(bn);
		if (hex)
			mp_strlcpy(c->serial, hex, sizeof(c->serial));
		OPENSSL_free(hex);
		BN_free(bn);
	}
	asn1_time_rfc3339(X509_get0_notBefore(x), c->not_before, &nb);
	asn1_time_rfc3339(X509_get0_notAfter(x), c->not_after, &na);
	c->days_left = na ? (int)((na - time(NULL)) / 86400) - (na < time(NULL) ? 1 : 0) : 0;
	key_desc(x, c->key, sizeof(c->key));
	mp_strlcpy(c->sig_alg, OBJ_nid2ln(X509_get_signature_nid(x)), sizeof(c->sig_alg));
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
		for (unsigned i = 0; i < mdlen && i < 32; i++)
			snprintf(c->sha256 + 2 * i, 3, "%02x", md[i]);
	b = BIO_new(BIO_s_mem());
	if (!b || PEM_write_bio_X509(b, x) != 1) {
		BIO_free(b);
		return -ENOMEM;
	}
	l = BIO_get_mem_data(b, &p);
	c->pem = l > 0 ? strndup(p, (size_t)l) : NULL;
	BIO_free(b);
	return c->pem ? 0 : -ENOMEM;
}

static int host_matches(X509 *leaf, const char *host)
{
	unsigned char tmp[16];
	if (inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1)
		return X509_check_ip_asc(leaf, host, 0) == 1;
	return X509_check_host(leaf, host, strlen(host), 0, NULL) == 1;
}

int tls_inspect(SSL *ssl, const char *host, struct mp_tls_info *ti)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	long vr = SSL_get_verify_result(ssl);

	mp_strlcpy(ti->handshake, "ok", sizeof(ti->handshake));
	mp_strlcpy(ti->protocol, SSL_get_version(ssl), sizeof(ti->protocol));
	mp_strlcpy(ti->cipher, SSL_get_cipher_name(ssl), sizeof(ti->cipher));
	if (!leaf)
		mp_strlcpy(ti->verify, "no certificate presented", sizeof(ti->verify));
	else if (vr == X509_V_OK)
		mp_strlcpy(ti->verify, "ok", sizeof(ti->verify));
	else
		mp_strlcpy(ti->verify, X509_verify_cert_error_string(vr), sizeof(ti->verify));
	ti->hostname_match = leaf ? host_matches(leaf, host) : 0;
	if (!ti->client_cert[0])
		mp_strlcpy(ti->client_cert, tls_cert_requested(ssl) ? "requested" : "none",
			   sizeof(ti->client_cert));
	for (int i = 0; chain && i < sk_X509_num(chain) && ti->n_chain < MP_CHAIN_MAX; i++) {
		if (tls_cert_info(sk_X509_value(chain, i), &ti->chain[ti->n_chain]) < 0)
			return -ENOMEM;
		ti->n_chain++;
	}
	return 0;
}
