/* SPDX-License-Identifier: Apache-2.0 */
#include "loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

enum { EV_XCHG = 1, EV_WATCH = 2 };

struct mp_xchg {
	int kind; /* EV_XCHG: first member, epoll data points here */
	struct mp_loop *loop;
	struct mp_xchg *prev, *next; /* pending or active list */
	struct mp_xchg_spec spec;    /* sni and req point at our copies */
	char *sni;
	int fd;
	SSL *ssl;
	enum mp_xstep step;
	uint32_t events; /* current epoll interest, 0 when not registered */
	int64_t started, deadline;
	int64_t step_started, round_started;
	int64_t round_deadline; /* one round (connect .. answer) never outlives 2 steps' time */
	int64_t hard_deadline;	/* spec.budget_ms after the start; 0: none */
	uint8_t *req;
	size_t req_len, req_off;
	uint8_t *buf;
	size_t len, cap;
	bool next_round; /* set by mp_xchg_next() inside done() */
	bool in_done;
};

struct watch {
	int kind; /* EV_WATCH */
	int fd;
	void (*cb)(int fd, void *ud);
	void *ud;
	struct watch *next;
};

struct mp_loop {
	int epfd;
	unsigned concurrency, active, peak;
	int holds;
	struct mp_xchg *pend_head, *pend_tail;
	struct mp_xchg *act;
	struct watch *watches;
	void (*observer)(const struct sockaddr *local, const struct sockaddr *remote, void *ud);
	void *observer_ud;
	bool aborted;
};

static void finish(struct mp_xchg *x, enum mp_xerr err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void advance(struct mp_xchg *x);

const char *mp_xerr_name(enum mp_xerr e)
{
	static const char *const n[] = { "ok",	   "refused", "unreachable", "timeout", "reset",
					 "closed", "tls",     "too_big",     "system",	"aborted" };
	return (unsigned)e < sizeof(n) / sizeof(n[0]) ? n[e] : "?";
}

const char *mp_xstep_name(enum mp_xstep s)
{
	static const char *const n[] = { "queued", "connect", "tls handshake",
					 "send",   "receive", "done" };
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

int mp_loop_new(struct mp_loop **ret, unsigned concurrency)
{
	struct mp_loop *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int e = -errno;
		free(l);
		return e;
	}
	l->concurrency = concurrency ? concurrency : 1;
	*ret = l;
	return 0;
}

static void xchg_free(struct mp_xchg *x)
{
	if (!x)
		return;
	if (x->ssl)
		SSL_free(x->ssl);
	if (x->fd >= 0)
		close(x->fd);
	if (x->spec.tls)
		SSL_CTX_free(x->spec.tls);
	free(x->sni);
	free(x->req);
	free(x->buf);
	free(x);
}

void mp_loop_free(struct mp_loop *l)
{
	if (!l)
		return;
	for (struct mp_xchg *x = l->pend_head, *n; x; x = n) {
		n = x->next;
		xchg_free(x);
	}
	for (struct mp_xchg *x = l->act, *n; x; x = n) {
		n = x->next;
		xchg_free(x);
	}
	for (struct watch *w = l->watches, *n; w; w = n) {
		n = w->next;
		free(w);
	}
	close(l->epfd);
	free(l);
}

void mp_loop_set_observer(struct mp_loop *l,
			  void (*fn)(const struct sockaddr *local, const struct sockaddr *remote,
				     void *ud),
			  void *ud)
{
	l->observer = fn;
	l->observer_ud = ud;
}

/* Tell the observer about a connection once the kernel picked its local port. */
static void observe(struct mp_xchg *x)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct mp_loop *l = x->loop;
	if (l->observer && getsockname(x->fd, (struct sockaddr *)&local, &len) == 0)
		l->observer((const struct sockaddr *)&local, (const struct sockaddr *)&x->spec.addr,
			    l->observer_ud);
}

unsigned mp_loop_peak(const struct mp_loop *l)
{
	return l->peak;
}

void mp_loop_hold(struct mp_loop *l)
{
	l->holds++;
}

void mp_loop_release(struct mp_loop *l)
{
	if (l->holds > 0)
		l->holds--;
}

