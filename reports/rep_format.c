/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The format registry: one const ops table per format, listed once here,
 * each with a renderer per kind of document it writes (report, diff,
 * trend). Every command checks --format and renders through it, so the
 * formats a command accepts, its error message and its help all come from
 * this one table.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static const struct rep_format_ops *const formats[] = {
	&rep_fmt_json, &rep_fmt_text, &rep_fmt_html,  &rep_fmt_md,
	&rep_fmt_asff, &rep_fmt_ocsf, &rep_fmt_junit, &rep_fmt_prom,
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

static const char *const doc_article[REP_DOCS] = {
	[REP_DOC_REPORT] = "a report",
	[REP_DOC_DIFF] = "a diff",
	[REP_DOC_TREND] = "a trend",
};

static bool kind_valid(enum rep_doc kind)
{
	return (unsigned)kind < REP_DOCS;
}

static const struct rep_format_ops *find(const char *name)
{
	for (size_t i = 0; name && i < N_FORMATS; i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

bool rep_format_known(enum rep_doc kind, const char *name)
{
	const struct rep_format_ops *f = find(name);
	return f && kind_valid(kind) && f->render[kind];
}

const char *rep_format_ext(const char *name)
{
	const struct rep_format_ops *f = find(name);
	return f ? f->ext : NULL;
}

/* The formats of kind joined with ", ", the last with last_sep (", " or " or "). */
static void names(enum rep_doc kind, char *dst, size_t n, const char *last_sep)
{
	size_t have = 0, seen = 0, off = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < N_FORMATS; i++)
		have += formats[i]->render[kind] != NULL;
	for (size_t i = 0; i < N_FORMATS; i++) {
		if (!formats[i]->render[kind])
			continue;
		const char *sep = seen == 0 ? "" : seen + 1 == have ? last_sep : ", ";
		mp_fmt(dst + off, n - off, "%s%s", sep, formats[i]->name);
		off += strlen(dst + off);
		seen++;
	}
}

const char *rep_format_names(enum rep_doc kind, char *buf, size_t n)
{
	buf[0] = '\0';
	if (kind_valid(kind))
		names(kind, buf, n, ", ");
	return buf;
}

int rep_format_check(enum rep_doc kind, const char *format, char *errbuf, size_t errlen)
{
	char want[REP_FORMAT_NAMES_MAX];
	if (!kind_valid(kind)) {
		mp_fmt(errbuf, errlen, "not a kind of document");
		return -EINVAL;
	}
	if (rep_format_known(kind, format))
		return 0;
	names(kind, want, sizeof(want), " or ");
	mp_fmt(errbuf, errlen, "--format '%.40s': %s is written as %s", format ? format : "",
	       doc_article[kind], want);
	return -EINVAL;
}

int rep_render_doc(enum rep_doc kind, const char *format, const cJSON *doc,
		   const struct rep_render_opts *o, char **ret, size_t *ret_len, char *errbuf,
		   size_t errlen)
{
	const struct rep_format_ops *f = find(format);
	struct mp_catalog *own = NULL;
	struct rep_buf b = { 0 };
	struct rep_ctx ctx = { 0 };
	int rc;

	if ((rc = rep_format_check(kind, format, errbuf, errlen)) < 0)
		return rc;
	if (o) {
		ctx.cat = o->catalog;
		ctx.color = o->color;
		ctx.aws_account = o->aws_account;
		ctx.aws_region = o->aws_region;
	}
	if (!ctx.cat) {
		if ((rc = mp_catalog_builtin(&own, errbuf, errlen)) < 0)
			return rc;
		ctx.cat = own;
	}
	rc = f->render[kind](doc, &ctx, &b, errbuf, errlen);
	mp_catalog_free(own);
	if (rc < 0) {
		rb_free(&b);
		return rc;
	}
	if ((rc = rb_take(&b, ret, ret_len)) < 0)
		mp_fmt(errbuf, errlen, "out of memory rendering %s", format);
	return rc;
}

int rep_render(const char *format, const cJSON *report, const struct rep_render_opts *o, char **ret,
	       size_t *ret_len, char *errbuf, size_t errlen)
{
	return rep_render_doc(REP_DOC_REPORT, format, report, o, ret, ret_len, errbuf, errlen);
}

/* Every kind as JSON: the document itself, indented, and a newline. */
static int json_render(const cJSON *doc, const struct rep_ctx *ctx, struct rep_buf *out,
		       char *errbuf, size_t errlen)
{
	(void)ctx;
	(void)errbuf;
	(void)errlen;
	char *s = cJSON_Print(doc);
	if (!s) {
		out->oom = true;
		return 0;
	}
	rb_str(out, s);
	rb_str(out, "\n");
	free(s);
	return 0;
}

const struct rep_format_ops rep_fmt_json = {
	.name = "json",
	.ext = "json",
	.summary = "the report itself (schema mskprobe.report/1): the evidence",
	.render = { [REP_DOC_REPORT] = json_render,
		    [REP_DOC_DIFF] = json_render,
		    [REP_DOC_TREND] = json_render },
};
