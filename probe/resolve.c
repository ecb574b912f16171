/* SPDX-License-Identifier: Apache-2.0 */
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

/*
 * Where glibc's notification threads hand finished lookups to the loop.
 * Shared by the resolver and every lookup still inside glibc: refs counts
 * them (plus one for the resolver); the last one frees it. Once the resolver
 * is gone (closed), a notification frees its own lookup.
 */
struct mailbox {
	pthread_mutex_t lock;
	int efd;	 /* eventfd the loop watches; never written once closed */
	bool closed;	 /* the resolver was freed */
	struct rq *done; /* finished lookups, newest first */
	unsigned refs;
};

/* One lookup. glibc reads cb, hints and name until it notifies. */
struct rq {
	struct gaicb cb;
	struct addrinfo hints;
	struct sigevent sev;
	struct mailbox *mb;
	struct rq *done_next;	/* on mb->done, under mb->lock */
	struct rq *prev, *next; /* pending (loop thread only) */
	mp_resolve_fn fn;
	void *ud;
	int64_t deadline;
	bool in_glibc;		/* a getaddrinfo_a lookup, else complete already */
	bool abandoned;		/* answered already (timed out): dropped when glibc returns it */
	struct mp_resolved res; /* the result of a lookup that needed no glibc thread */
	char name[];
};

struct mp_resolver {
	struct mp_loop *loop;
	int timeout_ms;
	int tfd; /* timerfd: the earliest deadline of a lookup in glibc */
	struct mailbox *mb;
	struct rq *pending; /* callbacks not yet run */
	size_t n_pending;
	int64_t armed; /* the deadline the timer is set for, INT64_MAX: none */
};

static void rq_free(struct rq *q)
{
	if (!q)
		return;
	if (q->cb.ar_result)
		freeaddrinfo(q->cb.ar_result);
	free(q);
}

static void mailbox_unref(struct mailbox *mb)
{
	bool last;
	pthread_mutex_lock(&mb->lock);
	last = --mb->refs == 0;
	pthread_mutex_unlock(&mb->lock);
	if (!last)
		return;
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

/* Queue q for the loop (or free it when the resolver is gone) and wake the loop. */
static void post(struct mailbox *mb, struct rq *q)
{
	uint64_t one = 1;
	pthread_mutex_lock(&mb->lock);
	if (mb->closed) {
		pthread_mutex_unlock(&mb->lock);
		rq_free(q);
		return;
	}
	q->done_next = mb->done;
	mb->done = q;
	(void)!write(mb->efd, &one, sizeof(one));
	pthread_mutex_unlock(&mb->lock);
}

/* glibc's notification thread: a lookup ended. */
static void notified(union sigval sv)
{
	struct rq *q = sv.sival_ptr;
	struct mailbox *mb = q->mb;
	post(mb, q);
	mailbox_unref(mb); /* the lookup's reference */
}

static void unlink_pending(struct mp_resolver *rv, struct rq *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		rv->pending = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
	rv->n_pending--;
	mp_loop_release(rv->loop);
}

/* Every address of ai, in order, without duplicates. */
static void take(struct mp_resolved *res, const char *host, const struct addrinfo *ai)
{
	memset(&res->addrs, 0, sizeof(res->addrs));
	res->error[0] = '\0';
	for (; ai; ai = ai->ai_next) {
		struct mp_addr a;
		if (ai->ai_addr && mp_addr_from_sockaddr(ai->ai_addr, &a, NULL))
			(void)mp_addrs_add(&res->addrs, &a);
	}
	if (!res->addrs.n)
		mp_fmt(res->error, sizeof(res->error), "no usable address for %s", host);
}

/* The result glibc left in q's control block (q is no longer in progress). */
static void glibc_result(struct mp_resolved *res, struct rq *q)
{
	int e = gai_error(&q->cb);
	if (e == 0) {
		take(res, q->name, q->cb.ar_result);
	} else {
		memset(&res->addrs, 0, sizeof(res->addrs));
		mp_fmt(res->error, sizeof(res->error), "cannot resolve %s: %s", q->name,
		       gai_strerror(e));
	}
}

static void arm(struct mp_resolver *rv)
{
	struct itimerspec its = { 0 };
	int64_t first = INT64_MAX;
	for (struct rq *q = rv->pending; q; q = q->next)
		if (q->in_glibc && !q->abandoned && q->deadline < first)
			first = q->deadline;
	if (first != INT64_MAX) {
		int64_t left = first - mp_now_ms();
		if (left < 1)
			left = 1;
		its.it_value.tv_sec = left / 1000;
		its.it_value.tv_nsec = (left % 1000) * 1000000;
	}
	rv->armed = first;
	(void)timerfd_settime(rv->tfd, 0, &its, NULL);
}

/* Run q's callback with res and forget q (the caller frees or abandons it). */
static void answer(struct mp_resolver *rv, struct rq *q, const struct mp_resolved *res)
{
	unlink_pending(rv, q);
	q->fn(res, q->ud);
}

static void on_done(int fd, void *ud)
{
	struct mp_resolver *rv = ud;
	struct rq *list, *rev = NULL;
	uint64_t v;
	(void)!read(fd, &v, sizeof(v));
	pthread_mutex_lock(&rv->mb->lock);
	list = rv->mb->done;
	rv->mb->done = NULL;
	pthread_mutex_unlock(&rv->mb->lock);
	while (list) { /* oldest first */
		struct rq *n = list->done_next;
		list->done_next = rev;
		rev = list;
		list = n;
	}
	while (rev) {
		struct rq *q = rev;
		rev = q->done_next;
		if (!q->abandoned) {
			if (q->in_glibc)
				glibc_result(&q->res, q);
			answer(rv, q, &q->res);
		}
		rq_free(q);
	}
	arm(rv);
}

/* A lookup past its deadline ends with a timeout (or its result, if it just came). */
static void on_timer(int fd, void *ud)
{
	struct mp_resolver *rv = ud;
	int64_t now = mp_now_ms();
	uint64_t v;
	(void)!read(fd, &v, sizeof(v));
	for (struct rq *q = rv->pending, *n; q; q = n) {
		n = q->next;
		if (!q->in_glibc || q->abandoned || now < q->deadline)
			continue;
		struct mp_resolved res;
		int c = gai_cancel(&q->cb);
		if (c == EAI_ALLDONE) {
			/* finished; its notification is on the way and will be dropped */
			glibc_result(&res, q);
		} else {
			memset(&res.addrs, 0, sizeof(res.addrs));
			mp_fmt(res.error, sizeof(res.error), "resolving %s timed out after %d ms",
			       q->name, rv->timeout_ms);
		}
		q->abandoned = true;
		answer(rv, q, &res);
		n = rv->pending; /* the callback may have changed the list: start over */
		if (c == EAI_CANCELED) {
			/* glibc dropped it unstarted: no notification will come */
			rq_free(q);
			mailbox_unref(rv->mb);
		}
	}
	arm(rv);
}

int mp_resolver_new(struct mp_resolver **ret, struct mp_loop *loop, int timeout_ms)
{
	struct mp_resolver *rv = calloc(1, sizeof(*rv));
	struct mailbox *mb = calloc(1, sizeof(*mb));
	int rc;

	if (!rv || !mb) {
		free(rv);
		free(mb);
		return -ENOMEM;
	}
	pthread_mutex_init(&mb->lock, NULL);
	mb->refs = 1;
	mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	rv->mb = mb;
	rv->loop = loop;
	rv->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	rv->armed = INT64_MAX;
	if (mb->efd < 0 || rv->tfd < 0) {
		rc = -errno;
		goto fail;
	}
	if ((rc = mp_loop_watch(loop, mb->efd, on_done, rv)) < 0)
		goto fail;
	if ((rc = mp_loop_watch(loop, rv->tfd, on_timer, rv)) < 0) {
		mp_loop_unwatch(loop, mb->efd);
		goto fail;
	}
	*ret = rv;
	return 0;
fail:
	if (mb->efd >= 0)
		close(mb->efd);
	if (rv->tfd >= 0)
		close(rv->tfd);
	pthread_mutex_destroy(&mb->lock);
	free(mb);
	free(rv);
	return rc;
}

/* Address literals need no resolver. true when handled (res set). */
static bool literal(const char *host, struct mp_resolved *res)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai = NULL;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0)
		return false;
	take(res, host, ai);
	freeaddrinfo(ai);
	return true;
}

