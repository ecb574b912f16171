/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Broker stand-ins (lab/standin.h): one epoll thread serving many fake
 * Kafka and ZooKeeper listeners. This file is the server: listeners,
 * connections, TLS, timers and request framing; what a request means is
 * standin_kafka.c, standin_sasl.c and standin_zk.c (standin-internal.h).
 *
 * Both protocols frame requests the same way: int32 size | size bytes.
 *
 * A connection is a small state machine stepped on every epoll event and
 * timer: TLS handshake, then flush pending output, then handle one complete
 * frame, then read more. Output pending mutes input (Kafka serves one
 * request at a time per connection), which also bounds what we buffer.
 */
#include "standin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "standin-internal.h"
#include "util.h"

#define IN_INITIAL	  512u
#define IN_CAP		  (STANDIN_REQ_FRAME_MAX + 4u)
#define ACCEPTS_PER_EVENT 64
#define EMFILE_BACKOFF_MS 100
#define EVENTS_MAX	  64

const char *standin_behaviour_name(enum standin_behaviour b)
{
	switch (b) {
	case STANDIN_RELEASE:
		return "release";
	case STANDIN_PRE_0_10:
		return "pre-0.10";
	case STANDIN_SILENT:
		return "silent";
	case STANDIN_GARBAGE:
		return "garbage";
	case STANDIN_CLOSE_MID:
		return "close-mid";
	case STANDIN_HUGE_FRAME:
		return "huge-frame";
	case STANDIN_SLOW:
		return "slow";
	case STANDIN_ZOOKEEPER:
		return "zookeeper";
	case STANDIN_REPLAY:
		return "replay";
	case STANDIN_ZK_REPLAY:
		return "zk-replay";
	}
	return "unknown";
}

static void listener_free(struct listener *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	SSL_CTX_free(l->tls);
	standin_replay_free(l);
	free(l);
}

int standin_server_new(struct standin_server **ret, char *errbuf, size_t errlen)
{
	struct standin_server *s = calloc(1, sizeof(*s));
	struct epoll_event ee = { .events = EPOLLIN };
	int rc;

	if (!s)
		return -ENOMEM;
	s->epfd = s->wakefd = -1;
	s->wake_ev.kind = EV_WAKE;
	atomic_init(&s->stop, false);
	/* ZooKeeper's SessionTrackerImpl.initializeNextSessionId, server id 0 */
	s->zk_next_sid = ((uint64_t)mp_now_ms() << 24) >> 8;
	pthread_mutex_init(&s->lock, NULL);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "epoll_create1: %s", strerror(errno));
		goto fail;
	}
	s->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->wakefd < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	ee.data.ptr = &s->wake_ev;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wakefd, &ee) < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	*ret = s;
	return 0;
fail:
	standin_server_free(s);
	return rc;
}

static bool behaviour_valid(enum standin_behaviour b)
{
	return b >= STANDIN_RELEASE && b <= STANDIN_ZK_REPLAY;
}

static bool behaviour_needs_row(enum standin_behaviour b)
{
	return b == STANDIN_RELEASE || b == STANDIN_CLOSE_MID || b == STANDIN_HUGE_FRAME ||
	       b == STANDIN_SLOW;
}

