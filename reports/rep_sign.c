/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evidence integrity: SHA-256 digests for the manifest, and detached
 * signatures over the JSON report with OpenSSL's EVP_DigestSign: Ed25519
 * (pure, no digest) or ECDSA with SHA-256 (DER-encoded signature). Other
 * key types are refused: RSA keys sign too, but two algorithms keep the
 * verification story short for an auditor.
 *
 * Check by hand with OpenSSL:
 *   Ed25519: openssl pkeyutl -verify -pubin -inkey pub.pem -rawin \
 *              -in report.json -sigfile report.json.sig
 *   ECDSA:   openssl dgst -sha256 -verify pub.pem -signature report.json.sig report.json
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rep-internal.h"
#include "util.h"

#define KEY_FILE_MAX (64u * 1024u)

/* Drain OpenSSL's error queue into errbuf after a prefix. */
static void ssl_err(char *errbuf, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char reason[256] = "no detail";
	if (e)
		ERR_error_string_n(e, reason, sizeof(reason));
	ERR_clear_error();
	mp_fmt(errbuf, errlen, "%s: %s", what, reason);
}

static void hex_of(const unsigned char md[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

int rep_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	ERR_clear_error();
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
		ERR_clear_error();
		out[0] = '\0';
		return -ENOMEM;
	}
	hex_of(md, out);
	return 0;
}

int rep_sha256_file(const char *path, uint64_t max, char out[65], uint64_t *ret_len, char *errbuf,
		    size_t errlen)
{
	struct stat st;
	int fd = mp_open_regular(path, &st, errbuf, errlen);
	EVP_MD_CTX *ctx = NULL;
	unsigned char *buf = NULL, md[32];
	unsigned int mdlen = 0;
	uint64_t total = 0;
	int rc;

	out[0] = '\0';
	if (fd < 0)
		return fd;
	rc = -ENOMEM;
	ERR_clear_error();
	if (!(buf = malloc(REP_HASH_CHUNK)) || !(ctx = EVP_MD_CTX_new()) ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		mp_fmt(errbuf, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, REP_HASH_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > max) {
			mp_fmt(errbuf, errlen, "%s: more than the %llu bytes allowed", path,
			       (unsigned long long)max);
			rc = -EFBIG;
			goto out;
		}
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			mp_fmt(errbuf, errlen, "%s: out of memory", path);
			goto out;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) {
		mp_fmt(errbuf, errlen, "%s: out of memory", path);
		goto out;
	}
	hex_of(md, out);
	if (ret_len)
		*ret_len = total;
	rc = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	free(buf);
	close(fd);
	return rc;
}

/* Read a PEM key (private or public) through a bounded read. */
static int load_key(const char *path, bool private_key, EVP_PKEY **ret, char *errbuf, size_t errlen)
{
	char *pem = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	EVP_PKEY *k = NULL;
	int rc = rep_read_file(path, KEY_FILE_MAX, &pem, &len, errbuf, errlen);
	if (rc < 0)
		return rc;
	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio)
		k = private_key ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
				: PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (!k) {
		char what[600];
		mp_fmt(what, sizeof(what), "%s: not a PEM %s key", path,
		       private_key ? "private" : "public");
		ssl_err(errbuf, errlen, what);
		rc = -EINVAL;
		goto out;
	}
	int id = EVP_PKEY_base_id(k);
	if (id != EVP_PKEY_ED25519 && id != EVP_PKEY_EC) {
		mp_fmt(errbuf, errlen, "%s: an Ed25519 or EC key is needed", path);
		rc = -EINVAL;
		goto out;
	}
	*ret = k;
	k = NULL;
	rc = 0;
out:
	EVP_PKEY_free(k);
	BIO_free(bio);
	OPENSSL_cleanse(pem, len);
	free(pem);
	return rc;
}

static const EVP_MD *md_for(EVP_PKEY *k)
{
	return EVP_PKEY_base_id(k) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
}

int rep_sign(const char *keyfile, const void *data, size_t len, unsigned char **ret_sig,
	     size_t *ret_len, char *errbuf, size_t errlen)
{
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *sig = NULL;
	size_t n = 0;
	int rc = load_key(keyfile, true, &k, errbuf, errlen);
	if (rc < 0)
		return rc;
	ERR_clear_error();
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestSignInit(ctx, NULL, md_for(k), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, data, len) != 1 || n == 0 || n > REP_SIG_MAX ||
	    !(sig = malloc(n)) || EVP_DigestSign(ctx, sig, &n, data, len) != 1) {
		ssl_err(errbuf, errlen, "signing");
		free(sig);
		sig = NULL;
		rc = -EINVAL;
		goto out;
	}
	*ret_sig = sig;
	*ret_len = n;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}

int rep_verify(const char *pubfile, const void *data, size_t len, const unsigned char *sig,
	       size_t siglen, char *errbuf, size_t errlen)
{
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *ctx = NULL;
	int rc = load_key(pubfile, false, &k, errbuf, errlen);
	if (rc < 0)
		return rc;
	ERR_clear_error();
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, md_for(k), NULL, k) != 1) {
		ssl_err(errbuf, errlen, "verification setup");
		rc = -EINVAL;
		goto out;
	}
	int v = EVP_DigestVerify(ctx, sig, siglen, data, len);
	if (v == 1) {
		rc = 0;
	} else {
		/* 0 is a bad signature; a negative value is a malformed one: both bad */
		ssl_err(errbuf, errlen, "signature does not match");
		rc = 1;
	}
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}
