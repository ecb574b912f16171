/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ZooKeeper endpoint probe (probe/zk_probe.c) and its findings
 * (probe/zk_policy.c) against real Apache ZooKeeper servers started by
 * tests/zk/zk-harness.sh (argv[1] is its zk.env; tests/zk/run-zk-tests.sh
 * starts and always stops it), plus hostile endpoints served here on
 * 127.0.0.1: a TLS server that stalls after its first flight, one that
 * sends garbage, an HTTP server, a silent port and a closed port.
 *
 * Every endpoint of every case is probed concurrently in one loop run, as a
 * scan would; each must end within its bound (a few steps of the timeout).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/err.h>

#include "loop.h"
#include "model.h"
#include "pki.h"
#include "tap.h"
#include "tls.h"
#include "util.h"
#include "zk_policy.h"
#include "zk_probe.h"

#define TIMEOUT_MS 4000 /* generous: CI runs this beside other sanitizer builds on 2 cores */
/* the worst path: a TLS attempt, then a plaintext session and srvr, each
 * up to connect + send + answer steps; plus slack for a loaded CI machine */
#define BOUND_MS (3 * TIMEOUT_MS + 2000)

/* ---- zk.env ---------------------------------------------------------------- */

static char env_text[8192];

static const char *zkenv(const char *key)
{
	size_t kl = strlen(key);
	for (char *p = env_text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (strncmp(p, key, kl) == 0 && p[kl] == '=')
			return p + kl + 1;
		p = nl ? nl + 1 : NULL;
	}
	return "";
}

static int load_env(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;
	if (!f)
		return -1;
	n = fread(env_text, 1, sizeof(env_text) - 1, f);
	fclose(f);
	env_text[n] = '\0';
	return 0;
}

/* The value of key up to the end of its line, copied. */
static void zkval(const char *key, char *dst, size_t n)
{
	const char *v = zkenv(key);
	size_t l = strcspn(v, "\n");
	if (l >= n)
		l = n - 1;
	memcpy(dst, v, l);
	dst[l] = '\0';
}

static uint16_t env_port(const char *key)
{
	char v[64];
	const char *c;
	unsigned long port = 0;
	zkval(key, v, sizeof(v));
	c = strrchr(v, ':');
	if (!c || mp_parse_uint(c + 1, 1, 65535, &port) < 0)
		return 0;
	return (uint16_t)port;
}

/* ---- hostile endpoints ----------------------------------------------------- */

enum hkind { H_STALL = 0, H_GARBAGE, H_HTTP, H_SILENT, H_MTLS12, H_KINDS };

struct hconn {
	int fd;
	enum hkind kind;
	SSL *ssl;
	bool stalled; /* the TLS server sent its first flight and stops there */
};

static struct {
	int lfd[H_KINDS];
	uint16_t port[H_KINDS];
	int stop[2];
	SSL_CTX *tls, *mtls;
	struct hconn c[512]; /* stalled and silent peers hold theirs until the probe times out */
	size_t n;
	pthread_t th;
} hs;

static void hconn_close(struct hconn *c)
{
	SSL_free(c->ssl);
	close(c->fd);
	*c = hs.c[--hs.n];
}

