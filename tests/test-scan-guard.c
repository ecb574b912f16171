/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan orchestration hardening (issue 8), over real sockets on 127.0.0.1:
 * the --check-listeners plan while the probed list grows, and SASL
 * credentials that must never follow a TLS fallback into plaintext.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_common.h"
#include "fp.h"
#include "loopback.h"
#include "scan.h"
#include "standin.h"
#include "tap.h"
#include "util.h"

#define TIMEOUT_MS 1000

/* The options every scan here starts from: one cluster of the given endpoints. */
static void one_cluster(struct scan_opts *o, struct scan_cluster_spec *spec, const char *const *eps,
			size_t n)
{
	*spec = (struct scan_cluster_spec){ .name = "t", .bootstrap = eps, .n_bootstrap = n };
	cli_default_opts(o);
	o->clusters = spec;
	o->n_clusters = 1;
	o->timeout_ms = TIMEOUT_MS;
}

/*
 * --check-listeners on one host probed at 16 ports: the plan adds MSK's
 * four listener ports while the list of probed endpoints grows past 16
 * (and is reallocated); every listener check must still name the host.
 */
static void test_listener_plan_grows(void)
{
	enum { N = 16 };
	char eps[N][32];
	const char *list[N];
	struct scan_opts o;
	struct scan_cluster_spec spec;
	struct mp_report *r = NULL;
	char err[256] = "";

	for (size_t i = 0; i < N; i++) {
		mp_fmt(eps[i], sizeof(eps[i]), "127.0.0.1:%u", dead_port());
		list[i] = eps[i];
	}
	one_cluster(&o, &spec, list, N);
	o.discover = false;
	o.check_listeners = true;
	TAP_OK(scan_run(&o, &r, err, sizeof(err)) == 0 && r, "scan of 16 closed ports ran: %s",
	       err);
	struct mp_cluster *c = r ? r->clusters[0] : NULL;
	TAP_EQ_INT(c ? c->n_listeners : 0, 4, "one host: MSK's four listener ports checked once");
	size_t good = 0;
	for (size_t i = 0; c && i < c->n_listeners; i++) {
		const struct mp_broker *b = c->listeners[i];
		good += strcmp(b->host, "127.0.0.1") == 0 && b->port >= 9092 && b->port <= 9098 &&
			b->source == MP_SRC_LISTENER_CHECK;
	}
	TAP_EQ_INT(good, 4, "every listener check names 127.0.0.1 and an MSK port");
	mp_report_free(r);
}

/*
 * A peer in front of a SASL broker stand-in: a connection whose first byte
 * is a TLS record (a ClientHello) is reset; any other is relayed to the
 * stand-in, and every byte the client sends is recorded.
 */
#define REC_CONNS_MAX 32
#define REC_BYTES_MAX (256u * 1024u)

struct recorder {
	int lfd;
	uint16_t port, backend;
	pthread_t thread;
	atomic_bool stop;
	bool started;
	pthread_mutex_t mu;
	pthread_t conns[REC_CONNS_MAX];
	size_t n_conns;
	unsigned resets, relayed;
	uint8_t bytes[REC_BYTES_MAX];
	size_t len;
};

struct rec_conn {
	struct recorder *r;
	int fd;
};

static void record(struct recorder *r, const uint8_t *p, size_t n)
{
	pthread_mutex_lock(&r->mu);
	if (n > REC_BYTES_MAX - r->len)
		n = REC_BYTES_MAX - r->len;
	memcpy(r->bytes + r->len, p, n);
	r->len += n;
	pthread_mutex_unlock(&r->mu);
}

static bool recorded(struct recorder *r, const char *needle)
{
	pthread_mutex_lock(&r->mu);
	bool found = memmem(r->bytes, r->len, needle, strlen(needle)) != NULL;
	pthread_mutex_unlock(&r->mu);
	return found;
}

