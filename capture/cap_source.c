/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture sources. Live: pcap_create, immediate mode (a packet is seen
 * when it arrives, not when a kernel block fills), a 100 ms timeout so the
 * thread notices the clock and stop requests, a 32 MiB ring buffer.
 * File: pcap or pcapng through pcap_fopen_offline on a stdio stream with a
 * CAP_FILE_BUFFER buffer of our own (libpcap's own 4 KiB reads halve
 * throughput: docs/capture.md, Performance). glibc's setvbuf ignores the
 * size when it is not given the buffer and keeps st_blksize (4 KiB), so the
 * buffer is allocated here and freed by the session after pcap_close() has
 * closed the stream.
 * Stream (a pipe, a FIFO, stdin that is not a file): opened in the capture
 * thread with O_NONBLOCK (a FIFO without a writer would block open() for
 * good), read through a stdio cookie whose read polls the descriptor beside
 * the session's stop descriptor, so a stop ends a wait for the writer or
 * for its next bytes at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap-source.h"
#include "util.h"

static int live_open(const struct cap_opts *o, int fd, int stop_fd, pcap_t **ret, void **ret_iobuf,
		     char *errbuf, size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(o->iface, eb);
	int r;

	(void)fd;
	(void)stop_fd; /* the capture thread polls the handle itself */
	if (!p) {
		mp_fmt(errbuf, errlen, "interface '%s': %s", o->iface, eb);
		return -ENODEV;
	}
	if (pcap_set_snaplen(p, (int)(o->snaplen ? o->snaplen : CAP_SNAPLEN_DEFAULT)) != 0 ||
	    pcap_set_promisc(p, 1) != 0 || pcap_set_immediate_mode(p, 1) != 0 ||
	    pcap_set_timeout(p, 100) != 0 || pcap_set_buffer_size(p, 32 << 20) != 0) {
		mp_fmt(errbuf, errlen, "interface '%s': can not set capture options", o->iface);
		pcap_close(p);
		return -EINVAL;
	}
	r = pcap_activate(p);
	if (r < 0) {
		mp_fmt(errbuf, errlen, "interface '%s': %s%s%s", o->iface, pcap_statustostr(r),
		       r == PCAP_ERROR ? ": " : "", r == PCAP_ERROR ? pcap_geterr(p) : "");
		pcap_close(p);
		return r == PCAP_ERROR_PERM_DENIED	? -EPERM
		       : r == PCAP_ERROR_NO_SUCH_DEVICE ? -ENODEV
							: -EIO;
	}
	/* r > 0 is a warning (e.g. promiscuous mode not supported): capture anyway */
	*ret = p;
	*ret_iobuf = NULL;
	return 0;
}

/* Hand fp (a file or our stream cookie) to libpcap, with a CAP_FILE_BUFFER buffer. */
static int offline_open(const struct cap_opts *o, FILE *fp, bool own, pcap_t **ret,
			void **ret_iobuf, char *errbuf, size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	char *buf;
	pcap_t *p;

	/* stdin outlives the pcap_t (pcap_close leaves it open), so it keeps stdio's own buffer;
	 * without ours (ENOMEM, setvbuf refused) stdio's default still reads correctly */
	buf = own ? malloc(CAP_FILE_BUFFER) : NULL;
	if (buf && setvbuf(fp, buf, _IOFBF, CAP_FILE_BUFFER) != 0) {
		free(buf);
		buf = NULL;
	}
	/* only the capture thread reads the stream: spare libpcap's two freads per packet the
	 * FILE lock (atomic operations once the process has threads) */
	if (own)
		(void)__fsetlocking(fp, FSETLOCKING_BYCALLER);
	p = pcap_fopen_offline(fp, eb); /* owns fp on success only */
	if (!p) {
		if (own)
			fclose(fp);
		free(buf);
		mp_fmt(errbuf, errlen, "'%s': %s", o->file, eb);
		return -EINVAL;
	}
	*ret = p;
	*ret_iobuf = buf;
	return 0;
}

