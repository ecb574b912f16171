/* SPDX-License-Identifier: Apache-2.0 */
/* The format registry: one const ops table per format, listed once here. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

static const struct rep_format_ops *const formats[] = {
	&rep_fmt_json, &rep_fmt_text, &rep_fmt_html,  &rep_fmt_md,
	&rep_fmt_asff, &rep_fmt_ocsf, &rep_fmt_junit,
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

static const struct rep_format_ops *find(const char *name)
{
	for (size_t i = 0; name && i < N_FORMATS; i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

bool rep_format_known(const char *name)
{
	return find(name) != NULL;
}

const char *rep_format_ext(const char *name)
{
	const struct rep_format_ops *f = find(name);
	return f ? f->ext : NULL;
}

const char *rep_format_names(void)
{
	return "json, text, html, md, asff, ocsf, junit";
}

int rep_render(const char *format, const cJSON *report, const struct rep_render_opts *o, char **ret,
	       size_t *ret_len, char *errbuf, size_t errlen)
{
	const struct rep_format_ops *f = find(format);
	struct mp_catalog *own = NULL;
	struct rep_buf b = { 0 };
	struct rep_ctx ctx = { 0 };
	int rc;

	if (!f) {
		mp_fmt(errbuf, errlen, "unknown format '%s' (want %s)", format ? format : "",
		       rep_format_names());
		return -EINVAL;
	}
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
	rc = f->render(report, &ctx, &b, errbuf, errlen);
	mp_catalog_free(own);
	if (rc < 0) {
		rb_free(&b);
		return rc;
	}
	if ((rc = rb_take(&b, ret, ret_len)) < 0)
		mp_fmt(errbuf, errlen, "out of memory rendering %s", format);
	return rc;
}

static int json_render(const cJSON *report, const struct rep_ctx *ctx, struct rep_buf *out,
		       char *errbuf, size_t errlen)
{
	(void)ctx;
	(void)errbuf;
	(void)errlen;
	char *s = cJSON_Print(report);
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
	.render = json_render,
};