static void h_accept(enum hkind k)
{
	static const uint8_t garbage[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03,
					   0x7f, 0x80, 0x81, 0xfe, 0xff, 'g',  'a',  'r' };
	int fd = accept4(hs.lfd[k], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (hs.n == sizeof(hs.c) / sizeof(hs.c[0])) {
		close(fd);
		return;
	}
	struct hconn *c = &hs.c[hs.n++];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->kind = k;
	if (k == H_GARBAGE)
		(void)!write(fd, garbage, sizeof(garbage));
	if (k == H_STALL || k == H_MTLS12) {
		c->ssl = SSL_new(k == H_STALL ? hs.tls : hs.mtls);
		SSL_set_fd(c->ssl, fd);
		SSL_set_accept_state(c->ssl);
	}
}

/* Returns false when the connection should close. */
static bool h_readable(struct hconn *c)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";
	uint8_t buf[4096];

	if (c->kind == H_STALL && !c->stalled) {
		ERR_clear_error();
		(void)SSL_do_handshake(c->ssl);
		ERR_clear_error();
		/* the ServerHello flight is out: never answer again */
		if (BIO_number_written(SSL_get_wbio(c->ssl)) > 0)
			c->stalled = true;
		return true;
	}
	if (c->kind == H_MTLS12) { /* a real handshake; it fails without a certificate */
		ERR_clear_error();
		int r = SSL_do_handshake(c->ssl), e = SSL_get_error(c->ssl, r);
		ERR_clear_error();
		return r != 1 && (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
	}
	ssize_t r = read(c->fd, buf, sizeof(buf));
	if (r == 0 || (r < 0 && errno != EAGAIN))
		return false;
	if (c->kind == H_HTTP) {
		(void)!write(c->fd, http, sizeof(http) - 1);
		return false;
	}
	return true; /* garbage, silent, stalled: swallow */
}

static void *h_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[1 + H_KINDS + 512];
		size_t n = 0;
		p[n++] = (struct pollfd){ .fd = hs.stop[0], .events = POLLIN };
		for (int k = 0; k < H_KINDS; k++)
			p[n++] = (struct pollfd){ .fd = hs.lfd[k], .events = POLLIN };
		for (size_t i = 0; i < hs.n; i++)
			p[n++] = (struct pollfd){ .fd = hs.c[i].fd,
						  .events = hs.c[i].kind == H_SILENT ? 0 : POLLIN };
		if (poll(p, (nfds_t)n, 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		/* connections first: accepting may reorder hs.c */
		for (size_t i = hs.n; i-- > 0;) {
			short ev = p[1 + H_KINDS + i].revents;
			if (ev && !h_readable(&hs.c[i]))
				hconn_close(&hs.c[i]);
		}
		for (int k = 0; k < H_KINDS; k++)
			if (p[1 + k].revents)
				h_accept((enum hkind)k);
	}
	while (hs.n)
		hconn_close(&hs.c[0]);
	return NULL;
}

static int listen_any(uint16_t *ret_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

static int hostile_start(const char *dir)
{
	static const char *const dns[] = { "localhost" };
	static const char *const ips[] = { "127.0.0.1" };
	struct pki_paths pp;
	char err[256];

	if (pki_generate(
		    &(struct pki_opts){
			    .dir = dir, .dns = dns, .n_dns = 1, .ips = ips, .n_ips = 1 },
		    &pp, err, sizeof(err)) < 0 ||
	    pki_server_ctx(&hs.tls, &pp, false, err, sizeof(err)) < 0) {
		printf("# hostile PKI: %s\n", err);
		return -1;
	}
	/* TLS 1.2: the client then waits for the server's Finished, which never comes */
	SSL_CTX_set_max_proto_version(hs.tls, TLS1_2_VERSION);
	/* mutual TLS 1.2: the refusal comes inside the handshake, after the Certificate */
	if (pki_server_ctx(&hs.mtls, &pp, true, err, sizeof(err)) < 0) {
		printf("# hostile mTLS context: %s\n", err);
		return -1;
	}
	SSL_CTX_set_max_proto_version(hs.mtls, TLS1_2_VERSION);
	for (int k = 0; k < H_KINDS; k++)
		if ((hs.lfd[k] = listen_any(&hs.port[k])) < 0)
			return -1;
	if (pipe2(hs.stop, O_CLOEXEC) < 0)
		return -1;
	return pthread_create(&hs.th, NULL, h_thread, NULL) == 0 ? 0 : -1;
}

static void hostile_stop(void)
{
	(void)!write(hs.stop[1], "x", 1);
	pthread_join(hs.th, NULL);
	for (int k = 0; k < H_KINDS; k++)
		close(hs.lfd[k]);
	close(hs.stop[0]);
	close(hs.stop[1]);
	SSL_CTX_free(hs.tls);
	SSL_CTX_free(hs.mtls);
}

/* A port nothing listens on (bound, then closed: refused). */
static uint16_t closed_port(void)
{
	uint16_t port = 0;
	int fd = listen_any(&port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* ---- probing ----------------------------------------------------------------- */

struct ep {
	struct mp_zk_endpoint *z;
	int64_t started, elapsed;
	bool done;
};

static struct ep eps[32];
static size_t n_eps;

static void on_done(struct mp_zk_endpoint *z, void *ud)
{
	struct ep *e = ud;
	(void)z;
	e->done = true;
	e->elapsed = mp_now_ms() - e->started;
}

static struct ep *probe(struct mp_cluster *c, const struct zk_probe_env *base, const char *host,
			uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
	struct zk_probe_env env = *base;
	struct ep *e = &eps[n_eps++];

	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e->z = mp_cluster_add_zk(c, host, port);
	e->started = mp_now_ms();
	env.done = on_done;
	env.ud = e;
	int rc = zk_probe_start(&env, e->z, &ss, sizeof(*sa));
	TAP_EQ_INT(rc, 0, "probe %s:%u started", host, port);
	return e;
}

static bool has_finding(const struct mp_cluster *c, const char *id, const char *endpoint)
{
	for (size_t i = 0; i < c->n_findings; i++) {
		const struct mp_finding *f = &c->findings[i];
		if (strcmp(f->id, id) != 0)
			continue;
		if (!endpoint)
			return true;
		const cJSON *ep = cJSON_GetObjectItemCaseSensitive(f->evidence, "endpoint");
		if (cJSON_IsString(ep) && strcmp(ep->valuestring, endpoint) == 0)
			return true;
	}
	return false;
}

static enum mp_severity severity_of(const struct mp_cluster *c, const char *id)
{
	for (size_t i = 0; i < c->n_findings; i++)
		if (strcmp(c->findings[i].id, id) == 0)
			return c->findings[i].severity;
	return (enum mp_severity) - 1;
}

static bool accepted(const struct mp_tls_info *t, const char *proto)
{
	for (unsigned i = 0; t && i < t->n_accepted; i++)
		if (strcmp(t->accepted[i], proto) == 0)
			return true;
	return false;
}

static void show(const struct ep *e)
{
	const struct mp_zk_endpoint *z = e->z;
	const struct mp_tls_info *t = z->tls;
	printf("# %s:%u %lld ms reachable=%d speaks=%d error='%s' srvr_status='%s' anon=%d '%s'\n",
	       z->host, z->port, (long long)e->elapsed, z->reachable, z->speaks_zookeeper, z->error,
	       z->srvr_status, z->anonymous_read, z->anonymous_detail);
	if (t)
		printf("#   tls handshake=%s error='%s' %s %s verify='%s' host=%d client_cert=%s "
		       "zk=%d accepted=%u chain=%u\n",
		       t->handshake, t->error, t->protocol, t->cipher, t->verify, t->hostname_match,
		       t->client_cert, t->speaks_zookeeper, t->n_accepted, t->n_chain);
}

static void check_bounded(const struct ep *e)
{
	TAP_OK(e->done, "%s:%u: probe ended", e->z->host, e->z->port);
	TAP_OK(e->elapsed <= BOUND_MS, "%s:%u: ended within %d ms (%lld)", e->z->host, e->z->port,
	       BOUND_MS, (long long)e->elapsed);
}

int main(int argc, char **argv)
{
	struct mp_report *rep = mp_report_new();
	struct mp_loop *loop = NULL;
	SSL_CTX *ctx = NULL, *mctx = NULL;
	char ca[1024], cert[1024], key[1024], err[256], dir[] = "/tmp/zk-probe-test.XXXXXX";
	struct mp_policy pol = { .cert_warn_days = 30 };
	char legacy[64];

	if (argc < 2 || load_env(argv[1]) < 0) {
		printf("1..0 # SKIP no zk.env (run through tests/zk/run-zk-tests.sh)\n");
		return 77;
	}
	zkval("ZK_CA", ca, sizeof(ca));
	zkval("ZK_CLIENT_CERT", cert, sizeof(cert));
	zkval("ZK_CLIENT_KEY", key, sizeof(key));
	zkval("ZK_LEGACY_TLS", legacy, sizeof(legacy));
	TAP_OK(rep && mp_loop_new(&loop, 64) == 0, "report and loop");
	TAP_EQ_INT(tls_client_ctx(&ctx, &(struct tls_ctx_opts){ .ca_file = ca }, err, sizeof(err)),
		   0, "client context trusting the harness CA");
	TAP_EQ_INT(tls_client_ctx(&mctx,
				  &(struct tls_ctx_opts){
					  .ca_file = ca, .cert_file = cert, .key_file = key },
				  err, sizeof(err)),
		   0, "client context with the harness client certificate");
	TAP_OK(mkdtemp(dir) != NULL && hostile_start(dir) == 0, "hostile endpoints up");

	struct zk_probe_env env = {
		.loop = loop, .tls = ctx, .ca_file = ca, .timeout_ms = TIMEOUT_MS
	};
	struct zk_probe_env anon = env, mtls = env;
	anon.anonymous_read = true;
	mtls.tls = mctx;
	mtls.cert_file = cert;
	mtls.key_file = key;

	struct mp_cluster *c_main = mp_report_add_cluster(rep, "main");
	struct mp_cluster *c_plain = mp_report_add_cluster(rep, "plainonly");
	struct mp_cluster *c_tls = mp_report_add_cluster(rep, "tls");
	struct mp_cluster *c_bad = mp_report_add_cluster(rep, "hostile");

	struct ep *main_plain = probe(c_main, &anon, "127.0.0.1", env_port("ZK_MAIN_PLAIN"));
	struct ep *main_tls = probe(c_main, &anon, "localhost", env_port("ZK_MAIN_TLS"));
	struct ep *plainonly = probe(c_plain, &env, "127.0.0.1", env_port("ZK_PLAINONLY_PLAIN"));
	struct ep *want = probe(c_tls, &env, "localhost", env_port("ZK_WANT_TLS"));
	struct ep *need = probe(c_tls, &env, "localhost", env_port("ZK_NEED_TLS"));
	struct ep *need_m = probe(c_tls, &mtls, "localhost", env_port("ZK_NEED_TLS"));
	struct ep *expired = probe(c_tls, &env, "localhost", env_port("ZK_EXPIRED_TLS"));
	struct ep *wrong = probe(c_tls, &env, "localhost", env_port("ZK_WRONGHOST_TLS"));
	struct ep *leg =
		legacy[0] ? probe(c_tls, &env, "localhost", env_port("ZK_LEGACY_TLS")) : NULL;
	struct ep *stall = probe(c_bad, &env, "localhost", hs.port[H_STALL]);
	struct ep *garbage = probe(c_bad, &env, "127.0.0.1", hs.port[H_GARBAGE]);
	struct ep *http = probe(c_bad, &env, "127.0.0.1", hs.port[H_HTTP]);
	struct ep *silent = probe(c_bad, &env, "127.0.0.1", hs.port[H_SILENT]);
	struct ep *refused = probe(c_bad, &env, "127.0.0.1", closed_port());
	struct ep *mtls12 = probe(c_tls, &env, "localhost", hs.port[H_MTLS12]);

	int64_t t0 = mp_now_ms();
	TAP_EQ_INT(mp_loop_run(loop), 0, "loop ran");
	printf("# all %zu endpoints in %lld ms\n", n_eps, (long long)(mp_now_ms() - t0));
	for (size_t i = 0; i < n_eps; i++) {
		show(&eps[i]);
		check_bounded(&eps[i]);
	}

	/* plaintext port of the main instance */
	struct mp_zk_endpoint *z = main_plain->z;
	TAP_OK(z->reachable && z->speaks_zookeeper == 1 && !z->tls,
	       "main plain: ZooKeeper, no TLS");
	TAP_EQ_STR(z->srvr_status, "ok", "main plain: srvr answered");
	TAP_OK(strstr(z->srvr, "Zookeeper version: 3.8.0") != NULL, "main plain: srvr says 3.8.0");
	TAP_OK(strstr(z->srvr, "Mode: standalone") != NULL, "main plain: srvr mode");
	TAP_EQ_INT(z->anonymous_read, 1, "main plain: anonymous listing allowed");
	TAP_OK(strstr(z->anonymous_detail, "/: 1 child") &&
		       strstr(z->anonymous_detail, "/brokers/ids: no such node") &&
		       strstr(z->anonymous_detail, "/kafka-acl: no such node"),
	       "main plain: listing detail '%s'", z->anonymous_detail);
	TAP_EQ_STR(z->error, "", "main plain: no error");

	/* TLS port of the main instance */
	z = main_tls->z;
	TAP_OK(z->reachable && z->tls, "main TLS: a TLS port");
	if (z->tls) {
		struct mp_tls_info *t = z->tls;
		TAP_EQ_STR(t->handshake, "ok", "main TLS: handshake");
		TAP_EQ_INT(t->speaks_zookeeper, 1, "main TLS: ZooKeeper behind TLS");
		TAP_EQ_STR(t->verify, "ok", "main TLS: chain verifies against the harness CA");
		TAP_EQ_INT(t->hostname_match, 1, "main TLS: certificate names localhost");
		TAP_EQ_STR(t->client_cert, "none", "main TLS: no client certificate asked");
		TAP_OK(accepted(t, "TLSv1.2") && accepted(t, "TLSv1.3") && !accepted(t, "TLSv1") &&
			       !accepted(t, "TLSv1.1"),
		       "main TLS: accepts TLSv1.2 and TLSv1.3 only (%u)", t->n_accepted);
		TAP_OK(t->n_chain >= 1 && strstr(t->chain[0].subject, "localhost"),
		       "main TLS: the chain starts with the server certificate");
	}
	TAP_EQ_STR(z->srvr_status, "ok", "main TLS: srvr answered inside TLS");
	TAP_EQ_INT(z->anonymous_read, 1, "main TLS: anonymous listing allowed");

	TAP_OK(plainonly->z->speaks_zookeeper == 1 && !plainonly->z->tls,
	       "plainonly: ZooKeeper, no TLS");

	TAP_OK(want->z->tls && strcmp(want->z->tls->client_cert, "requested") == 0 &&
		       want->z->tls->speaks_zookeeper == 1,
	       "want: client certificate requested, session without one");

	TAP_OK(need->z->tls && strcmp(need->z->tls->client_cert, "required") == 0,
	       "need, no certificate: client certificate required");
	TAP_OK(need->z->tls && strcmp(need->z->tls->handshake, "failed") == 0 &&
		       strstr(need->z->tls->error, "requires a client certificate"),
	       "need, no certificate: the failure says why");
	TAP_OK(need->z->tls && need->z->tls->n_chain >= 1,
	       "need, no certificate: the chain is still inspected");
	TAP_OK(need->z->tls && accepted(need->z->tls, "TLSv1.2") &&
		       accepted(need->z->tls, "TLSv1.3"),
	       "need, no certificate: versions still probed");

	struct mp_tls_info *t12 = mtls12->z->tls;
	TAP_OK(t12 && strcmp(t12->client_cert, "required") == 0 &&
		       strcmp(t12->handshake, "failed") == 0,
	       "mutual TLS 1.2, no certificate: required, handshake failed");
	TAP_OK(t12 && t12->n_chain >= 1 && strcmp(t12->verify, "ok") != 0 &&
		       t12->hostname_match == 1 && strcmp(t12->protocol, "TLSv1.2") == 0,
	       "mutual TLS 1.2: chain, verification and name inspected inside the failed "
	       "handshake");
	TAP_OK(t12 && accepted(t12, "TLSv1.2") && !accepted(t12, "TLSv1.3"),
	       "mutual TLS 1.2: TLSv1.2 accepted (it got as far as the CertificateRequest)");
	TAP_OK(need_m->z->tls && strcmp(need_m->z->tls->handshake, "ok") == 0 &&
		       need_m->z->tls->speaks_zookeeper == 1,
	       "need with the client certificate: mutual TLS session");
	TAP_OK(need_m->z->tls && strcmp(need_m->z->tls->client_cert, "required") == 0,
	       "need with the client certificate: still found required");

	TAP_OK(expired->z->tls && expired->z->tls->n_chain >= 1 &&
		       expired->z->tls->chain[0].days_left < 0,
	       "expired: negative days left");
	TAP_OK(wrong->z->tls && wrong->z->tls->hostname_match == 0, "wronghost: no host match");

	if (leg)
		TAP_OK(accepted(leg->z->tls, "TLSv1") && accepted(leg->z->tls, "TLSv1.1"),
		       "legacy: TLSv1 and TLSv1.1 accepted");
	else
		printf("# legacy instance not available (ZK_LEGACY_TLS empty): skipped\n");

	/* hostile endpoints: each a clear error */
	TAP_OK(stall->z->reachable && stall->z->tls &&
		       strstr(stall->z->error, "stalled after the ServerHello"),
	       "stalling TLS server: '%s'", stall->z->error);
	TAP_OK(garbage->z->reachable && !garbage->z->tls && garbage->z->speaks_zookeeper == 0 &&
		       strstr(garbage->z->error, "neither TLS nor ZooKeeper"),
	       "garbage server: '%s'", garbage->z->error);
	TAP_OK(http->z->reachable && !http->z->tls && http->z->speaks_zookeeper == 0 &&
		       strstr(http->z->error, "neither TLS nor ZooKeeper"),
	       "HTTP server: '%s'", http->z->error);
	TAP_OK(strstr(http->z->srvr_status, "not ZooKeeper: \"HTTP/1.1 400"),
	       "HTTP server: srvr status '%s'", http->z->srvr_status);
	TAP_OK(silent->z->reachable && strstr(silent->z->error, "no answer within"),
	       "silent port: '%s'", silent->z->error);
	TAP_OK(!refused->z->reachable && strcmp(refused->z->error, "connection refused") == 0,
	       "closed port: '%s'", refused->z->error);

	/* findings */
	TAP_EQ_INT(zk_findings(c_main, &pol), 0, "findings: main");
	TAP_EQ_INT(zk_findings(c_plain, &pol), 0, "findings: plainonly");
	TAP_EQ_INT(zk_findings(c_tls, &pol), 0, "findings: TLS instances");
	TAP_EQ_INT(zk_findings(c_bad, &pol), 0, "findings: hostile");
	char ep[64];
	mp_fmt(ep, sizeof(ep), "127.0.0.1:%u", main_plain->z->port);
	TAP_OK(has_finding(c_main, "ZK_PLAINTEXT_REACHABLE", ep), "main: ZK_PLAINTEXT_REACHABLE");
	TAP_EQ_INT(severity_of(c_main, "ZK_PLAINTEXT_REACHABLE"), MP_SEV_HIGH, "... high");
	TAP_OK(!has_finding(c_main, "ZK_TLS_UNAVAILABLE", NULL), "main: TLS is available");
	TAP_OK(has_finding(c_main, "ZK_ANONYMOUS_READ", NULL), "main: ZK_ANONYMOUS_READ");
	TAP_OK(!has_finding(c_main, "TLS_CERT_UNTRUSTED", NULL) &&
		       !has_finding(c_main, "TLS_HOSTNAME_MISMATCH", NULL) &&
		       !has_finding(c_main, "TLS_LEGACY_PROTOCOL", NULL) &&
		       !has_finding(c_main, "TLS_HANDSHAKE_FAILED", NULL),
	       "main: its TLS port raises nothing");
	TAP_OK(has_finding(c_plain, "ZK_TLS_UNAVAILABLE", NULL) &&
		       has_finding(c_plain, "ZK_PLAINTEXT_REACHABLE", NULL),
	       "plainonly: ZK_TLS_UNAVAILABLE and ZK_PLAINTEXT_REACHABLE");
	mp_fmt(ep, sizeof(ep), "localhost:%u", expired->z->port);
	TAP_OK(has_finding(c_tls, "TLS_CERT_EXPIRED", ep), "expired: TLS_CERT_EXPIRED");
	mp_fmt(ep, sizeof(ep), "localhost:%u", wrong->z->port);
	TAP_OK(has_finding(c_tls, "TLS_HOSTNAME_MISMATCH", ep), "wronghost: TLS_HOSTNAME_MISMATCH");
	mp_fmt(ep, sizeof(ep), "localhost:%u", need->z->port);
	TAP_OK(has_finding(c_tls, "TLS_CLIENT_CERT_REQUIRED", ep),
	       "need: TLS_CLIENT_CERT_REQUIRED");
	if (leg) {
		mp_fmt(ep, sizeof(ep), "localhost:%u", leg->z->port);
		TAP_OK(has_finding(c_tls, "TLS_LEGACY_PROTOCOL", ep),
		       "legacy: TLS_LEGACY_PROTOCOL");
	}
	TAP_OK(!has_finding(c_tls, "ZK_PLAINTEXT_REACHABLE", NULL), "TLS instances: no plaintext");
	TAP_OK(has_finding(c_bad, "TLS_HANDSHAKE_FAILED", NULL), "stall: TLS_HANDSHAKE_FAILED");
	TAP_OK(!has_finding(c_bad, "ZK_PLAINTEXT_REACHABLE", NULL) &&
		       !has_finding(c_bad, "ZK_TLS_UNAVAILABLE", NULL),
	       "hostile: no ZooKeeper findings from non-ZooKeeper ports");

	/* evidence never carries PEM or payload */
	for (size_t k = 0; k < rep->n_clusters; k++)
		for (size_t i = 0; i < rep->clusters[k]->n_findings; i++) {
			char *s = cJSON_PrintUnformatted(rep->clusters[k]->findings[i].evidence);
			TAP_OK(s && !strstr(s, "BEGIN CERTIFICATE") &&
				       !strstr(s, "Zookeeper version"),
			       "%s evidence is facts only: %s", rep->clusters[k]->findings[i].id,
			       s ? s : "(null)");
			free(s);
		}

	hostile_stop();
	static const char *const files[] = { "ca.pem", "server.pem", "server-key.pem" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char f[sizeof(dir) + 32];
		mp_fmt(f, sizeof(f), "%s/%s", dir, files[i]);
		unlink(f);
	}
	rmdir(dir);
	mp_loop_free(loop);
	SSL_CTX_free(ctx);
	SSL_CTX_free(mctx);
	mp_report_free(rep);
	return tap_done();
}