int standin_add(struct standin_server *s, const struct standin_opts *o, uint16_t *ret_port,
		char *errbuf, size_t errlen)
{
	struct listener *l = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	struct epoll_event ee = { .events = EPOLLIN };
	int one = 1, rc;

	if (!behaviour_valid(o->behaviour)) {
		mp_fmt(errbuf, errlen, "unknown stand-in behaviour %d", (int)o->behaviour);
		return -EINVAL;
	}
	if (!o->row && behaviour_needs_row(o->behaviour)) {
		mp_fmt(errbuf, errlen, "behaviour %s needs a release row",
		       standin_behaviour_name(o->behaviour));
		return -EINVAL;
	}
	if (o->idle_timeout_ms < 0) {
		mp_fmt(errbuf, errlen, "negative idle timeout");
		return -EINVAL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ev.kind = EV_LISTENER;
	l->fd = -1;
	l->behaviour = o->behaviour;
	l->sasl = o->sasl;
	l->zk_list = o->zk_list;
	l->zk_4lw_refused = o->zk_4lw_refused;
	l->idle_ms = o->idle_timeout_ms ? o->idle_timeout_ms : STANDIN_IDLE_MS_DEFAULT;
	if (mp_strlcpy(l->mechs, o->sasl_mechanisms ? o->sasl_mechanisms : "SCRAM-SHA-512",
		       sizeof(l->mechs)) >= sizeof(l->mechs)) {
		mp_fmt(errbuf, errlen, "SASL mechanism list longer than %u bytes", MECHS_MAX - 1);
		rc = -EINVAL;
		goto fail;
	}
	rc = standin_kafka_answers(l, o, errbuf, errlen);
	if (!rc && (o->behaviour == STANDIN_REPLAY || o->behaviour == STANDIN_ZK_REPLAY))
		rc = standin_replay_load(l, o->replay_dir, errbuf, errlen);
	if (rc)
		goto fail;
	if (o->tls) {
		if (!SSL_CTX_up_ref(o->tls)) {
			mp_fmt(errbuf, errlen, "SSL_CTX_up_ref failed");
			rc = -ENOMEM;
			goto fail;
		}
		l->tls = o->tls;
	}

	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	(void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(o->port);
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l->fd, 511) < 0 ||
	    getsockname(l->fd, (struct sockaddr *)&sa, &salen) < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "listen on 127.0.0.1:%u: %s", o->port, strerror(errno));
		goto fail;
	}
	l->port = ntohs(sa.sin_port);

	/* Linked before epoll can report it, so free() always finds it. */
	pthread_mutex_lock(&s->lock);
	l->next = s->listeners;
	s->listeners = l;
	pthread_mutex_unlock(&s->lock);
	ee.data.ptr = &l->ev;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, l->fd, &ee) < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "epoll_ctl: %s", strerror(-rc));
		return rc; /* stays linked; freed with the server */
	}
	*ret_port = l->port;
	return 0;
fail:
	listener_free(l);
	return rc;
}

/* ---- connections ---------------------------------------------------------- */

static void conn_close(struct standin_server *s, struct conn *c, bool misbehaved)
{
	if (misbehaved)
		standin_count(&s->dropped);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	c->l->open_conns--;
	SSL_free(c->ssl);
	close(c->fd); /* also removes it from the epoll set */
	free(c->in);
	free(c->out);
	free(c);
}

void standin_conn_queue(struct conn *c, uint8_t *buf, size_t len)
{
	free(c->out);
	c->out = buf;
	c->out_len = len;
	c->out_off = 0;
}

int standin_conn_queue_copy(struct conn *c, const void *p, size_t len)
{
	uint8_t *b = malloc(len);
	if (!b)
		return -1;
	memcpy(b, p, len);
	standin_conn_queue(c, b, len);
	return 0;
}

