/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture joined to the scan by address, live: the real ZooKeeper of
 * tests/zk/zk-harness.sh (argv[1] is its zk.env), clients of our own holding
 * real ZooKeeper sessions over TLS and in plaintext, a capture on lo, and
 * the scan given its ZooKeeper endpoints by NAME: "localhost", and names
 * that only the test's /etc/hosts knows (zk-1.test.internal and
 * zk-2.test.internal = 127.0.0.1; tests/capture/in-hosts.sh runs this in a
 * private mount namespace with that file bound over /etc/hosts).
 *
 *   1. --zookeeper localhost:TLS, TLS sessions from other clients:
 *      traffic_encrypted proven (the capture names the server 127.0.0.1,
 *      the scan "localhost": a join by text proves nothing)
 *   2. two clusters by name, plain = zk-1.test.internal:PLAIN and
 *      tls = zk-2.test.internal:TLS; a plaintext session to PLAIN, a TLS one
 *      to TLS, and a plaintext ZooKeeper session to an unrelated 127.0.0.2:
 *      ZK_PLAINTEXT_TRAFFIC_OBSERVED in plain only, traffic_encrypted in
 *      tls only, the 127.0.0.2 flow unattributed in both sections
 *
 * Needs root (a live capture); the traffic comes from a child process, so
 * the scan's process has no other thread when its capture opens.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli_common.h"
#include "report.h"
#include "scan.h"
#include "tap.h"
#include "util.h"

#define TIMEOUT_MS  2500
#define CAPTURE_S   7
#define TRAFFIC_LAG 2 /* s: the child waits for the scan's capture to be open */

/* KEY=value lines of zk.env; the value of key into dst. */
static bool env_get(const char *path, const char *key, char *dst, size_t n)
{
	char line[1024];
	size_t kl = strlen(key);
	bool found = false;
	FILE *f = fopen(path, "r");

	dst[0] = '\0';
	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) != 0 || line[kl] != '=')
			continue;
		line[strcspn(line, "\n")] = '\0';
		found = mp_strlcpy(dst, line + kl + 1, n) < n && dst[0];
	}
	if (f)
		fclose(f);
	return found;
}

static uint16_t port_of(const char *ep)
{
	const char *c = strrchr(ep, ':');
	return c ? (uint16_t)strtoul(c + 1, NULL, 10) : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

static int connect_to(const char *ip, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* ConnectRequest v0: len 45, protocol 0, lastZxid 0, timeout 18000, session 0, passwd 16 x 0, readOnly 0. */
static const uint8_t zk_connect[49] = { 0, 0, 0, 45, [18] = 0x46, 0x50, [31] = 16 };

/* A plaintext ZooKeeper session to ip:port: ConnectRequest, read the answer (bounded), close. */
static void zk_plain_session(const char *ip, uint16_t port)
{
	uint8_t buf[64];
	int fd = connect_to(ip, port);
	if (fd < 0)
		return;
	if (write(fd, zk_connect, sizeof(zk_connect)) == (ssize_t)sizeof(zk_connect)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 2000) == 1)
			(void)!read(fd, buf, sizeof(buf));
	}
	sleep_ms(200);
	close(fd);
}

/* A TLS session to 127.0.0.1:port held a moment (handshake, a ZooKeeper ConnectRequest inside). */
static void tls_session(uint16_t port)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	int fd = connect_to("127.0.0.1", port);
	if (ssl && fd >= 0 && SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1) {
		(void)SSL_write(ssl, zk_connect, sizeof(zk_connect));
		sleep_ms(300);
		(void)SSL_shutdown(ssl);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
}

/*
 * A ZooKeeper peer of our own on 127.0.0.2 (nothing of the scan's): accepts
 * one connection and answers whatever comes with silence until it closes.
 */
static int listener_127_0_0_2(uint16_t *ret_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &l) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

/* The child: traffic once the scan's capture is open, then exit. */
static pid_t traffic(uint16_t plain, uint16_t tls, int other_fd, uint16_t other_port)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sleep_ms(TRAFFIC_LAG * 1000);
	for (int i = 0; tls && i < 2; i++)
		tls_session(tls);
	if (plain)
		zk_plain_session("127.0.0.1", plain);
	if (other_fd >= 0) {
		int c = connect_to("127.0.0.2", other_port);
		int a = accept(other_fd, NULL, NULL);
		if (c >= 0 && write(c, zk_connect, sizeof(zk_connect)) > 0)
			sleep_ms(300);
		if (c >= 0)
			close(c);
		if (a >= 0)
			close(a);
	}
	_exit(0);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const cJSON *cluster(const cJSON *rep, const char *name)
{
	const cJSON *c;
	cJSON_ArrayForEach (c, get(rep, "clusters")) {
		const cJSON *nm = get(c, "name");
		if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
			return c;
	}
	return NULL;
}

