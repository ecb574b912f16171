/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing a report out: every asked format rendered from the one JSON
 * report, each file written atomically with mode 0600 (rep_write_file);
 * with --output-dir also report.json (always: it is the evidence),
 * manifest.json (name, bytes and SHA-256 of every artefact, the evidence
 * pcap included) and, with a signing key, report.json.sig and
 * manifest.json.sig. One file is written atomically; a set (--output-dir)
 * is staged and published whole, the manifest last, or not at all.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rep-internal.h"
#include "util.h"

#define EVIDENCE_FILE_MAX (4ull * 1024 * 1024 * 1024)

struct fmtlist {
	size_t n;
	char names[REP_FORMATS_MAX][16];
};

static int parse_list(enum rep_doc kind, const char *list, struct fmtlist *fl, char *errbuf,
		      size_t errlen)
{
	char want[REP_FORMAT_NAMES_MAX];
	fl->n = 0;
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		char one[16];
		if (n == 0 || n >= sizeof(one)) {
			mp_fmt(errbuf, errlen, "--format '%.60s': want a list of %s", list,
			       rep_format_names(kind, want, sizeof(want)));
			return -EINVAL;
		}
		memcpy(one, p, n);
		one[n] = '\0';
		if (rep_format_check(kind, one, errbuf, errlen) < 0)
			return -EINVAL;
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

int rep_formats_check(enum rep_doc kind, const char *list, char *errbuf, size_t errlen)
{
	struct fmtlist fl;
	return parse_list(kind, list, &fl, errbuf, errlen);
}

bool rep_formats_has(const char *list, const char *format)
{
	struct fmtlist fl;
	char err[256];
	if (parse_list(REP_DOC_REPORT, list ? list : "text", &fl, err, sizeof(err)) < 0)
		return false;
	for (size_t i = 0; i < fl.n; i++)
		if (strcmp(fl.names[i], format) == 0)
			return true;
	return false;
}

/* A manifest entry: name, role, size and SHA-256 (hex, from the caller). */
static int add_entry(cJSON *files, const char *name, const char *role, const char h[65],
		     uint64_t len)
{
	cJSON *e = cJSON_CreateObject();
	if (!e)
		return -ENOMEM;
	cJSON_AddStringToObject(e, "file", name);
	cJSON_AddStringToObject(e, "role", role);
	cJSON_AddNumberToObject(e, "bytes", (double)len);
	cJSON_AddStringToObject(e, "sha256", h);
	cJSON_AddItemToArray(files, e);
	return 0;
}

/* The detached signature of data, to path.sig (a single --output file). */
static int sign_to(const char *key, const char *path, const char *data, size_t len, char *errbuf,
		   size_t errlen)
{
	unsigned char *sig = NULL;
	size_t n = 0;
	char sp[4200];
	int rc = rep_sign(key, data, len, &sig, &n, errbuf, errlen);
	if (rc < 0)
		return rc;
	mp_fmt(sp, sizeof(sp), "%s.sig", path);
	rc = rep_write_file(sp, (const char *)sig, n, errbuf, errlen);
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
		rc = sign_to(o->sign_key, out, text, len, errbuf, errlen);
	free(text);
	return rc;
}

/* An evidence file (a pcap, up to 4 GiB) is hashed as it is read, never held. */
static int add_evidence(cJSON *files, const char *path, char *errbuf, size_t errlen)
{
	char h[65], tmp[4096];
	uint64_t len = 0;
	int rc = rep_sha256_file(path, EVIDENCE_FILE_MAX, h, &len, errbuf, errlen);
	if (rc < 0)
		return rc;
	mp_strlcpy(tmp, path, sizeof(tmp));
	return add_entry(files, basename(tmp), "evidence", h, len);
}

/* ---- --output-dir: a staged set, published whole or not at all ------------
 *
 * Every artefact is first written into a private staging folder inside the
 * output folder (OUTDIR/.mskprobe-stage-XXXXXX, mode 0700, so the final
 * renames stay on one file system). Only when the whole set and its
 * manifest are there is each file renamed into OUTDIR, the manifest last.
 * A failure or a SIGINT/SIGTERM before that point removes the staging
 * folder: OUTDIR gets nothing, no hidden temporary is left. The signals are
 * held (recorded, not acted on) while emit_dir runs and handed back to the
 * previous disposition afterwards, so an interrupted `report` still ends by
 * the signal, and `scan`'s own handler still sees it. Only SIGKILL or a
 * crash can leave a staging folder behind.
 */

#define STAGE_FILES_MAX (2u * REP_FORMATS_MAX + 4u)

struct stage {
	char dir[4200];
	const char *out;
	size_t n;
	char names[STAGE_FILES_MAX][32];
	struct sigaction old[2];
	bool held[2];
};

static const int held_signals[2] = { SIGINT, SIGTERM };
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

static void hold_signals(struct stage *st)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	for (size_t i = 0; i < 2; i++) {
		st->held[i] = false;
		if (sigaction(held_signals[i], NULL, &st->old[i]) < 0 ||
		    st->old[i].sa_handler == SIG_IGN)
			continue; /* an ignored signal stays ignored */
		st->held[i] = sigaction(held_signals[i], &sa, NULL) == 0;
	}
}

