/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Broker stand-ins (lab/standin.h): one epoll thread serving many fake
 * Kafka listeners. Request frames read here (header v1 for v0-2, v2 for v3+;
 * KIP-511, Kafka's RequestHeader.json and ApiVersionsRequest.json):
 *
 *   int32 size | int16 api_key | int16 api_version | int32 correlation_id
 *   | int16 client_id_len (-1 = null) | client_id
 *   [v3+: uvarint header tag count, tags | compact_string software_name
 *         | compact_string software_version | uvarint body tag count, tags]
 *
 *   SaslHandshake v0-1 body: int16 len | mechanism
 *   SaslHandshake response (header v0): int32 correlation_id | int16 error
 *   | int32 n | n x (int16 len | mechanism)
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
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "bytes.h"
#include "kafka_apiv.h"
#include "util.h"
#include "zk_wire.h"

#define KAFKA_SASL_HANDSHAKE		     17
#define KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM 33
#define IN_INITIAL			     512u
#define IN_CAP				     (STANDIN_REQ_FRAME_MAX + 4u)
#define ACCEPTS_PER_EVENT		     64
#define EMFILE_BACKOFF_MS		     100
#define EVENTS_MAX			     64
#define DEFAULT_FEATURES_EPOCH		     4242 /* a KRaft metadata offset: any value >= 0 */
#define HUGE_FRAME_SIZE			     0x7fffffffu
#define MECHS_MAX			     128u

/* ZooKeeper stand-in: zoo.cfg tickTime and the session bounds it implies
 * (minSessionTimeout = 2 ticks, maxSessionTimeout = 20 ticks). */
#define ZK_TICK_MS	  2000
#define ZK_SESSION_MIN_MS (2 * ZK_TICK_MS)
#define ZK_SESSION_MAX_MS (20 * ZK_TICK_MS)
#define ZK_STANDIN_ZXID	  0x10000002aLL /* epoch 1, a few transactions in */
#define ZK_SRVR_TEXT_MAX  512u

/*
 * Newest production metadata.version of each release: Kafka's
 * MetadataVersion.java (3.3.0: latest() = 7; 3.9.0: LATEST_PRODUCTION = 21,
 * docs/fingerprint-sources.md); the other levels from docs/facts.md.
 */
static const struct {
	const char *release;
	int16_t level;
} md_levels[] = {
	{ "3.3", 7 },  { "3.4", 8 },  { "3.5", 11 }, { "3.6", 14 }, { "3.7", 19 }, { "3.8", 20 },
	{ "3.9", 21 }, { "4.0", 25 }, { "4.1", 27 }, { "4.2", 29 }, { "4.3", 30 },
};

static const char http_400[] = "HTTP/1.1 400 Bad Request\r\n"
			       "Content-Type: text/plain\r\n"
			       "Content-Length: 12\r\n"
			       "Connection: close\r\n"
			       "\r\n"
			       "Bad Request\n";

enum ev_kind { EV_WAKE, EV_LISTENER, EV_CONN };

/* Every epoll registration points at one of these as its first member. */
struct ev {
	enum ev_kind kind;
};

struct listener {
	struct ev ev;
	struct listener *next;
	int fd;
	uint16_t port;
	enum standin_behaviour behaviour;
	SSL_CTX *tls;
	bool sasl;
	char mechs[MECHS_MAX];
	char release[sizeof(((struct fp_row *)0)->release)];
	int idle_ms;
	int64_t paused_until; /* accept backoff after EMFILE; 0 = not paused */
	/* answers prepared at add time, indexed by what they answer */
	struct mp_apiv ok, unsupported, invalid;
	int16_t apiv_max; /* key 18's max: above it, UNSUPPORTED_VERSION */
	/* STANDIN_ZOOKEEPER; the counters are the thread's own (for srvr) */
	bool zk_list, zk_4lw_refused;
	uint64_t zk_received, zk_sent, open_conns;
};

enum sasl_state {
	SASL_HANDSHAKE_OR_VERSIONS = 0,
	SASL_HANDSHAKE,	   /* after one successful ApiVersions */
	SASL_AUTHENTICATE, /* after SaslHandshake: we do not authenticate */
};

struct conn {
	struct ev ev;
	struct conn *prev, *next;
	struct listener *l;
	int fd;
	SSL *ssl;
	bool handshaking;
	bool ssl_wants_write; /* the last SSL call needs the socket writable */
	bool ssl_wants_read;  /* the last SSL_write needs the socket readable */
	bool close_after_write;
	uint32_t events; /* registered with epoll */
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_len, out_off;
	int64_t idle_deadline;
	int64_t next_drip; /* SLOW */
	enum sasl_state sasl;
	bool zk_session; /* ZooKeeper: the ConnectRequest was answered */
};

struct standin_server {
	int epfd, wakefd;
	struct ev wake_ev;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t lock; /* guards listeners (the list, not their fixed fields) */
	struct listener *listeners;
	struct conn *conns; /* thread-owned */
	size_t n_conns;
	uint64_t zk_next_sid; /* next ZooKeeper session id (thread-owned) */
	_Atomic uint64_t accepted, requests, answers, dropped, tls_failed;
};

static void count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

int16_t standin_metadata_level(const char *release)
{
	for (size_t i = 0; i < sizeof(md_levels) / sizeof(md_levels[0]); i++)
		if (strcmp(md_levels[i].release, release) == 0)
			return md_levels[i].level;
	return 0;
}

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
	}
	return "unknown";
}