static void *rec_conn_run(void *arg)
{
	struct rec_conn *rc = arg;
	struct recorder *r = rc->r;
	int cfd = rc->fd, bfd = -1;
	uint8_t first, buf[4096];
	struct pollfd pf = { .fd = cfd, .events = POLLIN };

	free(rc);
	if (poll(&pf, 1, 5000) != 1 || recv(cfd, &first, 1, MSG_PEEK) != 1)
		goto out;
	if (first == 0x16) { /* TLS handshake record: reset the connection */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		pthread_mutex_lock(&r->mu);
		r->resets++;
		pthread_mutex_unlock(&r->mu);
		goto out;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(r->backend) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bfd < 0 || connect(bfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	pthread_mutex_lock(&r->mu);
	r->relayed++;
	pthread_mutex_unlock(&r->mu);
	while (!atomic_load(&r->stop)) {
		struct pollfd p[2] = { { .fd = cfd, .events = POLLIN },
				       { .fd = bfd, .events = POLLIN } };
		if (poll(p, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = recv(p[i].fd, buf, sizeof(buf), 0);
			if (n <= 0)
				goto out;
			if (i == 0)
				record(r, buf, (size_t)n);
			if (send(p[1 - i].fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
				goto out;
		}
	}
out:
	if (bfd >= 0)
		close(bfd);
	close(cfd);
	return NULL;
}

static void *rec_accept_run(void *arg)
{
	struct recorder *r = arg;
	while (!atomic_load(&r->stop)) {
		struct pollfd pf = { .fd = r->lfd, .events = POLLIN };
		if (poll(&pf, 1, 100) != 1)
			continue;
		int fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
		struct rec_conn *rc = fd >= 0 ? malloc(sizeof(*rc)) : NULL;
		if (!rc || r->n_conns == REC_CONNS_MAX) {
			if (fd >= 0)
				close(fd);
			free(rc);
			continue;
		}
		*rc = (struct rec_conn){ r, fd };
		if (pthread_create(&r->conns[r->n_conns], NULL, rec_conn_run, rc) == 0)
			r->n_conns++;
		else {
			close(fd);
			free(rc);
		}
	}
	for (size_t i = 0; i < r->n_conns; i++)
		pthread_join(r->conns[i], NULL);
	return NULL;
}

static int recorder_start(struct recorder *r, uint16_t backend)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	r->backend = backend;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r->port = 1; /* recorder_stop() has something to undo */
	if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(r->lfd, 16) < 0 || getsockname(r->lfd, (struct sockaddr *)&sa, &l) < 0)
		return -1;
	r->port = ntohs(sa.sin_port);
	r->started = pthread_create(&r->thread, NULL, rec_accept_run, r) == 0;
	return r->started ? 0 : -1;
}

static void recorder_stop(struct recorder *r)
{
	atomic_store(&r->stop, true);
	if (r->started)
		pthread_join(r->thread, NULL);
	if (r->lfd >= 0)
		close(r->lfd);
	pthread_mutex_destroy(&r->mu);
}

#define SASL_USER "guard-user-7f3a"
#define SASL_PASS "guard-secret-Q9x2w"

static struct mp_report *sasl_scan(uint16_t port, enum kafka_tls_mode tls)
{
	char ep[32];
	const char *list[] = { ep };
	struct scan_opts o;
	struct scan_cluster_spec spec;
	struct mp_report *r = NULL;
	char err[256] = "";

	mp_fmt(ep, sizeof(ep), "127.0.0.1:%u", port);
	one_cluster(&o, &spec, list, 1);
	o.tls_mode = tls;
	o.discover = true;
	o.sasl_mechanism = "PLAIN";
	o.sasl_username = SASL_USER;
	o.sasl_password = SASL_PASS;
	if (scan_run(&o, &r, err, sizeof(err)) < 0)
		printf("# scan_run: %s\n", err);
	return r;
}

/*
 * --tls auto on a non-MSK port: the peer resets the ClientHello, the probe
 * retries in plaintext and the broker answers. Discovery must not then
 * authenticate in plaintext: no credential reaches the peer, and the
 * report says why discovery was not attempted. With an explicit --tls off
 * the same peer does get them (the recorder sees what it should).
 */
static void test_no_credentials_after_fallback(void)
{
	struct fp_table *table = NULL;
	struct standin_server *srv = NULL;
	struct recorder *rec = calloc(1, sizeof(*rec));
	uint16_t backend = 0;
	char err[256] = "";

	if (!rec || fp_table_builtin(&table, err, sizeof(err)) < 0 ||
	    standin_server_new(&srv, err, sizeof(err)) < 0 ||
	    standin_add(srv,
			&(struct standin_opts){ .row = fp_table_find(table, "2.8", FP_MODE_ZK),
						.sasl = true,
						.sasl_mechanisms = "PLAIN" },
			&backend, err, sizeof(err)) < 0 ||
	    standin_server_start(srv, err, sizeof(err)) < 0 || recorder_start(rec, backend) < 0) {
		TAP_OK(0, "SASL stand-in and recorder: %s", err);
		goto out;
	}
	struct mp_report *r = sasl_scan(rec->port, KAFKA_TLS_AUTO);
	struct mp_cluster *c = r ? r->clusters[0] : NULL;
	struct mp_broker *b = c ? c->brokers[0] : NULL;
	TAP_OK(b && b->answered && !b->tls && rec->resets >= 1 && rec->relayed >= 1,
	       "TLS reset, the probe fell back to plaintext and was answered (%u resets)",
	       rec->resets);
	TAP_OK(!recorded(rec, SASL_PASS), "no PLAIN password reached the peer in plaintext");
	TAP_OK(!recorded(rec, SASL_USER), "no SASL user name reached the peer either");
	TAP_OK(c && c->discovery.status == MP_DISC_NOT_RUN &&
		       strstr(c->discovery.error, "not attempted") &&
		       strstr(c->discovery.error, "--tls off"),
	       "the report says why discovery was not attempted: %s", c ? c->discovery.error : "");
	mp_report_free(r);

	/* the control: plaintext asked for, credentials go (to our own peer) */
	r = sasl_scan(rec->port, KAFKA_TLS_OFF);
	TAP_OK(recorded(rec, SASL_PASS), "with --tls off the recorder sees the PLAIN password");
	mp_report_free(r);
out:
	if (rec && rec->port)
		recorder_stop(rec);
	free(rec);
	standin_server_free(srv);
	fp_table_free(table);
}

/* A listening socket on 127.0.0.1 that never accepts: connections complete
 * (the backlog) and then hear nothing. Returns the fd; *ret_port its port. */
static int silent_listener(uint16_t *ret_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &l) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

/*
 * Out of descriptors at connect (more in flight than the open-file limit
 * allows, as when scan_run is given a --concurrency nobody sized): every
 * endpoint that could not be probed says the limit is this machine's, and
 * none is blamed for it.
 */
static void test_out_of_descriptors_is_local(void)
{
	enum { N = 40 };
	int fds[N];
	char eps[N][32];
	const char *list[N];
	struct scan_opts o;
	struct scan_cluster_spec spec;
	struct mp_report *r = NULL;
	struct rlimit was, low;
	char err[256] = "";
	int top = 0;

	for (size_t i = 0; i < N; i++) {
		uint16_t port = 0;
		fds[i] = silent_listener(&port);
		top = fds[i] > top ? fds[i] : top;
		mp_fmt(eps[i], sizeof(eps[i]), "127.0.0.1:%u", port);
		list[i] = eps[i];
	}
	one_cluster(&o, &spec, list, N);
	o.discover = false;
	o.tls_mode = KAFKA_TLS_OFF;
	o.timeout_ms = 500;
	o.concurrency = N;
	/* room for the loop and about ten sockets, not forty */
	getrlimit(RLIMIT_NOFILE, &was);
	low = was;
	low.rlim_cur = (rlim_t)top + 16;
	setrlimit(RLIMIT_NOFILE, &low);
	int rc = scan_run(&o, &r, err, sizeof(err));
	setrlimit(RLIMIT_NOFILE, &was);
	TAP_OK(rc == 0 && r, "scan ran under a low open-file limit: %s", err);
	size_t local = 0, blamed = 0;
	for (size_t i = 0; r && i < r->clusters[0]->n_brokers; i++) {
		const char *e = r->clusters[0]->brokers[i]->error;
		bool is_local =
			strncmp(e, "not probed (a limit of this machine, not the target)", 52) == 0;
		local += is_local;
		blamed += !is_local && strstr(e, "Too many open files") != NULL;
	}
	TAP_OK(local > 0, "%zu endpoint(s) not probed for lack of descriptors say it is local",
	       local);
	TAP_EQ_INT(blamed, 0, "no endpoint is blamed for this machine's limit");
	TAP_EQ_INT(scan_local_failures(r), local, "scan_local_failures() counts them");
	mp_report_free(r);
	for (size_t i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int main(void)
{
	test_listener_plan_grows();
	test_no_credentials_after_fallback();
	test_out_of_descriptors_is_local();
	return tap_done();
}
