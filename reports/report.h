/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports: the model serialised once to the JSON report (the evidence), and
 * every other format rendered from that JSON, so a saved report can be
 * re-rendered, diffed and verified later by exactly the same code.
 */
#ifndef MP_REPORT_H
#define MP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "model.h"

struct cJSON;
struct mp_check;

#define REP_SCHEMA "mskprobe.report/1"

/* The JSON report of r; NULL when out of memory. Caller frees (cJSON_Delete). */
struct cJSON *rep_to_json(const struct mp_report *r);
/*
 * The same report written as JSON text, the bytes rep_render("json") gives
 * for rep_to_json(r), one cluster at a time: no more than one cluster's
 * tree and text is held. head_hook (may be NULL) annotates the head (every
 * member but the clusters, "clusters" last) before it is printed; put gets
 * the text in pieces. 0, -ENOMEM, -EINVAL (the hook reordered the head) or
 * the first negative return of head_hook or put.
 */
int rep_json_write(const struct mp_report *r, int (*head_hook)(struct cJSON *head, void *ud),
		   int (*put)(const char *p, size_t n, void *ud), void *ud);

/* The tls object (issue 3 contract) of one TLS session; NULL on ENOMEM. */
struct cJSON *rep_tls_json(const struct mp_tls_info *t);

/*
 * Render a JSON report as terminal text (colour only when asked). Returns 0
 * and a malloc'd string, or -EINVAL with the reason in errbuf when the JSON
 * is not a report, or -ENOMEM.
 */
int rep_render_text(const struct cJSON *report, bool color, char **ret, char *errbuf,
		    size_t errlen);

/*
 * Write data to path atomically: a temporary file in the same directory,
 * fsync, rename, mode 0600. A crash or a full disk never leaves a partial
 * file under path. "-" writes to stdout. 0 or -errno with errbuf set.
 */
int rep_write_file(const char *path, const char *data, size_t len, char *errbuf, size_t errlen);

/* ---- untrusted JSON in (rep_load.c) --------------------------------------- */

#define REP_FILE_MAX (64u * 1024u * 1024u) /* largest report, inventory or policy read */

/*
 * Read at most max bytes of path into a malloc'd NUL-terminated buffer.
 * 0, or -errno / -EFBIG with "PATH: what is wrong" in errbuf.
 */
int rep_read_file(const char *path, size_t max, char **ret, size_t *ret_len, char *errbuf,
		  size_t errlen);
/*
 * Parse untrusted JSON text: syntax errors name line and column, depth and
 * node count are capped, every string must be UTF-8 and control characters
 * are defanged into visible "\u00NN" text. 0 or -EINVAL/-ENOMEM with
 * "NAME: what is wrong" in errbuf.
 */
int rep_json_parse(const char *data, size_t len, const char *name, struct cJSON **ret, char *errbuf,
		   size_t errlen);
int rep_json_read(const char *path, size_t max, struct cJSON **ret, char *errbuf, size_t errlen);

/* What rep_json_scan counted. */
struct rep_json_stats {
	uint64_t values;	 /* every value: scalars, arrays and objects */
	uint64_t tree_bytes;	 /* the estimated cJSON tree, strings included */
	uint64_t longest_string; /* bytes as written in the text */
	unsigned depth;		 /* deepest nesting of containers */
};
/*
 * The pre-scan (rep_jscan.c) rep_json_parse runs before cJSON: one pass,
 * no allocation, checks the RFC 8259 structure and the MP_JSON_* caps of
 * base/mp_limits.h. 0 with the counts in *ret (may be NULL); -EINVAL (not
 * JSON) or -E2BIG (a cap) with "NAME: what, where" in errbuf.
 */
int rep_json_scan(const char *data, size_t len, const char *name, struct rep_json_stats *ret,
		  char *errbuf, size_t errlen);
/* Check that j has the shape of a REP_SCHEMA report (types of every field renderers rely on). */
int rep_report_check(const struct cJSON *j, const char *name, char *errbuf, size_t errlen);
/* rep_json_read + rep_report_check. */
int rep_report_load(const char *path, struct cJSON **ret, char *errbuf, size_t errlen);
/*
 * rep_report_load for one report of a series: the estimated tree of the file
 * is taken from *budget (bytes left for the whole series, start it at
 * MP_JSON_SERIES_BYTES_MAX) and a file that does not fit is refused before
 * it is parsed (-E2BIG, errbuf says).
 */
int rep_report_load_within(const char *path, uint64_t *budget, struct cJSON **ret, char *errbuf,
			   size_t errlen);

/* ---- formats (rep_format.c) ------------------------------------------------ */

/*
 * The kinds of document mskprobe renders. One registry of formats serves
 * all three: which formats a kind has, the --format check and its one error
 * message, and rendering, so --format behaves the same in every command.
 */
