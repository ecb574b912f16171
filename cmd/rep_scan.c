/* SPDX-License-Identifier: Apache-2.0 */
/* See rep_scan.h: the report-side half of `mskprobe scan`. */
#include "rep_scan.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "js.h"
#include "report.h"
#include "util.h"

int rep_scan_prepare(struct rep_scan *x, struct scan_opts *o, const struct scan_cluster_spec *cli)
{
	char err[1024] = "";
	if (x->formats && rep_formats_check(REP_DOC_REPORT, x->formats, err, sizeof(err)) < 0)
		goto bad;
	if (x->policy) {
		if (rep_policy_load(x->policy, &x->pol, err, sizeof(err)) < 0)
			goto bad;
		if (x->pol.has_min_version)
			mp_strlcpy(o->policy.min_version, x->pol.min_version,
				   sizeof(o->policy.min_version));
		if (x->pol.has_platform)
			mp_strlcpy(o->policy.platform, x->pol.platform, sizeof(o->policy.platform));
		if (x->pol.has_cert_warn_days)
			o->policy.cert_warn_days = x->pol.cert_warn_days;
	}
	if (x->require_tags && rep_policy_tags(&x->pol, x->require_tags, err, sizeof(err)) < 0)
		goto bad;
	if (rep_aws_where_check(x->aws_account, x->aws_region, err, sizeof(err)) < 0)
		goto bad;
	/* say so now, not after a scan whose ASFF could not be written */
	if (!x->inventory && !x->aws_account && rep_formats_has(x->formats, "asff")) {
		mp_fmt(err, sizeof(err),
		       "--format asff needs --aws-account ID and --aws-region REGION (or "
		       "--inventory, whose cluster ARNs carry them)");
		goto bad;
	}
	if (!x->inventory)
		return 0;
	if (cli) {
		mp_fmt(err, sizeof(err), "give --bootstrap or --inventory, not both");
		goto bad;
	}
	if (rep_inventory_load(x->inventory, &x->inv, err, sizeof(err)) < 0)
		goto bad;
	for (size_t i = 0; i < x->inv->n_skipped; i++)
		fprintf(stderr, "mskprobe scan: inventory: not scanning '%s' (State %s)\n",
			x->inv->skipped[i].name,
			js_str(js_obj(x->inv->skipped[i].info, "declared"), "state", "?"));
	if (!(x->specs = calloc(x->inv->n, sizeof(*x->specs)))) {
		mp_fmt(err, sizeof(err), "out of memory");
		goto bad;
	}
	for (size_t i = 0; i < x->inv->n; i++) {
		const struct rep_inv_cluster *ic = &x->inv->clusters[i];
		x->specs[i].name = ic->name;
		x->specs[i].bootstrap = (const char *const *)ic->bootstrap;
		x->specs[i].n_bootstrap = ic->n_bootstrap;
		x->specs[i].zookeeper = (const char *const *)ic->zookeeper;
		x->specs[i].n_zookeeper = ic->n_zookeeper;
	}
	o->clusters = x->specs;
	o->n_clusters = x->inv->n;
	/* declared-vs-measured needs to know whether a plaintext port answers */
	o->check_listeners = true;
	return 0;
bad:
	fprintf(stderr, "mskprobe scan: %s\n", err);
	return MP_EXIT_USAGE;
}

int rep_scan_finish(struct rep_scan *x, struct mp_report *r)
{
	for (size_t i = 0; i < r->n_clusters; i++) {
		const struct rep_inv_cluster *ic =
			x->inv && i < x->inv->n ? &x->inv->clusters[i] : NULL;
		if (rep_declared_findings(r->clusters[i], ic, &x->pol) < 0) {
			fprintf(stderr, "mskprobe scan: out of memory\n");
			return MP_EXIT_USAGE;
		}
	}
	return 0;
}

/* provenance.inventory_skipped: the inventory's clusters that were not running. */
static int add_skipped(cJSON *report, const struct rep_inventory *inv)
{
	cJSON *prov = cJSON_GetObjectItemCaseSensitive(report, "provenance"), *arr;
	if (!inv || !inv->n_skipped)
		return 0;
	if (!(arr = cJSON_AddArrayToObject(prov, "inventory_skipped")))
		return -ENOMEM;
	for (size_t i = 0; i < inv->n_skipped; i++) {
		const struct rep_inv_cluster *c = &inv->skipped[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "cluster", c->name) ||
		    (c->arn[0] && !cJSON_AddStringToObject(o, "arn", c->arn)) ||
		    !cJSON_AddStringToObject(o, "state",
					     js_str(js_obj(c->info, "declared"), "state", "")))
			return -ENOMEM;
	}
	return 0;
}

/* ---- --format json: written as it is serialised --------------------------
 *
 * The report of a large scan is big as a cJSON tree (an array per API key
 * per broker: ~60 MB for 10,000 endpoints, docs/bench-scan.md) and again as
 * printed text, so the JSON alone is written cluster by cluster and never
 * held whole. The file is written as rep_write_file writes one: into a
 * temporary file beside it (mode 0600), synced, then renamed over it, so a
 * reader sees the old file or the whole new one.
 */
