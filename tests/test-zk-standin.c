/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ZooKeeper stand-in (lab/standin_zk.c, STANDIN_ZOOKEEPER) over real
 * sockets on 127.0.0.1. Two clients: mskprobe's own ZooKeeper endpoint
 * probe (probe/zk_probe.c), which must judge the stand-in as it judges a
 * real ZooKeeper 3.8 (tests/test-zk-probe.c), and raw blocking sockets for
 * the exact bytes (ConnectResponse forms, ping reply, closeSession, an
 * unknown session) and for hostile clients.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "loop.h"
#include "model.h"
#include "pki.h"
#include "standin.h"
#include "tap.h"
#include "tls.h"
#include "util.h"
#include "zk_probe.h"
#include "zk_wire.h"

#define TIMEOUT_MS    2000
#define IO_TIMEOUT_MS 3000
#define IDLE_MS	      400

static struct standin_server *srv;

static uint16_t add(const struct standin_opts *o)
{
	char err[256];
	uint16_t port = 0;
	if (standin_add(srv, o, &port, err, sizeof(err)))
		printf("# standin_add: %s\n", err);
	return port;
}

/* ---- raw client -------------------------------------------------------- */

static int raw_open(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_MS / 1000 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read until n bytes, EOF or the timeout; returns the count, -1 on a timeout with none. */
static ssize_t raw_read(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = recv(fd, p + got, n - got, 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		if (r < 0)
			return got ? (ssize_t)got : -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static bool raw_eof(int fd)
{
	uint8_t b;
	return raw_read(fd, &b, 1) == 0;
}

/* Send a frame and read one framed answer's payload (at most cap bytes). */
static ssize_t raw_xchg(int fd, const uint8_t *req, size_t len, uint8_t *ans, size_t cap)
{
	uint8_t h[4];
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len || raw_read(fd, h, 4) != 4)
		return -1;
	size_t n = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
	if (n > cap)
		return -1;
	return raw_read(fd, ans, n) == (ssize_t)n ? (ssize_t)n : -1;
}

static ssize_t connect_xchg(int fd, bool old_client, int64_t session, uint8_t *ans, size_t cap)
{
	struct zk_connect_req q = { .timeout_ms = 100000,
				    .session_id = session,
				    .has_read_only = !old_client };
	uint8_t *req = NULL;
	size_t len = 0;
	if (zk_encode_connect_req(&q, &req, &len))
		return -1;
	ssize_t n = raw_xchg(fd, req, len, ans, cap);
	free(req);
	return n;
}

static ssize_t request_xchg(int fd, int32_t xid, int32_t op, const char *path, uint8_t *ans,
			    size_t cap)
{
	struct zk_request q = { .xid = xid, .op = op };
	uint8_t *req = NULL;
	size_t len = 0;
	mp_strlcpy(q.path, path ? path : "", sizeof(q.path));
	if (zk_encode_request(&q, &req, &len))
		return -1;
	ssize_t n = raw_xchg(fd, req, len, ans, cap);
	free(req);
	return n;
}

static void test_wire(uint16_t port)
{
	static const uint8_t ping_reply_head[] = { 0xff, 0xff, 0xff, 0xfe };
	uint8_t ans[512];
	struct zk_connect_resp cr;
	struct zk_reply rp;
	int fd = raw_open(port);

	ssize_t n = connect_xchg(fd, false, 0, ans, sizeof(ans));
	TAP_EQ_INT(n, 37, "ConnectResponse is 37 bytes");
	TAP_OK(n > 0 && zk_decode_connect_resp(ans, (size_t)n, &cr) == 0 && cr.session_id != 0 &&
		       cr.passwd_len == 16 && cr.timeout_ms == 40000 && !cr.read_only,
	       "a new session, a 16-byte password, 100 s clamped to 20 ticks (40000)");
	n = request_xchg(fd, ZK_XID_PING, ZK_OP_PING, NULL, ans, sizeof(ans));
	TAP_OK(n == 16 && memcmp(ans, ping_reply_head, 4) == 0 && ans[12] == 0 && ans[15] == 0,
	       "ping: reply xid -2, a zxid, error 0 (%zd bytes)", n);
	n = request_xchg(fd, 1, ZK_OP_GET_CHILDREN, "/brokers/ids", ans, sizeof(ans));
	TAP_OK(n > 0 && zk_decode_reply(ans, (size_t)n, ZK_OP_GET_CHILDREN, 1, &rp) == 0 &&
		       rp.err == 0 && rp.n_children == 3 && strcmp(rp.names[2], "3") == 0,
	       "getChildren /brokers/ids lists brokers 1, 2, 3");
	n = request_xchg(fd, 2, ZK_OP_GET_CHILDREN, "/nope", ans, sizeof(ans));
	TAP_OK(n > 0 && zk_decode_reply(ans, (size_t)n, ZK_OP_GET_CHILDREN, 2, &rp) == 0 &&
		       rp.err == ZK_ERR_NONODE,
	       "getChildren of an unknown path: NONODE");
	n = request_xchg(fd, 3, ZK_OP_CLOSE_SESSION, NULL, ans, sizeof(ans));
	TAP_OK(n == 16 && zk_decode_reply(ans, (size_t)n, ZK_OP_CLOSE_SESSION, 3, &rp) == 0 &&
		       rp.err == 0,
	       "closeSession answered");
	TAP_OK(raw_eof(fd), "then the connection closes");
	close(fd);

	fd = raw_open(port);
	n = connect_xchg(fd, true, 0, ans, sizeof(ans));
	TAP_EQ_INT(n, 36, "a 44-byte ConnectRequest (old client) gets the 36-byte response");
	close(fd);

	fd = raw_open(port);
	n = connect_xchg(fd, false, 0x1234, ans, sizeof(ans));
	TAP_OK(n == 37 && zk_decode_connect_resp(ans, (size_t)n, &cr) == 0 && cr.session_id == 0 &&
		       cr.timeout_ms == 0,
	       "an unknown session id: timeout 0, session 0");
	TAP_OK(raw_eof(fd), "and close");
	close(fd);
}

static void test_hostile(uint16_t port)
{
	static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00 };
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const uint8_t neg[] = { 0xff, 0xff, 0xff, 0xf0 };
	static const uint8_t bad_connect[] = { 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 0 };
	uint8_t ans[64];
	int fd;

	fd = raw_open(port);
	TAP_OK(send(fd, hello, sizeof(hello), MSG_NOSIGNAL) > 0 && raw_eof(fd),
	       "a TLS ClientHello on the plain port: silent close");
	close(fd);
	fd = raw_open(port);
	TAP_OK(send(fd, http, sizeof(http) - 1, MSG_NOSIGNAL) > 0 && raw_eof(fd),
	       "HTTP: silent close");
	close(fd);
	fd = raw_open(port);
	TAP_OK(send(fd, neg, sizeof(neg), MSG_NOSIGNAL) > 0 && raw_eof(fd),
	       "a negative length: silent close");
	close(fd);
	fd = raw_open(port);
	TAP_OK(send(fd, bad_connect, sizeof(bad_connect), MSG_NOSIGNAL) > 0 && raw_eof(fd),
	       "a malformed ConnectRequest: close");
	close(fd);
	fd = raw_open(port);
	TAP_OK(send(fd, "ruok", 4, MSG_NOSIGNAL) == 4 && raw_read(fd, ans, sizeof(ans)) > 0 &&
		       memcmp(ans, "ruok is not executed", 20) == 0 && raw_eof(fd),
	       "ruok: not in the whitelist, then close");
	close(fd);
	fd = raw_open(port);
	(void)connect_xchg(fd, false, 0, ans, sizeof(ans));
	TAP_OK(send(fd, "\0\0\0\x08\0\0\0\x01\0\0\0\x05", 12, MSG_NOSIGNAL) == 12 && raw_eof(fd),
	       "a write request (setData) in the session: close");
	close(fd);
	fd = raw_open(port);
	int64_t t0 = mp_now_ms();
	TAP_OK(send(fd, "\0\0", 2, MSG_NOSIGNAL) == 2 && raw_eof(fd) &&
		       mp_now_ms() - t0 < IO_TIMEOUT_MS,
	       "half a length, then nothing: closed after the idle timeout (%lld ms)",
	       (long long)(mp_now_ms() - t0));
	close(fd);
}

/* ---- the endpoint probe against the stand-in ---------------------------- */

struct ep {
	struct mp_zk_endpoint *z;
	bool done;
};

static void on_done(struct mp_zk_endpoint *z, void *ud)
{
	(void)z;
	((struct ep *)ud)->done = true;
}

static void probe(struct ep *e, struct mp_cluster *c, const struct zk_probe_env *base,
		  const char *host, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
	struct zk_probe_env env = *base;

	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e->z = mp_cluster_add_zk(c, host, port);
	env.done = on_done;
	env.ud = e;
	TAP_EQ_INT(zk_probe_start(&env, e->z, &ss, sizeof(*sa)), 0, "probe %s:%u started", host,
		   port);
}

static void test_probe(uint16_t plain, uint16_t closed, uint16_t tls, const char *ca)
{
	struct mp_report *rep = mp_report_new();
	struct mp_cluster *c = rep ? mp_report_add_cluster(rep, "zk-standin") : NULL;
	struct mp_loop *loop = NULL;
	SSL_CTX *ctx = NULL;
	char err[256];
	struct ep e[3] = { 0 };

	TAP_OK(c && mp_loop_new(&loop, 16) == 0 &&
		       tls_client_ctx(&ctx, &(struct tls_ctx_opts){ .ca_file = ca }, err,
				      sizeof(err)) == 0,
	       "report, loop and a client context trusting the stand-in's CA");
	if (!c || !loop || !ctx)
		goto out;
	struct zk_probe_env env = { .loop = loop,
				    .tls = ctx,
				    .ca_file = ca,
				    .timeout_ms = TIMEOUT_MS,
				    .anonymous_read = true };
	probe(&e[0], c, &env, "127.0.0.1", plain);
	probe(&e[1], c, &env, "127.0.0.1", closed);
	probe(&e[2], c, &env, "localhost", tls);
	TAP_EQ_INT(mp_loop_run(loop), 0, "loop ran");
	for (int i = 0; i < 3; i++)
		TAP_OK(e[i].done, "probe %d ended", i);

	const struct mp_zk_endpoint *z = e[0].z;
	TAP_OK(z->reachable && z->speaks_zookeeper == 1 && !z->tls,
	       "plain stand-in: ZooKeeper without TLS (%s)", z->error);
	TAP_EQ_STR(z->srvr_status, "ok", "plain stand-in: srvr answered");
	TAP_OK(strstr(z->srvr, "Zookeeper version: 3.8.0-") &&
		       strstr(z->srvr, "Mode: standalone") && strstr(z->srvr, "Node count: "),
	       "plain stand-in: srvr reads like Debian's 3.8");
	TAP_EQ_INT(z->anonymous_read, 1, "plain stand-in with a tree: anonymous listing works");
	TAP_OK(strstr(z->anonymous_detail, "/brokers/ids: 3 children (1, 2, 3)") != NULL,
	       "plain stand-in: detail '%s'", z->anonymous_detail);

	z = e[1].z;
	TAP_OK(z->reachable && z->speaks_zookeeper == 1, "NOAUTH stand-in: ZooKeeper");
	TAP_EQ_STR(z->srvr_status, "refused: not in the 4lw whitelist",
		   "NOAUTH stand-in: srvr refused by the whitelist");
	TAP_EQ_INT(z->anonymous_read, 0, "NOAUTH stand-in: no anonymous listing");
	TAP_OK(strstr(z->anonymous_detail, "/: denied (NOAUTH)") != NULL,
	       "NOAUTH stand-in: detail '%s'", z->anonymous_detail);

	z = e[2].z;
	TAP_OK(z->reachable && z->tls, "TLS stand-in: a TLS port (%s)", z->error);
	if (z->tls) {
		TAP_EQ_STR(z->tls->handshake, "ok", "TLS stand-in: handshake");
		TAP_EQ_STR(z->tls->verify, "ok", "TLS stand-in: chain verifies");
		TAP_EQ_INT(z->tls->hostname_match, 1, "TLS stand-in: names localhost");
		TAP_EQ_INT(z->tls->speaks_zookeeper, 1, "TLS stand-in: ZooKeeper inside TLS");
	}
	TAP_EQ_STR(z->srvr_status, "ok", "TLS stand-in: srvr inside TLS");
out:
	SSL_CTX_free(ctx);
	mp_loop_free(loop);
	mp_report_free(rep);
}

int main(void)
{
	char err[256], dir[] = "/tmp/zk-standin-test.XXXXXX";
	const char *ips[] = { "127.0.0.1" }, *dns[] = { "localhost" };
	struct pki_paths pp;
	SSL_CTX *server = NULL;
	struct standin_stats st;

	if (!mkdtemp(dir) ||
	    pki_generate(
		    &(struct pki_opts){
			    .dir = dir, .dns = dns, .n_dns = 1, .ips = ips, .n_ips = 1 },
		    &pp, err, sizeof(err)) < 0 ||
	    pki_server_ctx(&server, &pp, false, err, sizeof(err)) < 0 ||
	    standin_server_new(&srv, err, sizeof(err)) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	uint16_t plain = add(&(struct standin_opts){
		.behaviour = STANDIN_ZOOKEEPER, .zk_list = true, .idle_timeout_ms = IDLE_MS });
	uint16_t closed = add(
		&(struct standin_opts){ .behaviour = STANDIN_ZOOKEEPER, .zk_4lw_refused = true });
	uint16_t tls = add(&(struct standin_opts){ .behaviour = STANDIN_ZOOKEEPER, .tls = server });
	TAP_OK(plain && closed && tls, "three ZooKeeper stand-ins listen");
	TAP_EQ_STR(standin_behaviour_name(STANDIN_ZOOKEEPER), "zookeeper", "behaviour name");
	if (standin_server_start(srv, err, sizeof(err)) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	test_wire(plain);
	test_hostile(plain);
	test_probe(plain, closed, tls, pp.ca_cert);
	standin_stats(srv, &st);
	TAP_OK(st.answers > 0 && st.dropped > 0, "stats: %llu answers, %llu dropped",
	       (unsigned long long)st.answers, (unsigned long long)st.dropped);
	standin_server_free(srv);
	SSL_CTX_free(server);
	return tap_done();
}