static void set_feature(struct mp_feature *f, const char *name, int16_t min, int16_t max)
{
	mp_strlcpy(f->name, name, sizeof(f->name));
	f->min = min;
	f->max = max;
}

/*
 * Prepare the three answers a listener can give: its table (with KIP-584
 * features, written only in v3+ layouts by the encoder), UNSUPPORTED_VERSION
 * and INVALID_REQUEST.
 */
static int listener_answers(struct listener *l, const struct standin_opts *o, char *errbuf,
			    size_t errlen)
{
	const struct fp_row *row = o->row;
	const struct mp_api_range *r18;
	int16_t level, max;

	memset(&l->ok, 0, sizeof(l->ok));
	l->ok.finalized_epoch = -1;
	l->ok.zk_migration_ready = -1;
	l->unsupported = l->ok;
	l->invalid = l->ok;
	l->unsupported.error_code = KAFKA_ERR_UNSUPPORTED_VERSION;
	l->invalid.error_code = KAFKA_ERR_INVALID_REQUEST;
	if (!row)
		return 0;
	mp_strlcpy(l->release, row->release, sizeof(l->release));
	if (row->table.n > MP_API_KEYS_MAX) {
		mp_fmt(errbuf, errlen, "row %s has %u keys", row->release, row->table.n);
		return -EINVAL;
	}
	l->ok.table = row->table;
	r18 = mp_api_table_find(&row->table, KAFKA_API_VERSIONS);
	if (!r18) {
		mp_fmt(errbuf, errlen, "row %s has no ApiVersions (key 18) range", row->release);
		return -EINVAL;
	}
	l->apiv_max = r18->max;
	/* KIP-511 (2.4): the error answer still lists key 18's range. */
	if (mp_ver_cmp_str(row->release, "2.4") >= 0) {
		l->unsupported.table.n = 1;
		l->unsupported.table.r[0] = *r18;
	}

	max = o->supported_metadata_max ? o->supported_metadata_max
					: standin_metadata_level(row->release);
	level = o->metadata_version;
	if (level == 0)
		level = row->mode == FP_MODE_KRAFT ? max : 0;
	if (level > 0) {
		if (max < level)
			max = level;
		set_feature(&l->ok.supported[0], "metadata.version", 1, max);
		l->ok.n_supported = 1;
		/* KIP-778: a finalized feature is one level, sent as min = max. */
		set_feature(&l->ok.finalized[0], "metadata.version", level, level);
		l->ok.n_finalized = 1;
		l->ok.finalized_epoch =
			o->features_epoch > 0 ? o->features_epoch : DEFAULT_FEATURES_EPOCH;
	} else if (level == 0 && row->mode == FP_MODE_ZK &&
		   mp_ver_cmp_str(row->release, "2.7") >= 0) {
		/* zk 2.7+: the /feature znode exists, empty; its version is the epoch */
		l->ok.finalized_epoch = o->features_epoch > 0 ? o->features_epoch : 0;
	}
	return 0;
}

