/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing a report out: every asked format rendered from the one JSON
 * report, each file written atomically with mode 0600 (rep_write_file);
 * with --output-dir also report.json (always: it is the evidence),
 * manifest.json (name, bytes and SHA-256 of every artefact, the evidence
 * pcap included) and, with a signing key, report.json.sig and
 * manifest.json.sig. A failure leaves complete files or none, and the
 * manifest is written last, so a manifest only ever lists files that exist.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rep-internal.h"
#include "util.h"

#define EVIDENCE_FILE_MAX (4ull * 1024 * 1024 * 1024)

struct fmtlist {
	size_t n;
	char names[REP_FORMATS_MAX][16];
};

static int parse_list(const char *list, struct fmtlist *fl, char *errbuf, size_t errlen)
{
	fl->n = 0;
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		char one[16];
		if (n == 0 || n >= sizeof(one)) {
			mp_fmt(errbuf, errlen, "--format '%.60s': want a list of %s", list,
			       rep_format_names());
			return -EINVAL;
		}
		memcpy(one, p, n);
		one[n] = '\0';
		if (!rep_format_known(one)) {
			mp_fmt(errbuf, errlen, "--format '%s': unknown (want %s)", one,
			       rep_format_names());
			return -EINVAL;
		}
		bool dup = false;
		for (size_t i = 0; i < fl->n; i++)
			dup = dup || strcmp(fl->names[i], one) == 0;
		if (!dup) {
			if (fl->n >= REP_FORMATS_MAX) {
				mp_fmt(errbuf, errlen, "--format: too many formats");
				return -EINVAL;
			}
			mp_strlcpy(fl->names[fl->n++], one, sizeof(fl->names[0]));
		}
		p += n + (p[n] == ',');
	}
	if (!fl->n) {
		mp_fmt(errbuf, errlen, "--format: empty list");
		return -EINVAL;
	}
	return 0;
}

int rep_formats_check(const char *list, char *errbuf, size_t errlen)
{
	struct fmtlist fl;
	return parse_list(list, &fl, errbuf, errlen);
}

bool rep_formats_has(const char *list, const char *format)
{
	struct fmtlist fl;
	char err[256];
	if (parse_list(list ? list : "text", &fl, err, sizeof(err)) < 0)
		return false;
	for (size_t i = 0; i < fl.n; i++)
		if (strcmp(fl.names[i], format) == 0)
			return true;
	return false;
}

static int add_entry(cJSON *files, const char *name, const char *role, const void *data, size_t len)
{
	char h[65];
	cJSON *e = cJSON_CreateObject();
	if (!e || rep_sha256_hex(data, len, h) < 0) {
		cJSON_Delete(e);
		return -ENOMEM;
	}
	cJSON_AddStringToObject(e, "file", name);
	cJSON_AddStringToObject(e, "role", role);
	cJSON_AddNumberToObject(e, "bytes", (double)len);
	cJSON_AddStringToObject(e, "sha256", h);
	cJSON_AddItemToArray(files, e);
	return 0;
}

/* Write path; add it to the manifest (when files) under its base name. */
static int put_file(const char *path, const char *role, const char *data, size_t len, cJSON *files,
		    char *errbuf, size_t errlen)
{
	int rc = rep_write_file(path, data, len, errbuf, errlen);
	if (rc < 0 || !files)
		return rc;
	char tmp[4096];
	mp_strlcpy(tmp, path, sizeof(tmp));
	return add_entry(files, basename(tmp), role, data, len);
}

static int sign_to(const char *key, const char *path, const char *data, size_t len, cJSON *files,
		   char *errbuf, size_t errlen)
{
	unsigned char *sig = NULL;
	size_t n = 0;
	char sp[4200];
	int rc = rep_sign(key, data, len, &sig, &n, errbuf, errlen);
	if (rc < 0)
		return rc;
	mp_fmt(sp, sizeof(sp), "%s.sig", path);
	rc = put_file(sp, "signature", (const char *)sig, n, files, errbuf, errlen);
	free(sig);
	return rc;
}

static int render_one(const char *fmt, const cJSON *report, const struct rep_emit_opts *o,
		      bool to_tty, char **ret, size_t *ret_len, char *errbuf, size_t errlen)
{
	struct rep_render_opts ro = { .color = to_tty && strcmp(fmt, "text") == 0,
				      .aws_account = o->aws_account,
				      .aws_region = o->aws_region };
	return rep_render(fmt, report, &ro, ret, ret_len, errbuf, errlen);
}

