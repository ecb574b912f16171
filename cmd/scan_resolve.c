/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan resolution: every endpoint's name is resolved on the event loop
 * (probe/resolve.h, never blocking it, one timeout per lookup), every
 * address it resolved to is kept in the model, and the probe is started at
 * the first. Discovered brokers are resolved as one batch, merged in the
 * metadata's order once the last lookup ends.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "scan-internal.h"

#include "util.h"

/* The discovered brokers of one cluster, while their names resolve. */
struct disc_batch {
	const struct disc_result *res; /* the disc's, valid until scan_cleanup */
	struct mp_resolved *resolved;  /* one per res->brokers[] */
	size_t left;		       /* lookups still running */
};

socklen_t scan_sockaddr(const struct mp_addr *a, uint16_t port, struct sockaddr_storage *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (a->family == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ret;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->a, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ret;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	memcpy(&in6->sin6_addr, a->a, 16);
	return sizeof(*in6);
}

static struct pend *pend_new(struct cstate *st)
{
	struct pend *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->st = st;
	p->next = st->s->pends;
	st->s->pends = p;
	return p;
}

static void broker_resolved(const struct mp_resolved *res, void *ud)
{
	struct pend *p = ud;
	struct cstate *st = p->st;
	struct mp_broker *b = p->b;
	struct sockaddr_storage sa;

	b->addrs = res->addrs;
	if (!res->addrs.n) {
		mp_strlcpy(b->error, res->error, sizeof(b->error));
		scan_bootstrap_settled(st);
		return;
	}
	socklen_t len = scan_sockaddr(&res->addrs.a[0], b->port, &sa);
	st->bootstrap_probed++;
	if (scan_probe(st, b, &sa, len, st->s->o->tls_mode) < 0) {
		st->bootstrap_probed--;
		scan_bootstrap_settled(st);
	}
}

int scan_resolve_broker(struct cstate *st, struct mp_broker *b)
{
	struct pend *p = pend_new(st);
	if (!p)
		return -ENOMEM;
	p->b = b;
	return mp_resolve(st->s->rv, b->host, broker_resolved, p);
}

static void zk_resolved(const struct mp_resolved *res, void *ud)
{
	struct pend *p = ud;
	struct mp_zk_endpoint *z = p->z;
	struct sockaddr_storage sa;

	z->addrs = res->addrs;
	if (!res->addrs.n) {
		mp_strlcpy(z->error, res->error, sizeof(z->error));
		return;
	}
	socklen_t len = scan_sockaddr(&res->addrs.a[0], z->port, &sa);
	scan_zk_probe(p->st, z, &sa, len);
}

int scan_resolve_zk(struct cstate *st, struct mp_zk_endpoint *z)
{
	struct pend *p = pend_new(st);
	if (!p)
		return -ENOMEM;
	p->z = z;
	return mp_resolve(st->s->rv, z->host, zk_resolved, p);
}

static void batch_done(struct cstate *st, struct disc_batch *bt)
{
	scan_merge_discovered(st, bt->res, bt->resolved);
}

static void disc_resolved(const struct mp_resolved *res, void *ud)
{
	struct pend *p = ud;
	struct disc_batch *bt = p->batch;
	bt->resolved[p->idx] = *res;
	if (--bt->left == 0)
		batch_done(p->st, bt);
}

int scan_resolve_discovered(struct cstate *st, const struct disc_result *res)
{
	size_t n = res->n_brokers;
	struct pend *holder = pend_new(st);
	struct disc_batch *bt = holder ? calloc(1, sizeof(*bt)) : NULL;
	int rc = 0;

	if (!bt)
		return -ENOMEM;
	holder->batch = bt; /* owned through holder (scan_pends_free) */
	holder->owns_batch = true;
	bt->res = res;
	bt->resolved = calloc(n ? n : 1, sizeof(*bt->resolved));
	if (!bt->resolved)
		return -ENOMEM;
	bt->left = 1; /* until every lookup is queued */
	for (size_t i = 0; i < n; i++) {
		const struct disc_broker *db = &res->brokers[i];
		/* known by name: no lookup; an invalid name: none either */
		if (mp_cluster_find_broker(st->c, db->host, db->port) || db->resolve_error[0])
			continue;
		struct pend *p = pend_new(st);
		if (!p) {
			rc = -ENOMEM;
			break;
		}
		p->idx = i;
		bt->left++;
		p->batch = bt;
		if (mp_resolve(st->s->rv, db->host, disc_resolved, p) < 0) {
			bt->left--;
			mp_fmt(bt->resolved[i].error, sizeof(bt->resolved[i].error),
			       "cannot resolve %s: out of memory", db->host);
		}
	}
	if (--bt->left == 0)
		batch_done(st, bt);
	return rc;
}

void scan_resolve_abandoned(struct scan *s)
{
	for (size_t i = 0; i < s->r->n_clusters; i++) {
		struct mp_cluster *c = s->r->clusters[i];
		for (size_t j = 0; j < c->n_brokers; j++)
			if (!c->brokers[j]->addrs.n && !c->brokers[j]->error[0])
				mp_strlcpy(c->brokers[j]->error,
					   "interrupted while resolving its name",
					   sizeof(c->brokers[j]->error));
		for (size_t j = 0; j < c->n_zk; j++)
			if (!c->zk[j]->addrs.n && !c->zk[j]->error[0])
				mp_strlcpy(c->zk[j]->error, "interrupted while resolving its name",
					   sizeof(c->zk[j]->error));
	}
}

void scan_pends_free(struct scan *s)
{
	for (struct pend *p = s->pends, *n; p; p = n) {
		n = p->next;
		if (p->owns_batch) {
			free(p->batch->resolved);
			free(p->batch);
		}
		free(p);
	}
	s->pends = NULL;
}
