/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker probe (probe/kafka_probe.c) against hostile peers on
 * 127.0.0.1: broker stand-ins (lab/standin*.c) with a generated PKI,
 * behind a delaying link when a peer must answer every step late, and
 * small scripted peers for what the stand-ins do not do (reset at once).
 * Assertions are on the probe's report (attempts, errors, elapsed_ms), not
 * on the machine's clock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "delay-link.h"
#include "fp.h"
#include "kafka_probe.h"
#include "pki.h"
#include "standin.h"
#include "tap.h"
#include "tls.h"
#include "util.h"
#include "zk_tls.h"

static struct fp_table *table;
static struct standin_server *srv;
static struct pki_paths pki;
static SSL_CTX *server_tls, *client_tls;

/* ---- running one broker probe ---------------------------------------------- */

static void probe_done(struct mp_broker *b, void *ud)
{
	(void)b;
	(*(int *)ud)++;
}

/* Probe 127.0.0.1:port, presented to the probe as `as_port` (auto mode looks at it). */
static struct mp_broker *probe(uint16_t port, uint16_t as_port, enum kafka_tls_mode mode,
			       int timeout_ms)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	struct mp_broker *b = calloc(1, sizeof(*b));
	struct mp_loop *l = NULL;
	int done = 0;

	if (!b || mp_loop_new(&l, 4) < 0) {
		free(b);
		return NULL;
	}
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	mp_strlcpy(b->host, "127.0.0.1", sizeof(b->host));
	b->port = as_port;
	b->node_id = -1;
	struct kafka_probe_env env = { .loop = l,
				       .tls = client_tls,
				       .timeout_ms = timeout_ms,
				       .tls_mode = mode,
				       .done = probe_done,
				       .ud = &done };
	int rc = kafka_probe_start(&env, b, &ss, sizeof(*a));
	if (rc == 0)
		mp_loop_run(l);
	mp_loop_free(l);
	TAP_OK(rc == 0 && done == 1, "probe of port %u ran and ended once", port);
	for (uint8_t i = 0; i < b->n_attempts; i++)
		printf("#   attempt v%d: %s\n", b->attempts[i].version, b->attempts[i].outcome);
	printf("#   error: %s; elapsed_ms %lld\n", b->error, (long long)b->elapsed_ms);
	return b;
}

static void broker_free(struct mp_broker *b)
{
	mp_broker_free(b); /* its attempts and answer are out of line */
}

static uint16_t add(const struct standin_opts *o)
{
	char err[256];
	uint16_t port = 0;
	if (standin_add(srv, o, &port, err, sizeof(err)) < 0)
		printf("# standin_add: %s\n", err);
	return port;
}

/*
 * A TLS broker (0.10.0: ApiVersions v0 only, so the probe steps down
 * v3, v2, v1, v0, each on a new connection) behind a link that delivers
 * every answer, handshake included, 750 ms late, with --timeout-ms 1000:
 * each step is in time, each round takes 1.5 s, so only the probe's
 * overall budget of 4 x 1000 ms stops it. Its elapsed time must stay within
 * that budget (plus the event loop's lateness, a few ms per attempt), and
 * the error must say the measured time and the budget.
 */
static void test_budget_slow_tls(void)
{
	const int timeout = 1000, budget = KAFKA_PROBE_BUDGET_STEPS * timeout;
	const struct fp_row *r = fp_table_find(table, "0.10.0", FP_MODE_ZK);
	uint16_t port = r ? add(&(struct standin_opts){ .row = r, .tls = server_tls }) : 0;
	struct link *k = port ? link_start(port, 750) : NULL;
	char want[64];

	TAP_OK(k != NULL, "0.10.0 TLS stand-in behind a 750 ms link");
	if (!k)
		return;
	struct mp_broker *b = probe(k->port, k->port, KAFKA_TLS_ON, timeout);
	link_stop(k);
	if (!b)
		return;
	int64_t slack = 50 * (int64_t)b->n_attempts;
	TAP_OK(b->tls_info && strcmp(b->tls_info->handshake, "ok") == 0,
	       "the TLS handshakes themselves succeeded (in time)");
	TAP_OK(!b->answered && b->n_attempts >= 2 && b->attempts[0].version == 3 &&
		       b->attempts[1].version == 2,
	       "no answer: it stepped down v3, v2, ... until the budget ran out");
	TAP_OK(b->elapsed_ms <= budget + slack,
	       "elapsed_ms %lld is within the budget %d ms + %lld ms slack (50 per attempt)",
	       (long long)b->elapsed_ms, budget, (long long)slack);
	TAP_OK(b->elapsed_ms >= budget - timeout / 2,
	       "and the budget was what stopped it (elapsed_ms %lld)", (long long)b->elapsed_ms);
	mp_fmt(want, sizeof(want), "gave up after %lld ms over %u attempts",
	       (long long)b->elapsed_ms, b->n_attempts);
	TAP_OK(strstr(b->error, want) != NULL, "the error says the measured time: %s", b->error);
	TAP_OK(strstr(b->error, "budget of 4000 ms (4 x --timeout-ms) ran out") != NULL,
	       "and the budget");
	TAP_OK(strstr(b->attempts[b->n_attempts - 1].outcome, "budget") != NULL,
	       "the last attempt was cut by the budget: %s",
	       b->attempts[b->n_attempts - 1].outcome);
	broker_free(b);
}

