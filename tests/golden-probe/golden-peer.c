/* SPDX-License-Identifier: Apache-2.0 */
/*
 * golden-peer: the peers of the probe golden test (tests/golden-probe/run.py).
 *
 *   golden-peer serve CASEDIR TMPDIR LISTENER...
 *     LISTENER = NAME:kafka|zookeeper[+tls][+sasl]. Serves the recorded
 *     answers of CASEDIR/NAME/ (lab/standin_replay.c says which file
 *     answers what) on 127.0.0.1, one replay stand-in per listener, TLS
 *     ones with a throw-away PKI written to TMPDIR. Prints "NAME PORT" per
 *     listener, "ca PATH" and "ready", then serves until stdin closes.
 *
 *   golden-peer record OUTDIR kafka RELEASE MODE [sasl]
 *   golden-peer record OUTDIR zookeeper [list] [refused]
 *     Records a stand-in's answers into OUTDIR in that layout: Kafka,
 *     ApiVersions v0-4 (18-vN.bin) and, with sasl, SaslHandshake v1
 *     offering PLAIN (17-v1.bin); ZooKeeper, srvr, a new session's
 *     ConnectResponse, ping, getChildren of /, /brokers/ids and
 *     /kafka-acl, closeSession. Real recordings (from a broker or a
 *     ZooKeeper server) go in the same layout.
 *
 * Exit 0, or 1 with one line on stderr naming what failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fp.h"
#include "kafka_apiv.h"
#include "pki.h"
#include "standin.h"
#include "util.h"
#include "zk_wire.h"

#define LISTENERS_MAX 16
#define IO_TIMEOUT_S  5
#define ANSWER_MAX    (64u * 1024u)

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "golden-peer: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* ---- serve ---------------------------------------------------------------- */

static int serve(const char *casedir, const char *tmpdir, int n, char **specs)
{
	struct standin_server *srv = NULL;
	struct pki_paths pki = { 0 };
	SSL_CTX *tls = NULL;
	char err[512], dir[PKI_PATH_MAX], names[LISTENERS_MAX][64];
	uint16_t ports[LISTENERS_MAX];
	int rc = 1;

	if (n > LISTENERS_MAX)
		return fail("more than %d listeners", LISTENERS_MAX);
	if (standin_server_new(&srv, err, sizeof(err)))
		return fail("%s", err);
	for (int i = 0; i < n; i++) {
		struct standin_opts o = { .idle_timeout_ms = 30000 };
		char *colon = strchr(specs[i], ':');
		if (!colon || (size_t)(colon - specs[i]) >= sizeof(names[i])) {
			fail("bad listener '%s'", specs[i]);
			goto out;
		}
		memcpy(names[i], specs[i], (size_t)(colon - specs[i]));
		names[i][colon - specs[i]] = '\0';
		const char *kind = colon + 1;
		if (strncmp(kind, "kafka", 5) == 0)
			o.behaviour = STANDIN_REPLAY;
		else if (strncmp(kind, "zookeeper", 9) == 0)
			o.behaviour = STANDIN_ZK_REPLAY;
		else {
			fail("bad listener kind '%s'", kind);
			goto out;
		}
		o.sasl = strstr(kind, "+sasl") != NULL;
		if (strstr(kind, "+tls")) {
			if (!tls) {
				static const char *const ips[] = { "127.0.0.1" };
				static const char *const dns[] = { "localhost" };
				/* valid long enough that expiry is no finding */
				struct pki_opts po = { .dir = tmpdir,
						       .ips = ips,
						       .n_ips = 1,
						       .dns = dns,
						       .n_dns = 1,
						       .not_after =
							       (int64_t)time(NULL) + 400 * 86400 };
				if (pki_generate(&po, &pki, err, sizeof(err)) ||
				    pki_server_ctx(&tls, &pki, false, err, sizeof(err))) {
					fail("PKI: %s", err);
					goto out;
				}
			}
			o.tls = tls;
		}
		mp_fmt(dir, sizeof(dir), "%s/%s", casedir, names[i]);
		o.replay_dir = dir;
		if (standin_add(srv, &o, &ports[i], err, sizeof(err))) {
			fail("%s", err);
			goto out;
		}
	}
	if (standin_server_start(srv, err, sizeof(err))) {
		fail("%s", err);
		goto out;
	}
	for (int i = 0; i < n; i++)
		printf("%s %u\n", names[i], ports[i]);
	printf("ca %s\nready\n", pki.ca_cert[0] ? pki.ca_cert : "-");
	fflush(stdout);
	char b[64];
	while (read(0, b, sizeof(b)) > 0) {
		/* serve until the runner closes our stdin */
	}
	rc = 0;
out:
	standin_server_free(srv);
	SSL_CTX_free(tls);
	return rc;
}

