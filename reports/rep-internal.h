/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to reports/: the output buffer every renderer writes into, the
 * escapers for each target language, type-checked accessors into a loaded
 * JSON report, the finding catalogue's row and the format ops table.
 *
 * Every accessor tolerates a NULL or wrongly typed node and returns the
 * caller's default: a report read from a file is untrusted, and a renderer
 * must never crash or emit markup because a field has the wrong type.
 */
#ifndef MP_REP_INTERNAL_H
#define MP_REP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "js.h"
#include "report.h"

#include <stdio.h>

struct cJSON;

/* ---- growable output buffer with a sticky out-of-memory flag ---------- */
struct rep_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void rb_put(struct rep_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rb_add(struct rep_buf *b, const char *s, size_t n);
void rb_str(struct rep_buf *b, const char *s);
/* Escaped for HTML text and attribute values (& < > " '). */
void rb_html(struct rep_buf *b, const char *s);
/* Escaped for XML 1.0 (JUnit): as HTML, and characters XML forbids dropped. */
void rb_xml(struct rep_buf *b, const char *s);
/* Escaped for Markdown inline text and table cells (\ ` * _ [ ] < > | # etc). */
void rb_md(struct rep_buf *b, const char *s);
/* Returns 0 and hands over the NUL-terminated text, or -ENOMEM (buffer freed). */
int rb_take(struct rep_buf *b, char **ret, size_t *ret_len);
void rb_free(struct rep_buf *b);

/* ---- accessors --------------------------------------------------------- */
/* "2.2 (2.2.1)" from a cluster's kafka.releases and kafka.candidates. */
void js_version_cell(const struct cJSON *cluster, char *dst, size_t n);
/* The cluster's stable key: its ARN when the inventory gave one, else its name. */
const char *js_cluster_key(const struct cJSON *cluster);

/* ---- strings ------------------------------------------------------------ */
/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool mp_utf8_valid(const char *s, size_t len);
/* Truncate in place to at most max bytes without splitting a UTF-8 sequence. */
void rep_utf8_trunc(char *s, size_t max);
/* Seconds since the epoch of an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SS[.f]Z"; -1 if not one. */
int64_t rep_time_parse(const char *s);

/* ---- the finding catalogue (base/data/findings.tsv) ----------------- */
/* Was the check evaluated for this cluster of this report? (catalogue "requires") */
bool rep_check_evaluated(const struct mp_check *k, const struct cJSON *report,
			 const struct cJSON *cluster);

/* The per-cluster status of check k: "PASSED", "FAILED", "WARNING" or "NOT_AVAILABLE";
 * *ret_finding is the finding object when one is present. */
const char *rep_check_status(const struct mp_check *k, const struct cJSON *report,
			     const struct cJSON *cluster, const struct cJSON **ret_finding);

#define REP_VERDICT_CHECK "CONTROL_PLANE_ENCRYPTION"

/* ---- formats ------------------------------------------------------------ */
struct rep_ctx {
	const struct mp_catalog *cat;
	bool color;
	const char *aws_account, *aws_region, *aws_partition;
};

/*
 * One output format. render() reads the JSON report (already checked by
 * rep_report_check: the top-level shape is right, every string is valid
 * UTF-8 without control characters) and appends to out; it must escape
 * every string for its language and tolerate any field being absent or of
 * the wrong type. Returns 0, or -EINVAL with the reason in errbuf when the
 * report cannot be expressed in the format (ASFF without an account).
 * Out-of-memory is signalled through out->oom.
 */
struct rep_format_ops {
	const char *name; /* --format value */
	const char *ext;  /* file name extension in --output-dir */
	const char *summary;
	int (*render)(const struct cJSON *report, const struct rep_ctx *ctx, struct rep_buf *out,
		      char *errbuf, size_t errlen);
};

extern const struct rep_format_ops rep_fmt_json, rep_fmt_text, rep_fmt_html, rep_fmt_md,
	rep_fmt_asff, rep_fmt_ocsf, rep_fmt_junit;

/* Shared by html and trend: the page head with the inline stylesheet. */
void rep_html_head(struct rep_buf *b, const char *title);

#endif
