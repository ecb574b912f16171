/* SPDX-License-Identifier: Apache-2.0 */
#include "scan.h"

#include <errno.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "discovery.h"
#include "fp.h"
#include "loop.h"
#include "msk.h"
#include "policy.h"
#include "resolve.h"
#include "tls.h"
#include "util.h"
#include "zk_policy.h"
#include "zk_probe.h"
#include "zk_tls.h"
#include "capture.h"

#include <cjson/cJSON.h>
#include <time.h>

struct scan;

/* A probed broker and the address it was probed at (listener checks, dedup). */
struct bref {
	struct mp_broker *b;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* Per cluster: what is still running and what discovery needs. */
struct cstate {
	struct scan *s;
	struct mp_cluster *c;
	const struct scan_cluster_spec *spec;
	struct disc *disc;
	bool disc_started;
	bool disc_merged;      /* its results are in the cluster */
	size_t bootstrap_left; /* bootstrap probes still running */
	bool disc_withheld;    /* a broker answered, but not over a transport for credentials */
	struct bref *probed;   /* every broker probed, with its address */
	size_t n_probed, cap_probed;
};

struct scan {
	const struct scan_opts *o;
	struct mp_report *r;
	struct mp_loop *loop;
	SSL_CTX *tls;
	struct fp_table *fp;
	struct msk_catalog *msk;
	struct tls_probe_set *protos; /* per-version TLS contexts, shared */
	struct cap_session *cap;      /* --capture / --capture-file */
	bool interrupted;
	int64_t cap_started;
	struct cstate *cs;
};

static void broker_done(struct mp_broker *b, void *ud);

static struct kafka_probe_env probe_env(struct cstate *st)
{
	struct kafka_probe_env env = {
		.loop = st->s->loop,
		.tls = st->s->tls,
		.timeout_ms = st->s->o->timeout_ms,
		.tls_mode = st->s->o->tls_mode,
		.done = broker_done,
		.ud = st,
	};
	return env;
}

static void disc_ready(int fd, void *ud);

/* Every connection the scan opens is its own traffic, never evidence
 * (called from the loop and from librdkafka's threads). */
static void exclude_own(const struct sockaddr *local, const struct sockaddr *remote, void *ud)
{
	(void)cap_session_exclude(ud, local, remote);
}

/* Start a probe and remember where it went. */
static int probe(struct cstate *st, struct mp_broker *b, const struct sockaddr_storage *addr,
		 socklen_t addrlen, enum kafka_tls_mode mode)
{
	struct kafka_probe_env env = probe_env(st);
	if (st->n_probed == st->cap_probed) {
		size_t cap = st->cap_probed ? st->cap_probed * 2 : 16;
		struct bref *nb = realloc(st->probed, cap * sizeof(*nb));
		if (!nb) {
			mp_strlcpy(b->error, "out of memory", sizeof(b->error));
			return -ENOMEM;
		}
		st->probed = nb;
		st->cap_probed = cap;
	}
	env.tls_mode = mode;
	int rc = kafka_probe_start(&env, b, addr, addrlen);
	if (rc == 0)
		st->probed[st->n_probed++] = (struct bref){ b, *addr, addrlen };
	return rc;
}

/* Bootstrap list for librdkafka: the endpoints as the user gave them. */
static int start_discovery(struct cstate *st, bool tls)
{
	const struct scan_opts *o = st->s->o;
	char list[4096];
	size_t off = 0;
	char err[MP_ERR_MAX];

	st->disc_started = true;
	for (size_t i = 0; i < st->spec->n_bootstrap && off + 1 < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? "," : "",
					st->spec->bootstrap[i]);
	struct disc_req req = {
		.bootstrap = list,
		.tls = tls,
		.ca_file = o->ca_file,
		.cert_file = o->cert_file,
		.key_file = o->key_file,
		.insecure = o->insecure,
		.sasl_mechanism = o->sasl_mechanism,
		.sasl_username = o->sasl_username,
		.sasl_password = o->sasl_password,
		.sasl_plaintext = o->tls_mode == KAFKA_TLS_OFF,
		.timeout_ms = o->timeout_ms,
		.observer = st->s->cap ? exclude_own : NULL,
		.observer_ud = st->s->cap,
	};
	if (disc_start(&st->disc, &req, err, sizeof(err)) < 0) {
		st->c->discovery.status = MP_DISC_FAILED;
		mp_strlcpy(st->c->discovery.error, err, sizeof(st->c->discovery.error));
		return -1;
	}
	if (mp_loop_watch(st->s->loop, disc_fd(st->disc), disc_ready, st) < 0) {
		/* cannot watch: wait for it synchronously; still bounded by its timeouts */
		disc_ready(disc_fd(st->disc), st);
		return 0;
	}
	mp_loop_hold(st->s->loop);
	return 0;
}

/*
 * SASL credentials travel only over a transport the user chose for them:
 * TLS (which librdkafka verifies unless --insecure) or plaintext asked for
 * with --tls off. A listener that answered in plaintext under --tls auto
 * (after its TLS handshake failed, or by port convention) never gets them:
 * a peer that resets the ClientHello must not be handed a PLAIN password
 * or a SCRAM proof.
 */
static bool may_carry_credentials(const struct scan_opts *o, const struct mp_broker *b)
{
	return !o->sasl_mechanism || b->tls || o->tls_mode == KAFKA_TLS_OFF;
}

/*
 * Out of descriptors (EMFILE, ENFILE) is this machine's limit, never a fact
 * about the target: the endpoint's error says it was not probed.
 */
static void mark_local(char *error, size_t len)
{
	char was[MP_ERR_MAX];
	if (!strstr(error, strerror(EMFILE)) && !strstr(error, strerror(ENFILE)))
		return;
	mp_strlcpy(was, error, sizeof(was));
	mp_fmt(error, len, "%s%s", SCAN_LOCAL_ERROR, was);
}

static void broker_done(struct mp_broker *b, void *ud)
{
	struct cstate *st = ud;
	const struct scan_opts *o = st->s->o;
	if (!b->answered)
		mark_local(b->error, sizeof(b->error));
	if (b->source != MP_SRC_BOOTSTRAP)
		return; /* discovered brokers and listener checks start nothing */
	if (st->bootstrap_left)
		st->bootstrap_left--;
	/* discover through the first bootstrap broker that answered: its
	 * answer tells whether the listener is TLS */
	if (o->discover && !st->disc_started && b->answered) {
		if (may_carry_credentials(o, b))
			start_discovery(st, b->tls);
		else
			st->disc_withheld = true;
	}
	if (!st->bootstrap_left && !st->disc_started) {
		st->c->discovery.status = MP_DISC_NOT_RUN;
		mp_strlcpy(
			st->c->discovery.error,
			!o->discover ? "disabled (--no-discovery)"
			: st->disc_withheld
				? "not attempted: the bootstrap brokers answered only without "
				  "TLS (--tls auto), and SASL credentials are sent only over TLS "
				  "or with an explicit --tls off"
				: "no bootstrap broker answered ApiVersions",
			sizeof(st->c->discovery.error));
	}
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr, 4) == 0 &&
		       ((const struct sockaddr_in *)a)->sin_port ==
			       ((const struct sockaddr_in *)b)->sin_port;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0 &&
		       ((const struct sockaddr_in6 *)a)->sin6_port ==
			       ((const struct sockaddr_in6 *)b)->sin6_port;
	return false;
}