enum rep_doc {
	REP_DOC_REPORT, /* mskprobe.report/1: scan, report */
	REP_DOC_DIFF,	/* mskprobe.diff/1: diff */
	REP_DOC_TREND,	/* mskprobe.trend/1: trend */
};
#define REP_DOCS 3

struct rep_render_opts {
	const struct mp_catalog *catalog; /* NULL: the built-in one */
	bool color;			  /* text: ANSI colours */
	const char *aws_account;	  /* asff: when a cluster has no ARN */
	const char *aws_region;
};

/* Does format render kind (report: json text html md asff ocsf junit)? */
bool rep_format_known(enum rep_doc kind, const char *format);
/* File name extension of a format ("html", "asff.json"...), NULL if unknown. */
const char *rep_format_ext(const char *format);
/* The formats of kind, "json, text, html, ..." (registry order), for help; into buf. */
#define REP_FORMAT_NAMES_MAX 128u
const char *rep_format_names(enum rep_doc kind, char *buf, size_t n);
/* 0 when format renders kind, else -EINVAL and, in errbuf, the one message every
 * command gives: "--format 'pdf': a diff is written as json, text or md". */
int rep_format_check(enum rep_doc kind, const char *format, char *errbuf, size_t errlen);
/*
 * Render the JSON document doc of kind as format. Returns 0 with a malloc'd
 * NUL-terminated text and its length (ret_len may be NULL), or -EINVAL
 * (errbuf says why: rep_format_check's message for a format kind lacks)
 * or -ENOMEM.
 */
int rep_render_doc(enum rep_doc kind, const char *format, const struct cJSON *doc,
		   const struct rep_render_opts *o, char **ret, size_t *ret_len, char *errbuf,
		   size_t errlen);
/* rep_render_doc of a (checked) report. */
int rep_render(const char *format, const struct cJSON *report, const struct rep_render_opts *o,
	       char **ret, size_t *ret_len, char *errbuf, size_t errlen);

/* ---- writing every artefact (rep_emit.c) ----------------------------------- */

#define REP_FORMATS_MAX 8u

struct rep_emit_opts {
	const char *formats;	/* "json,html"; NULL: "text" */
	const char *output;	/* one file ("-": stdout); NULL: stdout */
	const char *output_dir; /* several formats: DIR/report.EXT + manifest.json */
	const char *sign_key;	/* PEM private key (Ed25519 or EC): JSON.sig, manifest.json.sig */
	const char *const *evidence; /* further files to list in the manifest (a pcap) */
	size_t n_evidence;
	bool color_stdout; /* text to a TTY */
	const char *aws_account, *aws_region;
};

/* Check a --format list for kind (names it renders, no more than REP_FORMATS_MAX);
 * 0 or -EINVAL with rep_format_check's message for a bad name in errbuf. */
int rep_formats_check(enum rep_doc kind, const char *list, char *errbuf, size_t errlen);
/* Does the (checked) --format list name format? NULL means "text". */
bool rep_formats_has(const char *list, const char *format);
/*
 * Check --aws-account and --aws-region (ASFF for clusters without an ARN):
 * both or neither, the account 12 digits, the region like "eu-west-1" or
 * "us-gov-west-1". 0 or -EINVAL with errbuf naming the option.
 */
int rep_aws_where_check(const char *account, const char *region, char *errbuf, size_t errlen);
/*
 * Write the report in every asked format, atomically and mode 0600; with
 * output_dir also manifest.json (SHA-256 of every artefact); with sign_key
 * the detached signatures. With output_dir the set is staged and published
 * whole or not at all; SIGINT/SIGTERM are held meanwhile and raised again
 * afterwards (-EINTR when the caller's handler lets the process live).
 * 0 or -errno/-EINVAL with errbuf set.
 */
int rep_emit(const struct cJSON *report, const struct rep_emit_opts *o, char *errbuf,
	     size_t errlen);

/* ---- signatures and digests (rep_sign.c) ----------------------------------- */

#define REP_SIG_MAX 1024u

/* Lower-case hex SHA-256 of data into out[65]. 0 or -ENOMEM. */
int rep_sha256_hex(const void *data, size_t len, char out[65]);
/*
 * The same of a regular file of at most max bytes, read REP_HASH_CHUNK at a
 * time (a 4 GiB evidence pcap costs 64 KiB, not 4 GiB); its size in
 * *ret_len (may be NULL). 0 or -errno/-EFBIG/-EINVAL with errbuf set.
 */
#define REP_HASH_CHUNK (64u * 1024u)
int rep_sha256_file(const char *path, uint64_t max, char out[65], uint64_t *ret_len, char *errbuf,
		    size_t errlen);
/*
 * Sign data with the PEM private key in keyfile: Ed25519 (pure), or ECDSA
 * with SHA-256 (DER signature). The signature is what `openssl pkeyutl
 * -rawin` (Ed25519) or `openssl dgst -sha256 -verify` (ECDSA) check.
 */