int mp_loop_watch(struct mp_loop *l, int fd, void (*cb)(int fd, void *ud), void *ud)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN };
	if (!w)
		return -ENOMEM;
	w->kind = EV_WATCH;
	w->fd = fd;
	w->cb = cb;
	w->ud = ud;
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = -errno;
		free(w);
		return e;
	}
	w->next = l->watches;
	l->watches = w;
	return 0;
}

void mp_loop_unwatch(struct mp_loop *l, int fd)
{
	for (struct watch **pp = &l->watches; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			struct watch *w = *pp;
			*pp = w->next;
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
			free(w);
			return;
		}
	}
}

int mp_loop_submit(struct mp_loop *l, const struct mp_xchg_spec *spec)
{
	if (l->aborted)
		return -ECANCELED;
	struct mp_xchg *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->kind = EV_XCHG;
	x->loop = l;
	x->fd = -1;
	x->spec = *spec;
	if (!x->spec.max_read || x->spec.max_read > MP_XCHG_READ_MAX)
		x->spec.max_read = MP_XCHG_READ_MAX;
	if (x->spec.timeout_ms <= 0)
		x->spec.timeout_ms = 5000;
	if (spec->sni && !(x->sni = strdup(spec->sni)))
		goto nomem;
	if (spec->req_len) {
		if (!(x->req = malloc(spec->req_len)))
			goto nomem;
		memcpy(x->req, spec->req, spec->req_len);
		x->req_len = spec->req_len;
	}
	x->spec.sni = x->sni;
	x->spec.req = NULL;
	if (spec->tls)
		SSL_CTX_up_ref(spec->tls);
	if (l->pend_tail)
		l->pend_tail->next = x;
	else
		l->pend_head = x;
	x->prev = l->pend_tail;
	l->pend_tail = x;
	return 0;
nomem:
	free(x->sni);
	free(x);
	return -ENOMEM;
}

int mp_xchg_next(struct mp_xchg *x, const uint8_t *req, size_t len, enum mp_frame frame)
{
	uint8_t *copy = NULL;
	if (!x->in_done)
		return -EINVAL;
	if (len && !(copy = malloc(len)))
		return -ENOMEM;
	if (len)
		memcpy(copy, req, len);
	free(x->req);
	x->req = copy;
	x->req_len = len;
	x->req_off = 0;
	x->spec.frame = frame;
	x->next_round = true;
	return 0;
}

/* Step results: the exchange waits for the network, moved to its next
 * step, or is gone (finished; x may have been freed). */
enum { W_GONE = -1, W_WAIT = 0, W_NEXT = 1 };

static int set_events(struct mp_xchg *x, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = x };
	if (x->events == events)
		return W_WAIT;
	if (epoll_ctl(x->loop->epfd, x->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, x->fd, &ev) < 0) {
		finish(x, MP_X_SYSTEM, "epoll: %s", strerror(errno));
		return W_GONE;
	}
	x->events = events;
	return W_WAIT;
}

/*
 * Each step has timeout_ms; a whole round (connect, TLS, request, answer, or
 * a later request and its answer) has twice that, so a peer that answers
 * just in time at every step still costs a bounded time; and no step
 * outlives the exchange's budget.
 */
static int enter(struct mp_xchg *x, enum mp_xstep step)
{
	int64_t now = mp_now_ms();
	x->step = step;
	x->step_started = now;
	x->deadline = now + x->spec.timeout_ms;
	if (x->round_deadline && x->deadline > x->round_deadline)
		x->deadline = x->round_deadline;
	if (x->hard_deadline && x->deadline > x->hard_deadline)
		x->deadline = x->hard_deadline;
	return W_NEXT;
}

static void new_round(struct mp_xchg *x)
{
	x->round_started = mp_now_ms();
	x->round_deadline = x->round_started + 2 * (int64_t)x->spec.timeout_ms;
}

/* Drain OpenSSL's error queue into one readable reason. */
static void ssl_reason(char *buf, size_t n, int sslerr)
{
	unsigned long e, last = 0;
	while ((e = ERR_get_error()))
		last = e;
	if (last) {
		char tmp[200];
		ERR_error_string_n(last, tmp, sizeof(tmp));
		mp_fmt(buf, n, "%s", tmp);
	} else if (sslerr == SSL_ERROR_SYSCALL) {
		mp_fmt(buf, n, "%s", errno ? strerror(errno) : "peer closed the connection");
	} else {
		mp_fmt(buf, n, "SSL error %d", sslerr);
	}
}