/* The bootstrap broker a discovered one is, by name or by address. */
static struct mp_broker *known_broker(struct cstate *st, const struct disc_broker *db)
{
	struct mp_broker *b = mp_cluster_find_broker(st->c, db->host, db->port);
	if (b)
		return b;
	for (size_t i = 0; db->addrlen && i < st->n_probed; i++)
		if (st->probed[i].b->source != MP_SRC_LISTENER_CHECK &&
		    same_addr(&st->probed[i].addr, &db->addr))
			return st->probed[i].b;
	return NULL;
}

static void merge_discovery(struct cstate *st, const struct disc_result *res)
{
	struct mp_discovery *d = &st->c->discovery;
	d->status = res->status;
	mp_strlcpy(d->error, res->error, sizeof(d->error));
	mp_strlcpy(d->cluster_id, res->cluster_id, sizeof(d->cluster_id));
	d->controller_id = res->controller_id;
	mp_strlcpy(d->configs_status, res->configs_status, sizeof(d->configs_status));
	if (res->status != MP_DISC_OK) {
		/* the brokers answered ApiVersions, so they are there: they
		 * would not describe the cluster to an unauthenticated client */
		d->status = MP_DISC_REFUSED;
		return;
	}
	for (size_t i = 0; i < res->n_brokers; i++) {
		const struct disc_broker *db = &res->brokers[i];
		struct mp_broker *b = known_broker(st, db);
		bool fresh = !b;
		if (fresh) {
			b = mp_cluster_add_broker(st->c, db->host, db->port);
			if (!b)
				continue;
			b->source = MP_SRC_DISCOVERED;
		}
		b->node_id = db->id;
		/* out of memory: the broker goes without its configs */
		(void)mp_broker_set_configs(b, db->configs, db->n_configs);
		if (!fresh)
			continue;
		if (!db->addrlen) {
			mp_strlcpy(b->error, db->resolve_error, sizeof(b->error));
			continue;
		}
		(void)probe(st, b, &db->addr, db->addrlen, st->s->o->tls_mode);
	}
}

