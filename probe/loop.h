/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-thread event loop (epoll) running request/answer exchanges with
 * network endpoints: non-blocking TCP connect, optional non-blocking OpenSSL
 * handshake, one request, one bounded answer, and optionally further
 * request/answer rounds on the same connection. Every step has its own
 * deadline (timeout_ms) and every round, connect to answer, at most twice
 * that; an exchange given a budget_ms ends when that runs out, whatever its
 * step and round deadlines (a probe of several connections clips each to
 * what is left of its own overall budget). At most `concurrency` exchanges
 * are in flight, the rest wait in FIFO order. A scan of many endpoints therefore takes about as long as its
 * slowest endpoint; a dead or silent endpoint costs one timeout, a peer that
 * answers just in time at every step at most two per connection (probes cap
 * how many connections they open: probe/kafka_probe.c).
 *
 * The loop owns sockets and SSL objects; callers see them only inside their
 * done() callback.
 */
#ifndef MP_LOOP_H
#define MP_LOOP_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mp_limits.h"

struct mp_loop;
struct mp_xchg;

enum mp_xerr {
	MP_X_OK = 0,
	MP_X_REFUSED,	  /* RST to our SYN */
	MP_X_UNREACHABLE, /* ICMP unreachable, no route */
	MP_X_TIMEOUT,	  /* a step passed its deadline */
	MP_X_RESET,	  /* RST after connecting */
	MP_X_CLOSED,	  /* orderly close before a whole answer */
	MP_X_TLS,	  /* TLS handshake or record failure */
	MP_X_TOO_BIG,	  /* the peer announced more than max_read */
	MP_X_SYSTEM,	  /* local failure (fds, memory) */
	MP_X_ABORTED,	  /* mp_loop_abort(): the user interrupted the scan */
};

enum mp_xstep {
	MP_XS_QUEUED = 0,
	MP_XS_CONNECT,
	MP_XS_TLS,
	MP_XS_SEND,
	MP_XS_RECV,
	MP_XS_DONE,
};

enum mp_frame {
	MP_FRAME_NONE = 0, /* no answer expected: done after connect (+TLS) and send */
	MP_FRAME_I32,	   /* int32 big-endian length, then that many bytes (Kafka, ZooKeeper) */
	MP_FRAME_CLOSE,	   /* everything until the peer closes (four-letter words) */
	MP_FRAME_ANY,	   /* whatever the first read returns */
};

struct mp_xchg_result {
	enum mp_xerr err;
	enum mp_xstep step;	 /* the step the exchange ended in */
	char errmsg[MP_ERR_MAX]; /* "" on success */
	const uint8_t *data;	 /* the answer (I32: without the length prefix) */
	size_t len;
	size_t bytes_read; /* of this round, also on failure */
	bool truncated;	   /* MP_FRAME_CLOSE hit max_read */
	/* the whole request was written and the peer's TCP acknowledged all of
	 * it, with no reset seen: a close in the receive step then came after
	 * the peer read the request (one that closes at once resets instead) */
	bool delivered;
	SSL *ssl;	    /* set when a TLS session exists; valid in done() only */
	int64_t elapsed_ms; /* since the exchange started connecting */
};

/*
 * done() is called exactly once per round. Inside it the caller may call
 * mp_xchg_next() to run another round on the same connection, or
 * mp_loop_submit() to start new exchanges; otherwise the connection is
 * closed after done() returns.
 */
typedef void (*mp_xchg_done_fn)(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud);

struct mp_xchg_spec {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	SSL_CTX *tls;	 /* NULL: plain TCP; the loop takes its own reference */
	const char *sni; /* server name for SNI; copied; NULL or an IP literal: none */
	void (*tls_setup)(SSL *ssl, void *ud); /* optional, before the handshake */
	const uint8_t *req;		       /* copied; may be NULL with req_len 0 */
	size_t req_len;
	enum mp_frame frame;
	size_t max_read; /* 0: MP_XCHG_READ_MAX */
	int timeout_ms;	 /* per step */
	/* > 0: a hard deadline budget_ms after the exchange starts connecting
	 * (time queued does not count); every step's and round's deadline is
	 * clipped to it, TLS handshake included */
	int budget_ms;
	mp_xchg_done_fn done;
	void *ud;
};

int mp_loop_new(struct mp_loop **ret, unsigned concurrency);
void mp_loop_free(struct mp_loop *l);

/* Queue an exchange. 0 or -errno (then done() is never called). */
int mp_loop_submit(struct mp_loop *l, const struct mp_xchg_spec *spec);

/* From done(): another request/answer round on this connection. */
int mp_xchg_next(struct mp_xchg *x, const uint8_t *req, size_t len, enum mp_frame frame);

/*
 * Watch a readable fd (an eventfd of a worker thread) until unwatched;
 * cb runs on the loop thread. 0 or -errno.
 */
int mp_loop_watch(struct mp_loop *l, int fd, void (*cb)(int fd, void *ud), void *ud);
void mp_loop_unwatch(struct mp_loop *l, int fd);

/* Outstanding outside work (worker threads) keeps mp_loop_run() going. */
void mp_loop_hold(struct mp_loop *l);
void mp_loop_release(struct mp_loop *l);

/* Run until no exchange is queued or in flight and nothing is held, or
 * until mp_loop_abort(). */
int mp_loop_run(struct mp_loop *l);

/*
 * Stop everything (an interrupt): every queued or running exchange ends with
 * MP_X_ABORTED (done() is called as usual), later submissions
 * fail with -ECANCELED, and mp_loop_run() returns without waiting for held
 * outside work. Safe from done() and watch callbacks: an exchange whose
 * done() is running keeps the result it was given, and a further round it
 * asked for ends with MP_X_ABORTED.
 */
void mp_loop_abort(struct mp_loop *l);
bool mp_loop_aborted(const struct mp_loop *l);

/*
 * Called on the loop thread for every connection as soon as connect() has
 * been issued, with its local and remote address: a capture running beside
 * the scan uses it to leave the scan's own traffic out of its evidence.
 */
void mp_loop_set_observer(struct mp_loop *l,
			  void (*fn)(const struct sockaddr *local, const struct sockaddr *remote,
				     void *ud),
			  void *ud);

/* Peak number of exchanges in flight at once (tests, benchmarks). */
unsigned mp_loop_peak(const struct mp_loop *l);

const char *mp_xerr_name(enum mp_xerr e);
const char *mp_xstep_name(enum mp_xstep s);

#endif