static void unlink_active(struct mp_xchg *x)
{
	struct mp_loop *l = x->loop;
	if (x->prev)
		x->prev->next = x->next;
	else
		l->act = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	l->active--;
}

/*
 * Whether the peer took the whole request: nothing of it left unacknowledged
 * (SIOCOUTQ) and no reset pending (SO_ERROR). A peer that closes without
 * reading answers our data with a reset, which may arrive after its FIN:
 * until then our bytes are still unacknowledged.
 */
static bool request_delivered(const struct mp_xchg *x)
{
	int outq = 0, soerr = 0;
	socklen_t l = sizeof(soerr);

	if (x->fd < 0 || x->step < MP_XS_RECV || x->req_off < x->req_len)
		return false;
	if (ioctl(x->fd, SIOCOUTQ, &outq) < 0 ||
	    getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0)
		return false;
	return outq == 0 && soerr == 0;
}

static void finish(struct mp_xchg *x, enum mp_xerr err, const char *fmt, ...)
{
	struct mp_xchg_result res = { 0 };
	va_list ap;

	res.err = err;
	res.step = err == MP_X_OK ? MP_XS_DONE : x->step;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(res.errmsg, sizeof(res.errmsg), fmt, ap);
		va_end(ap);
	}
	if (x->spec.frame == MP_FRAME_I32 && err == MP_X_OK) {
		res.data = x->buf + 4;
		res.len = x->len - 4;
	} else {
		res.data = x->buf;
		res.len = x->len;
	}
	res.bytes_read = x->len;
	res.truncated = x->spec.frame == MP_FRAME_CLOSE && x->len >= x->spec.max_read;
	res.delivered = request_delivered(x);
	res.ssl = x->ssl && SSL_is_init_finished(x->ssl) ? x->ssl : NULL;
	res.elapsed_ms = mp_now_ms() - x->started;
	x->next_round = false;
	x->in_done = true;
	x->spec.done(x, &res, x->spec.ud);
	x->in_done = false;
	if (x->next_round && err == MP_X_OK) {
		x->len = 0;
		new_round(x);
		enter(x, MP_XS_SEND);
		if (x->loop->aborted) /* done() asked for a round and then aborted */
			finish(x, MP_X_ABORTED, "interrupted during %s", mp_xstep_name(x->step));
		else
			advance(x);
		return;
	}
	if (x->ssl && SSL_is_init_finished(x->ssl)) {
		ERR_clear_error();
		(void)SSL_shutdown(x->ssl); /* one non-blocking close_notify, no wait */
		ERR_clear_error();
	}
	if (x->events)
		epoll_ctl(x->loop->epfd, EPOLL_CTL_DEL, x->fd, NULL);
	unlink_active(x);
	xchg_free(x);
}

static int fail_errno(struct mp_xchg *x, int e)
{
	switch (e) {
	case ECONNREFUSED:
		finish(x, MP_X_REFUSED, "connection refused");
		break;
	case ENETUNREACH:
	case EHOSTUNREACH:
		finish(x, MP_X_UNREACHABLE, "%s", strerror(e));
		break;
	case ETIMEDOUT:
		finish(x, MP_X_TIMEOUT, "connect timed out (kernel)");
		break;
	case ECONNRESET:
	case EPIPE:
		finish(x, MP_X_RESET, "connection reset by peer during %s", mp_xstep_name(x->step));
		break;
	default:
		finish(x, MP_X_SYSTEM, "%s during %s", strerror(e), mp_xstep_name(x->step));
		break;
	}
	return W_GONE;
}

static int start_tls(struct mp_xchg *x)
{
	struct in6_addr tmp;
	ERR_clear_error();
	x->ssl = SSL_new(x->spec.tls);
	if (!x->ssl || SSL_set_fd(x->ssl, x->fd) != 1) {
		char why[200];
		ssl_reason(why, sizeof(why), 0);
		finish(x, MP_X_SYSTEM, "SSL_new: %s", why);
		return W_GONE;
	}
	/* SNI only for names: RFC 6066 forbids IP literals. */
	if (x->sni && inet_pton(AF_INET, x->sni, &tmp) != 1 &&
	    inet_pton(AF_INET6, x->sni, &tmp) != 1)
		SSL_set_tlsext_host_name(x->ssl, x->sni);
	if (x->spec.tls_setup)
		x->spec.tls_setup(x->ssl, x->spec.ud);
	SSL_set_connect_state(x->ssl);
	return enter(x, MP_XS_TLS);
}