/*
 * --tls auto on a port that accepts and never answers: the TLS handshake
 * times out. That is a timeout, not a TLS finding: no failed handshake is
 * recorded (it would raise TLS_HANDSHAKE_FAILED), no plain-text retry.
 */
static void test_silent_auto(void)
{
	uint16_t port = 0;
	int lfd = listen_lo(&port); /* never accepted: connect works, nothing answers */
	struct mp_broker *b = lfd >= 0 ? probe(port, port, KAFKA_TLS_AUTO, 300) : NULL;

	if (lfd >= 0)
		close(lfd);
	TAP_OK(b != NULL, "silent port probed in auto mode");
	if (!b)
		return;
	TAP_OK(b->tls_info == NULL, "no TLS facts recorded (handshake '%s')",
	       b->tls_info ? b->tls_info->handshake : "");
	TAP_OK(b->n_attempts == 1 && strncmp(b->attempts[0].outcome, "timeout: ", 9) == 0,
	       "one attempt, a timeout: %s", b->n_attempts ? b->attempts[0].outcome : "");
	TAP_OK(strstr(b->error, "(timeout during tls handshake)") != NULL, "error: %s", b->error);
	TAP_OK(!b->answered && !b->closed_on_apiv, "no answer, no pre-0.10 evidence");
	broker_free(b);
}

/* A peer that accepts and at once closes every connection (rst: with a reset). */
struct closer {
	int lfd;
	uint16_t port;
	bool rst;
	atomic_bool stop;
	pthread_t t;
};

