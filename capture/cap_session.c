/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A capture session: one source (live interface or pcap/pcapng file, both
 * through a pcap_t, see cap_source.c), a filter compiled once, a thread that
 * reads packets, peels them (cap_decap.c) and feeds the flow table
 * (cap_flow.c), and at the end the report (cap_json.c).
 *
 * Ownership: the session owns the pcap_t, the flow table, the report and
 * the evidence file; the capture thread touches them only until it is
 * joined, the caller only after.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cap-internal.h"
#include "cap-source.h"
#include "capture.h"
#include "mp_exit.h"
#include "mp_limits.h"
#include "util.h"

struct cap_session {
	struct cap_opts o;
	const struct cap_source_ops *src;
	pcap_t *pcap;
	void *iobuf; /* the file's stdio buffer: freed after pcap_close */
	int dlt;
	int fd;	    /* live: pcap's selectable descriptor (non-blocking handle) */
	int src_fd; /* file or stream: opened before the drop, handed to src->open */
	/* a classic pcap file read in place (cap_fmap.c) instead of through the pcap_t */
	struct cap_fmap map;
	bool mapped;
	struct bpf_program prog; /* the filter, compiled for the mapped reader */
	bool has_prog;
	struct cap_flowtab *ft;
	struct cap_kclients *kc; /* the client inventory (cap_kreq.c) */
	struct cap_report *rep;
	struct cap_result *result; /* cap_session_end: borrows rep */
	struct cap_ports ports;
	/* evidence (opt-in) */
	struct cap_afile ev_file;
	pcap_t *ev_dead;
	pcap_dumper_t *ev_dump;
	uint64_t ev_packets;
	/* thread */
	pthread_t thread;
	bool started, joined, finished;
	atomic_bool stop, done;
	int done_fd; /* eventfd, written once when the thread ends */
	int stop_fd; /* eventfd, written by cap_session_stop: ends a stream's wait */
	_Atomic uint64_t prog_packets, prog_bytes;
	/* counters, written by the thread only */
	uint64_t packets, bytes, non_tcp, fragments, malformed, unsupported, tunnelled;
	uint64_t dropped, if_dropped;
	uint64_t first_us, last_us;
	int64_t start_ms, end_ms;
	char error[MP_ERR_MAX];		 /* stats.error: "read error: ..." */
	bool input_bad;			 /* the file's content is corrupt (not a live read error) */
	char input_err[MP_ERR_MAX];	 /* cap_session_input_error(), built by finish */
	char read_err[PCAP_ERRBUF_SIZE]; /* the reader's own words */
};

void cap_opts_init(struct cap_opts *o)
{
	static const uint16_t zk[] = { 2181, 2182 };
	static const uint16_t kafka[] = { 9092, 9094, 9096, 9098 };
	memset(o, 0, sizeof(*o));
	o->snaplen = CAP_SNAPLEN_DEFAULT;
	o->max_flows = CAP_FLOWS_DEFAULT;
	o->evidence_bytes = CAP_EVIDENCE_BYTES_DEFAULT;
	memcpy(o->zk_ports, zk, sizeof(zk));
	o->n_zk_ports = 2;
	memcpy(o->kafka_ports, kafka, sizeof(kafka));
	o->n_kafka_ports = 4;
}

/* ---- the packet path ------------------------------------------------------------ */

static uint64_t ts_us(const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0)
		return 0;
	return (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec % 1000000u;
}

static void keep_evidence(struct cap_session *s, const struct pcap_pkthdr *h, const uint8_t *data,
			  const struct cap_pkt *p)
{
	struct pcap_pkthdr eh = *h;
	size_t keep = p->payload_off +
		      (p->payload_len < s->o.evidence_bytes ? p->payload_len : s->o.evidence_bytes);
	if (keep < eh.caplen)
		eh.caplen = (bpf_u_int32)keep;
	pcap_dump((u_char *)s->ev_dump, &eh, data);
	s->ev_packets++;
}

