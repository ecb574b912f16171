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

static void *run(void *arg)
{
	struct lab_traffic *lt = arg;
	struct pollfd p = { .fd = lt->stop[0], .events = POLLIN };
	for (;;) {
		/* a failed session is simply absent from the capture */
		for (size_t i = 0; i < lt->n; i++)
			(void)session(&lt->t[i]);
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