static bool proven(const cJSON *c, const char *what)
{
	return cJSON_IsTrue(get(get(c, "proven"), what));
}

static const cJSON *finding(const cJSON *c, const char *id)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, get(c, "findings")) {
		const cJSON *fid = get(f, "id");
		if (cJSON_IsString(fid) && strcmp(fid->valuestring, id) == 0)
			return f;
	}
	return NULL;
}

/* Some element of arr (strings, or objects' key) equals want. */
static bool has(const cJSON *arr, const char *key, const char *want)
{
	const cJSON *e;
	cJSON_ArrayForEach (e, arr) {
		const cJSON *s = key ? get(e, key) : e;
		if (cJSON_IsString(s) && strcmp(s->valuestring, want) == 0)
			return true;
	}
	return false;
}

/* Every element's key equals want (and there is one). */
static bool all(const cJSON *arr, const char *key, const char *want)
{
	const cJSON *e;
	int n = 0;
	cJSON_ArrayForEach (e, arr) {
		const cJSON *s = get(e, key);
		if (!cJSON_IsString(s) || strcmp(s->valuestring, want) != 0)
			return false;
		n++;
	}
	return n > 0;
}

static bool flow(const cJSON *c, const char *server, const char *cls)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, get(get(c, "capture"), "flows")) {
		const cJSON *s = get(f, "server"), *k = get(f, "class");
		if (cJSON_IsString(s) && cJSON_IsString(k) && strcmp(s->valuestring, server) == 0 &&
		    strcmp(k->valuestring, cls) == 0)
			return true;
	}
	return false;
}

static void show(const cJSON *c)
{
	char *t = cJSON_PrintUnformatted(get(c, "capture"));
	printf("# %s capture: %.600s\n",
	       cJSON_IsString(get(c, "name")) ? get(c, "name")->valuestring : "?", t ? t : "null");
	free(t);
}

static cJSON *run(struct scan_cluster_spec *specs, size_t n, const char *ca, pid_t child)
{
	struct scan_opts o;
	struct mp_report *r = NULL;
	char err[256] = "";
	int status;
	cJSON *j = NULL;

	cli_default_opts(&o);
	o.clusters = specs;
	o.n_clusters = n;
	o.timeout_ms = TIMEOUT_MS;
	o.ca_file = ca;
	o.discover = false;
	o.capture_iface = "lo";
	o.capture_seconds = CAPTURE_S;
	o.capture_keep_privileges = true; /* two scans, two live captures */
	TAP_EQ_INT(scan_run(&o, &r, err, sizeof(err)), 0, "scan ran: %s", err);
	if (child > 0)
		waitpid(child, &status, 0);
	if (r)
		j = rep_to_json(r);
	mp_report_free(r);
	return j;
}