static int do_connect_done(struct mp_xchg *x)
{
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err)
		return fail_errno(x, err);
	return x->spec.tls ? start_tls(x) : enter(x, MP_XS_SEND);
}

static int do_handshake(struct mp_xchg *x)
{
	ERR_clear_error();
	int r = SSL_do_handshake(x->ssl);
	if (r == 1)
		return enter(x, MP_XS_SEND);
	int e = SSL_get_error(x->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return set_events(x, EPOLLIN);
	if (e == SSL_ERROR_WANT_WRITE)
		return set_events(x, EPOLLOUT);
	char why[200];
	ssl_reason(why, sizeof(why), e);
	finish(x, MP_X_TLS, "TLS handshake failed: %s", why);
	return W_GONE;
}

/* >0 bytes written; else a W_* result (W_WAIT would block, W_GONE failed). */
static ssize_t io_write(struct mp_xchg *x, const uint8_t *p, size_t n)
{
	if (x->ssl) {
		ERR_clear_error();
		int r = SSL_write(x->ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n));
		if (r > 0)
			return r;
		int e = SSL_get_error(x->ssl, r);
		if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
			return set_events(x, e == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN);
		char why[200];
		if (e == SSL_ERROR_SYSCALL && SSL_is_init_finished(x->ssl)) {
			/* a TLS 1.3 server that refuses us after the handshake sends an
			 * alert and resets: our write meets the reset, the alert waits
			 * unread. Read it, so that the reason (and any info callback)
			 * is the server's word, not just "reset". */
			uint8_t sink[256];
			int saved = errno;
			ERR_clear_error();
			if (SSL_read(x->ssl, sink, sizeof(sink)) <= 0 && ERR_peek_error())
				e = SSL_ERROR_SSL;
			else
				errno = saved;
		}
		ssl_reason(why, sizeof(why), e);
		finish(x, MP_X_TLS, "TLS write failed: %s", why);
		return W_GONE;
	}
	ssize_t r = send(x->fd, p, n, MSG_NOSIGNAL);
	if (r > 0)
		return r;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return set_events(x, EPOLLOUT);
	return fail_errno(x, r < 0 ? errno : EPIPE);
}

static int do_send(struct mp_xchg *x)
{
	while (x->req_off < x->req_len) {
		ssize_t r = io_write(x, x->req + x->req_off, x->req_len - x->req_off);
		if (r <= 0)
			return (int)r;
		x->req_off += (size_t)r;
	}
	if (x->spec.frame == MP_FRAME_NONE) {
		finish(x, MP_X_OK, NULL);
		return W_GONE;
	}
	return enter(x, MP_XS_RECV);
}

/* Total bytes the current answer needs: W_GONE when the peer announced too much. */
static int frame_need(struct mp_xchg *x, size_t *ret_need)
{
	if (x->spec.frame != MP_FRAME_I32) {
		*ret_need = x->spec.max_read;
		return W_NEXT;
	}
	if (x->len < 4) {
		*ret_need = 4;
		return W_NEXT;
	}
	uint32_t n = (uint32_t)x->buf[0] << 24 | (uint32_t)x->buf[1] << 16 |
		     (uint32_t)x->buf[2] << 8 | x->buf[3];
	if (n > INT32_MAX) { /* a negative int32: no valid frame has it */
		finish(x, MP_X_TOO_BIG, "peer announced an invalid frame length 0x%08x", n);
		return W_GONE;
	}
	if (n > x->spec.max_read) {
		finish(x, MP_X_TOO_BIG, "peer announced a %u-byte frame (limit %zu)", n,
		       x->spec.max_read);
		return W_GONE;
	}
	*ret_need = 4 + (size_t)n;
	return W_NEXT;
}

static bool answer_complete(const struct mp_xchg *x, size_t need)
{
	if (x->spec.frame == MP_FRAME_ANY)
		return x->len > 0;
	if (x->spec.frame == MP_FRAME_I32)
		return x->len >= 4 && x->len >= need;
	return x->len >= x->spec.max_read; /* CLOSE: truncated at the cap */
}

#define R_EOF (-2)

