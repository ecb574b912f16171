/* SPDX-License-Identifier: Apache-2.0 */
#include "scan.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discovery.h"
#include "fp.h"
#include "loop.h"
#include "msk.h"
#include "policy.h"
#include "resolve.h"
#include "tls.h"
#include "util.h"

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
	size_t bootstrap_left; /* bootstrap probes still running */
	struct bref *probed; /* every broker probed, with its address */
	size_t n_probed, cap_probed;
};

struct scan {
	const struct scan_opts *o;
	struct mp_report *r;
	struct mp_loop *loop;
	SSL_CTX *tls;
	struct fp_table *fp;
	struct msk_catalog *msk;
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
		.timeout_ms = o->timeout_ms,
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

static void broker_done(struct mp_broker *b, void *ud)
{
	struct cstate *st = ud;
	if (b->source != MP_SRC_BOOTSTRAP)
		return; /* discovered brokers and listener checks start nothing */
	if (st->bootstrap_left)
		st->bootstrap_left--;
	/* discover through the first bootstrap broker that answered: its
	 * answer tells whether the listener is TLS */
	if (st->s->o->discover && !st->disc_started && b->answered)
		start_discovery(st, b->tls);
	if (!st->bootstrap_left && !st->disc_started) {
		st->c->discovery.status = MP_DISC_NOT_RUN;
		mp_strlcpy(st->c->discovery.error,
			   st->s->o->discover ? "no bootstrap broker answered ApiVersions"
					      : "disabled (--no-discovery)",
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
		b->n_configs = db->n_configs;
		memcpy(b->configs, db->configs, sizeof(db->configs[0]) * db->n_configs);
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
	disc_free(st->disc);
	st->disc = NULL;
}

/* Parse, resolve and start the bootstrap probes of one cluster. */
static int plan_cluster(struct scan *s, struct cstate *st, char *errbuf, size_t errlen)
{
	const struct scan_cluster_spec *sp = st->spec;
	struct mp_resolve *rv = calloc(sp->n_bootstrap ? sp->n_bootstrap : 1, sizeof(*rv));
	char (*hosts)[MP_HOST_MAX] = calloc(sp->n_bootstrap ? sp->n_bootstrap : 1, MP_HOST_MAX);
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
			((struct sockaddr_in6 *)&a)->sin6_port = ((struct sockaddr_in6 *)&b)->sin6_port;
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
		const struct bref *r = &st->probed[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = st->probed[j].addrlen == r->addrlen &&
			       strcmp(st->probed[j].b->host, r->b->host) == 0;
		if (seen || r->b->source == MP_SRC_LISTENER_CHECK)
			continue;
		for (size_t p = 0; p < sizeof(msk_ports) / sizeof(msk_ports[0]); p++) {
			struct sockaddr_storage a = r->addr;
			if (port_known(st, &a, msk_ports[p]))
				continue;
			struct mp_broker *b = mp_cluster_add_listener(st->c, r->b->host, msk_ports[p]);
			if (!b)
				return;
			b->source = MP_SRC_LISTENER_CHECK;
			set_port(&a, msk_ports[p]);
			(void)probe(st, b, &a, r->addrlen, KAFKA_TLS_AUTO);
		}
	}
}

static int load_tables(struct scan *s, char *errbuf, size_t errlen)
{
	int rc = s->o->fp_table_file ? fp_table_load_file(&s->fp, s->o->fp_table_file, errbuf, errlen)
				     : fp_table_builtin(&s->fp, errbuf, errlen);
	if (rc < 0)
		return rc;
	return msk_catalog_builtin(&s->msk, errbuf, errlen);
}

static void scan_cleanup(struct scan *s)
{
	for (size_t i = 0; s->cs && i < s->o->n_clusters; i++) {
		disc_free(s->cs[i].disc);
		free(s->cs[i].probed);
	}
	free(s->cs);
	mp_loop_free(s->loop);
	SSL_CTX_free(s->tls);
	fp_table_free(s->fp);
	msk_catalog_free(s->msk);
}

int scan_run(const struct scan_opts *o, struct mp_report **ret, char *errbuf, size_t errlen)
{
	struct scan s = { .o = o };
	struct tls_ctx_opts to = { .ca_file = o->ca_file, .cert_file = o->cert_file,
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
	if ((rc = mp_loop_new(&s.loop, o->concurrency)) < 0) {
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
		if ((rc = plan_cluster(&s, st, errbuf, errlen)) < 0)
			goto fail;
	}
	if ((rc = mp_loop_run(s.loop)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	if (o->check_listeners) {
		for (size_t i = 0; i < o->n_clusters; i++)
			plan_listener_checks(&s.cs[i]);
		if ((rc = mp_loop_run(s.loop)) < 0) {
			mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
			goto fail;
		}
	}
	for (size_t i = 0; i < o->n_clusters; i++)
		if ((rc = policy_apply(s.cs[i].c, &o->policy, s.fp, s.msk)) < 0)
			goto fail;
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