static void on_packet(struct cap_session *s, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct cap_pkt p;
	uint64_t t = ts_us(h);

	if (s->packets++ == 0)
		s->first_us = t;
	s->last_us = t > s->last_us ? t : s->last_us;
	s->bytes += h->len;
	switch (cap_decap(s->dlt, data, h->caplen, &p)) {
	case CAP_DECAP_TCP:
		break;
	case CAP_DECAP_OTHER:
		s->non_tcp++;
		s->tunnelled += p.tunnel != CAP_TUNNEL_NONE;
		return;
	case CAP_DECAP_FRAGMENT:
		s->fragments++;
		return;
	case CAP_DECAP_UNSUPPORTED:
		s->unsupported++;
		return;
	default:
		s->malformed++;
		return;
	}
	s->fragments += p.fragment;
	s->tunnelled += p.tunnel != CAP_TUNNEL_NONE;
	if (cap_flowtab_add(s->ft, &p, t) > 0 && s->ev_dump)
		keep_evidence(s, h, data, &p);
}

static void publish_progress(struct cap_session *s)
{
	atomic_store_explicit(&s->prog_packets, s->packets, memory_order_relaxed);
	atomic_store_explicit(&s->prog_bytes, s->bytes, memory_order_relaxed);
}

static int source_setup(struct cap_session *s, char *errbuf, size_t errlen);
static int evidence_dumper(struct cap_session *s, char *errbuf, size_t errlen);

/*
 * A stream (pipe, FIFO) is opened here: its header may take as long as its
 * writer likes, and a stop ends the wait. A failure that is not a stop is
 * bad input (not a pcap, an unsupported link type) or a bad filter.
 */
static int thread_open(struct cap_session *s)
{
	char eb[MP_ERR_MAX] = "";
	int r = s->src->open(&s->o, s->src_fd, s->stop_fd, &s->pcap, &s->iobuf, eb, sizeof(eb));
	s->src_fd = -1; /* open owns it */
	if (r == 0)
		r = source_setup(s, eb, sizeof(eb));
	if (r == 0 && s->ev_file.fd >= 0)
		r = evidence_dumper(s, eb, sizeof(eb));
	if (r < 0 && !atomic_load(&s->stop)) {
		mp_strlcpy(s->error, eb, sizeof(s->error));
		mp_strlcpy(s->input_err, eb, sizeof(s->input_err));
		s->input_bad = true;
	}
	return r;
}

/* A mapped file: records straight from the mapping, the filter run on them in place. */
static void map_loop(struct cap_session *s)
{
	struct pcap_pkthdr h;
	const uint8_t *data;

	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		int r = cap_fmap_next(&s->map, &h, &data, s->read_err, sizeof(s->read_err));
		if (r <= 0) {
			if (r < 0) {
				mp_fmt(s->error, sizeof(s->error), "read error: %s", s->read_err);
				s->input_bad = true;
			}
			return;
		}
		on_packet(s, &h, data);
		if ((s->packets & 4095) == 0)
			publish_progress(s);
	}
}

static void *capture_thread(void *arg)
{
	struct cap_session *s = arg;
	struct pcap_pkthdr *h;
	const u_char *data;
	int64_t deadline = s->src->live && s->o.duration_s > 0
				   ? s->start_ms + (int64_t)(s->o.duration_s * 1000.0)
				   : 0;

	if (s->src->in_thread && thread_open(s) < 0)
		goto out;
	if (s->mapped) {
		map_loop(s);
		goto out;
	}
	while (!atomic_load(&s->stop)) {
		if (deadline && mp_now_ms() >= deadline)
			break;
		int r = pcap_next_ex(s->pcap, &h, &data);
		if (r == 1) {
			on_packet(s, h, data);
			if ((s->packets & 4095) == 0)
				publish_progress(s);
		} else if (r == 0) {
			/* live, nothing ready: wait at most 100 ms, then look at the clock and the stop
			 * flag (immediate mode on Linux ignores the pcap timeout, so poll ourselves) */
			struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
			(void)poll(&pfd, 1, 100);
		} else if (r == PCAP_ERROR_BREAK) {
			break; /* end of file, or pcap_breakloop */
		} else if (atomic_load(&s->stop)) {
			break; /* a stream's wait cut short by the stop: no read error */
		} else {
			mp_strlcpy(s->read_err, pcap_geterr(s->pcap), sizeof(s->read_err));
			mp_fmt(s->error, sizeof(s->error), "read error: %s", s->read_err);
			s->input_bad = !s->src->live;
			break;
		}
	}
out:
	s->end_ms = mp_now_ms();
	if (s->src->live) {
		struct pcap_stat st;
		if (pcap_stats(s->pcap, &st) == 0) {
			s->dropped = st.ps_drop;
			s->if_dropped = st.ps_ifdrop;
		}
	}
	publish_progress(s);
	atomic_store(&s->done, true);
	uint64_t one = 1;
	(void)!write(s->done_fd, &one, sizeof(one)); /* cannot fail: a fresh eventfd counter */
	return NULL;
}

