/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan planning: each cluster's endpoints go into the model in the order
 * given (their names are resolved on the loop, scan_resolve.c), then the
 * probes, discovery through the first bootstrap broker that answered, and
 * in the second phase the listener checks and the TLS inspection of Kafka
 * listeners.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan-internal.h"

#include "loop.h"
#include "util.h"
#include "zk_probe.h"
#include "zk_policy.h"
#include "zk_tls.h"

static void broker_done(struct mp_broker *b, void *ud);

static void disc_ready(int fd, void *ud);

int scan_probe(struct cstate *st, struct mp_broker *b, const struct sockaddr_storage *addr,
	       socklen_t addrlen, enum kafka_tls_mode mode)
{
	struct kafka_probe_env env = {
		.loop = st->s->loop,
		.tls = st->s->tls,
		.timeout_ms = st->s->o->timeout_ms,
		.tls_mode = mode,
		.done = broker_done,
		.ud = st,
	};
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
		.observer = st->s->cap ? scan_exclude_own : NULL,
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

void scan_bootstrap_settled(struct cstate *st)
{
	const struct scan_opts *o = st->s->o;
	if (st->bootstrap_left)
		st->bootstrap_left--;
	if (st->bootstrap_left || st->disc_started)
		return;
	st->c->discovery.status = MP_DISC_NOT_RUN;
	mp_strlcpy(st->c->discovery.error,
		   !st->bootstrap_probed ? "no bootstrap endpoint could be probed"
		   : !o->discover	 ? "disabled (--no-discovery)"
		   : st->disc_withheld
			   ? "not attempted: the bootstrap brokers answered only without "
			     "TLS (--tls auto), and SASL credentials are sent only over TLS "
			     "or with an explicit --tls off"
			   : "no bootstrap broker answered ApiVersions",
		   sizeof(st->c->discovery.error));
}

static void broker_done(struct mp_broker *b, void *ud)
{
	struct cstate *st = ud;
	const struct scan_opts *o = st->s->o;
	if (!b->answered)
		scan_mark_local(b->error, sizeof(b->error));
	if (b->source != MP_SRC_BOOTSTRAP)
		return; /* discovered brokers and listener checks start nothing */
	/* discover through the first bootstrap broker that answered: its
	 * answer tells whether the listener is TLS */
	if (o->discover && !st->disc_started && b->answered) {
		if (may_carry_credentials(o, b))
			start_discovery(st, b->tls);
		else
			st->disc_withheld = true;
	}
	scan_bootstrap_settled(st);
}

/* The broker already probed that a discovered one is, by address and port. */
static struct mp_broker *known_by_address(struct cstate *st, uint16_t port,
					  const struct mp_addrs *addrs)
{
	for (size_t i = 0; i < st->n_probed; i++) {
		struct mp_broker *b = st->probed[i].b;
		if (b->source == MP_SRC_LISTENER_CHECK || b->port != port)
			continue;
		for (uint8_t k = 0; k < addrs->n; k++)
			if (mp_addrs_has(&b->addrs, &addrs->a[k]))
				return b;
	}
	return NULL;
}

void scan_merge_discovered(struct cstate *st, const struct disc_result *res,
			   const struct mp_resolved *resolved)
{
	for (size_t i = 0; i < res->n_brokers; i++) {
		const struct disc_broker *db = &res->brokers[i];
		const struct mp_resolved *rz = &resolved[i];
		struct mp_broker *b = mp_cluster_find_broker(st->c, db->host, db->port);
		bool fresh = false;
		if (!b && rz->addrs.n)
			b = known_by_address(st, db->port, &rz->addrs);
		if (!b) {
			b = mp_cluster_add_broker(st->c, db->host, db->port);
			if (!b)
				continue;
			b->source = MP_SRC_DISCOVERED;
			fresh = true;
		}
		b->node_id = db->id;
		/* out of memory: the broker goes without its configs */
		(void)mp_broker_set_configs(b, db->configs, db->n_configs);
		if (!fresh)
			continue;
		b->addrs = rz->addrs;
		if (db->resolve_error[0] || !rz->addrs.n) {
			mp_strlcpy(b->error, db->resolve_error[0] ? db->resolve_error : rz->error,
				   sizeof(b->error));
			continue;
		}
		struct sockaddr_storage sa;
		socklen_t len = scan_sockaddr(&rz->addrs.a[0], db->port, &sa);
		(void)scan_probe(st, b, &sa, len, st->s->o->tls_mode);
	}
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
	if (scan_resolve_discovered(st, res) < 0)
		mp_strlcpy(d->error, "out of memory resolving the discovered brokers",
			   sizeof(d->error));
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

/* Parse the bootstrap endpoints of one cluster into the model and resolve them. */
int scan_plan_cluster(struct scan *s, struct cstate *st, char *errbuf, size_t errlen)
{
	const struct scan_cluster_spec *sp = st->spec;
	char host[MP_HOST_MAX];
	(void)s;

	if (sp->n_bootstrap > MP_BROKERS_MAX) {
		mp_fmt(errbuf, errlen, "cluster %s: more than %u bootstrap endpoints", sp->name,
		       MP_BROKERS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < sp->n_bootstrap; i++) {
		uint16_t port;
		int rc = mp_hostport_parse(sp->bootstrap[i], host, sizeof(host), &port, 0, false,
					   errbuf, errlen);
		if (rc < 0)
			return rc;
		if (!port) {
			mp_fmt(errbuf, errlen, "bootstrap endpoint '%s' has no port",
			       sp->bootstrap[i]);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < sp->n_bootstrap; i++) {
		uint16_t port;
		(void)mp_hostport_parse(sp->bootstrap[i], host, sizeof(host), &port, 0, false,
					errbuf, errlen);
		if (mp_cluster_find_broker(st->c, host, port))
			continue; /* listed twice */
		struct mp_broker *b = mp_cluster_add_broker(st->c, host, port);
		if (!b)
			return -ENOMEM;
		st->bootstrap_left++;
		if (scan_resolve_broker(st, b) < 0)
			return -ENOMEM;
	}
	if (!sp->n_bootstrap) {
		st->bootstrap_left = 1;
		scan_bootstrap_settled(st);
	}
	return 0;
}

/* MSK's listener ports (plaintext, TLS, SASL/SCRAM, IAM). */
static const uint16_t msk_ports[] = { 9092, 9094, 9096, 9098 };

bool scan_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct mp_addr x, y;
	return mp_addr_from_sockaddr((const struct sockaddr *)a, &x, NULL) &&
	       mp_addr_from_sockaddr((const struct sockaddr *)b, &y, NULL) && mp_addr_eq(&x, &y);
}

static bool port_known(const struct cstate *st, const struct sockaddr_storage *host, uint16_t port)
{
	for (size_t i = 0; i < st->n_probed; i++)
		if (st->probed[i].b->port == port && scan_same_host(&st->probed[i].addr, host))
			return true;
	return false;
}

void scan_set_port(struct sockaddr_storage *a, uint16_t port)
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
void scan_plan_listener_checks(struct cstate *st)
{
	size_t n = st->n_probed;
	for (size_t i = 0; i < n; i++) {
		/* a copy: scan_probe() below grows (reallocates) st->probed */
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
			b->addrs = r.b->addrs; /* the same host */
			b->addrs.connected = (struct mp_addr){ 0 };
			scan_set_port(&a, msk_ports[p]);
			(void)scan_probe(st, b, &a, r.addrlen, KAFKA_TLS_AUTO);
		}
	}
}

static void zk_done(struct mp_zk_endpoint *z, void *ud)
{
	(void)ud;
	if (!z->reachable)
		scan_mark_local(z->error, sizeof(z->error));
}

void scan_zk_probe(struct cstate *st, struct mp_zk_endpoint *z, const struct sockaddr_storage *addr,
		   socklen_t addrlen)
{
	struct scan *s = st->s;
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
	(void)zk_probe_start(&env, z, addr, addrlen);
}

/* One ZooKeeper endpoint into the model (unless listed already) and resolved. */
static int add_zk(struct cstate *st, const char *host, uint16_t port)
{
	for (size_t j = 0; j < st->c->n_zk; j++)
		if (st->c->zk[j]->port == port && strcmp(st->c->zk[j]->host, host) == 0)
			return 0;
	struct mp_zk_endpoint *z = mp_cluster_add_zk(st->c, host, port);
	if (!z)
		return -ENOMEM;
	return scan_resolve_zk(st, z);
}

/*
 * ZooKeeper endpoints: "host:port", or "host" tried on 2181 (plaintext) and
 * 2182 (TLS) as MSK hands them out; a "/chroot" suffix is ignored.
 */
int scan_plan_zookeeper(struct scan *s, struct cstate *st, char *errbuf, size_t errlen)
{
	const struct scan_cluster_spec *sp = st->spec;
	char host[MP_HOST_MAX];
	(void)s;

	for (size_t i = 0; i < sp->n_zookeeper; i++) {
		uint16_t port;
		int rc = mp_hostport_parse(sp->zookeeper[i], host, sizeof(host), &port, 0, true,
					   errbuf, errlen);
		if (rc < 0)
			return rc;
		if ((rc = add_zk(st, host, port ? port : 2181)) < 0 ||
		    (!port && (rc = add_zk(st, host, 2182)) < 0))
			return rc;
	}
	return 0;
}

static void tls_protos_done(void *ud)
{
	(void)ud;
}

/* The TLS inspection of ZooKeeper endpoints, on every TLS Kafka listener:
 * which protocol versions it accepts, whether it wants a client certificate. */
void scan_plan_kafka_tls(struct scan *s, struct cstate *st)
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
int scan_kafka_tls_findings(struct cstate *st, const struct mp_policy *p)
{
	for (size_t i = 0; i < st->n_probed; i++) {
		const struct mp_broker *b = st->probed[i].b;
		if (b->tls_info && zk_tls_findings(st->c, b->host, b->port, b->tls_info, p) < 0)
			return -ENOMEM;
	}
	return 0;
}