static void listener_free(struct listener *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	SSL_CTX_free(l->tls);
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
	return b >= STANDIN_RELEASE && b <= STANDIN_ZOOKEEPER;
}

static bool behaviour_needs_row(enum standin_behaviour b)
{
	return b != STANDIN_SILENT && b != STANDIN_GARBAGE && b != STANDIN_PRE_0_10 &&
	       b != STANDIN_ZOOKEEPER;
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
	rc = listener_answers(l, o, errbuf, errlen);
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
		count(&s->dropped);
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

/* Queue bytes to send; takes ownership of buf. */
static void conn_queue(struct conn *c, uint8_t *buf, size_t len)
{
	free(c->out);
	c->out = buf;
	c->out_len = len;
	c->out_off = 0;
}

static int conn_queue_copy(struct conn *c, const void *p, size_t len)
{
	uint8_t *b = malloc(len);
	if (!b)
		return -1;
	memcpy(b, p, len);
	conn_queue(c, b, len);
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

/* The KIP-511 alphabet: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
static bool sw_field_valid(struct mp_rd s)
{
	if (s.bad || s.left == 0)
		return false;
	for (size_t i = 0; i < s.left; i++) {
		uint8_t ch = s.p[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		bool inner = ch == '-' || ch == '.';
		if (!alnum && (!inner || i == 0 || i + 1 == s.left))
			return false;
	}
	return true;
}

/* Skip a tagged-field section; false when malformed. */
static bool skip_tags(struct mp_rd *r)
{
	uint32_t n = mp_rd_uvarint(r);
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		(void)mp_rd_uvarint(r);
		mp_rd_skip(r, mp_rd_uvarint(r));
	}
	return !r->bad;
}

/* compact_string (non-null) as a sub-reader. */
static struct mp_rd rd_compact(struct mp_rd *r)
{
	uint32_t n1 = mp_rd_uvarint(r);
	if (n1 == 0)
		r->bad = true;
	return mp_rd_sub(r, r->bad ? 0 : n1 - 1);
}

static int queue_apiv(struct standin_server *s, struct conn *c, const struct mp_apiv *a,
		      int16_t version, int32_t corr)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (kafka_apiv_encode_response(a, version, corr, &buf, &len))
		return -1;
	count(&s->answers);
	switch (c->l->behaviour) {
	case STANDIN_CLOSE_MID:
		len /= 2;
		c->close_after_write = true;
		break;
	case STANDIN_HUGE_FRAME:
		/* keep the correlation id and the first body bytes, lie about the size */
		buf[0] = (uint8_t)(HUGE_FRAME_SIZE >> 24);
		buf[1] = buf[2] = buf[3] = 0xff;
		if (len > 16)
			len = 16;
		break;
	default:
		break;
	}
	conn_queue(c, buf, len);
	return 0;
}

/*
 * ApiVersions, as KafkaApis / SaslServerAuthenticator answer it. `r` is
 * positioned after the client id. -1 closes the connection.
 */
static int handle_apiv(struct standin_server *s, struct conn *c, int16_t version, int32_t corr,
		       struct mp_rd *r)
{
	struct listener *l = c->l;

	if (l->behaviour == STANDIN_PRE_0_10)
		return -1;
	if (l->sasl && c->sasl != SASL_HANDSHAKE_OR_VERSIONS)
		return -1;
	if (version < 0 || version > l->apiv_max)
		return queue_apiv(s, c, &l->unsupported, 0, corr);
	if (version >= 3) {
		if (!skip_tags(r)) /* request header tags */
			return -1;
		struct mp_rd name = rd_compact(r);
		struct mp_rd ver = rd_compact(r);
		if (r->bad || !skip_tags(r))
			return -1; /* unparseable body: Kafka closes */
		if (!sw_field_valid(name) || !sw_field_valid(ver))
			return queue_apiv(s, c, &l->invalid, version, corr);
	}
	if (l->sasl)
		c->sasl = SASL_HANDSHAKE;
	return queue_apiv(s, c, &l->ok, version, corr);
}