/* ---- start ----------------------------------------------------------------------------- */

/* The evidence pcap's dumper, once the link type is known. */
static int evidence_dumper(struct cap_session *s, char *errbuf, size_t errlen)
{
	int fd2 = -1;
	FILE *fp = NULL;

	s->ev_dead = pcap_open_dead(s->dlt, 65535);
	fd2 = dup(s->ev_file.fd);
	fp = fd2 >= 0 ? fdopen(fd2, "wb") : NULL;
	if (!s->ev_dead || !fp) {
		mp_fmt(errbuf, errlen, "can not open the evidence file: %s", strerror(errno));
		if (fd2 >= 0 && !fp)
			close(fd2);
		return -ENOMEM;
	}
	s->ev_dump = pcap_dump_fopen(s->ev_dead, fp);
	if (!s->ev_dump) {
		mp_fmt(errbuf, errlen, "evidence file: %s", pcap_geterr(s->ev_dead));
		fclose(fp);
		return -EIO;
	}
	return 0;
}

static int session_ports(struct cap_session *s, char *errbuf, size_t errlen)
{
	const struct cap_opts *o = &s->o;
	if (o->n_zk_ports > CAP_PORTS_MAX || o->n_kafka_ports > CAP_PORTS_MAX) {
		mp_fmt(errbuf, errlen, "at most %u ports per list", CAP_PORTS_MAX);
		return -EINVAL;
	}
	memcpy(s->ports.zk, o->zk_ports, sizeof(s->ports.zk));
	s->ports.n_zk = o->n_zk_ports;
	memcpy(s->ports.kafka, o->kafka_ports, sizeof(s->ports.kafka));
	s->ports.n_kafka = o->n_kafka_ports;
	return 0;
}

static int check_opts(const struct cap_opts *o, char *errbuf, size_t errlen)
{
	if (!o->iface == !o->file) {
		mp_fmt(errbuf, errlen, "give exactly one of an interface or a file");
		return -EINVAL;
	}
	if (o->max_flows == 0 || o->max_flows > CAP_FLOWS_MAX) {
		mp_fmt(errbuf, errlen, "max flows must be 1..%u", CAP_FLOWS_MAX);
		return -EINVAL;
	}
	if (o->evidence_bytes > CAP_EVIDENCE_BYTES_MAX) {
		mp_fmt(errbuf, errlen, "evidence bytes must be 0..%u", CAP_EVIDENCE_BYTES_MAX);
		return -EINVAL;
	}
	return 0;
}

/*
 * A regular classic pcap file is read in place (--reader auto or mmap):
 * libpcap has read its header (the link type, the snapshot length); the
 * walker must agree with both. Link types whose pseudo-header libpcap
 * rewrites in a swapped file (SLL, SLL2) stay with libpcap.
 */
static int map_file(struct cap_session *s, char *errbuf, size_t errlen)
{
	FILE *fp = s->src->live || s->src->in_thread ? NULL : pcap_file(s->pcap);
	int r = 1;

	if (s->o.reader != CAP_READER_LIBPCAP && fp && fileno(fp) > STDIN_FILENO) {
		r = cap_fmap_open(&s->map, fileno(fp), errbuf, errlen);
		if (r < 0)
			return r;
		if (r == 0 &&
		    ((uint32_t)pcap_snapshot(s->pcap) != s->map.w.snapshot ||
		     (s->map.w.swapped && (s->dlt == DLT_LINUX_SLL || s->dlt == DLT_LINUX_SLL2)))) {
			cap_fmap_close(&s->map);
			r = 1;
		}
	}
	s->mapped = r == 0;
	if (!s->mapped && s->o.reader == CAP_READER_MMAP) {
		mp_fmt(errbuf, errlen,
		       "'%s': --reader mmap reads only classic pcap files (version 2.4)",
		       s->o.file ? s->o.file : s->o.iface);
		return -EINVAL;
	}
	return 0;
}

