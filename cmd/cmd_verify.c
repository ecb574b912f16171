/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `mskprobe verify REPORT.json --pubkey PUB.pem [--signature FILE]`: check
 * the detached signature over the exact bytes of the file. With --manifest
 * the file is a manifest.json, and every artefact it lists (in the same
 * folder) must also have the SHA-256 it records.
 * Exit 0 good, 1 bad signature or digest, 2 bad input.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "js.h"
#include "report.h"
#include "util.h"

#define ARTEFACT_MAX (4ull * 1024 * 1024 * 1024)

static void usage(FILE *f)
{
	fprintf(f, "usage: mskprobe verify FILE --pubkey PUB.pem [--signature SIG] [--manifest]\n\n"
		   "Checks the detached signature (default FILE.sig) that --sign-key wrote.\n"
		   "  --pubkey PUB.pem   the Ed25519 or EC public key\n"
		   "  --signature SIG    signature file (default FILE.sig)\n"
		   "  --manifest         FILE is a manifest.json: also check the SHA-256 of\n"
		   "                     every artefact it lists, in its folder\n\n"
		   "exit codes: 0 good signature (and digests), 1 bad signature or digest,\n"
		   "            2 bad usage or input (unreadable file, not a key)\n");
}

/* 0 all listed files match, 1 some do not, -1 bad input. */
static int check_manifest(const char *path, const char *data, size_t len)
{
	cJSON *m = NULL;
	const cJSON *f;
	char err[1024] = "", dir[4096];
	int rc = 0;
	if (rep_json_parse(data, len, path, &m, err, sizeof(err)) < 0 ||
	    strcmp(js_str(m, "schema", ""), "mskprobe.manifest/1") != 0 || !js_arr(m, "files")) {
		fprintf(stderr, "mskprobe verify: %s\n", err[0] ? err : "not an mskprobe manifest");
		cJSON_Delete(m);
		return -1;
	}
	mp_strlcpy(dir, path, sizeof(dir));
	const char *d = dirname(dir);
	cJSON_ArrayForEach (f, js_arr(m, "files")) {
		const char *name = js_str(f, "file", ""), *want = js_str(f, "sha256", "");
		char full[8192], got[65];
		if (!name[0] || strchr(name, '/') || strcmp(name, "..") == 0) {
			fprintf(stderr, "mskprobe verify: %s: bad file name in the manifest\n",
				path);
			rc = -1;
			break;
		}
		mp_fmt(full, sizeof(full), "%s/%s", d, name);
		/* hashed as it is read: an artefact may be a 4 GiB pcap */
		if (rep_sha256_file(full, ARTEFACT_MAX, got, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "mskprobe verify: %s\n", err);
			rc = rc ? rc : 1;
			continue;
		}
		if (strcmp(got, want) != 0) {
			fprintf(stderr, "mskprobe verify: %s: SHA-256 %s, manifest says %.64s\n",
				full, got, want);
			rc = rc ? rc : 1;
		} else {
			printf("ok %s\n", name);
		}
	}
	cJSON_Delete(m);
	return rc;
}

int mp_cmd_verify(int argc, char **argv)
{
	enum { O_PUB = 256, O_SIG, O_MANIFEST, O_HELP };
	static const struct option opts[] = {
		{ "pubkey", required_argument, NULL, O_PUB },
		{ "signature", required_argument, NULL, O_SIG },
		{ "manifest", no_argument, NULL, O_MANIFEST },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *pub = NULL, *sigpath = NULL;
	bool manifest = false;
	char *data = NULL, *sig = NULL, err[1024] = "", defsig[4200];
	size_t len = 0, siglen = 0;
	int c, rc = MP_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_PUB) {
			pub = optarg;
		} else if (c == O_SIG) {
			sigpath = optarg;
		} else if (c == O_MANIFEST) {
			manifest = true;
		} else if (c == O_HELP) {
			usage(stdout);
			return MP_EXIT_PASS;
		} else {
			fprintf(stderr, "mskprobe verify: see 'mskprobe verify --help'\n");
			return MP_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !pub) {
		fprintf(stderr, "mskprobe verify: want one FILE and --pubkey (see --help)\n");
		return MP_EXIT_USAGE;
	}
	if (!sigpath) {
		mp_fmt(defsig, sizeof(defsig), "%s.sig", argv[optind]);
		sigpath = defsig;
	}
	if (rep_read_file(argv[optind], REP_FILE_MAX, &data, &len, err, sizeof(err)) < 0 ||
	    rep_read_file(sigpath, REP_SIG_MAX, &sig, &siglen, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe verify: %s\n", err);
		goto out;
	}
	int v = rep_verify(pub, data, len, (const unsigned char *)sig, siglen, err, sizeof(err));
	if (v < 0) {
		fprintf(stderr, "mskprobe verify: %s\n", err);
		goto out;
	}
	if (v == 1) {
		fprintf(stderr, "mskprobe verify: %s: BAD signature (%s)\n", argv[optind], err);
		rc = MP_EXIT_FINDING;
		goto out;
	}
	printf("good signature: %s (%s)\n", argv[optind], sigpath);
	rc = MP_EXIT_PASS;
	if (manifest) {
		int m = check_manifest(argv[optind], data, len);
		rc = m < 0 ? MP_EXIT_USAGE : m ? MP_EXIT_FINDING : MP_EXIT_PASS;
	}
out:
	free(data);
	free(sig);
	return rc;
}