/* Give the signals back; one that came meanwhile is raised again now. */
static void release_signals(struct stage *st)
{
	int sig = interrupted;
	for (size_t i = 0; i < 2; i++)
		if (st->held[i])
			sigaction(held_signals[i], &st->old[i], NULL);
	interrupted = 0;
	if (sig)
		raise(sig);
}

static int check_interrupt(const struct stage *st, char *errbuf, size_t errlen)
{
	if (!interrupted)
		return 0;
	mp_fmt(errbuf, errlen, "%s: interrupted by signal %d: nothing written", st->out,
	       (int)interrupted);
	return -EINTR;
}

/* Write name into the stage and list it in the manifest (when files). */
static int stage_put(struct stage *st, const char *name, const char *role, const char *data,
		     size_t len, cJSON *files, char *errbuf, size_t errlen)
{
	char path[4300];
	int rc;
	if (st->n >= STAGE_FILES_MAX || strlen(name) >= sizeof(st->names[0]))
		return -E2BIG; /* programmer error: the format table grew */
	mp_fmt(path, sizeof(path), "%s/%s", st->dir, name);
	if ((rc = rep_write_file(path, data, len, errbuf, errlen)) < 0)
		return rc;
	mp_strlcpy(st->names[st->n++], name, sizeof(st->names[0]));
	if (files) {
		char h[65];
		if (rep_sha256_hex(data, len, h) < 0 ||
		    (rc = add_entry(files, name, role, h, len)) < 0)
			return -ENOMEM;
	}
	return check_interrupt(st, errbuf, errlen);
}

static int stage_sign(struct stage *st, const char *key, const char *name, const char *data,
		      size_t len, cJSON *files, char *errbuf, size_t errlen)
{
	unsigned char *sig = NULL;
	size_t n = 0;
	char sn[40];
	int rc = rep_sign(key, data, len, &sig, &n, errbuf, errlen);
	if (rc < 0)
		return rc;
	mp_fmt(sn, sizeof(sn), "%s.sig", name);
	rc = stage_put(st, sn, "signature", (const char *)sig, n, files, errbuf, errlen);
	free(sig);
	return rc;
}

