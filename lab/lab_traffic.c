/* SPDX-License-Identifier: Apache-2.0 */
#include "lab_traffic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"
#include "bytes.h"
#include "kafka_apiv.h"
#include "zk_wire.h"

#define LAB_TARGETS_MAX 8u
#define IO_TIMEOUT_MS	1000

struct lab_traffic {
	struct lab_zk_target t[LAB_TARGETS_MAX];
	size_t n;
	int period_ms;
	int stop[2]; /* pipe: readable when stopping */
	pthread_t th;
	bool started;
};

struct conn {
	int fd;
	SSL *ssl;
};

static int conn_write(struct conn *c, const uint8_t *p, size_t n)
{
	if (c->ssl)
		return SSL_write(c->ssl, p, (int)n) == (int)n ? 0 : -EIO;
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int conn_read(struct conn *c, uint8_t *p, size_t n)
{
	while (n) {
		int r = c->ssl ? SSL_read(c->ssl, p, (int)n) : (int)recv(c->fd, p, n, 0);
		if (r <= 0)
			return -EIO;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One framed answer, bounded; its content does not matter here. */
static int read_frame(struct conn *c)
{
	uint8_t len[4], buf[1024];
	if (conn_read(c, len, 4) < 0)
		return -EIO;
	uint32_t n =
		(uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 | (uint32_t)len[2] << 8 | len[3];
	if (n > sizeof(buf))
		return -EBADMSG;
	return conn_read(c, buf, n);
}

static int send_req(struct conn *c, int32_t xid, int32_t op, const char *path)
{
	struct zk_request r = { .xid = xid, .op = op };
	uint8_t *buf = NULL;
	size_t len = 0;
	if (path)
		mp_strlcpy(r.path, path, sizeof(r.path));
	int rc = zk_encode_request(&r, &buf, &len);
	if (rc == 0)
		rc = conn_write(c, buf, len);
	free(buf);
	return rc;
}

/* A broker's ZooKeeper session, as short as it gets. */
static int session(const struct lab_zk_target *t)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(t->port) };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_MS / 1000 };
	struct zk_connect_req cr = { .timeout_ms = 18000, .has_read_only = true };
	struct conn c = { .fd = -1 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = -EIO;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0)
		return -errno;
	setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	if (t->tls) {
		c.ssl = SSL_new(t->tls);
		if (!c.ssl || SSL_set_fd(c.ssl, c.fd) != 1 || SSL_connect(c.ssl) != 1)
			goto out;
	}
	if (zk_encode_connect_req(&cr, &buf, &len) < 0 || conn_write(&c, buf, len) < 0 ||
	    read_frame(&c) < 0 || send_req(&c, 1, ZK_OP_GET_CHILDREN, "/brokers/ids") < 0 ||
	    read_frame(&c) < 0 || send_req(&c, ZK_XID_PING, ZK_OP_PING, NULL) < 0 ||
	    read_frame(&c) < 0 || send_req(&c, 2, ZK_OP_CLOSE_SESSION, NULL) < 0 ||
	    read_frame(&c) < 0)
		goto out;
	rc = 0;
out:
	free(buf);
	if (c.ssl) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	close(c.fd);
	return rc;
}

/* One request frame: header v1 (v2 when flexible: an empty tag section), then body_len zero bytes. */
static void kafka_frame(struct mp_wr *w, int16_t key, int16_t ver, bool flexible, int32_t corr,
			const char *client_id, size_t body_len)
{
	size_t at = w->len;
	mp_wr_be32(w, 0);
	mp_wr_be16(w, (uint16_t)key);
	mp_wr_be16(w, (uint16_t)ver);
	mp_wr_be32(w, (uint32_t)corr);
	mp_wr_be16(w, (uint16_t)strlen(client_id));
	mp_wr_bytes(w, client_id, strlen(client_id));
	if (flexible)
		mp_wr_u8(w, 0);
	for (size_t i = 0; i < body_len; i++)
		mp_wr_u8(w, 0);
	mp_wr_put_be32(w, at, (uint32_t)(w->len - at - 4));
}

/*
 * One application's connection: its requests written at once (the answers
 * do not matter to a capture; a stand-in closes on what it does not serve),
 * then read until the broker closes or a second passes.
 */
static void kafka_app(uint16_t port, bool legacy)
{
	static const struct {
		int16_t key, ver;
		bool flexible;
	} old[] = { { 3, 1, false }, { 0, 2, false },  { 1, 2, false },
		    { 2, 0, false }, { 11, 0, false }, { 14, 0, false } },
	  cur[] = { { 3, 12, true }, { 0, 11, true }, { 1, 17, true },
		    { 2, 9, true },  { 11, 9, true }, { 8, 9, true } };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_MS / 1000 };
	const char *cid = legacy ? "billing-legacy" : "orders-api";
	struct mp_wr w;
	uint8_t *apiv = NULL, sink[512];
	size_t apiv_len = 0;
	int fd;

	mp_wr_init(&w, 64 * 1024);
	if (legacy)
		kafka_frame(&w, KAFKA_API_VERSIONS, 0, false, 0, cid, 0);
	else if (kafka_apiv_encode_request(3, 0, cid, "apache-kafka-java", "3.9.2", &apiv,
					   &apiv_len) == 0)
		mp_wr_bytes(&w, apiv, apiv_len);
	free(apiv);
	for (size_t i = 0; i < 6; i++)
		kafka_frame(&w, legacy ? old[i].key : cur[i].key, legacy ? old[i].ver : cur[i].ver,
			    legacy ? old[i].flexible : cur[i].flexible, (int32_t)i + 1, cid, 8);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !w.bad) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    write(fd, w.buf, w.len) == (ssize_t)w.len) {
			shutdown(fd, SHUT_WR);
			while (read(fd, sink, sizeof(sink)) > 0)
				;
		}
	}
	if (fd >= 0)
		close(fd);
	mp_wr_free(&w);
}