/* ---- record --------------------------------------------------------------- */

static int dial(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
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

/* Read exactly n bytes (or to EOF with eof_ok); the count or -1. */
static ssize_t read_n(int fd, uint8_t *p, size_t n, bool eof_ok)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = recv(fd, p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return eof_ok && r == 0 ? (ssize_t)got : -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Send req, read one int32-framed answer (frame included) into ans. */
static ssize_t xchg(int fd, const uint8_t *req, size_t len, uint8_t *ans)
{
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len || read_n(fd, ans, 4, false) != 4)
		return -1;
	size_t n = (size_t)ans[0] << 24 | (size_t)ans[1] << 16 | (size_t)ans[2] << 8 | ans[3];
	if (n > ANSWER_MAX - 4 || read_n(fd, ans + 4, n, false) != (ssize_t)n)
		return -1;
	return (ssize_t)(n + 4);
}

static int save(const char *dir, const char *name, const uint8_t *p, ssize_t n)
{
	char path[PKI_PATH_MAX];
	if (n < 0)
		return fail("no answer for %s", name);
	mp_fmt(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0)
		return fail("cannot write %s", path);
	return 0;
}

static int record_kafka(const char *dir, uint16_t port, bool sasl)
{
	static uint8_t ans[ANSWER_MAX];
	char name[32];

	for (int16_t v = 0; v <= KAFKA_APIV_MAX_REQUEST; v++) {
		uint8_t *req = NULL;
		size_t len = 0;
		int fd = dial(port);
		if (fd < 0 ||
		    kafka_apiv_encode_request(v, 1, "mskprobe", "mskprobe", "0.1.0", &req, &len))
			return fail("cannot ask ApiVersions");
		ssize_t n = xchg(fd, req, len, ans);
		free(req);
		close(fd);
		mp_fmt(name, sizeof(name), "18-v%d.bin", v);
		if (save(dir, name, ans, n))
			return 1;
	}
	if (sasl) {
		/* SaslHandshake v1, client id "mskprobe", mechanism PLAIN */
		static const uint8_t hs[] = { 0,   0,	0, 25, 0,   17,	 0,   1,   0,	0,
					      0,   1,	0, 8,  'm', 's', 'k', 'p', 'r', 'o',
					      'b', 'e', 0, 5,  'P', 'L', 'A', 'I', 'N' };
		int fd = dial(port);
		ssize_t n = fd < 0 ? -1 : xchg(fd, hs, sizeof(hs), ans);
		if (fd >= 0)
			close(fd);
		if (save(dir, "17-v1.bin", ans, n))
			return 1;
	}
	return 0;
}

static ssize_t zk_ask(int fd, struct zk_request *q, uint8_t *ans)
{
	uint8_t *req = NULL;
	size_t len = 0;
	if (zk_encode_request(q, &req, &len))
		return -1;
	ssize_t n = xchg(fd, req, len, ans);
	free(req);
	return n;
}

static int record_zk(const char *dir, uint16_t port)
{
	static uint8_t ans[ANSWER_MAX];
	struct zk_connect_req cq = { .timeout_ms = 30000, .has_read_only = true };
	static const char *const paths[] = { "/", "/brokers/ids", "/kafka-acl" };
	uint8_t *req = NULL;
	size_t len = 0;
	char name[64];
	int fd = dial(port);

	if (fd < 0 || send(fd, "srvr", 4, MSG_NOSIGNAL) != 4)
		return fail("cannot ask srvr");
	ssize_t n = read_n(fd, ans, ANSWER_MAX, true);
	close(fd);
	if (save(dir, "srvr.txt", ans, n))
		return 1;
	fd = dial(port);
	if (fd < 0 || zk_encode_connect_req(&cq, &req, &len))
		return fail("cannot connect a session");
	n = xchg(fd, req, len, ans);
	free(req);
	if (save(dir, "connect.bin", ans, n))
		goto fail;
	struct zk_request ping = { .xid = ZK_XID_PING, .op = ZK_OP_PING };
	if (save(dir, "op11.bin", ans, zk_ask(fd, &ping, ans)))
		goto fail;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct zk_request q = { .xid = (int32_t)i + 1, .op = ZK_OP_GET_CHILDREN };
		mp_strlcpy(q.path, paths[i], sizeof(q.path));
		mp_fmt(name, sizeof(name), "op8-%s.bin", paths[i]);
		for (char *ch = name; *ch; ch++)
			if (*ch == '/')
				*ch = '_';
		if (save(dir, name, ans, zk_ask(fd, &q, ans)))
			goto fail;
	}
	struct zk_request bye = { .xid = 9, .op = ZK_OP_CLOSE_SESSION };
	if (save(dir, "op-11.bin", ans, zk_ask(fd, &bye, ans)))
		goto fail;
	close(fd);
	return 0;
fail:
	close(fd);
	return 1;
}