/* Send or write through TLS; >0 bytes, 0 would block, -1 connection gone. */
static ssize_t conn_send(struct conn *c, const uint8_t *p, size_t n)
{
	c->ssl_wants_write = c->ssl_wants_read = false;
	if (!c->ssl) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		return w;
	}
	ERR_clear_error();
	int w = SSL_write(c->ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n));
	if (w > 0)
		return w;
	switch (SSL_get_error(c->ssl, w)) {
	case SSL_ERROR_WANT_WRITE:
		c->ssl_wants_write = true;
		return 0;
	case SSL_ERROR_WANT_READ:
		c->ssl_wants_read = true;
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

/* Receive; >0 bytes, 0 would block, -1 closed or failed. */
static ssize_t conn_recv(struct conn *c, uint8_t *p, size_t n)
{
	c->ssl_wants_write = false;
	if (!c->ssl) {
		ssize_t r = recv(c->fd, p, n, 0);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		return r == 0 ? -1 : r;
	}
	ERR_clear_error();
	int r = SSL_read(c->ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n));
	if (r > 0)
		return r;
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->ssl_wants_write = true;
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

/* Flush pending output. -1 close, 0 nothing pending, 1 still pending. */
static int conn_flush(struct conn *c, int64_t now)
{
	while (c->out_off < c->out_len) {
		size_t n = c->out_len - c->out_off;
		if (c->l->behaviour == STANDIN_SLOW) {
			if (now < c->next_drip)
				return 1;
			n = 1;
		}
		ssize_t w = conn_send(c, c->out + c->out_off, n);
		if (w < 0)
			return -1;
		if (w == 0)
			return 1;
		c->out_off += (size_t)w;
		c->idle_deadline = now + c->l->idle_ms;
		if (c->l->behaviour == STANDIN_SLOW)
			c->next_drip = now + STANDIN_SLOW_STEP_MS;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return 0;
}

/* Read what is there, up to IN_CAP buffered. -1 close, 0 nothing new, 1 got bytes. */
static int conn_read(struct conn *c, int64_t now)
{
	if (c->in_len == c->in_cap) {
		if (c->in_cap >= IN_CAP)
			return 0; /* a complete frame is buffered: handled first */
		size_t cap = c->in_cap ? c->in_cap * 2 : IN_INITIAL;
		if (cap > IN_CAP)
			cap = IN_CAP;
		uint8_t *nb = realloc(c->in, cap);
		if (!nb)
			return -1;
		c->in = nb;
		c->in_cap = cap;
	}
	ssize_t r = conn_recv(c, c->in + c->in_len, c->in_cap - c->in_len);
	if (r <= 0)
		return (int)r;
	c->in_len += (size_t)r;
	c->idle_deadline = now + c->l->idle_ms;
	return 1;
}

int standin_frame(const uint8_t *in, size_t len, uint32_t min, size_t *ret_n)
{
	struct mp_rd r = mp_rd_init(in, len);
	uint32_t size = mp_rd_be32(&r);

	if (r.bad)
		return 0;
	if (size < min || size > STANDIN_REQ_FRAME_MAX) /* also a negative int32 */
		return -1;
	if (r.left < size)
		return 0;
	*ret_n = size;
	return 1;
}

void standin_conn_consume(struct conn *c, size_t n)
{
	c->in_len -= 4 + n;
	memmove(c->in, c->in + 4 + n, c->in_len);
}

/* Handle at most one buffered frame. -1 close, 0 none complete, 1 handled. */
static int conn_process(struct standin_server *s, struct conn *c)
{
	switch (c->l->behaviour) {
	case STANDIN_ZOOKEEPER:
		return standin_zk_process(s, c);
	case STANDIN_REPLAY:
	case STANDIN_ZK_REPLAY:
		return standin_replay_process(s, c);
	default:
		return standin_kafka_process(s, c);
	}
}

/* Epoll interest for the connection's current state. */
static uint32_t conn_interest(const struct conn *c, int64_t now)
{
	if (c->ssl_wants_write)
		return EPOLLOUT;
	if (c->handshaking || c->ssl_wants_read)
		return EPOLLIN;
	if (c->out_off < c->out_len) {
		if (c->l->behaviour == STANDIN_SLOW && now < c->next_drip)
			return 0; /* the timer scan wakes it */
		return EPOLLOUT;
	}
	return EPOLLIN;
}

/* Drive a connection as far as it goes without blocking. false = close it. */
static bool conn_step(struct standin_server *s, struct conn *c, int64_t now, bool *misbehaved)
{
	if (c->handshaking) {
		ERR_clear_error();
		int r = SSL_do_handshake(c->ssl);
		c->ssl_wants_write = false;
		if (r != 1) {
			int e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ)
				return true;
			if (e == SSL_ERROR_WANT_WRITE) {
				c->ssl_wants_write = true;
				return true;
			}
			ERR_clear_error();
			standin_count(&s->tls_failed);
			return false;
		}
		c->handshaking = false;
		c->idle_deadline = now + c->l->idle_ms;
	}
	for (;;) {
		int rc = conn_flush(c, now);
		if (rc < 0)
			return false;
		if (rc > 0)
			return true;
		if (c->close_after_write)
			return false;
		rc = conn_process(s, c);
		if (rc < 0) {
			*misbehaved = true;
			return false;
		}
		if (rc > 0)
			continue;
		rc = conn_read(c, now);
		if (rc < 0)
			return false;
		if (rc == 0)
			return true;
	}
}

static void conn_run(struct standin_server *s, struct conn *c, int64_t now)
{
	bool misbehaved = false;
	if (!conn_step(s, c, now, &misbehaved)) {
		conn_close(s, c, misbehaved);
		return;
	}
	uint32_t want = conn_interest(c, now);
	if (want != c->events) {
		struct epoll_event ee = { .events = want, .data.ptr = &c->ev };
		if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ee) < 0) {
			conn_close(s, c, false);
			return;
		}
		c->events = want;
	}
}

static void accept_some(struct standin_server *s, struct listener *l, int64_t now)
{
	for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* level-triggered: pause this listener instead of spinning */
				struct epoll_event ee = { .events = 0, .data.ptr = &l->ev };
				(void)epoll_ctl(s->epfd, EPOLL_CTL_MOD, l->fd, &ee);
				l->paused_until = now + EMFILE_BACKOFF_MS;
			}
			return;
		}
		if (s->n_conns >= STANDIN_CONNS_MAX) {
			standin_count(&s->dropped);
			close(fd);
			continue;
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->ev.kind = EV_CONN;
		c->l = l;
		c->fd = fd;
		c->idle_deadline = now + l->idle_ms;
		if (l->tls) {
			c->ssl = SSL_new(l->tls);
			if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
				ERR_clear_error();
				SSL_free(c->ssl);
				free(c);
				close(fd);
				continue;
			}
			SSL_set_accept_state(c->ssl);
			SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
						     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
			c->handshaking = true;
		}
		c->events = EPOLLIN;
		struct epoll_event ee = { .events = EPOLLIN, .data.ptr = &c->ev };
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ee) < 0) {
			SSL_free(c->ssl);
			free(c);
			close(fd);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->n_conns++;
		l->open_conns++;
		standin_count(&s->accepted);
	}
}

