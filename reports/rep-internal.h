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

/* The severity check k carries in this report: the finding's when there is one,
 * else the policy's override of k (policy.severity_overrides), else the catalogue's. */
const char *rep_check_severity(const struct mp_check *k, const struct cJSON *report,
			       const struct cJSON *finding);

/* ---- sorted lookups ------------------------------------------------------ */
/*
 * An index of JSON nodes by one or two string keys, sorted once, looked up
 * in O(log n): what the diff and the trend use instead of walking arrays
 * pairwise. Among equal keys the first added wins, as a linear search would.
 */
struct rep_index_ent {
	const char *k1, *k2;
	const struct cJSON *v;
	size_t seq;
};
struct rep_index {
	size_t n, cap;
	struct rep_index_ent *e;
	bool oom;
};
void rep_index_add(struct rep_index *ix, const char *k1, const char *k2, const struct cJSON *v);
/* Sort what was added; -ENOMEM when an add failed (the index is then empty). */
int rep_index_sort(struct rep_index *ix);
/* The first node added under (k1, k2) (k2 NULL: "" ), or NULL. */
const struct cJSON *rep_index_find(const struct rep_index *ix, const char *k1, const char *k2);
void rep_index_free(struct rep_index *ix);
/* Every cluster of report under its key (js_cluster_key); 0 or -ENOMEM. */
int rep_index_clusters(struct rep_index *ix, const struct cJSON *report);

/* ---- formats ------------------------------------------------------------ */
struct rep_ctx {
	const struct mp_catalog *cat;
	bool color;
	const char *aws_account, *aws_region, *aws_partition;
};

/*
 * A renderer of one kind of document (enum rep_doc) in one format. It reads
 * the JSON document (a report already checked by rep_report_check: the
 * top-level shape is right, every string is valid UTF-8 without control
 * characters; a diff or trend this code made) and appends to out; it must
 * escape every string for its language and tolerate any field being absent
 * or of the wrong type. Returns 0, or -EINVAL with the reason in errbuf when
 * the document cannot be expressed in the format (ASFF without an account).
 * Out-of-memory is signalled through out->oom.
 */
typedef int rep_render_fn(const struct cJSON *doc, const struct rep_ctx *ctx, struct rep_buf *out,
			  char *errbuf, size_t errlen);

/*
 * One output format: the registry (rep_format.c) is the table of (kind x
 * format); render[kind] is NULL where the format does not render that kind.
 */
struct rep_format_ops {
	const char *name; /* --format value */
	const char *ext;  /* file name extension in --output-dir */
	const char *summary;
	rep_render_fn *render[REP_DOCS];
};

extern const struct rep_format_ops rep_fmt_json, rep_fmt_text, rep_fmt_html, rep_fmt_md,
	rep_fmt_asff, rep_fmt_ocsf, rep_fmt_junit, rep_fmt_prom;

/* The renderers of diffs (rep_diff.c) and trends (rep_trend.c) the ops tables name. */
rep_render_fn rep_diff_text, rep_diff_md, rep_trend_text, rep_trend_html;

/* Shared by html and trend: the page head with the inline stylesheet, and a
 * table cell "<td>s</td>" with s escaped. */
void rep_html_head(struct rep_buf *b, const char *title);
void rep_html_td(struct rep_buf *b, const char *s);

/* A cluster's inventory.owners as "K<kv>V<sep>K<kv>V...", every string through
 * esc; none (markup, not escaped) when there is no owner. HTML and Markdown. */
void rep_owners(struct rep_buf *b, const struct cJSON *cluster,
		void (*esc)(struct rep_buf *b, const char *s), const char *sep, const char *kv,
		const char *none);

/*
 * One finding's block (title, severity, remediation, controls, evidence),
 * walked once for HTML and Markdown: the walker looks the finding up in the
 * catalogue and yields the parts in order; a style says how each is written.
 */
struct rep_finding_style {
	void (*esc)(struct rep_buf *b, const char *s); /* rb_html, rb_md */
	/* the heading: severity (one of the five names), id and title, unescaped */
	void (*head)(struct rep_buf *b, const char *sev, const char *id, const char *title);
	const char *remediation; /* before the catalogue's remediation */
	const char *controls;	 /* between it and the controls "FW CTRL; FW CTRL" */
	const char *controls_end;
	const char *uncatalogued; /* instead of the three above: the id is not in the catalogue */
	void (*evidence)(struct rep_buf *b, const struct cJSON *ev); /* a non-empty object */
	const char *end;
};
void rep_finding_block(struct rep_buf *b, const struct rep_ctx *ctx, const struct cJSON *f,
		       const struct rep_finding_style *st);

/* A cluster's client inventory and Open Monitoring scrapes (rep_clients.c); nothing when absent. */
void rep_clients_text(struct rep_buf *o, const struct cJSON *cluster);
void rep_clients_md(struct rep_buf *b, const struct cJSON *cluster);
void rep_clients_html(struct rep_buf *b, const struct cJSON *cluster);
/*
 * Clients of one cluster in two reports: {appeared, disappeared,
 * became_compatible, became_incompatible} (each a list of "who [library]
 * (source)"), or NULL when neither report has an inventory. *ret_worse: a
 * client now fails the target (a regression).
 */
struct cJSON *rep_clients_diff(const struct cJSON *before, const struct cJSON *after,
			       bool *ret_worse);
void rep_clients_diff_render(struct rep_buf *b, const struct cJSON *clients_diff, bool md);

#endif