static int record(int argc, char **argv)
{
	struct standin_server *srv = NULL;
	struct fp_table *table = NULL;
	struct standin_opts o = { 0 };
	char err[512];
	uint16_t port = 0;
	int rc = 1;

	if (argc < 2)
		return fail("usage: golden-peer record OUTDIR kafka|zookeeper ...");
	if (mkdir(argv[0], 0755) < 0 && errno != EEXIST)
		return fail("cannot create %s", argv[0]);
	bool kafka = strcmp(argv[1], "kafka") == 0;
	if (kafka) {
		if (argc < 4)
			return fail("record kafka needs RELEASE and MODE");
		if (fp_table_builtin(&table, err, sizeof(err)))
			return fail("%s", err);
		o.row = fp_table_find(table, argv[2],
				      strcmp(argv[3], "kraft") == 0 ? FP_MODE_KRAFT : FP_MODE_ZK);
		if (!o.row) {
			fail("no row %s %s", argv[2], argv[3]);
			goto out;
		}
		o.sasl = argc > 4 && strcmp(argv[4], "sasl") == 0;
		o.sasl_mechanisms = "SCRAM-SHA-512,PLAIN";
	} else if (strcmp(argv[1], "zookeeper") == 0) {
		o.behaviour = STANDIN_ZOOKEEPER;
		for (int i = 2; i < argc; i++) {
			o.zk_list |= strcmp(argv[i], "list") == 0;
			o.zk_4lw_refused |= strcmp(argv[i], "refused") == 0;
		}
	} else {
		return fail("unknown kind '%s'", argv[1]);
	}
	if (standin_server_new(&srv, err, sizeof(err)) ||
	    standin_add(srv, &o, &port, err, sizeof(err)) ||
	    standin_server_start(srv, err, sizeof(err))) {
		fail("%s", err);
		goto out;
	}
	rc = kafka ? record_kafka(argv[0], port, o.sasl) : record_zk(argv[0], port);
out:
	standin_server_free(srv);
	fp_table_free(table);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3], argc - 4, argv + 4);
	if (argc >= 2 && strcmp(argv[1], "record") == 0)
		return record(argc - 2, argv + 2);
	fprintf(stderr,
		"usage: golden-peer serve CASEDIR TMPDIR LISTENER... | record OUTDIR ...\n");
	return 2;
}