static void disc_ready(int fd, void *ud)
{
	struct cstate *st = ud;
	merge_discovery(st, disc_finish(st->disc));
	mp_loop_unwatch(st->s->loop, fd);
	mp_loop_release(st->s->loop);
	st->disc_merged = true;
	/* librdkafka may still be shutting down: the disc is freed after the
	 * loop (scan_cleanup), never by blocking the loop here */
}

/* Parse, resolve and start the bootstrap probes of one cluster. */
static int plan_cluster(struct scan *s, struct cstate *st, char *errbuf, size_t errlen)
{
	const struct scan_cluster_spec *sp = st->spec;
	struct mp_resolve *rv = calloc(sp->n_bootstrap ? sp->n_bootstrap : 1, sizeof(*rv));
	char(*hosts)[MP_HOST_MAX] = calloc(sp->n_bootstrap ? sp->n_bootstrap : 1, MP_HOST_MAX);
	int rc = 0;

	if (!rv || !hosts) {
		rc = -ENOMEM;
		goto out;
	}
	if (sp->n_bootstrap > MP_BROKERS_MAX) {
		mp_fmt(errbuf, errlen, "cluster %s: more than %u bootstrap endpoints", sp->name,
		       MP_BROKERS_MAX);
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < sp->n_bootstrap; i++) {
		uint16_t port;
		rc = mp_hostport_parse(sp->bootstrap[i], hosts[i], sizeof(hosts[i]), &port, 0,
				       false, errbuf, errlen);
		if (rc < 0)
			goto out;
		if (!port) {
			mp_fmt(errbuf, errlen, "bootstrap endpoint '%s' has no port",
			       sp->bootstrap[i]);
			rc = -EINVAL;
			goto out;
		}
		rv[i].host = hosts[i];
		rv[i].port = port;
	}
	mp_resolve_many(rv, sp->n_bootstrap, s->o->timeout_ms);
	for (size_t i = 0; i < sp->n_bootstrap; i++) {
		if (mp_cluster_find_broker(st->c, rv[i].host, rv[i].port))
			continue; /* listed twice */
		struct mp_broker *b = mp_cluster_add_broker(st->c, rv[i].host, rv[i].port);
		if (!b) {
			rc = -ENOMEM;
			goto out;
		}
		if (!rv[i].addrlen) {
			mp_strlcpy(b->error, rv[i].error, sizeof(b->error));
			continue;
		}
		if (probe(st, b, &rv[i].addr, rv[i].addrlen, s->o->tls_mode) == 0)
			st->bootstrap_left++;
	}
	if (!st->bootstrap_left) {
		st->c->discovery.status = MP_DISC_NOT_RUN;
		mp_strlcpy(st->c->discovery.error, "no bootstrap endpoint could be probed",
			   sizeof(st->c->discovery.error));
	}
out:
	free(hosts);
	free(rv);
	return rc;
}

/* MSK's listener ports (plaintext, TLS, SASL/SCRAM, IAM). */
static const uint16_t msk_ports[] = { 9092, 9094, 9096, 9098 };

static bool port_known(const struct cstate *st, const struct sockaddr_storage *host, uint16_t port)
{
	for (size_t i = 0; i < st->n_probed; i++) {
		const struct bref *r = &st->probed[i];
		if (r->b->port != port)
			continue;
		struct sockaddr_storage a = r->addr, b = *host;
		/* compare addresses only */
		if (a.ss_family == AF_INET)
			((struct sockaddr_in *)&a)->sin_port = ((struct sockaddr_in *)&b)->sin_port;
		else if (a.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&a)->sin6_port =
				((struct sockaddr_in6 *)&b)->sin6_port;
		if (same_addr(&a, &b))
			return true;
	}
	return false;
}