/* Is `mech` one of the comma-separated names in `list`? */
static bool mech_listed(const char *list, struct mp_rd mech)
{
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == mech.left && memcmp(p, mech.p, n) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* SaslHandshake v0-1 on a SASL listener. -1 closes the connection. */
static int handle_sasl_handshake(struct standin_server *s, struct conn *c, int16_t version,
				 int32_t corr, struct mp_rd *r)
{
	struct listener *l = c->l;
	struct mp_wr w;
	size_t n_mechs = 1;

	if (!l->sasl || c->sasl == SASL_AUTHENTICATE || version < 0 || version > 1)
		return -1;
	uint16_t mlen = mp_rd_be16(r);
	struct mp_rd mech = mp_rd_sub(r, mlen);
	if (r->bad)
		return -1;
	bool ok = mech_listed(l->mechs, mech);
	for (const char *p = l->mechs; *p; p++)
		n_mechs += *p == ',';

	mp_wr_init(&w, 4 + 4 + 2 + 4 + n_mechs * 2 + sizeof(l->mechs));
	mp_wr_be32(&w, 0);
	mp_wr_be32(&w, (uint32_t)corr);
	mp_wr_be16(&w, ok ? KAFKA_ERR_NONE : KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM);
	mp_wr_be32(&w, (uint32_t)n_mechs);
	for (const char *p = l->mechs; *p;) {
		size_t n = strcspn(p, ",");
		mp_wr_be16(&w, (uint16_t)n);
		mp_wr_bytes(&w, p, n);
		p += n + (p[n] == ',');
	}
	mp_wr_put_be32(&w, 0, (uint32_t)(w.len - 4));
	if (w.bad) {
		mp_wr_free(&w);
		return -1;
	}
	size_t len;
	uint8_t *buf = mp_wr_take(&w, &len);
	conn_queue(c, buf, len);
	count(&s->answers);
	/* Kafka closes after refusing a mechanism; else it waits for tokens. */
	c->sasl = SASL_AUTHENTICATE;
	c->close_after_write = !ok;
	return 0;
}

/* One complete request frame (after the size). -1 closes the connection. */
static int handle_frame(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct mp_rd r = mp_rd_init(p, n);
	int16_t key = (int16_t)mp_rd_be16(&r);
	int16_t version = (int16_t)mp_rd_be16(&r);
	int32_t corr = (int32_t)mp_rd_be32(&r);
	int16_t cid = (int16_t)mp_rd_be16(&r);

	count(&s->requests);
	if (c->l->behaviour == STANDIN_SILENT)
		return 0;
	if (cid >= 0)
		mp_rd_skip(&r, (size_t)cid);
	else if (cid != -1)
		r.bad = true;
	if (r.bad)
		return -1;
	if (c->l->sasl && c->sasl == SASL_AUTHENTICATE)
		return -1; /* SASL tokens: we do not authenticate */
	switch (key) {
	case KAFKA_API_VERSIONS:
		return handle_apiv(s, c, version, corr, &r);
	case KAFKA_SASL_HANDSHAKE:
		return handle_sasl_handshake(s, c, version, corr, &r);
	default:
		return -1;
	}
}

/* ---- ZooKeeper stand-in ---------------------------------------------------- */

/*
 * The fixed tree getChildren lists with zk_list: what a Kafka 2.x cluster's
 * ZooKeeper holds, cut to ZK_CHILD_NAMES_KEPT names per node (the encoder's
 * bound). Kafka's KafkaZkClient creates /brokers/{ids,topics,seqid} and
 * /kafka-acl/<resource type>.
 */
static const struct {
	const char *path;
	const char *children[ZK_CHILD_NAMES_KEPT];
} zk_tree[] = {
	{ "/", { "brokers", "config", "controller", "kafka-acl", "zookeeper" } },
	{ "/brokers", { "ids", "seqid", "topics" } },
	{ "/brokers/ids", { "1", "2", "3" } },
	{ "/kafka-acl", { "Cluster", "DelegationToken", "Group", "Topic", "TransactionalId" } },
	{ "/zookeeper", { "config", "quota" } },
};

/* Four-letter words ZooKeeper 3.8 knows (FourLetterCommands.java). */
static const char zk_4lw_known[][5] = { "conf", "cons", "crst", "dirs", "dump", "envi",
					"gtmk", "hash", "isro", "mntr", "ruok", "srst",
					"srvr", "stat", "stmk", "wchc", "wchp", "wchs" };

static uint32_t zk_node_count(void)
{
	uint32_t n = 1; /* "/" */
	for (size_t i = 0; i < sizeof(zk_tree) / sizeof(zk_tree[0]); i++)
		for (size_t j = 0; j < ZK_CHILD_NAMES_KEPT && zk_tree[i].children[j]; j++)
			n++;
	return n;
}

/* Queue a framed answer from the zk_wire encoders; -1 when one failed. */
static int zk_queue(struct standin_server *s, struct conn *c, int rc, uint8_t *buf, size_t len)
{
	if (rc < 0)
		return -1;
	conn_queue(c, buf, len);
	count(&s->answers);
	c->l->zk_sent++;
	return 0;
}

/*
 * A four-letter word at connection start (NIOServerCnxn.checkFourLetterWord):
 * 1 answered (the connection closes after the text), 0 not a known word,
 * -1 out of memory.
 */
static int zk_four_letter(struct standin_server *s, struct conn *c)
{
	struct listener *l = c->l;
	char word[5], text[ZK_SRVR_TEXT_MAX];
	bool known = false;

	memcpy(word, c->in, 4);
	word[4] = '\0';
	for (size_t i = 0; i < sizeof(zk_4lw_known) / sizeof(zk_4lw_known[0]) && !known; i++)
		known = memcmp(word, zk_4lw_known[i], 4) == 0;
	if (!known)
		return 0;
	count(&s->requests);
	l->zk_received++;
	if (strcmp(word, "srvr") != 0 || l->zk_4lw_refused)
		mp_fmt(text, sizeof(text),
		       "%s is not executed because it is not in the whitelist.\n", word);
	else
		/* Debian's 3.8.0 build leaves the git placeholder in (docs/facts.md) */
		mp_fmt(text, sizeof(text),
		       "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 "
		       "UTC\n"
		       "Latency min/avg/max: 0/0.0/0\n"
		       "Received: %llu\n"
		       "Sent: %llu\n"
		       "Connections: %llu\n"
		       "Outstanding: 0\n"
		       "Zxid: 0x%llx\n"
		       "Mode: standalone\n"
		       "Node count: %u\n",
		       (unsigned long long)l->zk_received, (unsigned long long)l->zk_sent,
		       (unsigned long long)l->open_conns, (unsigned long long)ZK_STANDIN_ZXID,
		       zk_node_count());
	c->in_len = 0;
	c->close_after_write = true;
	count(&s->answers);
	l->zk_sent++;
	return conn_queue_copy(c, text, strlen(text)) ? -1 : 1;
}

/* The session handshake (ZooKeeperServer.processConnectRequest). -1 closes. */
static int zk_connect(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct zk_connect_req q;
	struct zk_connect_resp a = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;

	if (zk_decode_connect_req(p, n, &q))
		return -1;
	if (q.last_zxid > ZK_STANDIN_ZXID)
		return -1; /* "Refusing session request for client as it has seen zxid ..." */
	a.protocol_version = ZK_PROTOCOL_VERSION;
	a.has_read_only = q.has_read_only; /* the 36-byte form to old clients */
	a.passwd_len = ZK_PASSWD_LEN;
	if (q.session_id != 0) {
		/* not a session we issued: expired, say so and close */
		c->close_after_write = true;
	} else {
		a.timeout_ms = q.timeout_ms < ZK_SESSION_MIN_MS	  ? ZK_SESSION_MIN_MS
			       : q.timeout_ms > ZK_SESSION_MAX_MS ? ZK_SESSION_MAX_MS
								  : q.timeout_ms;
		a.session_id = (int64_t)s->zk_next_sid++;
		if (RAND_bytes(a.passwd, ZK_PASSWD_LEN) != 1) {
			ERR_clear_error();
			return -1;
		}
		c->zk_session = true;
	}
	int rc = zk_encode_connect_resp(&a, &buf, &len);
	OPENSSL_cleanse(a.passwd, sizeof(a.passwd));
	return zk_queue(s, c, rc, buf, len);
}

/* One request in an open session. -1 closes. */
static int zk_request(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct zk_request q;
	struct zk_reply a = { .n_children = -1 };
	uint8_t *buf = NULL;
	size_t len = 0;

	if (zk_decode_request(p, n, &q))
		return -1;
	a.xid = q.xid;
	a.zxid = ZK_STANDIN_ZXID;
	switch (q.op) {
	case ZK_OP_PING:
		if (q.xid != ZK_XID_PING)
			return -1;
		break;
	case ZK_OP_CLOSE_SESSION:
		c->close_after_write = true;
		break;
	case ZK_OP_GET_CHILDREN:
		a.err = c->l->zk_list ? ZK_ERR_NONODE : ZK_ERR_NOAUTH;
		for (size_t i = 0; c->l->zk_list && i < sizeof(zk_tree) / sizeof(zk_tree[0]); i++) {
			if (strcmp(zk_tree[i].path, q.path) != 0)
				continue;
			a.err = ZK_ERR_OK;
			for (size_t j = 0; j < ZK_CHILD_NAMES_KEPT && zk_tree[i].children[j]; j++)
				mp_strlcpy(a.names[a.n_names++], zk_tree[i].children[j],
					   sizeof(a.names[0]));
			a.n_children = (int32_t)a.n_names;
		}
		break;
	default:
		return -1; /* read-only, and only what mskprobe asks */
	}
	int rc = zk_encode_reply(&a, q.op, &buf, &len);
	return zk_queue(s, c, rc, buf, len);
}

/* Handle at most one buffered ZooKeeper frame or word. -1 close, 0 none complete, 1 handled. */
static int zk_process(struct standin_server *s, struct conn *c)
{
	if (c->in_len < 4)
		return 0;
	if (!c->zk_session) {
		int rc = zk_four_letter(s, c);
		if (rc)
			return rc;
	}
	struct mp_rd r = mp_rd_init(c->in, c->in_len);
	int32_t size = (int32_t)mp_rd_be32(&r);
	if (size < 0 || (uint32_t)size > STANDIN_REQ_FRAME_MAX)
		return -1; /* ZooKeeper: "Len error", silent close */
	if (c->in_len - 4 < (size_t)size)
		return 0;
	count(&s->requests);
	c->l->zk_received++;
	int rc = c->zk_session ? zk_request(s, c, c->in + 4, (size_t)size)
			       : zk_connect(s, c, c->in + 4, (size_t)size);
	if (rc < 0)
		return -1;
	c->in_len -= 4 + (size_t)size;
	memmove(c->in, c->in + 4 + size, c->in_len);
	return 1;
}

/* Handle at most one buffered frame. -1 close, 0 none complete, 1 handled. */
static int conn_process(struct standin_server *s, struct conn *c)
{
	if (c->l->behaviour == STANDIN_ZOOKEEPER)
		return zk_process(s, c);
	if (c->l->behaviour == STANDIN_GARBAGE) {
		if (c->in_len == 0)
			return 0;
		c->in_len = 0;
		c->close_after_write = true;
		return conn_queue_copy(c, http_400, sizeof(http_400) - 1) ? -1 : 1;
	}
	if (c->in_len < 4)
		return 0;
	struct mp_rd r = mp_rd_init(c->in, c->in_len);
	int32_t size = (int32_t)mp_rd_be32(&r);
	if (size < 8 || (uint32_t)size > STANDIN_REQ_FRAME_MAX)
		return -1; /* not Kafka, or more than a stand-in will buffer */
	if (c->in_len - 4 < (size_t)size)
		return 0;
	int rc = handle_frame(s, c, c->in + 4, (size_t)size);
	if (rc < 0)
		return -1;
	c->in_len -= 4 + (size_t)size;
	memmove(c->in, c->in + 4 + size, c->in_len);
	return 1;
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
			count(&s->tls_failed);
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
			count(&s->dropped);
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
		count(&s->accepted);
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