static void *run(void *arg)
{
	struct lab_traffic *lt = arg;
	struct pollfd p = { .fd = lt->stop[0], .events = POLLIN };
	for (;;) {
		/* a failed session is simply absent from the capture */
		for (size_t i = 0; i < lt->n; i++) {
			if (lt->t[i].kafka_clients) {
				kafka_app(lt->t[i].port, true);
				kafka_app(lt->t[i].port, false);
			} else {
				(void)session(&lt->t[i]);
			}
		}
		if (poll(&p, 1, lt->period_ms) != 0)
			break;
	}
	return NULL;
}

int lab_traffic_start(struct lab_traffic **ret, const struct lab_zk_target *t, size_t n,
		      int period_ms, char *errbuf, size_t errlen)
{
	struct lab_traffic *lt = calloc(1, sizeof(*lt));
	int rc;
	if (!lt)
		return -ENOMEM;
	lt->stop[0] = lt->stop[1] = -1;
	if (n > LAB_TARGETS_MAX) {
		mp_fmt(errbuf, errlen, "more than %u ZooKeeper targets", LAB_TARGETS_MAX);
		free(lt);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		lt->t[i] = t[i];
		if (t[i].tls)
			SSL_CTX_up_ref(t[i].tls);
	}
	lt->n = n;
	lt->period_ms = period_ms;
	if (pipe2(lt->stop, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = -pthread_create(&lt->th, NULL, run, lt);
	if (rc)
		goto fail;
	lt->started = true;
	*ret = lt;
	return 0;
fail:
	mp_fmt(errbuf, errlen, "lab traffic: %s", strerror(-rc));
	lab_traffic_free(lt);
	return rc;
}

void lab_traffic_free(struct lab_traffic *lt)
{
	if (!lt)
		return;
	if (lt->started) {
		(void)!write(lt->stop[1], "x", 1);
		pthread_join(lt->th, NULL);
	}
	for (size_t i = 0; i < lt->n; i++)
		SSL_CTX_free(lt->t[i].tls);
	if (lt->stop[0] >= 0)
		close(lt->stop[0]);
	if (lt->stop[1] >= 0)
		close(lt->stop[1]);
	free(lt);
}
