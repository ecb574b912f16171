/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name resolution on the event loop, never blocking it: each name goes to
 * glibc's getaddrinfo_a (its own threads); completion is signalled with
 * SIGEV_THREAD, whose function hands the result to an eventfd the loop
 * watches, and a timerfd the loop also watches ends a lookup that outlives
 * its deadline (the per-step timeout). Address literals need no lookup but
 * complete the same way (on the loop, never inside mp_resolve()).
 *
 * Every address a name resolved to is kept (IPv4 and IPv6, duplicates
 * dropped, at most MP_ADDRS_MAX), in the resolver's order: a probe connects
 * to the first, and a captured flow to any of them counts for the endpoint.
 *
 * Threads: everything but the glibc notification runs on the loop thread.
 * A lookup still running when the resolver is freed (an interrupt, or a
 * resolver that never answers) is left to glibc's thread, which frees it
 * when it ends; its callback is never called.
 */
#ifndef MP_RESOLVE_H
#define MP_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "mp_limits.h"

struct mp_loop;
struct mp_resolver;

struct mp_resolved {
	struct mp_addrs addrs;	/* addrs.n == 0: not resolved (error says why) */
	char error[MP_ERR_MAX]; /* "" when resolved */
};

/* Called once per mp_resolve(), on the loop thread; res is valid during the call only. */
typedef void (*mp_resolve_fn)(const struct mp_resolved *res, void *ud);

/*
 * A resolver for lookups of at most timeout_ms each, on loop (which must
 * outlive it). While a lookup is pending the loop is held (mp_loop_hold), so
 * mp_loop_run() waits for it. 0 or -errno.
 */
int mp_resolver_new(struct mp_resolver **ret, struct mp_loop *loop, int timeout_ms);

/*
 * Resolve host (copied). done(res, ud) runs later on the loop thread,
 * exactly once, unless the resolver is freed first. 0, or -errno (then done
 * is never called).
 */
int mp_resolve(struct mp_resolver *rv, const char *host, mp_resolve_fn done, void *ud);

/* Lookups whose callback has not run yet. */
size_t mp_resolver_pending(const struct mp_resolver *rv);

/* Stop watching, drop every pending lookup (no callback), free; accepts NULL. */
void mp_resolver_free(struct mp_resolver *rv);

#endif