/* After the source is open: its link type, the filter, the live descriptor. */
static int source_setup(struct cap_session *s, char *errbuf, size_t errlen)
{
	int r;

	s->dlt = pcap_datalink(s->pcap);
	if (!cap_dlt_supported(s->dlt)) {
		const char *n = pcap_datalink_val_to_name(s->dlt);
		mp_fmt(errbuf, errlen, "link type %s (%d) is not supported", n ? n : "?", s->dlt);
		return -EPROTONOSUPPORT;
	}
	r = map_file(s, errbuf, errlen);
	if (r < 0)
		return r;
	if (s->mapped) {
		r = cap_source_compile(s->pcap, s->o.filter, &s->prog, errbuf, errlen);
		if (r > 0) {
			s->has_prog = true;
			cap_fmap_set_filter(&s->map, &s->prog);
		}
	} else {
		r = cap_source_filter(s->pcap, s->o.filter, errbuf, errlen);
	}
	if (r < 0)
		return r;
	if (s->src->live) {
		char eb[PCAP_ERRBUF_SIZE];
		s->fd = pcap_get_selectable_fd(s->pcap);
		if (s->fd < 0 || pcap_setnonblock(s->pcap, 1, eb) < 0) {
			mp_fmt(errbuf, errlen, "interface '%s': can not poll the capture",
			       s->o.iface);
			return -EIO;
		}
	}
	return 0;
}

/*
 * The privileged part: open (a stream: in the thread), filter, evidence
 * file, then drop to o->user.
 */
static int session_open(struct cap_session *s, char *errbuf, size_t errlen)
{
	struct passwd *pw = NULL;
	int r;

	if (s->src->live && s->o.user && geteuid() == 0) {
		pw = getpwnam(s->o.user);
		if (!pw) {
			mp_fmt(errbuf, errlen, "no such user '%s' (for --user)", s->o.user);
			return -ENOENT;
		}
	}
	if (!s->src->in_thread) {
		r = s->src->open(&s->o, s->src_fd, s->stop_fd, &s->pcap, &s->iobuf, errbuf, errlen);
		s->src_fd = -1; /* open owns it */
		if (r < 0)
			return r;
		r = source_setup(s, errbuf, errlen);
		if (r < 0)
			return r;
	}
	if (s->o.save_evidence) {
		r = cap_afile_open(&s->ev_file, s->o.save_evidence, errbuf, errlen);
		if (r < 0)
			return r;
		if (pw)
			(void)cap_afile_chown(&s->ev_file, pw->pw_uid, pw->pw_gid);
		if (!s->src->in_thread && (r = evidence_dumper(s, errbuf, errlen)) < 0)
			return r;
	}
	if (pw || s->o.drop_privileges)
		return cap_privs_drop(pw ? s->o.user : NULL, pw ? pw->pw_uid : 0,
				      pw ? pw->pw_gid : 0, errbuf, errlen);
	return 0;
}