int main(int argc, char **argv)
{
	char ca[1024], plain_ep[64], tls_ep[64], ep[4][80];
	struct addrinfo *ai = NULL, hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	uint16_t other_port = 0;
	cJSON *j = NULL;

	if (argc < 2 || !env_get(argv[1], "ZK_CA", ca, sizeof(ca)) ||
	    !env_get(argv[1], "ZK_MAIN_PLAIN", plain_ep, sizeof(plain_ep)) ||
	    !env_get(argv[1], "ZK_MAIN_TLS", tls_ep, sizeof(tls_ep))) {
		printf("1..0 # SKIP no zk.env (run through tests/zk/run-zk-tests.sh)\n");
		return 77;
	}
	if (getaddrinfo("zk-1.test.internal", NULL, &hints, &ai) != 0) {
		printf("1..0 # SKIP zk-1.test.internal does not resolve (run through "
		       "tests/capture/in-hosts.sh)\n");
		return 77;
	}
	freeaddrinfo(ai);
	uint16_t plain = port_of(plain_ep), tls = port_of(tls_ep);

	/* 1. the reproduction: --zookeeper localhost:TLS */
	mp_fmt(ep[0], sizeof(ep[0]), "localhost:%u", tls);
	const char *zk1[] = { ep[0] };
	struct scan_cluster_spec one = { .name = "one", .zookeeper = zk1, .n_zookeeper = 1 };
	j = run(&one, 1, ca, traffic(0, tls, -1, 0));
	const cJSON *c = cluster(j, "one");
	const cJSON *z = get(c, "zookeeper") ? cJSON_GetArrayItem(get(c, "zookeeper"), 0) : NULL;
	char server[80];
	mp_fmt(server, sizeof(server), "127.0.0.1:%u", tls);
	show(c);
	TAP_OK(has(get(z, "addresses"), NULL, "127.0.0.1"), "localhost: its addresses are listed");
	TAP_OK(cJSON_IsString(get(z, "connected")) &&
		       strcmp(get(z, "connected")->valuestring, "127.0.0.1") == 0,
	       "localhost: the address the probe connected to");
	TAP_OK(flow(c, server, "tls"),
	       "localhost: the other clients' TLS flows are this cluster's");
	TAP_OK(proven(c, "traffic_encrypted"),
	       "--zookeeper localhost:PORT proves traffic_encrypted (TLS sessions, no plaintext)");
	TAP_OK(!finding(c, "ZK_PLAINTEXT_TRAFFIC_OBSERVED"), "localhost: no plaintext finding");
	cJSON_Delete(j);

	/* 2. two clusters by names from the test's hosts file */
	int other = listener_127_0_0_2(&other_port);
	TAP_OK(other >= 0, "a peer of our own on 127.0.0.2");
	mp_fmt(ep[1], sizeof(ep[1]), "zk-1.test.internal:%u", plain);
	mp_fmt(ep[2], sizeof(ep[2]), "zk-2.test.internal:%u", tls);
	const char *zk_plain[] = { ep[1] }, *zk_tls[] = { ep[2] };
	struct scan_cluster_spec two[2] = {
		{ .name = "plain", .zookeeper = zk_plain, .n_zookeeper = 1 },
		{ .name = "tls", .zookeeper = zk_tls, .n_zookeeper = 1 },
	};
	j = run(two, 2, ca, traffic(plain, tls, other, other_port));
	if (other >= 0)
		close(other);
	const cJSON *cp = cluster(j, "plain"), *ct = cluster(j, "tls");
	show(cp);
	show(ct);
	z = get(cp, "zookeeper") ? cJSON_GetArrayItem(get(cp, "zookeeper"), 0) : NULL;
	TAP_OK(cJSON_IsString(get(z, "host")) &&
		       strcmp(get(z, "host")->valuestring, "zk-1.test.internal") == 0 &&
		       has(get(z, "addresses"), NULL, "127.0.0.1"),
	       "zk-1.test.internal: kept as written, with the address it resolved to");
	const cJSON *pf = finding(cp, "ZK_PLAINTEXT_TRAFFIC_OBSERVED");
	mp_fmt(server, sizeof(server), "127.0.0.1:%u", plain);
	TAP_OK(pf != NULL, "plain: ZK_PLAINTEXT_TRAFFIC_OBSERVED attached");
	TAP_OK(all(get(get(pf, "evidence"), "pairs"), "server", server),
	       "plain: the finding names only the flows to its endpoint");
	TAP_OK(!finding(ct, "ZK_PLAINTEXT_TRAFFIC_OBSERVED"), "tls: no plaintext finding");
	TAP_OK(!proven(cp, "traffic_encrypted"), "plain: traffic not encrypted");
	TAP_OK(proven(ct, "traffic_encrypted"), "tls: traffic_encrypted proven by name");
	char other_server[80];
	mp_fmt(other_server, sizeof(other_server), "127.0.0.2:%u", other_port);
	TAP_OK(has(get(get(get(cp, "capture"), "unattributed"), "servers"), NULL, other_server) &&
		       has(get(get(get(ct, "capture"), "unattributed"), "servers"), NULL,
			   other_server),
	       "the flow to 127.0.0.2 is unattributed, in both sections");
	TAP_OK(!flow(cp, other_server, "zookeeper-plaintext") &&
		       !flow(ct, other_server, "zookeeper-plaintext"),
	       "and listed as no cluster's flow");
	cJSON_Delete(j);
	return tap_done();
}