/* Idle timeouts, SLOW drips and paused listeners; returns ms to the next timer. */
static int run_timers(struct standin_server *s, int64_t now)
{
	int64_t next = now + 1000;
	struct conn *c = s->conns, *nc;

	for (; c; c = nc) {
		nc = c->next;
		if (now >= c->idle_deadline) {
			conn_close(s, c, true);
			continue;
		}
		if (c->l->behaviour == STANDIN_SLOW && c->out_off < c->out_len) {
			if (now >= c->next_drip) {
				conn_run(s, c, now); /* it may be gone: do not touch c */
				if (now + STANDIN_SLOW_STEP_MS < next)
					next = now + STANDIN_SLOW_STEP_MS;
				continue;
			}
			if (c->next_drip < next)
				next = c->next_drip;
		}
		if (c->idle_deadline < next)
			next = c->idle_deadline;
	}
	pthread_mutex_lock(&s->lock);
	for (struct listener *l = s->listeners; l; l = l->next) {
		if (!l->paused_until)
			continue;
		if (now >= l->paused_until) {
			struct epoll_event ee = { .events = EPOLLIN, .data.ptr = &l->ev };
			(void)epoll_ctl(s->epfd, EPOLL_CTL_MOD, l->fd, &ee);
			l->paused_until = 0;
		} else if (l->paused_until < next) {
			next = l->paused_until;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return next <= now ? 0 : (int)(next - now);
}

static void *server_thread(void *arg)
{
	struct standin_server *s = arg;
	struct epoll_event evs[EVENTS_MAX];
	sigset_t set;
	int timeout = 0;

	/* SSL_write has no MSG_NOSIGNAL: a peer gone mid-write must not kill us. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	while (!atomic_load(&s->stop)) {
		int n = epoll_wait(s->epfd, evs, EVENTS_MAX, timeout);
		int64_t now = mp_now_ms();
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			struct ev *e = evs[i].data.ptr;
			if (e->kind == EV_LISTENER) {
				accept_some(s, (struct listener *)e, now);
			} else if (e->kind == EV_CONN) {
				/* handling one connection never frees another, so no
				 * later event of this batch names a freed one */
				struct conn *c = (struct conn *)e;
				if (evs[i].events & (EPOLLERR | EPOLLHUP))
					conn_close(s, c, false);
				else
					conn_run(s, c, now);
			}
		}
		timeout = run_timers(s, mp_now_ms());
	}
	while (s->conns)
		conn_close(s, s->conns, false);
	return NULL;
}

int standin_server_start(struct standin_server *s, char *errbuf, size_t errlen)
{
	int rc;
	if (s->started) {
		mp_fmt(errbuf, errlen, "stand-in server already started");
		return -EALREADY;
	}
	rc = pthread_create(&s->thread, NULL, server_thread, s);
	if (rc) {
		mp_fmt(errbuf, errlen, "pthread_create: %s", strerror(rc));
		return -rc;
	}
	s->started = true;
	return 0;
}

void standin_stats(struct standin_server *s, struct standin_stats *ret)
{
	ret->accepted = atomic_load(&s->accepted);
	ret->requests = atomic_load(&s->requests);
	ret->answers = atomic_load(&s->answers);
	ret->dropped = atomic_load(&s->dropped);
	ret->tls_failed = atomic_load(&s->tls_failed);
}

void standin_server_free(struct standin_server *s)
{
	if (!s)
		return;
	if (s->started) {
		uint64_t one = 1;
		atomic_store(&s->stop, true);
		if (write(s->wakefd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow here; the flag is set anyway */
		}
		pthread_join(s->thread, NULL);
	}
	while (s->conns)
		conn_close(s, s->conns, false);
	while (s->listeners) {
		struct listener *l = s->listeners;
		s->listeners = l->next;
		listener_free(l);
	}
	if (s->wakefd >= 0)
		close(s->wakefd);
	if (s->epfd >= 0)
		close(s->epfd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