static void set_port(struct sockaddr_storage *a, uint16_t port)
{
	if (a->ss_family == AF_INET)
		((struct sockaddr_in *)a)->sin_port = htons(port);
	else if (a->ss_family == AF_INET6)
		((struct sockaddr_in6 *)a)->sin6_port = htons(port);
}

/*
 * --check-listeners: on each broker host, MSK's listener ports that were not
 * probed yet, with TLS as MSK's conventions say. Runs after the first phase,
 * when discovery has named every broker host.
 */
static void plan_listener_checks(struct cstate *st)
{
	size_t n = st->n_probed;
	for (size_t i = 0; i < n; i++) {
		/* a copy: probe() below grows (reallocates) st->probed */
		const struct bref r = st->probed[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = st->probed[j].addrlen == r.addrlen &&
			       strcmp(st->probed[j].b->host, r.b->host) == 0;
		if (seen || r.b->source == MP_SRC_LISTENER_CHECK)
			continue;
		for (size_t p = 0; p < sizeof(msk_ports) / sizeof(msk_ports[0]); p++) {
			struct sockaddr_storage a = r.addr;
			if (port_known(st, &a, msk_ports[p]))
				continue;
			struct mp_broker *b =
				mp_cluster_add_listener(st->c, r.b->host, msk_ports[p]);
			if (!b)
				return;
			b->source = MP_SRC_LISTENER_CHECK;
			set_port(&a, msk_ports[p]);
			(void)probe(st, b, &a, r.addrlen, KAFKA_TLS_AUTO);
		}
	}
}

static void zk_done(struct mp_zk_endpoint *z, void *ud)
{
	(void)ud;
	if (!z->reachable)
		mark_local(z->error, sizeof(z->error));
}

/*
 * ZooKeeper endpoints: "host:port", or "host" tried on 2181 (plaintext) and
 * 2182 (TLS) as MSK hands them out; a "/chroot" suffix is ignored.
 */
static int plan_zookeeper(struct scan *s, struct cstate *st, char *errbuf, size_t errlen)
{
	const struct scan_cluster_spec *sp = st->spec;
	size_t max = sp->n_zookeeper * 2;
	struct mp_resolve *rv = calloc(max ? max : 1, sizeof(*rv));
	char(*hosts)[MP_HOST_MAX] = calloc(max ? max : 1, MP_HOST_MAX);
	size_t n = 0;
	int rc = 0;

	if (!rv || !hosts) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < sp->n_zookeeper; i++) {
		uint16_t port;
		rc = mp_hostport_parse(sp->zookeeper[i], hosts[n], MP_HOST_MAX, &port, 0, true,
				       errbuf, errlen);
		if (rc < 0)
			goto out;
		rv[n].host = hosts[n];
		rv[n++].port = port ? port : 2181;
		if (!port) {
			mp_strlcpy(hosts[n], hosts[n - 1], MP_HOST_MAX);
			rv[n].host = hosts[n];
			rv[n++].port = 2182;
		}
	}
	mp_resolve_many(rv, n, s->o->timeout_ms);
	struct zk_probe_env env = {
		.loop = s->loop,
		.tls = s->tls,
		.ca_file = s->o->ca_file,
		.cert_file = s->o->cert_file,
		.key_file = s->o->key_file,
		.protos = s->protos,
		.timeout_ms = s->o->timeout_ms,
		.anonymous_read = s->o->zk_anonymous_read,
		.done = zk_done,
		.ud = st,
	};
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < st->c->n_zk && !dup; j++)
			dup = st->c->zk[j]->port == rv[i].port &&
			      strcmp(st->c->zk[j]->host, rv[i].host) == 0;
		if (dup)
			continue;
		struct mp_zk_endpoint *z = mp_cluster_add_zk(st->c, rv[i].host, rv[i].port);
		if (!z) {
			rc = -ENOMEM;
			goto out;
		}
		if (!rv[i].addrlen) {
			mp_strlcpy(z->error, rv[i].error, sizeof(z->error));
			continue;
		}
		(void)zk_probe_start(&env, z, &rv[i].addr, rv[i].addrlen);
	}
out:
	free(hosts);
	free(rv);
	return rc;
}

static void tls_protos_done(void *ud)
{
	(void)ud;
}

/* The TLS inspection of ZooKeeper endpoints, on every TLS Kafka listener:
 * which protocol versions it accepts, whether it wants a client certificate. */