static int emit_single(const cJSON *report, const struct rep_emit_opts *o, const char *fmt,
		       char *errbuf, size_t errlen)
{
	const char *out = o->output ? o->output : "-";
	char *text = NULL;
	size_t len = 0;
	int rc;
	if (o->sign_key && (strcmp(fmt, "json") != 0 || strcmp(out, "-") == 0)) {
		mp_fmt(errbuf, errlen,
		       "--sign-key signs the JSON report written to a file: use "
		       "--format json --output FILE, or --output-dir");
		return -EINVAL;
	}
	rc = render_one(fmt, report, o, strcmp(out, "-") == 0 && o->color_stdout, &text, &len,
			errbuf, errlen);
	if (rc == 0)
		rc = rep_write_file(out, text, len, errbuf, errlen);
	if (rc == 0 && o->sign_key)
		rc = sign_to(o->sign_key, out, text, len, NULL, errbuf, errlen);
	free(text);
	return rc;
}

static int add_evidence(cJSON *files, const char *path, char *errbuf, size_t errlen)
{
	char *data = NULL, tmp[4096];
	size_t len = 0;
	int rc = rep_read_file(path, (size_t)EVIDENCE_FILE_MAX, &data, &len, errbuf, errlen);
	if (rc < 0)
		return rc;
	mp_strlcpy(tmp, path, sizeof(tmp));
	rc = add_entry(files, basename(tmp), "evidence", data, len);
	free(data);
	return rc;
}

static int emit_dir(const cJSON *report, const struct rep_emit_opts *o, const struct fmtlist *fl,
		    char *errbuf, size_t errlen)
{
	cJSON *man = cJSON_CreateObject(), *files;
	char *text = NULL, path[4200];
	size_t len = 0;
	int rc = -ENOMEM;

	if (!man || !cJSON_AddStringToObject(man, "schema", "mskprobe.manifest/1") ||
	    !cJSON_AddStringToObject(man, "report_generated_at",
				     js_str(report, "generated_at", "")) ||
	    !(files = cJSON_AddArrayToObject(man, "files")))
		goto out;
	if (mkdir(o->output_dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", o->output_dir, strerror(errno));
		goto out;
	}
	/* the JSON first: it is the evidence the others are rendered from */
	if ((rc = render_one("json", report, o, false, &text, &len, errbuf, errlen)) < 0)
		goto out;
	mp_fmt(path, sizeof(path), "%s/report.json", o->output_dir);
	if ((rc = put_file(path, "report json", text, len, files, errbuf, errlen)) < 0)
		goto out;
	if (o->sign_key && (rc = sign_to(o->sign_key, path, text, len, files, errbuf, errlen)) < 0)
		goto out;
	for (size_t i = 0; i < fl->n; i++) {
		if (strcmp(fl->names[i], "json") == 0)
			continue;
		free(text);
		text = NULL;
		if ((rc = render_one(fl->names[i], report, o, false, &text, &len, errbuf, errlen)) <
		    0)
			goto out;
		char role[32];
		mp_fmt(role, sizeof(role), "report %s", fl->names[i]);
		mp_fmt(path, sizeof(path), "%s/report.%s", o->output_dir,
		       rep_format_ext(fl->names[i]));
		if ((rc = put_file(path, role, text, len, files, errbuf, errlen)) < 0)
			goto out;
	}
	for (size_t i = 0; i < o->n_evidence; i++)
		if ((rc = add_evidence(files, o->evidence[i], errbuf, errlen)) < 0)
			goto out;
	free(text);
	text = cJSON_Print(man);
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	len = strlen(text);
	mp_fmt(path, sizeof(path), "%s/manifest.json", o->output_dir);
	if ((rc = put_file(path, "manifest", text, len, NULL, errbuf, errlen)) < 0)
		goto out;
	if (o->sign_key)
		rc = sign_to(o->sign_key, path, text, len, NULL, errbuf, errlen);
out:
	if (rc == -ENOMEM && !errbuf[0])
		mp_fmt(errbuf, errlen, "out of memory writing the reports");
	free(text);
	cJSON_Delete(man);
	return rc;
}

int rep_emit(const cJSON *report, const struct rep_emit_opts *o, char *errbuf, size_t errlen)
{
	struct fmtlist fl;
	int rc = parse_list(o->formats ? o->formats : "text", &fl, errbuf, errlen);
	if (rc < 0)
		return rc;
	if (o->output_dir) {
		if (o->output) {
			mp_fmt(errbuf, errlen, "--output and --output-dir exclude each other");
			return -EINVAL;
		}
		return emit_dir(report, o, &fl, errbuf, errlen);
	}
	if (fl.n > 1) {
		mp_fmt(errbuf, errlen, "several formats need --output-dir DIR");
		return -EINVAL;
	}
	return emit_single(report, o, fl.names[0], errbuf, errlen);
}