struct stream {
	struct rep_scan *x;
	const char *path; /* "-": stdout */
	char tmp[4096];
	int fd;
	int err; /* first write error, -errno */
};

static int stream_put(const char *p, size_t n, void *ud)
{
	struct stream *st = ud;
	while (n && !st->err) {
		ssize_t w = write(st->fd, p, n);
		if (w < 0 && errno != EINTR)
			st->err = -errno;
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		}
	}
	return st->err;
}

static int stream_head(cJSON *head, void *ud)
{
	struct stream *st = ud;
	if (rep_annotate(head, &st->x->pol, st->x->inventory, st->x->policy) < 0 ||
	    add_skipped(head, st->x->inv) < 0)
		return -ENOMEM;
	return 0;
}

static int stream_open(struct stream *st, char *err, size_t errlen)
{
	char dir[4096], base[4096];
	if (strcmp(st->path, "-") == 0) {
		st->fd = STDOUT_FILENO;
		return 0;
	}
	if (strlen(st->path) + 16 >= sizeof(st->tmp)) {
		mp_fmt(err, errlen, "%s: path too long", st->path);
		return -ENAMETOOLONG;
	}
	mp_strlcpy(dir, st->path, sizeof(dir));
	mp_strlcpy(base, st->path, sizeof(base));
	mp_fmt(st->tmp, sizeof(st->tmp), "%s/.%s.XXXXXX", dirname(dir), basename(base));
	if ((st->fd = mkstemp(st->tmp)) < 0) { /* mode 0600 */
		int rc = -errno;
		mp_fmt(err, errlen, "%s: cannot create a temporary file: %s", st->path,
		       strerror(errno));
		st->tmp[0] = '\0';
		return rc;
	}
	return 0;
}

/* Publish the file (rc 0) or drop it; the error names the output. */
static int stream_close(struct stream *st, int rc, char *err, size_t errlen)
{
	char dir[4096];
	if (!st->tmp[0]) { /* stdout */
		if (rc < 0 && !err[0])
			mp_fmt(err, errlen, "stdout: %s", strerror(-rc));
		return rc;
	}
	if (!rc && fsync(st->fd) < 0)
		rc = -errno;
	if (close(st->fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(st->tmp, st->path) < 0)
		rc = -errno;
	if (rc) {
		if (!err[0])
			mp_fmt(err, errlen, "%s: %s (nothing written)", st->path,
			       rc == -ENOMEM ? "out of memory" : strerror(-rc));
		unlink(st->tmp);
		return rc;
	}
	mp_strlcpy(dir, st->path, sizeof(dir));
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) { /* make the rename itself durable */
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int emit_json_stream(struct rep_scan *x, const struct mp_report *r)
{
	struct stream st = { .x = x, .path = x->output ? x->output : "-", .fd = -1 };
	char err[1024] = "";
	int rc = stream_open(&st, err, sizeof(err));
	if (rc == 0) {
		rc = rep_json_write(r, stream_head, stream_put, &st);
		if (st.err)
			rc = st.err;
		rc = stream_close(&st, rc, err, sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "mskprobe scan: %s\n", err);
		return MP_EXIT_USAGE;
	}
	return 0;
}

/* --format json to one file or stdout, unsigned: the streamed path. */
static bool json_alone(const struct rep_scan *x)
{
	return x->formats && strcmp(x->formats, "json") == 0 && !x->output_dir && !x->sign_key;
}

int rep_scan_emit(struct rep_scan *x, const struct mp_report *r, bool tty)
{
	if (json_alone(x))
		return emit_json_stream(x, r);

	cJSON *j = rep_to_json(r);
	const char *ev[64];
	size_t n_ev = 0;
	char err[1024] = "";
	int rc = MP_EXIT_USAGE;
	if (!j || rep_annotate(j, &x->pol, x->inventory, x->policy) < 0 ||
	    add_skipped(j, x->inv) < 0) {
		fprintf(stderr, "mskprobe scan: out of memory building the report\n");
		goto out;
	}
	/* evidence pcaps the capture wrote, for the manifest */
	for (size_t i = 0; i < r->n_clusters && n_ev < 64; i++) {
		const char *f = js_str(js_obj(r->clusters[i]->capture, "evidence"), "file", NULL);
		if (f && access(f, R_OK) == 0)
			ev[n_ev++] = f;
	}
	struct rep_emit_opts eo = { .formats = x->formats,
				    .output = x->output_dir ? x->output
							    : (x->output ? x->output : "-"),
				    .output_dir = x->output_dir,
				    .sign_key = x->sign_key,
				    .evidence = ev,
				    .n_evidence = n_ev,
				    .color_stdout = tty,
				    .aws_account = x->aws_account,
				    .aws_region = x->aws_region };
	if (rep_emit(j, &eo, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe scan: %s\n", err);
		goto out;
	}
	if (x->output_dir)
		fprintf(stderr, "mskprobe: reports written to %s\n", x->output_dir);
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

void rep_scan_free(struct rep_scan *x)
{
	rep_inventory_free(x->inv);
	free(x->specs);
	x->inv = NULL;
	x->specs = NULL;
}
