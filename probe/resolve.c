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

int mp_resolve_many(struct mp_resolve *r, size_t n, int timeout_ms)
{
	struct gaicb *cbs = calloc(n ? n : 1, sizeof(*cbs));
	struct gaicb **list = calloc(n ? n : 1, sizeof(*list));
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	size_t m = 0;
	int rc = 0;

	if (!cbs || !list) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r[i].addrlen = 0;
		r[i].error[0] = '\0';
		if (literal(&r[i]))
			continue;
		cbs[m].ar_name = r[i].host;
		cbs[m].ar_request = &hints;
		list[m] = &cbs[m];
		m++;
	}
	if (m && getaddrinfo_a(GAI_NOWAIT, list, (int)m, NULL) != 0) {
		for (size_t i = 0; i < n; i++)
			if (!r[i].addrlen)
				mp_fmt(r[i].error, sizeof(r[i].error), "resolver unavailable");
		goto out;
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
	/* results of cancelled lookups may still arrive: only free finished ones */
	for (size_t j = 0; list && j < m; j++)
		if (gai_error(list[j]) != EAI_INPROGRESS && list[j]->ar_result)
			freeaddrinfo(list[j]->ar_result);
	if (m && list) {
		bool pending = false;
		for (size_t j = 0; j < m; j++)
			pending |= gai_error(list[j]) == EAI_INPROGRESS;
		if (pending) {
			/* glibc still writes into cbs: leak them rather than corrupt memory */
			cbs = NULL;
			list = NULL;
		}
	}
	free(cbs);
	free(list);
	return rc;
}