/* >0 bytes read, W_WAIT would block, W_GONE failed, R_EOF end of stream. */
static ssize_t io_read(struct mp_xchg *x, uint8_t *p, size_t n)
{
	if (x->ssl) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_read(x->ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n));
		if (r > 0)
			return r;
		int e = SSL_get_error(x->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return set_events(x, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
		if (e == SSL_ERROR_ZERO_RETURN ||
		    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0))
			return R_EOF;
		/* OpenSSL 3 reports an EOF without close_notify as an SSL error */
		if (e == SSL_ERROR_SSL &&
		    ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return R_EOF;
		}
		char why[200];
		ssl_reason(why, sizeof(why), e);
		finish(x, MP_X_TLS, "TLS read failed: %s", why);
		return W_GONE;
	}
	ssize_t r = recv(x->fd, p, n, 0);
	if (r > 0)
		return r;
	if (r == 0)
		return R_EOF;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return set_events(x, EPOLLIN);
	return fail_errno(x, errno);
}

static int grow(struct mp_xchg *x, size_t need)
{
	if (need <= x->cap)
		return W_NEXT;
	size_t cap = x->cap ? x->cap : 512;
	while (cap < need)
		cap *= 2;
	uint8_t *nb = realloc(x->buf, cap);
	if (!nb) {
		finish(x, MP_X_SYSTEM, "out of memory");
		return W_GONE;
	}
	x->buf = nb;
	x->cap = cap;
	return W_NEXT;
}

static int do_recv(struct mp_xchg *x)
{
	for (;;) {
		size_t need;
		if (frame_need(x, &need) == W_GONE)
			return W_GONE;
		if (answer_complete(x, need)) {
			finish(x, MP_X_OK, NULL);
			return W_GONE;
		}
		/* read no further than this answer: later rounds need the rest */
		size_t want = need - x->len;
		if (x->spec.frame != MP_FRAME_I32 && want > 16384)
			want = 16384;
		if (grow(x, x->len + want) == W_GONE)
			return W_GONE;
		ssize_t r = io_read(x, x->buf + x->len, want);
		if (r == W_WAIT || r == W_GONE)
			return (int)r;
		if (r == R_EOF) {
			if (x->spec.frame == MP_FRAME_CLOSE && x->len > 0)
				finish(x, MP_X_OK, NULL);
			else
				finish(x, MP_X_CLOSED, "peer closed the connection after %zu bytes",
				       x->len);
			return W_GONE;
		}
		x->len += (size_t)r;
	}
}

/*
 * Drive an exchange through as many steps as it can take without waiting
 * (connect -> TLS -> send -> receive): a finished step does not wait for an
 * event, since none may come (the interest set of the old step is stale).
 */
static void advance(struct mp_xchg *x)
{
	int r = W_NEXT;
	while (r == W_NEXT) {
		switch (x->step) {
		case MP_XS_CONNECT:
			r = do_connect_done(x);
			break;
		case MP_XS_TLS:
			r = do_handshake(x);
			break;
		case MP_XS_SEND:
			r = do_send(x);
			break;
		case MP_XS_RECV:
			r = do_recv(x);
			break;
		default:
			return;
		}
	}
}

static void start(struct mp_loop *l, struct mp_xchg *x)
{
	x->next = l->act;
	x->prev = NULL;
	if (l->act)
		l->act->prev = x;
	l->act = x;
	if (++l->active > l->peak)
		l->peak = l->active;
	x->started = mp_now_ms();
	if (x->spec.budget_ms > 0)
		x->hard_deadline = x->started + x->spec.budget_ms;
	new_round(x);
	enter(x, MP_XS_CONNECT);
	x->fd = socket(x->spec.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		(void)fail_errno(x, errno);
		return;
	}
	if (connect(x->fd, (struct sockaddr *)&x->spec.addr, x->spec.addrlen) == 0 ||
	    errno == EINPROGRESS) {
		observe(x);
		(void)set_events(x, EPOLLOUT);
		return;
	}
	(void)fail_errno(x, errno);
}

static void fill(struct mp_loop *l)
{
	while (l->pend_head && l->active < l->concurrency) {
		struct mp_xchg *x = l->pend_head;
		l->pend_head = x->next;
		if (l->pend_head)
			l->pend_head->prev = NULL;
		else
			l->pend_tail = NULL;
		start(l, x);
	}
}