int rep_sign(const char *keyfile, const void *data, size_t len, unsigned char **ret_sig,
	     size_t *ret_len, char *errbuf, size_t errlen);
/* 0 good signature, 1 bad signature, -errno/-EINVAL bad input (errbuf says). */
int rep_verify(const char *pubfile, const void *data, size_t len, const unsigned char *sig,
	       size_t siglen, char *errbuf, size_t errlen);

/* ---- diff and trend (rep_diff.c, rep_trend.c) ----------------------------- */

/*
 * What changed per cluster between two checked reports, as a JSON object
 * (schema mskprobe.diff/1); "regressed" true when AFTER is worse on some
 * cluster or not compliant. 0 or -ENOMEM.
 */
int rep_diff(const struct cJSON *before, const struct cJSON *after, struct cJSON **ret);

/*
 * KPIs over a series of checked reports (any order; sorted by generated_at):
 * compliance share over time, oldest version in production, mean time to
 * remediate, open findings by age (schema mskprobe.trend/1). 0, -EINVAL
 * (a report without a usable generated_at, errbuf says) or -ENOMEM.
 */
int rep_trend(const struct cJSON *const *reports, const char *const *names, size_t n,
	      struct cJSON **ret, char *errbuf, size_t errlen);

/*
 * MSK's published dates for an MSK version name ("3.7.x"), from the MSK
 * catalogue compiled into reports (rep_msk.c): release and end of support,
 * Unix time at 00:00 UTC of the day, 0 when not published. 0, or -ENOENT
 * when the catalogue lacks the version.
 */
int rep_msk_dates(const char *version, int64_t *ret_released, int64_t *ret_end_of_support);

/* ---- inventory, policy file, declared-vs-measured (rep_inventory.c) ------- */

#define REP_TAGS_MAX	      64u
#define REP_REQUIRED_TAGS_MAX 16u

/* One cluster of an `aws kafka list-clusters-v2` inventory, ready to scan. */
struct rep_inv_cluster {
	char name[MP_NAME_MAX]; /* sanitised */
	char arn[512];		/* "" when absent */
	size_t n_bootstrap, n_zookeeper;
	char **bootstrap;   /* "host:port", owned */
	char **zookeeper;   /* "host:port", owned */
	struct cJSON *info; /* owned: the report's cluster "inventory" object */
};

struct rep_inventory {
	size_t n;
	struct rep_inv_cluster *clusters;
	/* listed but not running (State CREATING, DELETING or FAILED, no
	 * BootstrapBrokers): not scanned, named in the report's provenance */
	size_t n_skipped;
	struct rep_inv_cluster *skipped;
};

/*
 * Load an inventory file (list-clusters-v2 output with each cluster's
 * get-bootstrap-brokers output merged in as "BootstrapBrokers"). Hostile
 * names and tags are sanitised; wrong types are errors naming the field.
 * Clusters that are not running go to skipped; none left to scan is an error.
 */
int rep_inventory_load(const char *path, struct rep_inventory **ret, char *errbuf, size_t errlen);
void rep_inventory_free(struct rep_inventory *inv);

/* A --policy FILE.json: what the flags set, validated. */
struct rep_policy {
	bool has_min_version, has_platform, has_cert_warn_days;
	char min_version[24];
	char platform[8];
	int cert_warn_days;
	size_t n_required_tags;
	char required_tags[REP_REQUIRED_TAGS_MAX][128];
	size_t n_severity;
	struct {
		char id[48];
		enum mp_severity severity;
	} severity[64];
};

int rep_policy_load(const char *path, struct rep_policy *ret, char *errbuf, size_t errlen);
/* Parse "Owner,CostCenter" into p->required_tags. 0 or -EINVAL. */
int rep_policy_tags(struct rep_policy *p, const char *list, char *errbuf, size_t errlen);

/*
 * After the scan and the policy: attach the inventory entry to cluster c
 * (taking a copy of info), add the declared-vs-measured findings and
 * TAG_OWNER_MISSING, then apply the policy's severity overrides to every
 * finding of c. inv may be NULL (then only tags cannot be checked).
 * 0 or -ENOMEM.
 */
int rep_declared_findings(struct mp_cluster *c, const struct rep_inv_cluster *inv,
			  const struct rep_policy *p);
/* Add to the JSON report what only reports/ knows: policy.required_tags,
 * policy.severity_overrides, provenance.inputs (file names and SHA-256). */
int rep_annotate(struct cJSON *report, const struct rep_policy *p, const char *inventory_path,
		 const char *policy_path);

/* info 0 .. critical 4, or -1 for anything else. */
int rep_sev_rank(const char *s);

/*
 * `report --target-version`: judge every client of a loaded report again
 * against target (an exact release, base/compat.h), replace the CLIENT_*
 * findings, and say so in policy.target_version and provenance.rejudged.
 * 0 or -errno with errbuf.
 */
int rep_clients_rejudge(struct cJSON *report, const char *target, char *errbuf, size_t errlen);

#endif
