/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A delaying link for tests on 127.0.0.1: a listener that forwards every
 * client connection to an upstream port, client -> server at once and
 * server -> client delay_ms late (the server's close too), so that a
 * stand-in answers every step of every round just in time. Each client
 * connection has its own thread (a probe that opens several connections at
 * once is not serialised); at most LINK_CONNS connections per link, later
 * ones are closed at once. Header-only: a test includes it and links
 * pthreads through core_dep.
 */
#ifndef MP_TEST_DELAY_LINK_H
#define MP_TEST_DELAY_LINK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define LINK_CHUNKS 64
#define LINK_CONNS  32

/* A listening socket on an ephemeral port of 127.0.0.1; -1 on failure. */
static inline int listen_lo(uint16_t *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*ret_port = ntohs(a.sin_port);
	return fd;
}

static inline int connect_lo(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

struct link_chunk {
	int64_t due;
	size_t len; /* 0: the server closed */
	uint8_t b[16384];
};

struct link;

struct link_conn {
	struct link *k;
	int cfd;
	pthread_t t;
	struct link_chunk q[LINK_CHUNKS];
};

struct link {
	int lfd;
	uint16_t port, upstream;
	int delay_ms;
	atomic_bool stop;
	pthread_t t;
	unsigned n_conns;
	struct link_conn *conns[LINK_CONNS];
};

/* One client connection: client -> server at once, server -> client delay_ms late. */
static inline void *link_serve(void *arg)
{
	struct link_conn *c = arg;
	struct link *k = c->k;
	int cfd = c->cfd, ufd = connect_lo(k->upstream);
	size_t head = 0, n = 0;
	bool up_open = true;

	while (ufd >= 0 && !atomic_load(&k->stop)) {
		int64_t now = mp_now_ms();
		int to = 100;
		struct pollfd pf[2] = { { .fd = cfd, .events = POLLIN },
					{ .fd = up_open ? ufd : -1, .events = POLLIN } };
		if (n) {
			int64_t d = c->q[head].due - now;
			to = d < 0 ? 0 : d < to ? (int)d : to;
		}
		if (poll(pf, 2, to) < 0)
			break;
		if (pf[0].revents) {
			uint8_t b[16384];
			ssize_t r = recv(cfd, b, sizeof(b), 0);
			if (r <= 0)
				break; /* the client is done */
			if (send(ufd, b, (size_t)r, MSG_NOSIGNAL) != r)
				break;
		}
		if (pf[1].revents && n < LINK_CHUNKS) {
			struct link_chunk *ch = &c->q[(head + n) % LINK_CHUNKS];
			ssize_t r = recv(ufd, ch->b, sizeof(ch->b), 0);
			ch->len = r > 0 ? (size_t)r : 0;
			ch->due = mp_now_ms() + k->delay_ms;
			up_open = r > 0;
			n++;
		}
		while (n && c->q[head].due <= mp_now_ms()) {
			struct link_chunk *ch = &c->q[head];
			if (ch->len == 0)
				shutdown(cfd, SHUT_WR); /* the server's close, late too */
			else if (send(cfd, ch->b, ch->len, MSG_NOSIGNAL) != (ssize_t)ch->len)
				goto out;
			head = (head + 1) % LINK_CHUNKS;
			n--;
		}
	}
out:
	if (ufd >= 0)
		close(ufd);
	close(cfd);
	return NULL;
}

static inline void *link_main(void *arg)
{
	struct link *k = arg;
	while (!atomic_load(&k->stop)) {
		struct pollfd pf = { .fd = k->lfd, .events = POLLIN };
		if (poll(&pf, 1, 100) <= 0)
			continue;
		int cfd = accept(k->lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		struct link_conn *c = k->n_conns < LINK_CONNS ? calloc(1, sizeof(*c)) : NULL;
		if (c) {
			c->k = k;
			c->cfd = cfd;
		}
		if (!c || pthread_create(&c->t, NULL, link_serve, c) != 0) {
			free(c);
			close(cfd);
			continue;
		}
		k->conns[k->n_conns++] = c;
	}
	return NULL;
}

/* A link on an ephemeral port (k->port) to 127.0.0.1:upstream; NULL on failure. */
static inline struct link *link_start(uint16_t upstream, int delay_ms)
{
	struct link *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->upstream = upstream;
	k->delay_ms = delay_ms;
	k->lfd = listen_lo(&k->port);
	if (k->lfd < 0 || pthread_create(&k->t, NULL, link_main, k) != 0) {
		if (k->lfd >= 0)
			close(k->lfd);
		free(k);
		return NULL;
	}
	return k;
}

/* Stop the link and every connection through it. Accepts NULL. */
static inline void link_stop(struct link *k)
{
	if (!k)
		return;
	atomic_store(&k->stop, true);
	pthread_join(k->t, NULL);
	for (unsigned i = 0; i < k->n_conns; i++) {
		pthread_join(k->conns[i]->t, NULL);
		free(k->conns[i]);
	}
	close(k->lfd);
	free(k);
}

#endif
