/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two capture sources. Live: pcap_create, immediate mode (a packet is
 * seen when it arrives, not when a kernel block fills), a 100 ms timeout so
 * the thread notices the clock and stop requests, a 32 MiB ring buffer.
 * File: pcap or pcapng through pcap_fopen_offline on a stdio stream with a
 * CAP_FILE_BUFFER buffer of our own (libpcap's own 4 KiB reads halve
 * throughput: shared/FACTS.md, "Measured on this machine"). glibc's setvbuf
 * ignores the size when it is not given the buffer and keeps st_blksize
 * (4 KiB), so the buffer is allocated here and freed by the session after
 * pcap_close() has closed the stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "cap-source.h"
#include "util.h"

static int live_open(const struct cap_opts *o, pcap_t **ret, void **ret_iobuf, char *errbuf,
		     size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(o->iface, eb);
	int r;

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

static int file_open(const struct cap_opts *o, pcap_t **ret, void **ret_iobuf, char *errbuf,
		     size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	bool is_stdin = strcmp(o->file, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(o->file, "rb");
	char *buf;
	pcap_t *p;

	if (!fp) {
		int e = errno;
		mp_fmt(errbuf, errlen, "'%s': %s", o->file, strerror(e));
		return -e;
	}
	/* stdin outlives the pcap_t (pcap_close leaves it open), so it keeps stdio's own buffer;
	 * without ours (ENOMEM, setvbuf refused) stdio's default still reads correctly */
	buf = is_stdin ? NULL : malloc(CAP_FILE_BUFFER);
	if (buf && setvbuf(fp, buf, _IOFBF, CAP_FILE_BUFFER) != 0) {
		free(buf);
		buf = NULL;
	}
	/* only the capture thread reads the stream: spare libpcap's two freads per packet the
	 * FILE lock (atomic operations once the process has threads) */
	if (!is_stdin)
		(void)__fsetlocking(fp, FSETLOCKING_BYCALLER);
	p = pcap_fopen_offline(fp, eb); /* owns fp on success only */
	if (!p) {
		if (!is_stdin)
			fclose(fp);
		free(buf);
		mp_fmt(errbuf, errlen, "'%s': %s", o->file, eb);
		return -EINVAL;
	}
	*ret = p;
	*ret_iobuf = buf;
	return 0;
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

const struct cap_source_ops *cap_source_find(const struct cap_opts *o)
{
	return o->iface ? &live_ops : &file_ops;
}

int cap_source_filter(pcap_t *p, const char *filter, char *errbuf, size_t errlen)
{
	struct bpf_program prog;
	if (!filter || !*filter)
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		mp_fmt(errbuf, errlen, "filter '%s': %s", filter, pcap_geterr(p));
		return -EINVAL;
	}
	int r = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (r < 0) {
		mp_fmt(errbuf, errlen, "filter '%s': %s", filter, pcap_geterr(p));
		return -EINVAL;
	}
	return 0;
}
