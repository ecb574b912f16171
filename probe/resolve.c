/* SPDX-License-Identifier: Apache-2.0 */
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void take(struct mp_resolve *r, struct addrinfo *ai)
{
	if (!ai || ai->ai_addrlen > sizeof(r->addr)) {
		mp_fmt(r->error, sizeof(r->error), "no usable address for %s", r->host);
		return;
	}
	memcpy(&r->addr, ai->ai_addr, ai->ai_addrlen);
	r->addrlen = ai->ai_addrlen;
	if (r->addr.ss_family == AF_INET)
		((struct sockaddr_in *)&r->addr)->sin_port = htons(r->port);
	else if (r->addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&r->addr)->sin6_port = htons(r->port);
}

/* Address literals need no resolver. Returns 1 when handled. */
static int literal(struct mp_resolve *r)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai = NULL;
	if (getaddrinfo(r->host, NULL, &hints, &ai) != 0)
		return 0;
	take(r, ai);
	freeaddrinfo(ai);
	return 1;
}

/*
 * What glibc's resolver threads read while a lookup runs: the request
 * blocks, their hints and the names. One block, so that a lookup still
 * running at our deadline (gai_cancel() cannot stop it) can be handed all
 * of it and never read the caller's memory or our stack after we return.
 */
struct gai_batch {
	struct addrinfo hints;
	size_t m;
	struct gaicb cbs[];
	/* then the NUL-terminated names */
};

int mp_resolve_many(struct mp_resolve *r, size_t n, int timeout_ms)
{
	struct gai_batch *b = NULL;
	struct gaicb **list = calloc(n ? n : 1, sizeof(*list));
	size_t m = 0, names = 0;
	char *np;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		names += strlen(r[i].host) + 1;
	b = calloc(1, sizeof(*b) + (n ? n : 1) * sizeof(b->cbs[0]) + names);
	if (!b || !list) {
		rc = -ENOMEM;
		goto out;
	}
	b->hints.ai_family = AF_UNSPEC;
	b->hints.ai_socktype = SOCK_STREAM;
	np = (char *)&b->cbs[n ? n : 1];
	for (size_t i = 0; i < n; i++) {
		r[i].addrlen = 0;
		r[i].error[0] = '\0';
		if (literal(&r[i]))
			continue;
		size_t l = strlen(r[i].host) + 1;
		memcpy(np, r[i].host, l);
		b->cbs[m].ar_name = np;
		np += l;
		b->cbs[m].ar_request = &b->hints;
		list[m] = &b->cbs[m];
		m++;
	}
	b->m = m;
	if (m && getaddrinfo_a(GAI_NOWAIT, list, (int)m, NULL) != 0) {
		for (size_t i = 0; i < n; i++)
			if (!r[i].addrlen)
				mp_fmt(r[i].error, sizeof(r[i].error), "resolver unavailable");
		goto out; /* requests it did queue are found pending below */
	}
	int64_t deadline = mp_now_ms() + timeout_ms;
	for (;;) {
		bool pending = false;
		for (size_t j = 0; j < m; j++)
			pending |= gai_error(list[j]) == EAI_INPROGRESS;
		int64_t left = deadline - mp_now_ms();
		if (!pending || left <= 0)
			break;
		struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000 };
		(void)gai_suspend((const struct gaicb *const *)list, (int)m, &ts);
	}
	for (size_t i = 0, j = 0; i < n; i++) {
		if (r[i].addrlen || r[i].error[0])
			continue;
		int e = gai_error(list[j]);
		if (e == EAI_INPROGRESS) {
			gai_cancel(list[j]);
			mp_fmt(r[i].error, sizeof(r[i].error), "resolving %s timed out after %d ms",
			       r[i].host, timeout_ms);
		} else if (e) {
			mp_fmt(r[i].error, sizeof(r[i].error), "cannot resolve %s: %s", r[i].host,
			       gai_strerror(e));
		} else {
			take(&r[i], list[j]->ar_result);
		}
		j++;
	}
out:
	if (b) {
		/* results of cancelled lookups may still arrive: only free finished ones */
		bool pending = false;
		for (size_t j = 0; j < m; j++) {
			if (gai_error(&b->cbs[j]) == EAI_INPROGRESS)
				pending = true;
			else if (b->cbs[j].ar_result)
				freeaddrinfo(b->cbs[j].ar_result);
		}
		/* glibc still reads the names and hints and writes into cbs: leave
		 * the block to it rather than corrupt memory */
		if (pending)
			b = NULL;
	}
	free(b);
	free(list);
	return rc;
}