static void plan_kafka_tls(struct scan *s, struct cstate *st)
{
	static const uint8_t apiv_v0[] = { 0, 0, 0, 0x12, 0,   18,  0,	 0,   0,   0,	0,
					   1, 0, 8, 'm',  's', 'k', 'p', 'r', 'o', 'b', 'e' };
	for (size_t i = 0; i < st->n_probed; i++) {
		struct mp_broker *b = st->probed[i].b;
		if (!b->tls_info || strcmp(b->tls_info->handshake, "ok") != 0)
			continue;
		struct tls_probe_req r = {
			.loop = s->loop,
			.set = s->protos,
			.addr = st->probed[i].addr,
			.addrlen = st->probed[i].addrlen,
			.sni = b->host,
			.timeout_ms = s->o->timeout_ms,
			.protocols = true,
			.nocert_req = apiv_v0,
			.nocert_req_len = sizeof(apiv_v0),
			.ti = b->tls_info,
			.done = tls_protos_done,
			.ud = st,
		};
		(void)tls_probe_protocols(&r);
	}
}

/* TLS findings of every Kafka listener that spoke TLS. */
static int kafka_tls_findings(struct cstate *st, const struct mp_policy *p)
{
	for (size_t i = 0; i < st->n_probed; i++) {
		const struct mp_broker *b = st->probed[i].b;
		if (b->tls_info && zk_tls_findings(st->c, b->host, b->port, b->tls_info, p) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Start the capture before any probe; the scan's own connections are left out of it. */
static int start_capture(struct scan *s, char *errbuf, size_t errlen)
{
	struct cap_opts co;
	const struct scan_opts *o = s->o;
	if (!o->capture_iface && !o->capture_file)
		return 0;
	cap_opts_init(&co);
	co.iface = o->capture_iface;
	co.file = o->capture_file;
	co.user = NULL; /* the scan keeps its identity: it still has to connect */
	co.drop_privileges = !o->capture_keep_privileges; /* but no capability */
	/* the ZooKeeper ports the user named are hints too */
	for (size_t i = 0; i < o->n_clusters; i++)
		for (size_t j = 0; j < o->clusters[i].n_zookeeper; j++) {
			char host[MP_HOST_MAX], e[64];
			uint16_t port;
			if (mp_hostport_parse(o->clusters[i].zookeeper[j], host, sizeof(host),
					      &port, 0, true, e, sizeof(e)) == 0 &&
			    port && co.n_zk_ports < CAP_PORTS_MAX)
				co.zk_ports[co.n_zk_ports++] = port;
		}
	int rc = cap_session_start(&s->cap, &co, errbuf, errlen);
	return rc < 0 ? rc : 0;
}

static bool cluster_has_endpoint(const struct mp_cluster *c, const char *ep)
{
	char tmp[MP_HOST_MAX + 8];
	for (size_t i = 0; i < c->n_zk; i++) {
		mp_fmt(tmp, sizeof(tmp), "%s:%u", c->zk[i]->host, c->zk[i]->port);
		if (strcmp(tmp, ep) == 0)
			return true;
	}
	for (size_t i = 0; i < c->n_brokers; i++) {
		mp_fmt(tmp, sizeof(tmp), "%s:%u", c->brokers[i]->host, c->brokers[i]->port);
		if (strcmp(tmp, ep) == 0)
			return true;
	}
	return false;
}

/*
 * The part of a capture finding that concerns cluster c: its evidence pairs
 * whose server is one of c's endpoints. NULL when none is (or on ENOMEM).
 */
static cJSON *finding_for(const struct mp_cluster *c, const cJSON *f)
{
	cJSON *copy = cJSON_Duplicate(f, 1);
	cJSON *ev = cJSON_GetObjectItemCaseSensitive(copy, "evidence");
	cJSON *pairs = cJSON_GetObjectItemCaseSensitive(ev, "pairs");
	if (!copy || !cJSON_IsArray(pairs)) {
		cJSON_Delete(copy);
		return NULL;
	}
	for (int i = cJSON_GetArraySize(pairs) - 1; i >= 0; i--) {
		const cJSON *srv =
			cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(pairs, i), "server");
		if (!cJSON_IsString(srv) || !cluster_has_endpoint(c, srv->valuestring))
			cJSON_DeleteItemFromArray(pairs, i);
	}
	if (cJSON_GetArraySize(pairs) == 0) {
		cJSON_Delete(copy);
		return NULL;
	}
	return copy;
}

/*
 * With several clusters, each one's capture section lists only the flows to
 * its own endpoints, and its class counts are theirs; packet and byte
 * statistics stay those of the whole capture (stats.scope says so).
 */
static cJSON *capture_for(const struct mp_cluster *c, const cJSON *cap)
{
	cJSON *copy = cJSON_Duplicate(cap, 1);
	cJSON *flows = cJSON_GetObjectItemCaseSensitive(copy, "flows");
	cJSON *stats = cJSON_GetObjectItemCaseSensitive(copy, "stats");
	cJSON *classes = cJSON_GetObjectItemCaseSensitive(stats, "classes");
	cJSON *cls;
	if (!copy || !cJSON_IsArray(flows))
		return copy;
	for (int i = cJSON_GetArraySize(flows) - 1; i >= 0; i--) {
		const cJSON *srv =
			cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(flows, i), "server");
		if (!cJSON_IsString(srv) || !cluster_has_endpoint(c, srv->valuestring))
			cJSON_DeleteItemFromArray(flows, i);
	}
	cJSON_ArrayForEach (cls, classes) {
		int n = 0;
		const cJSON *f;
		cJSON_ArrayForEach (f, flows) {
			const cJSON *fc = cJSON_GetObjectItemCaseSensitive(f, "class");
			n += cJSON_IsString(fc) && strcmp(fc->valuestring, cls->string) == 0;
		}
		cJSON_SetNumberValue(cls, n);
	}
	if (cJSON_IsObject(stats)) {
		cJSON_AddNumberToObject(stats, "cluster_flows", cJSON_GetArraySize(flows));
		cJSON_AddStringToObject(stats, "scope",
					"flows and classes: this cluster's endpoints; the other "
					"figures: the whole capture");
	}
	return copy;
}

/* A capture finding is its id and evidence; severity and title: the catalogue's. */
static void add_capture_finding(struct mp_cluster *c, const cJSON *f)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
	if (!cJSON_IsString(id))
		return;
	(void)mp_cluster_add_finding(
		c, id->valuestring,
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "evidence"), 1));
}