static int next_timeout(struct mp_loop *l, int64_t now)
{
	int64_t best = -1;
	for (struct mp_xchg *x = l->act; x; x = x->next) {
		int64_t d = x->deadline - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > 60000 ? 60000 : (int)best;
}

/* What a timed-out exchange had got in its step: "no bytes" is not "a partial answer". */
static void progress(const struct mp_xchg *x, char *buf, size_t n)
{
	uint64_t in = x->ssl ? BIO_number_read(SSL_get_rbio(x->ssl)) : 0;

	switch (x->step) {
	case MP_XS_CONNECT:
		mp_fmt(buf, n, "not connected");
		break;
	case MP_XS_TLS:
		if (in)
			mp_fmt(buf, n, "an unfinished handshake (%llu bytes from the peer)",
			       (unsigned long long)in);
		else
			mp_fmt(buf, n, "no bytes from the peer");
		break;
	case MP_XS_SEND:
		mp_fmt(buf, n, "%zu of %zu request bytes sent", x->req_off, x->req_len);
		break;
	default:
		if (x->len)
			mp_fmt(buf, n, "a partial answer of %zu bytes", x->len);
		else
			mp_fmt(buf, n, "no bytes");
		break;
	}
}

/* End an exchange whose deadline passed, naming the limit that ran out and
 * the time measured against it. */
static void time_out(struct mp_xchg *x, int64_t now)
{
	char got[80];

	progress(x, got, sizeof(got));
	if (x->deadline == x->hard_deadline)
		finish(x, MP_X_TIMEOUT, "%s: %s within the budget of %d ms (%lld ms elapsed)",
		       mp_xstep_name(x->step), got, x->spec.budget_ms,
		       (long long)(now - x->started));
	else if (x->deadline == x->round_deadline)
		finish(x, MP_X_TIMEOUT,
		       "%s: %s within the round limit of %lld ms (%lld ms elapsed)",
		       mp_xstep_name(x->step), got, 2 * (long long)x->spec.timeout_ms,
		       (long long)(now - x->round_started));
	else
		finish(x, MP_X_TIMEOUT, "%s: %s within the step limit of %d ms (%lld ms elapsed)",
		       mp_xstep_name(x->step), got, x->spec.timeout_ms,
		       (long long)(now - x->step_started));
}

static void expire(struct mp_loop *l, int64_t now)
{
	struct mp_xchg *x = l->act;
	while (x && !l->aborted) {
		struct mp_xchg *n = x->next;
		/* an abort from done() frees every other exchange, n included */
		if (x->deadline <= now)
			time_out(x, now);
		x = n;
	}
}

bool mp_loop_aborted(const struct mp_loop *l)
{
	return l->aborted;
}

void mp_loop_abort(struct mp_loop *l)
{
	if (l->aborted)
		return;
	l->aborted = true;
	/* queued exchanges join the active list so that finish() treats them alike */
	while (l->pend_head) {
		struct mp_xchg *x = l->pend_head;
		l->pend_head = x->next;
		x->prev = NULL;
		x->next = l->act;
		if (l->act)
			l->act->prev = x;
		l->act = x;
		l->active++;
	}
	l->pend_tail = NULL;
	/* an exchange inside its done() (the caller of this abort, perhaps) has
	 * had its answer for this round: its own finish() frees it afterwards */
	for (;;) {
		struct mp_xchg *x = l->act;
		while (x && x->in_done)
			x = x->next;
		if (!x)
			break;
		finish(x, MP_X_ABORTED, "interrupted during %s", mp_xstep_name(x->step));
	}
}

int mp_loop_run(struct mp_loop *l)
{
	struct epoll_event evs[64];
	fill(l);
	while (!l->aborted && (l->active || l->pend_head || l->holds > 0)) {
		int64_t now = mp_now_ms();
		int to = l->active ? next_timeout(l, now) : 1000;
		int n = epoll_wait(l->epfd, evs, 64, to);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !l->aborted; i++) {
			/* an abort frees every exchange: the rest of evs[] is stale */
			int *kind = evs[i].data.ptr;
			if (*kind == EV_WATCH) {
				struct watch *w = (struct watch *)kind;
				w->cb(w->fd, w->ud);
			} else {
				advance((struct mp_xchg *)kind);
			}
		}
		if (l->aborted)
			break;
		expire(l, mp_now_ms());
		fill(l);
	}
	return 0;
}
