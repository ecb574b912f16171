/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name resolution of many endpoints at once with a deadline (glibc's
 * getaddrinfo_a): a slow resolver costs the scan one timeout, not one per
 * name. Address literals are resolved without any lookup.
 */
#ifndef MP_RESOLVE_H
#define MP_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mp_limits.h"

struct mp_resolve {
	const char *host;	      /* in */
	uint16_t port;		      /* in */
	struct sockaddr_storage addr; /* out: the first address */
	socklen_t addrlen;	      /* out: 0 when not resolved */
	char error[MP_ERR_MAX];	      /* out: why not */
};

/* Resolve every entry; never fails as a whole except -ENOMEM. */
int mp_resolve_many(struct mp_resolve *r, size_t n, int timeout_ms);

#endif