/* SIGINT/SIGTERM: stop waiting, keep what was measured. */
static void on_interrupt(int fd, void *ud)
{
	struct scan *s = ud;
	char buf[16];
	(void)!read(fd, buf, sizeof(buf));
	s->r->interrupted = true;
	s->interrupted = true;
	mp_loop_abort(s->loop);
}

/*
 * Attach the capture to the clusters: with one cluster everything belongs
 * to it; with several, a finding belongs to the cluster whose ZooKeeper or
 * broker endpoint is the flow's server. Traffic to a cluster's ZooKeeper
 * endpoints that was all TLS proves "traffic is encrypted".
 */
static int merge_capture(struct scan *s, char *errbuf, size_t errlen)
{
	cJSON *cap = NULL, *findings = NULL;
	const cJSON *f, *flow;
	if (!s->cap)
		return 0;
	/* live: at least --capture-seconds; a file is read to its end (finishing
	 * earlier would stop the reader midway and report part of the file) */
	if (s->o->capture_file || s->o->capture_seconds) {
		int64_t end = s->o->capture_file
				      ? INT64_MAX
				      : s->cap_started + (int64_t)s->o->capture_seconds * 1000;
		/* the loop no longer runs: watch the interrupt descriptor here, so
		 * SIGINT/SIGTERM cut the wait and keep what was captured */
		while (!s->interrupted && mp_now_ms() < end && !cap_session_done(s->cap)) {
			struct pollfd pfd = { .fd = s->o->interrupt_fd, .events = POLLIN };
			int64_t left = end == INT64_MAX ? 50 : end - mp_now_ms();
			if (s->o->interrupt_fd <=
			    0) { /* 0: none given (the convention of scan_run) */
				struct timespec ts = { 0, 50 * 1000000L };
				nanosleep(&ts, NULL);
			} else if (poll(&pfd, 1, (int)(left < 50 ? (left > 0 ? left : 0) : 50)) >
				   0) {
				on_interrupt(pfd.fd, s);
			}
		}
	}
	int rc = cap_session_finish(s->cap, &cap, &findings, errbuf, errlen);
	if (rc < 0)
		return rc;
	if (cap_session_input_error(s->cap))
		mp_fmt(s->r->input_error, sizeof(s->r->input_error), "--capture-file %s",
		       cap_session_input_error(s->cap));
	for (size_t i = 0; i < s->r->n_clusters; i++) {
		struct mp_cluster *c = s->r->clusters[i];
		bool all = s->r->n_clusters == 1, plain = false, tls = false;
		c->capture = all ? cJSON_Duplicate(cap, 1) : capture_for(c, cap);
		cJSON_ArrayForEach (f, findings) {
			if (all ||
			    !cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(f, "evidence"), "pairs")) {
				add_capture_finding(c, f);
				continue;
			}
			cJSON *mine = finding_for(c, f);
			if (mine)
				add_capture_finding(c, mine);
			cJSON_Delete(mine);
		}
		cJSON_ArrayForEach (flow, cJSON_GetObjectItemCaseSensitive(cap, "flows")) {
			const cJSON *cls = cJSON_GetObjectItemCaseSensitive(flow, "class");
			const cJSON *srv = cJSON_GetObjectItemCaseSensitive(flow, "server");
			bool zk_server = false;
			if (!cJSON_IsString(cls) || !cJSON_IsString(srv))
				continue;
			for (size_t j = 0; j < c->n_zk && !zk_server; j++) {
				char ep[MP_HOST_MAX + 8];
				mp_fmt(ep, sizeof(ep), "%s:%u", c->zk[j]->host, c->zk[j]->port);
				zk_server = strcmp(ep, srv->valuestring) == 0;
			}
			plain |= strcmp(cls->valuestring, "zookeeper-plaintext") == 0 &&
				 (zk_server || all);
			tls |= zk_server && strcmp(cls->valuestring, "tls") == 0;
		}
		c->proven_traffic = tls && !plain;
	}
	cJSON_Delete(cap);
	cJSON_Delete(findings);
	return 0;
}