int cap_session_start(struct cap_session **ret, const struct cap_opts *o, char *errbuf,
		      size_t errlen)
{
	struct cap_session *s = NULL;
	int r;

	r = check_opts(o, errbuf, errlen);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->ev_file.fd = -1;
	s->dlt = -1;
	s->src_fd = -1;
	s->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->done_fd < 0 || s->stop_fd < 0) {
		r = -errno;
		mp_fmt(errbuf, errlen, "eventfd: %s", strerror(errno));
		goto out;
	}
	r = cap_source_find(o, &s->src, &s->src_fd, errbuf, errlen);
	if (r < 0)
		goto out;
	r = session_ports(s, errbuf, errlen);
	if (r < 0)
		goto out;
	r = cap_report_new(&s->rep);
	if (r < 0)
		goto out;
	cap_report_set_ports(s->rep, &s->ports);
	r = cap_flowtab_new(&s->ft, o->max_flows, &s->ports, cap_report_flow, s->rep);
	if (r < 0) {
		mp_fmt(errbuf, errlen, "flow table: %s", strerror(-r));
		goto out;
	}
	r = cap_kclients_new(&s->kc);
	if (r < 0)
		goto out;
	cap_flowtab_set_kclients(s->ft, s->kc);
	cap_kclients_set_own(s->kc, cap_report_is_own, s->rep); /* a scan's probes are no clients */
	cap_report_set_kclients(s->rep, s->kc, o->target_version);
	r = session_open(s, errbuf, errlen);
	if (r < 0)
		goto out;
	/* the report's objects built as flows end, off the capture thread (after the drop:
	 * a thread keeps the capabilities it starts with); without it, after the read */
	(void)cap_report_prebuild(s->rep);
	s->start_ms = mp_now_ms();
	r = -pthread_create(&s->thread, NULL, capture_thread, s);
	if (r < 0) {
		mp_fmt(errbuf, errlen, "can not start the capture thread: %s", strerror(-r));
		goto out;
	}
	s->started = true;
	*ret = s;
	s = NULL;
out:
	cap_session_free(s);
	return r;
}

/* ---- control ------------------------------------------------------------------------------- */

