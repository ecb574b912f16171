/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay stand-ins (STANDIN_REPLAY, STANDIN_ZK_REPLAY): answers recorded
 * from a broker, a ZooKeeper server or a stand-in, served back so that a
 * probe's judgement of known bytes can be checked (tests/golden-probe/).
 * A recording is a directory, one file per kind of request, read whole
 * when the listener is added:
 *
 *   Kafka (requests read with probe/kafka_apiv.h's header reader):
 *     KEY-vVERSION.bin   the answer frame to that request (int32 size |
 *                        int32 correlation_id | body), e.g. 18-v3.bin
 *     KEY.bin            the answer to any other version of KEY
 *   ZooKeeper (requests read with probe/zk_wire.h's decoders):
 *     WORD.txt           the answer to a four-letter word at connection
 *                        start (e.g. srvr.txt); the connection then closes
 *     connect.bin        the ConnectResponse frame to the first frame
 *     opOP-PATH.bin      the reply frame to getChildren (OP 8) of PATH,
 *                        '/' written as '_' (op8-_brokers_ids.bin)
 *     opOP.bin           the reply frame to any request of that op
 *                        (op11.bin: ping, op-11.bin: closeSession)
 *
 * The request's correlation id (Kafka) or xid (ZooKeeper) is written over
 * bytes 4-7 of a frame of 8 bytes or more; everything else goes out as
 * recorded, well-formed or not. A request without a file closes the
 * connection, as a server does with what it will not serve. With `sasl`,
 * a Kafka replay admits requests in the order of a SASL listener
 * (standin_sasl.c): ApiVersions until one answers error 0, then only
 * SaslHandshake, then nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "standin-internal.h"
#include "util.h"
#include "zk_wire.h"

#define REPLAY_FILES_MAX 64u
#define REPLAY_NAME_MAX	 64u
#define REPLAY_FILE_MAX	 STANDIN_REQ_FRAME_MAX /* bytes of one recorded answer */

struct replay_file {
	char name[REPLAY_NAME_MAX];
	uint8_t *buf;
	size_t len;
};

void standin_replay_free(struct listener *l)
{
	for (size_t i = 0; i < l->n_replay; i++)
		free(l->replay[i].buf);
	free(l->replay);
	l->replay = NULL;
	l->n_replay = 0;
}

/* Read one file of at most REPLAY_FILE_MAX bytes. 0 or -errno / -EFBIG. */
static int read_file(int dirfd, const char *name, uint8_t **ret_buf, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)REPLAY_FILE_MAX) {
		rc = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO; /* shrank while we read */
			goto out;
		}
		got += (size_t)r;
	}
	*ret_buf = buf;
	*ret_len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

static bool answer_name(const char *n)
{
	size_t len = strlen(n);
	return len >= 5 && len < REPLAY_NAME_MAX &&
	       (strcmp(n + len - 4, ".bin") == 0 || strcmp(n + len - 4, ".txt") == 0);
}

int standin_replay_load(struct listener *l, const char *dir, char *errbuf, size_t errlen)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (!dir) {
		mp_fmt(errbuf, errlen, "a replay listener needs replay_dir");
		return -EINVAL;
	}
	d = opendir(dir);
	if (!d) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	l->replay = calloc(REPLAY_FILES_MAX, sizeof(*l->replay));
	if (!l->replay) {
		rc = -ENOMEM;
		goto out;
	}
	while ((e = readdir(d))) {
		if (!answer_name(e->d_name))
			continue;
		if (l->n_replay >= REPLAY_FILES_MAX) {
			mp_fmt(errbuf, errlen, "%s: more than %u answer files", dir,
			       REPLAY_FILES_MAX);
			rc = -EINVAL;
			goto out;
		}
		struct replay_file *f = &l->replay[l->n_replay];
		rc = read_file(dirfd(d), e->d_name, &f->buf, &f->len);
		if (rc) {
			mp_fmt(errbuf, errlen, "%s/%s: %s", dir, e->d_name,
			       rc == -EFBIG ? "larger than a recorded answer may be"
					    : strerror(-rc));
			goto out;
		}
		mp_strlcpy(f->name, e->d_name, sizeof(f->name));
		l->n_replay++;
	}
	if (l->n_replay == 0) {
		mp_fmt(errbuf, errlen, "%s: no answer files (*.bin, *.txt)", dir);
		rc = -EINVAL;
	}