static int load_tables(struct scan *s, char *errbuf, size_t errlen)
{
	int rc = s->o->fp_table_file
			 ? fp_table_load_file(&s->fp, s->o->fp_table_file, errbuf, errlen)
			 : fp_table_builtin(&s->fp, errbuf, errlen);
	if (rc < 0)
		return rc;
	return msk_catalog_builtin(&s->msk, errbuf, errlen);
}

static void scan_cleanup(struct scan *s)
{
	for (size_t i = 0; s->cs && i < s->o->n_clusters; i++) {
		if (s->interrupted)
			disc_abandon(s->cs[i].disc);
		else
			disc_free(s->cs[i].disc);
		free(s->cs[i].probed);
	}
	free(s->cs);
	mp_loop_free(s->loop);
	SSL_CTX_free(s->tls);
	tls_probe_set_free(s->protos);
	cap_session_free(s->cap);
	fp_table_free(s->fp);
	msk_catalog_free(s->msk);
}

static bool is_local(const char *error)
{
	return strncmp(error, SCAN_LOCAL_ERROR, strlen(SCAN_LOCAL_ERROR)) == 0;
}

size_t scan_local_failures(const struct mp_report *r)
{
	size_t n = 0;
	for (size_t i = 0; r && i < r->n_clusters; i++) {
		const struct mp_cluster *c = r->clusters[i];
		for (size_t j = 0; j < c->n_brokers; j++)
			n += is_local(c->brokers[j]->error);
		for (size_t j = 0; j < c->n_listeners; j++)
			n += is_local(c->listeners[j]->error);
		for (size_t j = 0; j < c->n_zk; j++)
			n += is_local(c->zk[j]->error);
	}
	return n;
}

int scan_fit_fd_limit(struct scan_opts *o, char *note, size_t notelen, char *errbuf, size_t errlen)
{
	struct rlimit rl;
	uint64_t reserve = MP_FD_RESERVE, need;

	note[0] = '\0';
	if (o->capture_iface || o->capture_file)
		reserve += MP_FD_CAPTURE;
	for (size_t i = 0; o->discover && i < o->n_clusters; i++)
		reserve += MP_FD_DISCOVERY +
			   (uint64_t)MP_FD_DISCOVERY_PER_EP * o->clusters[i].n_bootstrap;
	need = reserve + o->concurrency;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0; /* unknown: connect failures will say so */
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need &&
	    (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur)) {
		struct rlimit up = rl;
		up.rlim_cur =
			rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_cur <= reserve) {
		mp_fmt(errbuf, errlen,
		       "the open-file limit (ulimit -n) is %llu, and the scan needs about %llu "
		       "descriptors besides its connections (discovery of %zu cluster(s), capture, "
		       "files): raise the limit%s",
		       (unsigned long long)rl.rlim_cur, (unsigned long long)reserve, o->n_clusters,
		       o->discover ? " or use --no-discovery" : "");
		return -EMFILE;
	}
	mp_fmt(note, notelen,
	       "--concurrency %u lowered to %llu: the open-file limit (ulimit -n) is %llu and "
	       "%llu descriptors are kept for discovery, capture and files",
	       o->concurrency, (unsigned long long)(rl.rlim_cur - reserve),
	       (unsigned long long)rl.rlim_cur, (unsigned long long)reserve);
	o->concurrency = (unsigned)(rl.rlim_cur - reserve);
	return 0;
}