static void *closer_main(void *arg)
{
	struct closer *c = arg;
	while (!atomic_load(&c->stop)) {
		struct pollfd pf = { .fd = c->lfd, .events = POLLIN };
		if (poll(&pf, 1, 50) <= 0)
			continue;
		int fd = accept(c->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (c->rst) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		close(fd);
	}
	return NULL;
}

/*
 * Only a clean close after the peer took a valid ApiVersions v0 request is
 * the pre-0.10 signal (KAFKA_PRE_0_10_SUSPECTED): a peer that closes or
 * resets at once is not, whatever the probe managed to write first. The
 * pre-0.10 stand-in (reads the request, then closes) still is.
 */
static void test_immediate_close(bool rst)
{
	struct closer c = { .rst = rst };
	c.lfd = listen_lo(&c.port);
	TAP_OK(c.lfd >= 0 && pthread_create(&c.t, NULL, closer_main, &c) == 0,
	       "a peer that %s at once", rst ? "resets" : "closes");
	if (c.lfd < 0)
		return;
	struct mp_broker *b = probe(c.port, 9092, KAFKA_TLS_OFF, 1000);
	atomic_store(&c.stop, true);
	pthread_join(c.t, NULL);
	close(c.lfd);
	if (!b)
		return;
	TAP_OK(!b->closed_on_apiv && !strstr(b->error, "0.10.0"),
	       "%s at once: not pre-0.10 evidence: %s", rst ? "reset" : "closed", b->error);
	TAP_OK(!b->answered && b->error[0], "no answer, an error");
	broker_free(b);
}

static void test_pre_0_10_still_seen(void)
{
	uint16_t port = add(&(struct standin_opts){ .behaviour = STANDIN_PRE_0_10 });
	struct mp_broker *b = port ? probe(port, 9092, KAFKA_TLS_OFF, 1000) : NULL;
	TAP_OK(b && b->closed_on_apiv && b->n_attempts == 2 && b->attempts[1].version == 0,
	       "the pre-0.10 stand-in (reads, then closes) is still pre-0.10 evidence: %s",
	       b ? b->error : "");
	broker_free(b);
}

static void nocert_done(void *ud)
{
	(*(int *)ud)++;
}

/* The no-certificate probe (tls_probe_protocols with an ApiVersions v0) on a port. */
static void nocert_probe(uint16_t port, struct mp_tls_info *ti)
{
	static const uint8_t apiv_v0[] = { 0, 0, 0, 0x0c, 0, 18, 0, 0, 0, 0, 0, 1, 0, 2, 'm', 'p' };
	struct tls_probe_set *set = NULL;
	struct mp_loop *l = NULL;
	char err[256];
	int done = 0;
	struct tls_probe_req r = { .sni = "127.0.0.1",
				   .timeout_ms = 2000,
				   .nocert_req = apiv_v0,
				   .nocert_req_len = sizeof(apiv_v0),
				   .ti = ti,
				   .done = nocert_done,
				   .ud = &done };
	struct sockaddr_in *a = (struct sockaddr_in *)&r.addr;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r.addrlen = sizeof(*a);
	TAP_OK(tls_probe_set_new(&set, NULL, NULL, err, sizeof(err)) == 0 &&
		       mp_loop_new(&l, 4) == 0,
	       "probe set and loop");
	r.loop = l;
	r.set = set;
	TAP_OK(set && l && tls_probe_protocols(&r) == 0 && mp_loop_run(l) == 0 && done == 1,
	       "no-certificate probe of port %u ran", port);
	mp_loop_free(l);
	tls_probe_set_free(set);
}

/*
 * client_cert "required" needs the server's word: a handshake alert (40,
 * 42, 116) or TLS 1.3's alert after the handshake. A TLS listener that
 * closes on ApiVersions v0 (a pre-0.10 broker behind TLS) is not one; a
 * mutual-TLS listener is.
 */
static void test_close_is_not_cert_required(void)
{
	SSL_CTX *mtls = NULL;
	char err[256];
	const struct fp_row *row = fp_table_find(table, "3.7", FP_MODE_KRAFT);
	uint16_t closes =
		add(&(struct standin_opts){ .behaviour = STANDIN_PRE_0_10, .tls = server_tls });
	struct mp_tls_info *ti = calloc(1, sizeof(*ti));

	TAP_OK(closes && ti && row && pki_server_ctx(&mtls, &pki, true, err, sizeof(err)) == 0,
	       "a TLS stand-in that closes on ApiVersions, a mutual-TLS server context");
	if (!closes || !ti || !mtls || !row) {
		free(ti);
		SSL_CTX_free(mtls);
		return;
	}
	nocert_probe(closes, ti);
	TAP_OK(strcmp(ti->client_cert, "required") != 0,
	       "a close after the request is not 'client certificate required' ('%s')",
	       ti->client_cert);
	memset(ti, 0, sizeof(*ti));
	uint16_t needs = add(&(struct standin_opts){ .row = row, .tls = mtls });
	nocert_probe(needs, ti);
	TAP_EQ_STR(ti->client_cert, "required", "a mutual-TLS listener's alert is");
	SSL_CTX_free(mtls);
	free(ti);
}

int main(void)
{
	char err[256], dir[] = "/tmp/mskprobe-test-kafka-probe-XXXXXX";
	const char *dns[] = { "localhost" };
	const char *ips[] = { "127.0.0.1" };

	if (!mkdtemp(dir) || fp_table_builtin(&table, err, sizeof(err)) < 0 ||
	    standin_server_new(&srv, err, sizeof(err)) < 0) {
		printf("Bail out! setup\n");
		return 1;
	}
	struct pki_opts po = { .dir = dir, .dns = dns, .n_dns = 1, .ips = ips, .n_ips = 1 };
	struct tls_ctx_opts co = { .ca_file = pki.ca_cert };
	if (pki_generate(&po, &pki, err, sizeof(err)) < 0 ||
	    pki_server_ctx(&server_tls, &pki, false, err, sizeof(err)) < 0 ||
	    tls_client_ctx(&client_tls, &co, err, sizeof(err)) < 0 ||
	    standin_server_start(srv, err, sizeof(err)) < 0) {
		printf("Bail out! setup: %s\n", err);
		return 1;
	}
	test_budget_slow_tls();
	test_silent_auto();
	test_immediate_close(true);
	test_immediate_close(false);
	test_pre_0_10_still_seen();
	test_close_is_not_cert_required();
	standin_server_free(srv);
	SSL_CTX_free(server_tls);
	SSL_CTX_free(client_tls);
	fp_table_free(table);
	unlink(pki.ca_cert);
	unlink(pki.server_cert);
	unlink(pki.server_key);
	rmdir(dir);
	return tap_done();
}
