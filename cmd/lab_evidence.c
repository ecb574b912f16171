/* SPDX-License-Identifier: Apache-2.0 */
/* See lab_evidence.h: the demo's diff, trend and signatures. */
#include "lab_evidence.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

int lab_signing_keys(const char *dir, struct lab_keys *ret, char *errbuf, size_t errlen)
{
	struct lab_keys out;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	BIO *priv = NULL, *pub = NULL;
	char *p = NULL;
	long n;
	int rc = -EIO;

	mp_fmt(out.key, sizeof(out.key), "%s/report-signing-key.pem", dir);
	mp_fmt(out.pub, sizeof(out.pub), "%s/report-signing-pub.pem", dir);
	ERR_clear_error();
	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &k) != 1 ||
	    !(priv = BIO_new(BIO_s_mem())) || !(pub = BIO_new(BIO_s_mem())) ||
	    PEM_write_bio_PrivateKey(priv, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_PUBKEY(pub, k) != 1) {
		const char *why = ERR_reason_error_string(ERR_get_error());
		ERR_clear_error();
		mp_fmt(errbuf, errlen, "Ed25519 key pair: %s", why ? why : "no detail");
		goto out;
	}
	n = BIO_get_mem_data(priv, &p);
	if ((rc = rep_write_file(out.key, p, (size_t)n, errbuf, errlen)) < 0)
		goto out;
	n = BIO_get_mem_data(pub, &p);
	if ((rc = rep_write_file(out.pub, p, (size_t)n, errbuf, errlen)) < 0)
		goto out;
	*ret = out;
out:
	if (priv && (n = BIO_get_mem_data(priv, &p)) > 0)
		OPENSSL_cleanse(p, (size_t)n);
	BIO_free(priv);
	BIO_free(pub);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* The diff and trend files, in the order they are written. */
static const struct {
	const char *file, *format;
	bool trend;
} outputs[] = {
	{ "diff.txt", "text", false },	{ "diff.md", "md", false },
	{ "diff.json", "json", false }, { "trend.txt", "text", true },
	{ "trend.html", "html", true },
};

int lab_compare(const char *dir, char *errbuf, size_t errlen)
{
	static const char *const names[2] = { "before/report.json", "after/report.json" };
	cJSON *r[2] = { NULL, NULL }, *d = NULL, *t = NULL;
	char path[4200];
	int rc;

	for (size_t i = 0; i < 2; i++) {
		mp_fmt(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((rc = rep_report_load(path, &r[i], errbuf, errlen)) < 0)
			goto out;
	}
	if ((rc = rep_diff(r[0], r[1], &d)) < 0 ||
	    (rc = rep_trend((const cJSON *const *)r, names, 2, &t, errbuf, errlen)) < 0)
		goto out;
	printf("\n$ mskprobe diff %s/before/report.json %s/after/report.json\n", dir, dir);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		char *text = NULL;
		rc = outputs[i].trend ? rep_render_doc(REP_DOC_TREND, outputs[i].format, t, NULL,
						       &text, NULL, errbuf, errlen)
				      : rep_render_doc(REP_DOC_DIFF, outputs[i].format, d, NULL,
						       &text, NULL, errbuf, errlen);
		mp_fmt(path, sizeof(path), "%s/%s", dir, outputs[i].file);
		if (rc == 0)
			rc = rep_write_file(path, text, strlen(text), errbuf, errlen);
		if (rc == 0 && i == 0)
			fputs(text, stdout);
		free(text);
		if (rc < 0)
			goto out;
	}
out:
	if (rc == -ENOMEM && !errbuf[0])
		mp_fmt(errbuf, errlen, "out of memory comparing the reports");
	cJSON_Delete(t);
	cJSON_Delete(d);
	cJSON_Delete(r[0]);
	cJSON_Delete(r[1]);
	return rc;
}

/*
 * Check path against path.sig with pub; with tamper, on a copy of path with
 * one byte changed. 0 good, 1 bad, -errno/-EINVAL.
 */
static int verify_file(const char *path, const char *pub, bool tamper, char *errbuf, size_t errlen)
{
	char sigpath[4200], *data = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	int rc;

	mp_fmt(sigpath, sizeof(sigpath), "%s.sig", path);
	if ((rc = rep_read_file(path, REP_FILE_MAX, &data, &len, errbuf, errlen)) < 0 ||
	    (rc = rep_read_file(sigpath, REP_SIG_MAX, &sig, &siglen, errbuf, errlen)) < 0)
		goto out;
	if (tamper && len)
		data[len / 2] ^= 0x01;
	rc = rep_verify(pub, data, len, (const unsigned char *)sig, siglen, errbuf, errlen);
out:
	free(data);
	free(sig);
	return rc;
}

/* s for a POSIX shell: as is when it is plain, else in single quotes. */
static void put_shell_word(const char *s)
{
	if (s[0] &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+,:@") ==
		    strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

/* One indented command line: words up to NULL, "<FILE>", "<SIG>" (FILE.sig) and "<PUB>" replaced. */
static void put_command(const char *const *w, const char *file, const char *pub)
{
	char sig[4200];

	mp_fmt(sig, sizeof(sig), "%s.sig", file);
	fputs("    ", stdout);
	for (size_t i = 0; w[i]; i++) {
		if (i)
			putchar(' ');
		if (strcmp(w[i], "<FILE>") == 0)
			put_shell_word(file);
		else if (strcmp(w[i], "<SIG>") == 0)
			put_shell_word(sig);
		else if (strcmp(w[i], "<PUB>") == 0)
			put_shell_word(pub);
		else
			fputs(w[i], stdout);
	}
	putchar('\n');
}

int lab_check_signatures(const char *dir, const struct lab_keys *k, char *errbuf, size_t errlen)
{
	static const char *const verify_report[] = { "mskprobe", "verify", "<FILE>",
						     "--pubkey", "<PUB>",  NULL };
	static const char *const verify_manifest[] = { "mskprobe", "verify", "<FILE>",
						       "--pubkey", "<PUB>",  "--manifest",
						       NULL };
	static const char *const openssl[] = { "openssl", "pkeyutl",  "-verify", "-pubin",
					       "-inkey",  "<PUB>",    "-rawin",	 "-in",
					       "<FILE>",  "-sigfile", "<SIG>",	 NULL };
	char report[4200], manifest[4200];
	int rc;

	mp_fmt(report, sizeof(report), "%s/after/report.json", dir);
	mp_fmt(manifest, sizeof(manifest), "%s/after/manifest.json", dir);
	if ((rc = verify_file(report, k->pub, false, errbuf, errlen)) != 0)
		return rc;
	printf("\nsignature verified: %s (Ed25519, public key %s)\n", report, k->pub);
	if ((rc = verify_file(manifest, k->pub, false, errbuf, errlen)) != 0)
		return rc;
	printf("signature verified: %s (the SHA-256 of every file in %s/after)\n", manifest, dir);
	rc = verify_file(report, k->pub, true, errbuf, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		mp_fmt(errbuf, errlen, "%s: the signature still verifies with one byte changed",
		       report);
		return 1;
	}
	printf("the same report with one byte changed: BAD signature, as it must be\n");
	printf("check them yourself:\n");
	put_command(verify_report, report, k->pub);
	put_command(verify_manifest, manifest, k->pub);
	put_command(openssl, report, k->pub);
	return 0;
}