int scan_run(const struct scan_opts *o, struct mp_report **ret, char *errbuf, size_t errlen)
{
	struct scan s = { .o = o };
	struct tls_ctx_opts to = { .ca_file = o->ca_file,
				   .cert_file = o->cert_file,
				   .key_file = o->key_file };
	int64_t t0 = mp_now_ms();
	int rc;

	s.r = mp_report_new();
	s.cs = calloc(o->n_clusters ? o->n_clusters : 1, sizeof(*s.cs));
	if (!s.r || !s.cs) {
		rc = -ENOMEM;
		goto fail;
	}
	s.r->policy = o->policy;
	if (o->command_line)
		mp_strlcpy(s.r->command_line, o->command_line, sizeof(s.r->command_line));
	if ((rc = load_tables(&s, errbuf, errlen)) < 0)
		goto fail;
	if ((rc = tls_client_ctx(&s.tls, &to, errbuf, errlen)) < 0)
		goto fail;
	if ((rc = tls_probe_set_new(&s.protos, o->cert_file, o->key_file, errbuf, errlen)) < 0)
		goto fail;
	if ((rc = start_capture(&s, errbuf, errlen)) < 0)
		goto fail;
	s.cap_started = mp_now_ms();
	if ((rc = mp_loop_new(&s.loop, o->concurrency)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	if (s.cap)
		mp_loop_set_observer(s.loop, exclude_own, s.cap);
	if (o->interrupt_fd > 0 &&
	    (rc = mp_loop_watch(s.loop, o->interrupt_fd, on_interrupt, &s)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	for (size_t i = 0; i < o->n_clusters; i++) {
		struct cstate *st = &s.cs[i];
		st->s = &s;
		st->spec = &o->clusters[i];
		st->c = mp_report_add_cluster(s.r, o->clusters[i].name);
		if (!st->c) {
			rc = -ENOMEM;
			goto fail;
		}
		if ((rc = plan_cluster(&s, st, errbuf, errlen)) < 0 ||
		    (rc = plan_zookeeper(&s, st, errbuf, errlen)) < 0)
			goto fail;
	}
	if ((rc = mp_loop_run(s.loop)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	/* second phase: what needs the first one's answers (every broker host,
	 * which listeners speak TLS) */
	for (size_t i = 0; i < o->n_clusters && !mp_loop_aborted(s.loop); i++) {
		plan_kafka_tls(&s, &s.cs[i]);
		if (o->check_listeners)
			plan_listener_checks(&s.cs[i]);
	}
	if ((rc = mp_loop_run(s.loop)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	for (size_t i = 0; i < o->n_clusters && s.r->interrupted; i++)
		if (s.cs[i].disc && !s.cs[i].disc_merged) {
			s.cs[i].c->discovery.status = MP_DISC_FAILED;
			mp_strlcpy(s.cs[i].c->discovery.error,
				   "interrupted before discovery finished",
				   sizeof(s.cs[i].c->discovery.error));
		}
	if ((rc = merge_capture(&s, errbuf, errlen)) < 0)
		goto fail;
	for (size_t i = 0; i < o->n_clusters; i++) {
		struct mp_cluster *c = s.cs[i].c;
		if ((rc = zk_findings(c, &o->policy)) < 0 ||
		    (rc = kafka_tls_findings(&s.cs[i], &o->policy)) < 0 ||
		    (rc = policy_apply(c, &o->policy, s.fp, s.msk)) < 0)
			goto fail;
	}
	s.r->duration_ms = mp_now_ms() - t0;
	*ret = s.r;
	s.r = NULL;
	rc = 0;
fail:
	if (rc == -ENOMEM && errbuf[0] == '\0')
		mp_fmt(errbuf, errlen, "out of memory");
	mp_report_free(s.r);
	scan_cleanup(&s);
	return rc;
}
