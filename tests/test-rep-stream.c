/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON report written cluster by cluster (rep_json_write, the path
 * `scan --format json` takes so that a scan of 10,000 endpoints never holds
 * the whole tree or text) is byte for byte the report the whole tree gives
 * (rep_to_json + rep_render, the path of every other format and of
 * --output-dir), on a model that fills every branch of the serialiser.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mp_exit.h"
#include "rep_scan.h"
#include "report.h"
#include "tap.h"
#include "util.h"

static void answer(struct mp_broker *b, int16_t nkeys, bool features)
{
	struct mp_apiv *a = calloc(1, sizeof(*a));
	if (!a)
		return;
	a->request_version = 3;
	a->throttle_ms = 1;
	a->finalized_epoch = features ? 7 : -1;
	a->zk_migration_ready = features ? 1 : -1;
	for (int16_t k = 0; k < nkeys; k++)
		a->table.r[a->table.n++] = (struct mp_api_range){ k, 0, (int16_t)(k % 13) };
	if (features) {
		mp_strlcpy(a->supported[0].name, "metadata.version", sizeof(a->supported[0].name));
		a->supported[0].min = 1;
		a->supported[0].max = 25;
		a->n_supported = 1;
		a->finalized[0] = a->supported[0];
		a->n_finalized = 1;
	}
	if (mp_broker_set_apiv(b, a) == 0)
		b->answered = true;
	free(a);
	struct mp_attempt *t = mp_broker_add_attempt(b);
	if (t)
		mp_strlcpy(t->outcome, "ok: \"quoted\" \\ back", sizeof(t->outcome));
	mp_strlcpy(b->fp.mode, "kraft", sizeof(b->fp.mode));
	mp_strlcpy(b->fp.releases[0], "4.0", sizeof(b->fp.releases[0]));
	b->fp.n_releases = 1;
	b->fp.exact = true;
}

static struct mp_tls_info *tls_info(void)
{
	struct mp_tls_info *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	mp_strlcpy(t->handshake, "ok", sizeof(t->handshake));
	mp_strlcpy(t->protocol, "TLSv1.3", sizeof(t->protocol));
	mp_strlcpy(t->verify, "ok", sizeof(t->verify));
	t->hostname_match = 1;
	t->speaks_zookeeper = -1;
	t->speaks_kafka = 1;
	t->n_accepted = 1;
	mp_strlcpy(t->accepted[0], "TLSv1.3", sizeof(t->accepted[0]));
	t->n_chain = 1;
	mp_strlcpy(t->chain[0].subject, "CN=b-1, O=\"x\"", sizeof(t->chain[0].subject));
	mp_strlcpy(t->chain[0].san, "DNS:b-1,IP:127.0.0.1", sizeof(t->chain[0].san));
	t->chain[0].pem = strdup("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	return t;
}

/* Three clusters: full, empty, and one with only silent endpoints. */
static struct mp_report *model(void)
{
	struct mp_report *r = mp_report_new();
	struct mp_cluster *c;
	struct mp_broker *b;
	struct mp_zk_endpoint *z;
	struct mp_config_kv kv[2] = { { "zookeeper.ssl.client.enable", "true", false },
				      { "log.dirs", "/tmp/\tx", true } };
	if (!r || !(c = mp_report_add_cluster(r, "full \"one\"")))
		return r;
	mp_strlcpy(r->command_line, "mskprobe scan --bootstrap b-1:9094", sizeof(r->command_line));
	r->duration_ms = 1234;
	c->verdict = MP_VERDICT_NON_COMPLIANT;
	mp_strlcpy(c->verdict_reason, "line one\nline two", sizeof(c->verdict_reason));
	mp_strlcpy(c->releases[c->n_releases++], "4.0", sizeof(c->releases[0]));
	mp_strlcpy(c->candidates[c->n_candidates++], "4.0.x", sizeof(c->candidates[0]));
	c->discovery.status = MP_DISC_OK;
	mp_strlcpy(c->discovery.cluster_id, "abc", sizeof(c->discovery.cluster_id));
	c->discovery.controller_id = 2;
	if ((b = mp_cluster_add_broker(c, "b-1", 9094))) {
		answer(b, 90, true);
		b->tls = true;
		b->node_id = 1;
		b->elapsed_ms = 12;
		b->tls_info = tls_info();
		(void)mp_broker_set_configs(b, kv, 2);
	}
	if ((b = mp_cluster_add_broker(c, "b-2", 9092))) {
		answer(b, 40, false);
		b->source = MP_SRC_DISCOVERED;
		mp_strlcpy(b->fp.diff, "key 3 0-12 vs 0-11", sizeof(b->fp.diff));
		b->fp.exact = false;
		b->fp.distance = 1;
	}
	if ((b = mp_cluster_add_listener(c, "b-1", 9096))) {
		b->source = MP_SRC_LISTENER_CHECK;
		mp_strlcpy(b->error, "connection refused", sizeof(b->error));
		(void)mp_broker_add_attempt(b);
	}
	if ((z = mp_cluster_add_zk(c, "z-1", 2181))) {
		z->reachable = true;
		z->speaks_zookeeper = 1;
		mp_strlcpy(z->srvr, "Zookeeper version: 3.8.4\nMode: standalone", sizeof(z->srvr));
		mp_strlcpy(z->srvr_status, "ok", sizeof(z->srvr_status));
		z->anonymous_read = 1;
		mp_strlcpy(z->anonymous_detail, "read /", sizeof(z->anonymous_detail));
	}
	if ((z = mp_cluster_add_zk(c, "z-1", 2182)))
		z->tls = tls_info();
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "endpoint", "z-1:2181");
	cJSON_AddItemToObject(ev, "nested", cJSON_CreateIntArray((const int[]){ 1, 2, 3 }, 3));
	(void)mp_cluster_add_finding(c, "ZK_ANONYMOUS_READ", ev);
	c->capture = cJSON_CreateObject();
	cJSON_AddNumberToObject(c->capture, "flows", 3.5);
	c->inventory = cJSON_CreateObject();
	cJSON_AddItemToObject(c->inventory, "tags", cJSON_CreateObject());
	(void)mp_report_add_cluster(r, "empty");
	if ((c = mp_report_add_cluster(r, "silent"))) {
		for (int i = 0; i < 3; i++)
			if ((b = mp_cluster_add_broker(c, "127.0.0.1", (uint16_t)(7000 + i)))) {
				mp_strlcpy(b->error, "receive: no bytes within 2000 ms",
					   sizeof(b->error));
				(void)mp_broker_add_attempt(b);
			}
	}
	return r;
}

