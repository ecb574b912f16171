/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture sources: a live interface and an offline file, each a const ops
 * table (cap_source.c) behind one pcap_t, so tests and production read
 * packets through exactly the same path.
 */
#ifndef CAP_SOURCE_H
#define CAP_SOURCE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>

#include "capture.h"

struct cap_source_ops {
	const char *kind; /* "interface" | "file": the report's source.kind */
	bool live;	  /* has a clock, pcap_stats and privileges to drop */
	/*
	 * Open in the capture thread, not in cap_session_start: a pipe or FIFO
	 * may wait for its writer (or its first bytes) for as long as it likes,
	 * and only the thread can be told to stop while it waits.
	 */
	bool in_thread;
	/*
	 * Open the source named in o into *ret (the caller owns it and
	 * pcap_close()s it). fd is the descriptor cap_source_find opened (-1
	 * live; 0 for "-"): open owns it, success or not. *ret_iobuf is set to a
	 * buffer the pcap_t reads through (or NULL); the caller frees it after
	 * pcap_close(). A read that would wait returns (error EINTR) once
	 * stop_fd polls readable. 0, or -errno with the reason in errbuf; *ret
	 * and *ret_iobuf are untouched on failure.
	 */
	int (*open)(const struct cap_opts *o, int fd, int stop_fd, pcap_t **ret, void **ret_iobuf,
		    char *errbuf, size_t errlen);
};

/*
 * The source for o: live when o->iface is set; else a regular file, or a
 * stream (pipe, FIFO, socket, terminal: "-" is stdin). A file or stream is
 * opened here, O_NONBLOCK (a FIFO without a writer opens at once), while the
 * process may still hold the privileges to open it: *ret_fd (-1 live, 0 for
 * stdin). 0, or -errno with the reason in errbuf (no such file...).
 */
int cap_source_find(const struct cap_opts *o, const struct cap_source_ops **ret, int *ret_fd,
		    char *errbuf, size_t errlen);
/* Compile filter into *prog: 1 compiled (pcap_freecode it), 0 no filter (NULL or ""), -EINVAL. */
int cap_source_compile(pcap_t *p, const char *filter, struct bpf_program *prog, char *errbuf,
		       size_t errlen);
/* Compile filter once and set it; NULL or "" sets nothing. 0 or -EINVAL. */
int cap_source_filter(pcap_t *p, const char *filter, char *errbuf, size_t errlen);

#endif
