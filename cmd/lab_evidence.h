/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `mskprobe demo` does with its two scans (DIR/before, DIR/after):
 * the pre/post upgrade diff and the trend, computed from the report files
 * exactly as `mskprobe diff` and `mskprobe trend` would, and the evidence
 * integrity story: an Ed25519 key pair made for the run, the after report
 * signed by the scan, and the signatures checked again from the files.
 */
#ifndef MP_LAB_EVIDENCE_H
#define MP_LAB_EVIDENCE_H

#include <stddef.h>

#include "pki.h"

struct lab_keys {
	char key[PKI_PATH_MAX]; /* PEM private key, mode 0600 */
	char pub[PKI_PATH_MAX]; /* PEM public key */
};

/*
 * Generate an Ed25519 key pair into dir (report-signing-key.pem,
 * report-signing-pub.pem). 0, or -errno/-EIO with errbuf set.
 */
int lab_signing_keys(const char *dir, struct lab_keys *ret, char *errbuf, size_t errlen);

/*
 * Load DIR/before/report.json and DIR/after/report.json, write
 * DIR/diff.{txt,md,json} and DIR/trend.{txt,html}, print the diff text.
 * 0, or -errno/-EINVAL with errbuf set.
 */
int lab_compare(const char *dir, char *errbuf, size_t errlen);

/*
 * Check the signatures of DIR/after/report.json and DIR/after/manifest.json
 * with k->pub, show that one changed byte breaks them, and print the
 * commands that check them again. 0 verified, 1 a signature did not
 * verify, -errno/-EINVAL with errbuf set.
 */
int lab_check_signatures(const char *dir, const struct lab_keys *k, char *errbuf, size_t errlen);

#endif