struct mem {
	char *p;
	size_t n, cap;
	int fail_after; /* pieces accepted before put fails; <0 never */
	int pieces;
};

static int mem_put(const char *p, size_t n, void *ud)
{
	struct mem *m = ud;
	if (m->fail_after >= 0 && m->pieces >= m->fail_after)
		return -EIO;
	m->pieces++;
	if (m->n + n + 1 > m->cap) {
		size_t cap = (m->n + n + 1) * 2;
		char *np = realloc(m->p, cap);
		if (!np)
			return -ENOMEM;
		m->p = np;
		m->cap = cap;
	}
	memcpy(m->p + m->n, p, n);
	m->n += n;
	m->p[m->n] = '\0';
	return 0;
}

static char *slurp(const char *path, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	if (rep_read_file(path, 1u << 20, &buf, &len, (char[128]){ 0 }, 128) < 0)
		return NULL;
	*ret_len = len;
	return buf;
}

static size_t entries(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	struct mp_report *r = model();
	struct mem m = { .fail_after = -1 };
	char dir[] = "/tmp/mskprobe-rep-stream-XXXXXX", path[256], outdir[256], bad[256];
	char *tree = NULL, *a = NULL, *b = NULL;
	size_t tree_len = 0, alen = 0, blen = 0;
	cJSON *j = r ? rep_to_json(r) : NULL;
	char err[256] = "";

	if (!j || !mkdtemp(dir)) {
		TAP_OK(0, "set up");
		return tap_done();
	}
	TAP_OK(rep_render("json", j, NULL, &tree, &tree_len, err, sizeof(err)) == 0,
	       "the whole tree renders: %s", err);
	TAP_OK(rep_json_write(r, NULL, mem_put, &m) == 0 && m.n == tree_len && tree &&
		       memcmp(m.p, tree, tree_len) == 0,
	       "written cluster by cluster, it is the same %zu bytes (got %zu in %d pieces)",
	       tree_len, m.n, m.pieces);
	free(m.p);
	m = (struct mem){ .fail_after = 2 };
	TAP_EQ_INT(rep_json_write(r, NULL, mem_put, &m), -EIO,
		   "a write error stops it and is returned");
	TAP_EQ_INT(m.pieces, 2, "nothing is written after the error");
	free(m.p);

	/* through `scan`'s emitter: --format json streams, --output-dir renders the tree */
	mp_fmt(path, sizeof(path), "%s/a.json", dir);
	mp_fmt(outdir, sizeof(outdir), "%s/set", dir);
	struct rep_scan xs = { .formats = "json", .output = path };
	struct rep_scan xd = { .formats = "json,md", .output_dir = outdir };
	TAP_EQ_INT(rep_scan_emit(&xs, r, false), 0, "scan --format json --output FILE");
	TAP_EQ_INT(rep_scan_emit(&xd, r, false), 0, "scan --format json,md --output-dir DIR");
	mp_fmt(outdir, sizeof(outdir), "%s/set/report.json", dir);
	a = slurp(path, &alen);
	b = slurp(outdir, &blen);
	TAP_OK(a && b && alen == blen && memcmp(a, b, alen) == 0,
	       "the streamed file is the --output-dir report.json, byte for byte (%zu, %zu)", alen,
	       blen);
	struct stat st;
	TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "written mode 0600");
	mp_fmt(bad, sizeof(bad), "%s/no/such/r.json", dir);
	xs.output = bad;
	TAP_EQ_INT(rep_scan_emit(&xs, r, false), MP_EXIT_USAGE, "an unwritable output is an error");
	TAP_EQ_INT(entries(dir), 2, "and leaves nothing behind (a.json and set/ only)");

	free(a);
	free(b);
	free(tree);
	cJSON_Delete(j);
	mp_report_free(r);
	mp_fmt(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