static bool to_cap_addr(const struct sockaddr *sa, struct cap_addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		a->family = 4;
		memcpy(a->a, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		a->family = 6;
		memcpy(a->a, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
		return true;
	}
	return false;
}

int cap_session_exclude(struct cap_session *s, const struct sockaddr *local,
			const struct sockaddr *remote)
{
	struct cap_addr l, r;
	uint16_t lp, rp;
	if (!s || !to_cap_addr(local, &l, &lp) || !to_cap_addr(remote, &r, &rp))
		return -EINVAL;
	return cap_report_exclude(s->rep, &l, lp, &r, rp);
}

void cap_session_stop(struct cap_session *s)
{
	uint64_t one = 1;
	if (!s || atomic_exchange(&s->stop, true))
		return;
	(void)!write(s->stop_fd, &one, sizeof(one)); /* cannot fail: a fresh eventfd counter */
	if (s->pcap && s->src->live)
		pcap_breakloop(s->pcap);
}

bool cap_session_done(struct cap_session *s)
{
	return !s || atomic_load(&s->done);
}

int cap_session_wait_fd(struct cap_session *s)
{
	return s->done_fd;
}

void cap_session_progress(struct cap_session *s, uint64_t *ret_packets, uint64_t *ret_bytes)
{
	*ret_packets = atomic_load_explicit(&s->prog_packets, memory_order_relaxed);
	*ret_bytes = atomic_load_explicit(&s->prog_bytes, memory_order_relaxed);
}

static void session_join(struct cap_session *s)
{
	if (!s->started || s->joined)
		return;
	cap_session_stop(s);
	pthread_join(s->thread, NULL);
	s->joined = true;
}

/* Close the evidence pcap, move it into place, hash it. */
static int evidence_commit(struct cap_session *s, char sha[65], char *errbuf, size_t errlen)
{
	int r;
	if (pcap_dump_flush(s->ev_dump) < 0) {
		mp_fmt(errbuf, errlen, "evidence file: write error");
		return -EIO;
	}
	pcap_dump_close(s->ev_dump);
	s->ev_dump = NULL;
	r = cap_afile_commit(&s->ev_file, errbuf, errlen);
	if (r < 0)
		return r;
	r = cap_sha256_file(s->ev_file.path, sha);
	if (r < 0)
		mp_fmt(errbuf, errlen, "can not hash the evidence file: %s", strerror(-r));
	return r;
}

int cap_session_end(struct cap_session *s, const struct cap_result **ret_result, char *errbuf,
		    size_t errlen)
{
	struct cap_run_info in;
	char sha[65] = "", linktype[64];
	const char *ln;
	int r;

	if (!s || s->finished)
		return -EINVAL;
	session_join(s);
	s->finished = true;
	cap_flowtab_flush(s->ft);
	if (s->ev_dump) {
		r = evidence_commit(s, sha, errbuf, errlen);
		if (r < 0)
			return r;
	}
	memset(&in, 0, sizeof(in));
	in.kind = s->src->kind;
	in.name = s->o.iface ? s->o.iface : s->o.file;
	ln = pcap_datalink_val_to_name(s->dlt);
	mp_strlcpy(linktype, ln ? ln : "?", sizeof(linktype));
	in.linktype = linktype;
	in.filter = s->o.filter;
	in.seconds = s->src->live ? (double)(s->end_ms - s->start_ms) / 1000.0
				  : (double)(s->last_us - s->first_us) / 1e6;
	in.packets = s->packets;
	in.bytes = s->bytes;
	in.dropped = s->dropped;
	in.if_dropped = s->if_dropped;
	in.non_tcp = s->non_tcp;
	in.fragments = s->fragments;
	in.malformed = s->malformed;
	in.unsupported = s->unsupported;
	in.tunnelled = s->tunnelled;
	cap_flowtab_stats(s->ft, &in.ft);
	in.error = s->error[0] ? s->error : NULL;
	if (s->input_bad && !s->input_err[0])
		mp_fmt(s->input_err, sizeof(s->input_err),
		       "'%s': %s (after %llu packets; the report holds what was read before it)",
		       s->o.file, s->read_err, (unsigned long long)s->packets);
	if (s->o.save_evidence && s->ev_file.path && !s->ev_file.tmp) {
		in.evidence_file = s->o.save_evidence;
		in.evidence_sha256 = sha;
		in.evidence_packets = s->ev_packets;
		in.evidence_bytes = s->o.evidence_bytes;
	}
	r = cap_result_new(&s->result, s->rep, &in);
	if (r < 0) {
		mp_fmt(errbuf, errlen, "building the report: %s", strerror(-r));
		return r;
	}
	*ret_result = s->result;
	return 0;
}

int cap_session_finish(struct cap_session *s, cJSON **ret_capture, cJSON **ret_findings,
		       char *errbuf, size_t errlen)
{
	const struct cap_result *res = NULL;
	int r = cap_session_end(s, &res, errbuf, errlen);
	if (r < 0)
		return r;
	r = cap_result_json(res, NULL, NULL, ret_capture, ret_findings);
	if (r < 0)
		mp_fmt(errbuf, errlen, "building the report: %s", strerror(-r));
	return r;
}

const char *cap_session_input_error(const struct cap_session *s)
{
	return s && s->finished && s->input_bad ? s->input_err : NULL;
}

void cap_session_free(struct cap_session *s)
{
	if (!s)
		return;
	session_join(s);
	if (s->ev_dump)
		pcap_dump_close(s->ev_dump);
	if (s->ev_dead)
		pcap_close(s->ev_dead);
	cap_afile_abort(&s->ev_file);
	cap_fmap_close(&s->map);
	if (s->has_prog)
		pcap_freecode(&s->prog);
	if (s->pcap)
		pcap_close(s->pcap);
	free(s->iobuf);
	cap_flowtab_free(s->ft);
	cap_kclients_free(s->kc); /* after the flow table: its streams count into it */
	cap_result_free(s->result);
	cap_report_free(s->rep);
	if (s->done_fd >= 0)
		close(s->done_fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	if (s->src_fd > STDIN_FILENO)
		close(s->src_fd); /* never handed to an open */
	free(s);
}

/* ---- exit code ---------------------------------------------------------------------------------- */

int cap_exit_code(const cJSON *capture)
{
	const cJSON *f, *st, *cls;
	bool classified = false;

	cJSON_ArrayForEach (f, cJSON_GetObjectItemCaseSensitive(capture, "findings")) {
		const cJSON *sev = cJSON_GetObjectItemCaseSensitive(f, "severity");
		if (cJSON_IsString(sev) && strcmp(sev->valuestring, "info") != 0)
			return MP_EXIT_FINDING;
	}
	st = cJSON_GetObjectItemCaseSensitive(capture, "stats");
	cls = cJSON_GetObjectItemCaseSensitive(st, "classes");
	cJSON_ArrayForEach (f, cls) {
		if (strcmp(f->string, "unknown") != 0 && cJSON_IsNumber(f) && f->valuedouble > 0)
			classified = true;
	}
	return classified ? MP_EXIT_PASS : MP_EXIT_UNVERIFIED;
}