static int file_open(const struct cap_opts *o, int fd, int stop_fd, pcap_t **ret, void **ret_iobuf,
		     char *errbuf, size_t errlen)
{
	FILE *fp;
	int e;

	(void)stop_fd; /* a file's reads never wait */
	if (fd == STDIN_FILENO)
		return offline_open(o, stdin, false, ret, ret_iobuf, errbuf, errlen);
	if (fcntl(fd, F_SETFL, 0) < 0 || !(fp = fdopen(fd, "rb"))) {
		e = errno;
		mp_fmt(errbuf, errlen, "'%s': %s", o->file, strerror(e));
		close(fd);
		return -e;
	}
	return offline_open(o, fp, true, ret, ret_iobuf, errbuf, errlen);
}

struct stream {
	int fd, stop_fd;
	bool own; /* close fd at the end (not stdin) */
};

/* stdio cookie read: wait for bytes or the stop request, whichever comes first */
static ssize_t stream_read(void *cookie, char *buf, size_t n)
{
	struct stream *st = cookie;
	for (;;) {
		struct pollfd pfd[2] = { { .fd = st->fd, .events = POLLIN },
					 { .fd = st->stop_fd, .events = POLLIN } };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents) {
			errno = EINTR; /* stopped: the session knows it is no read error */
			return -1;
		}
		ssize_t r = read(st->fd, buf, n);
		if (r >= 0)
			return r;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

static int stream_close(void *cookie)
{
	struct stream *st = cookie;
	if (st->own)
		close(st->fd);
	free(st);
	return 0;
}

static int stream_open(const struct cap_opts *o, int fd, int stop_fd, pcap_t **ret,
		       void **ret_iobuf, char *errbuf, size_t errlen)
{
	static const cookie_io_functions_t io = { .read = stream_read, .close = stream_close };
	struct stream *st = malloc(sizeof(*st));
	FILE *fp;

	if (!st) {
		if (fd != STDIN_FILENO)
			close(fd);
		return -ENOMEM;
	}
	st->fd = fd;
	st->stop_fd = stop_fd;
	st->own = fd != STDIN_FILENO;
	fp = fopencookie(st, "r", io); /* owns st from here */
	if (!fp) {
		stream_close(st);
		return -ENOMEM;
	}
	return offline_open(o, fp, true, ret, ret_iobuf, errbuf, errlen);
}

static const struct cap_source_ops live_ops = {
	.kind = "interface",
	.live = true,
	.open = live_open,
};

static const struct cap_source_ops file_ops = {
	.kind = "file",
	.live = false,
	.open = file_open,
};

static const struct cap_source_ops stream_ops = {
	.kind = "file",
	.live = false,
	.in_thread = true,
	.open = stream_open,
};

int cap_source_find(const struct cap_opts *o, const struct cap_source_ops **ret, int *ret_fd,
		    char *errbuf, size_t errlen)
{
	bool is_stdin;
	struct stat st;
	int fd, e;

	if (o->iface) {
		*ret = &live_ops;
		*ret_fd = -1;
		return 0;
	}
	is_stdin = strcmp(o->file, "-") == 0;
	/* O_NONBLOCK: a FIFO without a writer opens at once (its reads poll for the writer) */
	fd = is_stdin ? STDIN_FILENO : open(o->file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		e = errno;
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		e = EISDIR;
		goto fail;
	}
	*ret = S_ISREG(st.st_mode) ? &file_ops : &stream_ops;
	*ret_fd = fd;
	return 0;
fail:
	mp_fmt(errbuf, errlen, "'%s': %s", o->file, strerror(e));
	if (fd > STDIN_FILENO)
		close(fd);
	return -e;
}

int cap_source_compile(pcap_t *p, const char *filter, struct bpf_program *prog, char *errbuf,
		       size_t errlen)
{
	if (!filter || !*filter)
		return 0;
	if (pcap_compile(p, prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		mp_fmt(errbuf, errlen, "filter '%s': %s", filter, pcap_geterr(p));
		return -EINVAL;
	}
	return 1;
}

int cap_source_filter(pcap_t *p, const char *filter, char *errbuf, size_t errlen)
{
	struct bpf_program prog;
	int r = cap_source_compile(p, filter, &prog, errbuf, errlen);
	if (r <= 0)
		return r;
	r = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (r < 0) {
		mp_fmt(errbuf, errlen, "filter '%s': %s", filter, pcap_geterr(p));
		return -EINVAL;
	}
	return 0;
}