/* Remove the staging folder and whatever is in it (only we write there). */
static void stage_remove(struct stage *st)
{
	DIR *d;
	struct dirent *e;
	if (!st->dir[0])
		return;
	if ((d = opendir(st->dir))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				(void)unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	(void)rmdir(st->dir);
	st->dir[0] = '\0';
}

/* Rename every staged file into the output folder, the manifest last; undo on failure. */
static int stage_publish(struct stage *st, char *errbuf, size_t errlen)
{
	char from[4300], to[4300];
	struct stat sb;
	size_t i;
	for (i = 0; i < st->n; i++) { /* what rename would refuse, before moving anything */
		mp_fmt(to, sizeof(to), "%s/%s", st->out, st->names[i]);
		if (lstat(to, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			mp_fmt(errbuf, errlen, "%s: is a directory: nothing written to %s", to,
			       st->out);
			return -EISDIR;
		}
	}
	for (i = 0; i < st->n; i++) {
		mp_fmt(from, sizeof(from), "%s/%s", st->dir, st->names[i]);
		mp_fmt(to, sizeof(to), "%s/%s", st->out, st->names[i]);
		if (rename(from, to) < 0)
			break;
	}
	if (i < st->n) {
		int rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s: nothing written to %s", to, strerror(errno),
		       st->out);
		while (i-- > 0) {
			mp_fmt(to, sizeof(to), "%s/%s", st->out, st->names[i]);
			(void)unlink(to);
		}
		return rc;
	}
	int dfd = open(st->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) { /* make the renames durable */
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int emit_dir(const cJSON *report, const struct rep_emit_opts *o, const struct fmtlist *fl,
		    char *errbuf, size_t errlen)
{
	struct stage st = { .out = o->output_dir };
	cJSON *man = cJSON_CreateObject(), *files;
	char *text = NULL;
	size_t len = 0;
	int rc = -ENOMEM;

	hold_signals(&st);
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
	mp_fmt(st.dir, sizeof(st.dir), "%s/.mskprobe-stage-XXXXXX", o->output_dir);
	if (!mkdtemp(st.dir)) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: cannot create a staging folder: %s", o->output_dir,
		       strerror(errno));
		st.dir[0] = '\0';
		goto out;
	}
	/* the JSON first: it is the evidence the others are rendered from */
	if ((rc = render_one("json", report, o, false, &text, &len, errbuf, errlen)) < 0 ||
	    (rc = stage_put(&st, "report.json", "report json", text, len, files, errbuf, errlen)) <
		    0)
		goto out;
	if (o->sign_key && (rc = stage_sign(&st, o->sign_key, "report.json", text, len, files,
					    errbuf, errlen)) < 0)
		goto out;
	for (size_t i = 0; i < fl->n; i++) {
		if (strcmp(fl->names[i], "json") == 0)
			continue;
		free(text);
		text = NULL;
		if ((rc = render_one(fl->names[i], report, o, false, &text, &len, errbuf, errlen)) <
		    0)
			goto out;
		char role[32], name[32];
		mp_fmt(role, sizeof(role), "report %s", fl->names[i]);
		mp_fmt(name, sizeof(name), "report.%s", rep_format_ext(fl->names[i]));
		if ((rc = stage_put(&st, name, role, text, len, files, errbuf, errlen)) < 0)
			goto out;
	}
	for (size_t i = 0; i < o->n_evidence; i++)
		if ((rc = add_evidence(files, o->evidence[i], errbuf, errlen)) < 0 ||
		    (rc = check_interrupt(&st, errbuf, errlen)) < 0)
			goto out;
	free(text);
	text = cJSON_Print(man);
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	len = strlen(text);
	if ((rc = stage_put(&st, "manifest.json", "manifest", text, len, NULL, errbuf, errlen)) <
		    0 ||
	    (o->sign_key && (rc = stage_sign(&st, o->sign_key, "manifest.json", text, len, NULL,
					     errbuf, errlen)) < 0))
		goto out;
	/* the whole set is staged: publish it even if a signal comes now */
	rc = stage_publish(&st, errbuf, errlen);
out:
	if (rc == -ENOMEM && !errbuf[0])
		mp_fmt(errbuf, errlen, "out of memory writing the reports");
	stage_remove(&st);
	free(text);
	cJSON_Delete(man);
	release_signals(&st);
	return rc;
}

int rep_emit(const cJSON *report, const struct rep_emit_opts *o, char *errbuf, size_t errlen)
{
	struct fmtlist fl;
	int rc = parse_list(REP_DOC_REPORT, o->formats ? o->formats : "text", &fl, errbuf, errlen);
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