out:
	closedir(d);
	return rc;
}

static const struct replay_file *find(const struct listener *l, const char *name)
{
	for (size_t i = 0; i < l->n_replay; i++)
		if (strcmp(l->replay[i].name, name) == 0)
			return &l->replay[i];
	return NULL;
}

/* Queue a copy of f, with `id` over bytes 4-7 when patch. -1 out of memory. */
static int queue(struct standin_server *s, struct conn *c, const struct replay_file *f, bool patch,
		 int32_t id)
{
	uint8_t *b = malloc(f->len ? f->len : 1);
	if (!b)
		return -1;
	memcpy(b, f->buf, f->len);
	if (patch && f->len >= 8) {
		b[4] = (uint8_t)((uint32_t)id >> 24);
		b[5] = (uint8_t)((uint32_t)id >> 16);
		b[6] = (uint8_t)((uint32_t)id >> 8);
		b[7] = (uint8_t)id;
	}
	standin_conn_queue(c, b, f->len);
	standin_count(&s->answers);
	return 0;
}

static int kafka_request(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct mp_rd r = mp_rd_init(p, n);
	struct kafka_req_header h;
	char name[REPLAY_NAME_MAX];
	const struct replay_file *f;

	if (kafka_req_header_parse(&r, &h))
		return -1;
	if (c->l->sasl && !standin_sasl_admits(c, h.api_key))
		return -1;
	mp_fmt(name, sizeof(name), "%d-v%d.bin", h.api_key, h.api_version);
	f = find(c->l, name);
	if (!f) {
		mp_fmt(name, sizeof(name), "%d.bin", h.api_key);
		f = find(c->l, name);
	}
	if (!f || queue(s, c, f, true, h.correlation_id))
		return -1;
	if (h.api_key == KAFKA_API_VERSIONS && f->len >= 10 && f->buf[8] == 0 && f->buf[9] == 0)
		standin_sasl_versions_done(c); /* error 0: a successful ApiVersions */
	else if (h.api_key == KAFKA_SASL_HANDSHAKE && c->l->sasl)
		c->sasl = SASL_AUTHENTICATE;
	return 0;
}

static int zk_frame(struct standin_server *s, struct conn *c, const uint8_t *p, size_t n)
{
	struct zk_request q;
	char name[REPLAY_NAME_MAX];
	const struct replay_file *f = NULL;

	if (!c->zk_session) {
		struct zk_connect_req cq;
		if (zk_decode_connect_req(p, n, &cq) || !(f = find(c->l, "connect.bin")))
			return -1;
		c->zk_session = true;
		return queue(s, c, f, false, 0) ? -1 : 0; /* a ConnectResponse has no xid */
	}
	if (zk_decode_request(p, n, &q))
		return -1;
	if (q.op == ZK_OP_GET_CHILDREN) {
		mp_fmt(name, sizeof(name), "op%d-%s.bin", q.op, q.path);
		for (char *ch = name; *ch; ch++)
			if (*ch == '/')
				*ch = '_';
		f = find(c->l, name);
	}
	if (!f) {
		mp_fmt(name, sizeof(name), "op%d.bin", q.op);
		f = find(c->l, name);
	}
	if (!f)
		return -1;
	if (q.op == ZK_OP_CLOSE_SESSION)
		c->close_after_write = true;
	return queue(s, c, f, true, q.xid);
}

int standin_replay_process(struct standin_server *s, struct conn *c)
{
	bool zk = c->l->behaviour == STANDIN_ZK_REPLAY;
	size_t n;

	if (zk && !c->zk_session && c->in_len >= 4 && !memchr(c->in, '\0', 4)) {
		char name[REPLAY_NAME_MAX];
		mp_fmt(name, sizeof(name), "%.4s.txt", (const char *)c->in);
		const struct replay_file *f = find(c->l, name);
		if (f) {
			standin_count(&s->requests);
			c->in_len = 0;
			c->close_after_write = true;
			return queue(s, c, f, false, 0) ? -1 : 1;
		}
	}
	int rc = standin_frame(c->in, c->in_len, zk ? 0 : 8, &n);
	if (rc <= 0)
		return rc;
	standin_count(&s->requests);
	rc = zk ? zk_frame(s, c, c->in + 4, n) : kafka_request(s, c, c->in + 4, n);
	if (rc < 0)
		return -1;
	standin_conn_consume(c, n);
	return 1;
}