int mp_resolve(struct mp_resolver *rv, const char *host, mp_resolve_fn done, void *ud)
{
	size_t len = strlen(host) + 1;
	struct rq *q = calloc(1, sizeof(*q) + len);
	struct gaicb *list[1];
	if (!q)
		return -ENOMEM;
	memcpy(q->name, host, len);
	q->fn = done;
	q->ud = ud;
	q->mb = rv->mb;
	q->deadline = mp_now_ms() + rv->timeout_ms;
	/* pending from here: the loop waits for the answer */
	q->next = rv->pending;
	if (rv->pending)
		rv->pending->prev = q;
	rv->pending = q;
	rv->n_pending++;
	mp_loop_hold(rv->loop);
	if (literal(host, &q->res)) {
		post(rv->mb, q);
		return 0;
	}
	q->hints.ai_family = AF_UNSPEC;
	q->hints.ai_socktype = SOCK_STREAM;
	q->cb.ar_name = q->name;
	q->cb.ar_request = &q->hints;
	q->sev.sigev_notify = SIGEV_THREAD;
	q->sev.sigev_notify_function = notified;
	q->sev.sigev_value.sival_ptr = q;
	list[0] = &q->cb;
	pthread_mutex_lock(&rv->mb->lock);
	rv->mb->refs++; /* the lookup's, dropped by its notification */
	pthread_mutex_unlock(&rv->mb->lock);
	q->in_glibc = true;
	int e = getaddrinfo_a(GAI_NOWAIT, list, 1, &q->sev);
	if (e != 0) {
		q->in_glibc = false;
		mailbox_unref(rv->mb);
		mp_fmt(q->res.error, sizeof(q->res.error),
		       "cannot resolve %s: resolver unavailable (%s)", host, gai_strerror(e));
		post(rv->mb, q);
		return 0;
	}
	/* deadlines only grow: walk the list only when the timer is not set */
	if (q->deadline < rv->armed)
		arm(rv);
	return 0;
}

size_t mp_resolver_pending(const struct mp_resolver *rv)
{
	return rv ? rv->n_pending : 0;
}

void mp_resolver_free(struct mp_resolver *rv)
{
	struct rq *list;
	if (!rv)
		return;
	mp_loop_unwatch(rv->loop, rv->mb->efd);
	mp_loop_unwatch(rv->loop, rv->tfd);
	/* lookups still in glibc are its to free from here on; drop the holds */
	for (struct rq *q = rv->pending; q; q = q->next)
		mp_loop_release(rv->loop);
	pthread_mutex_lock(&rv->mb->lock);
	rv->mb->closed = true;
	list = rv->mb->done;
	rv->mb->done = NULL;
	close(rv->mb->efd);
	rv->mb->efd = -1;
	pthread_mutex_unlock(&rv->mb->lock);
	while (list) {
		struct rq *n = list->done_next;
		rq_free(list);
		list = n;
	}
	close(rv->tfd);
	mailbox_unref(rv->mb);
	free(rv);
}
