/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private interfaces between the capture modules: decapsulation (cap_decap.c),
 * the classifier (cap_clf.c), the flow table (cap_flow.c), the JSON builder
 * (cap_json.c), atomic output files (cap_afile.c). Not for other subsystems:
 * they use capture.h.
 */
#ifndef CAP_INTERNAL_H
#define CAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "mp_limits.h"
#include "capture.h"

struct cJSON;
struct cap_kclients;

/* ---- decapsulation (cap_decap.c) ---------------------------------------- */

enum cap_decap_rc {
	CAP_DECAP_TCP = 0,     /* a TCP segment: pkt is filled */
	CAP_DECAP_OTHER,       /* well-formed, not TCP (UDP, ICMP, ARP, ...) */
	CAP_DECAP_FRAGMENT,    /* a non-first IP fragment: counted, not reassembled */
	CAP_DECAP_MALFORMED,   /* a header was cut short or inconsistent */
	CAP_DECAP_UNSUPPORTED, /* link type we do not peel */
};

enum cap_tunnel {
	CAP_TUNNEL_NONE = 0,
	CAP_TUNNEL_VXLAN,
	CAP_TUNNEL_GENEVE,
};

struct cap_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t a[16];	/* IPv4 in the first 4 bytes, the rest zero */
};

struct cap_pkt {
	struct cap_addr src, dst;
	uint16_t sport, dport;
	int64_t vni;	/* innermost VXLAN/GENEVE VNI, -1 when not tunnelled */
	uint8_t tunnel; /* enum cap_tunnel */
	bool fragment;	/* an IP fragment (first fragments are still decoded) */
	uint8_t tcp_flags;
	uint32_t seq;
	uint32_t ip_len;	   /* inner IP packet length as declared (bytes counted per flow) */
	const uint8_t *payload;	   /* captured TCP payload, inside the frame */
	size_t payload_len;	   /* captured (may be less than declared: snaplen, mirroring) */
	uint32_t payload_declared; /* from the IP length: what the sequence space advances by */
	size_t payload_off; /* offset of the payload in the frame (for evidence truncation) */
};

#define CAP_TCP_FIN 0x01
#define CAP_TCP_SYN 0x02
#define CAP_TCP_RST 0x04
#define CAP_TCP_ACK 0x10

/* Peel one frame of link type dlt (a DLT_* value). */
enum cap_decap_rc cap_decap(int dlt, const uint8_t *frame, size_t caplen, struct cap_pkt *ret);
bool cap_dlt_supported(int dlt);

/* ---- classic pcap walked in memory (cap_pcapwalk.c) -------------------- */

struct cap_pcapw {
	const uint8_t *base;
	size_t size, off;    /* off: the next record header */
	bool swapped;	     /* written in the other byte order */
	bool nano;	     /* nanosecond stamps (given as microseconds, as libpcap does) */
	uint32_t snapshot;   /* the file's snapshot length as libpcap adjusts it */
	uint32_t max_caplen; /* larger is an error (libpcap's max_snaplen_for_dlt) */
};

/*
 * Start walking the n bytes at p: 0 when they are a classic pcap this walker
 * reads (version 2.4, either byte order, micro or nano), 1 when libpcap must
 * read them (pcapng, another version or variant, no capture at all).
 */
int cap_pcapw_init(struct cap_pcapw *w, const uint8_t *p, size_t n);
/*
 * The next record: 1 with *h and *ret_data (caplen bytes inside the buffer,
 * cut to the snapshot length as libpcap cuts it), 0 at the end, -EBADMSG
 * when the record is damaged, with libpcap's words for it in errbuf.
 */
int cap_pcapw_next_slow(struct cap_pcapw *w, struct pcap_pkthdr *h, const uint8_t **ret_data,
			char *errbuf, size_t errlen);
/* The common record (native byte order, caplen within every limit) inline; the rest out of line. */
static inline int cap_pcapw_next(struct cap_pcapw *w, struct pcap_pkthdr *h,
				 const uint8_t **ret_data, char *errbuf, size_t errlen)
{
	size_t left = w->size - w->off;
	if (__builtin_expect(left >= 16 && !w->swapped, 1)) {
		const uint8_t *r = w->base + w->off;
		uint32_t f[4]; /* ts_sec, ts_usec, caplen, len */
		__builtin_memcpy(f, r, 16);
		if (__builtin_expect(
			    f[2] <= w->snapshot && f[2] <= w->max_caplen && f[2] <= left - 16, 1)) {
			h->ts.tv_sec = (int32_t)f[0];
			h->ts.tv_usec = w->nano ? (int32_t)f[1] / 1000 : (int32_t)f[1];
			h->caplen = f[2];
			h->len = f[3];
			*ret_data = r + 16;
			w->off += 16 + (size_t)f[2];
			return 1;
		}
	}
	return cap_pcapw_next_slow(w, h, ret_data, errbuf, errlen);
}

/* ---- the mapped-file reader (cap_fmap.c) --------------------------------- */

/*
 * A BPF program recognised as one a filter of a known shape compiles to
 * (`tcp port P` over a link header whose ethertype ends it), and checked
 * without the interpreter: the same verdict as pcap_offline_filter for every
 * packet, truncated ones included (tests/capture/test-cap-fmap.c compares
 * the two on every cut of every crafted frame, fuzz-pcapwalk on any).
 */
struct cap_fastf {
	bool on;
	uint16_t port; /* P */
	uint32_t l;    /* the link header's length (the ethertype is its last 2 bytes) */
};
/* Recognise prog: true when cap_fastf_match may stand for it. */
bool cap_fastf_compile(struct cap_fastf *f, const struct bpf_program *prog);
/* pcap_offline_filter(prog, ...) != 0, for a recognised prog. */
static inline bool cap_fastf_match(const struct cap_fastf *f, const uint8_t *p, uint32_t n)
{
	uint32_t l = f->l, x;
	unsigned et;
	if (n < l)
		return false;
	et = (unsigned)p[l - 2] << 8 | p[l - 1];
	if (et == 0x86dd) {
		if (n < l + 42 || p[l + 6] != 6)
			return false;
		if (((unsigned)p[l + 40] << 8 | p[l + 41]) == f->port)
			return true;
		return n >= l + 44 && ((unsigned)p[l + 42] << 8 | p[l + 43]) == f->port;
	}
	if (et != 0x800 || n < l + 10 || p[l + 9] != 6 || (p[l + 6] & 0x1f) != 0 || p[l + 7] != 0)
		return false;
	x = 4u * (p[l] & 0xfu) + l;
	if (n < x + 2)
		return false;
	if (((unsigned)p[x] << 8 | p[x + 1]) == f->port)
		return true;
	return n >= x + 4 && ((unsigned)p[x + 2] << 8 | p[x + 3]) == f->port;
}

/*
 * The mapping thread: ahead of the reader it maps the file's pages in
 * (MADV_POPULATE_READ, at most CAP_MAP_LOOKAHEAD ahead), behind it unmaps
 * them again (MADV_DONTNEED), so the reader takes neither a page fault nor
 * a teardown. The reader publishes its place once per CAP_MAP_WINDOW (pos,
 * then seq, the futex word the thread sleeps on when it has nothing to do),
 * and wakes the thread only once half the look-ahead is read. A thread kept
 * off the CPU must not let the mapping grow: once CAP_MAP_BEHIND_MAX bytes
 * read are still mapped, the reader unmaps them itself.
 */
struct cap_fmap_mt {
	_Atomic size_t pos;   /* the reader's place: bytes below it are read */
	_Atomic uint32_t seq; /* bumped with each publication (futex word) */
	_Atomic int sleeping; /* the thread waits on seq: wake it once pos reaches wake_at */
	_Atomic size_t wake_at;
	_Atomic int quit;
	_Atomic size_t released; /* bytes below it are unmapped (by either thread) */
	size_t populated;	 /* the thread's own */
	bool populate_off;	 /* MADV_POPULATE_READ failed (an old kernel, a cut file) */
};

struct cap_fmap {
	const uint8_t *base; /* the whole file, MAP_PRIVATE, read-only */
	size_t size;
	/* the mapping thread's state, or NULL: the reader maps and unmaps */
	struct cap_fmap_mt *mt;
	pthread_t mt_thread;
	bool mt_tried;	   /* the first cap_fmap_next starts it */
	size_t published;  /* the reader's place as last published to the mapping thread */
	size_t released;   /* bytes below this were unmapped again */
	size_t populated;  /* bytes below this were mapped ahead (MADV_POPULATE_READ) */
	size_t prefetched; /* cache lines below this were asked for */
	int fd;		   /* not owned: the descriptor libpcap's pcap_t holds */
	struct cap_pcapw w;
	const struct bpf_program *prog; /* the filter, or NULL */
	struct cap_fastf fast;		/* prog recognised: run without the interpreter */
};

/*
 * Map the regular file open on fd and start the walk: 0, or 1 when it is no
 * classic pcap the walker reads (or can not be mapped): read it with
 * libpcap; -errno on failure.
 */
int cap_fmap_open(struct cap_fmap *m, int fd, char *errbuf, size_t errlen);
/* Only records prog accepts (not owned; outlives the reader). */
void cap_fmap_set_filter(struct cap_fmap *m, const struct bpf_program *prog);
/*
 * From the capture thread: the next record the filter accepts, as
 * cap_pcapw_next; also -EBADMSG when the file was cut short while mapped.
 */
int cap_fmap_next(struct cap_fmap *m, struct pcap_pkthdr *h, const uint8_t **ret_data, char *errbuf,
		  size_t errlen);
void cap_fmap_close(struct cap_fmap *m);

/* ---- classifier (cap_clf.c) --------------------------------------------- */

/* enum cap_class and enum cap_conf: capture.h */

/* Why: one code per rule, rendered with arg by cap_reason_text(). */
enum cap_reason {
	CAP_R_NONE = 0,
	CAP_R_ZK_CONNECT_REQ,  /* ConnectRequest (len 44/45, protocol 0, passwd 16) */
	CAP_R_ZK_CONNECT_RESP, /* ConnectResponse */
	CAP_R_ZK_PING,	       /* ping request */
	CAP_R_ZK_PING_REPLY,
	CAP_R_ZK_NOTIFICATION,	 /* watch event with a '/' path */
	CAP_R_ZK_PATH_REQ,	 /* request, arg = opcode, with a '/' path */
	CAP_R_ZK_REQ,		 /* request, arg = opcode, no path to check */
	CAP_R_ZK_REPLY,		 /* reply header chain */
	CAP_R_ZK_4LW,		 /* four-letter word, arg = index in the word table */
	CAP_R_ZK_4LW_REPLY,	 /* a four-letter word answer */
	CAP_R_ZKQ_ELECTION_INIT, /* leader election: protocol -65536/-65535, sid, host:port */
	CAP_R_ZKQ_ELECTION_NOTE, /* leader election notification */
	CAP_R_ZKQ_PACKET,	 /* QuorumPacket(s), arg = type of the first */
	CAP_R_TLS_CLIENT_HELLO,	 /* arg = record minor version */
	CAP_R_TLS_SERVER_HELLO,
	CAP_R_TLS_RECORDS, /* chained record headers (mid-session), arg = content type */
	CAP_R_TLS_RECORD,  /* one record header only */
	CAP_R_TLS_SSLV2_HELLO,
	CAP_R_KAFKA_REQ, /* arg = api key */
	CAP_R_COUNT,
};

struct cap_clf_out {
	uint8_t cls;		 /* enum cap_class */
	uint8_t conf;		 /* enum cap_conf */
	uint8_t reason;		 /* enum cap_reason */
	int8_t sender_is_client; /* 1 client, 0 server, -1 cannot tell */
	uint16_t arg;
	uint16_t tls_version;	   /* 0x0301.. from a hello, 0 unknown */
	char sni[CAP_SNI_MAX + 1]; /* validated host name, "" when none */
};

/* Classify bytes that should start at a message boundary of one direction. */
void cap_clf_bytes(const uint8_t *p, size_t n, struct cap_clf_out *ret);
/* Human reason for a classification; never contains payload bytes. */
void cap_reason_text(char *buf, size_t n, enum cap_reason r, uint16_t arg);
/* A host name (RFC 1123 letters, digits, '-', '.'; no empty labels). */
bool cap_sni_valid(const uint8_t *p, size_t n);

/* ---- flow table (cap_flow.c) --------------------------------------------- */

struct cap_ports {
	uint16_t zk[CAP_PORTS_MAX];
	unsigned n_zk;
	uint16_t kafka[CAP_PORTS_MAX];
	unsigned n_kafka;
};

/* A flow as the report sees it (finished or still open at the end). */
struct cap_flow_result {
	struct cap_addr client, server;
	uint16_t cport, sport;
	int64_t vni;
	uint8_t tunnel;
	uint8_t cls, conf, reason;
	uint16_t arg;
	uint8_t client_basis; /* enum cap_basis */
	bool port_hint;	      /* a port hint raised the confidence */
	bool mid_session;     /* no SYN seen: the capture started inside the session */
	bool has_payload;     /* some payload was seen (else: handshake or ACKs only) */
	uint16_t tls_version;
	char sni[CAP_SNI_MAX + 1];
	uint64_t first_us, last_us, id;
	uint64_t pkts[2], bytes[2]; /* [0] client to server, [1] server to client */
	uint32_t seq;		    /* the report's: its place in the order flows were listed */
};

enum cap_basis {
	CAP_BASIS_SYN = 0,  /* the side that sent the SYN */
	CAP_BASIS_PROTOCOL, /* the classifier saw who speaks first (hello, request) */
	CAP_BASIS_PORT,	    /* the other side uses a hinted server port */
	CAP_BASIS_GUESS,    /* the higher (ephemeral-looking) port */
};

struct cap_flowtab;

/* Called for each flow leaving the table (idle, early drop, or the end). */
typedef void (*cap_flow_done_fn)(void *ctx, const struct cap_flow_result *r);

struct cap_flowtab_stats {
	uint64_t flows;		 /* flows created */
	uint64_t flows_over_cap; /* evicted early for the cap + estimated distinct refused tuples */
	uint64_t flows_refused;	 /* refused packets (new tuple while full) */
	uint64_t flows_idle;	 /* finished by idle eviction */
	uint64_t active;	 /* in the table now */
	uint64_t clf_pool_bytes; /* classifier buffers in use */
};

int cap_flowtab_new(struct cap_flowtab **ret, uint32_t max_flows, const struct cap_ports *ports,
		    cap_flow_done_fn done, void *ctx);
/* Read the Kafka requests of plaintext Kafka flows into kc (not owned; NULL = off). */
void cap_flowtab_set_kclients(struct cap_flowtab *t, struct cap_kclients *kc);
void cap_flowtab_free(struct cap_flowtab *t);
/*
 * Account one TCP segment at packet time ts_us. Returns 1 when the segment
 * belongs to a flow flagged plaintext (the caller may keep it as evidence),
 * 0 otherwise.
 */
int cap_flowtab_add(struct cap_flowtab *t, const struct cap_pkt *p, uint64_t ts_us);
/* Finish every flow still in the table (calls done for each). */
void cap_flowtab_flush(struct cap_flowtab *t);
void cap_flowtab_stats(const struct cap_flowtab *t, struct cap_flowtab_stats *ret);

/* ---- client inventory (cap_kreq.c) --------------------------------------- */

struct cap_kclients;
struct cap_kstream;

struct cap_kstats {
	uint64_t flows;			/* client directions read */
	uint64_t requests;		/* request headers read */
	uint64_t requests_unreadable;	/* a header fell where the capture cut bytes */
	uint64_t desyncs;		/* boundaries lost (gap, garbage), then searched again */
	uint64_t client_ids_cut;	/* client ids longer than kept */
	uint64_t flows_not_inventoried; /* the stream pool was full */
	uint64_t clients_over_cap;	/* client keys past CAP_KCLIENTS_MAX */
};

int cap_kclients_new(struct cap_kclients **ret);
void cap_kclients_free(struct cap_kclients *kc);
void cap_kclients_stats(const struct cap_kclients *kc, struct cap_kstats *ret);
/*
 * Connections never to inventory (a scan's own probes): own(ctx, client,
 * cport, server, sport) is asked once per flow, before its first request.
 */
typedef bool (*cap_own_fn)(void *ctx, const struct cap_addr *a, uint16_t ap,
			   const struct cap_addr *b, uint16_t bp);
void cap_kclients_set_own(struct cap_kclients *kc, cap_own_fn own, void *ctx);
/* Is this flow one of those? (false without a callback) */
bool cap_kclients_own(const struct cap_kclients *kc, const struct cap_addr *client, uint16_t cport,
		      const struct cap_addr *server, uint16_t sport);
/* A stream for one flow's client direction, or NULL (pool full: counted). */
struct cap_kstream *cap_kstream_new(struct cap_kclients *kc);
void cap_kstream_free(struct cap_kclients *kc, struct cap_kstream *s);
/* seq is known to start a request (the first byte after the SYN): no need to find a boundary. */
void cap_kstream_boundary(struct cap_kstream *s, uint32_t seq);
/* One TCP segment the client sent (any order; retransmissions and gaps handled). */
void cap_kstream_seg(struct cap_kclients *kc, struct cap_kstream *s, const struct cap_pkt *p,
		     const struct cap_addr *client, const struct cap_addr *server, uint16_t sport);
/*
 * Add "clients" (the clients keep accepts: a client is kept when one of its
 * servers is, and lists only those) and "client_inventory" (counts, TLS
 * flows per server that could not be read) to root, and the client
 * findings to findings (when not NULL). kc may be NULL (nothing read).
 * target: judge each client against it (NULL: "target" null, no
 * incompatibility finding). 0, -ENOMEM or -EINVAL (an id the catalogue lacks).
 */
int cap_kclients_json(const struct cap_kclients *kc, const struct cap_flow_result *flows, size_t n,
		      cap_keep_fn keep, void *ud, const char *target, struct cJSON *root,
		      struct cJSON *findings);

/* ---- report (cap_json.c) ------------------------------------------------- */

struct cap_report;

int cap_report_new(struct cap_report **ret);
void cap_report_free(struct cap_report *r);
/* Record a finished flow (flow-done callback; ctx is the report). */
void cap_report_flow(void *ctx, const struct cap_flow_result *r);
void cap_report_set_ports(struct cap_report *r, const struct cap_ports *ports);
/* The client inventory to render (not owned) and the release to judge it against (or NULL). */
void cap_report_set_kclients(struct cap_report *r, const struct cap_kclients *kc,
			     const char *target);
/*
 * Build each listed flow's JSON object as it is reported, on a thread of the
 * report's own, while the capture goes on; the report then only links them
 * (the same objects flow_json makes after the read). Call before the first
 * cap_report_flow, after any privilege drop (the thread keeps the
 * capabilities it starts with). 0, or -errno when the thread can not start
 * (the report is then built after the read, as without it).
 */
int cap_report_prebuild(struct cap_report *r);
/*
 * A connection of our own (a scan's probe) that must never count as evidence:
 * its flow is dropped when it is reported and counted as own_flows_excluded.
 * Thread-safe against cap_report_flow. 0 or -ENOMEM.
 */
int cap_report_exclude(struct cap_report *r, const struct cap_addr *local, uint16_t lport,
		       const struct cap_addr *remote, uint16_t rport);
/* Is (a:ap, b:bp) one of those connections, either way round? ctx: the report. Thread-safe. */
bool cap_report_is_own(void *ctx, const struct cap_addr *a, uint16_t ap, const struct cap_addr *b,
		       uint16_t bp);

struct cap_run_info {
	const char *kind; /* "interface" | "file" */
	const char *name;
	const char *linktype; /* pcap's name for the DLT */
	const char *filter;
	double seconds;
	uint64_t packets, bytes, dropped, if_dropped;
	uint64_t non_tcp, fragments, malformed, unsupported, tunnelled;
	struct cap_flowtab_stats ft;
	const char *error;	   /* read error, or NULL */
	const char *evidence_file; /* NULL when none */
	const char *evidence_sha256;
	uint64_t evidence_packets;
	unsigned evidence_bytes;
};

/* Build the capture object and the findings array; 0 or -ENOMEM. */
int cap_report_build(struct cap_report *r, const struct cap_run_info *info,
		     struct cJSON **ret_capture, struct cJSON **ret_findings);

/*
 * The typed result (capture.h) of a finished report: borrows r (which must
 * outlive it), copies info and the strings it points to that live on the
 * caller's stack (linktype, evidence_sha256); the rest must outlive it too
 * (the session's). Sorts r's flows. 0 or -ENOMEM.
 */
int cap_result_new(struct cap_result **ret, struct cap_report *r, const struct cap_run_info *info);
void cap_result_free(struct cap_result *res);
/* "10.0.0.1" or "2001:db8::1": the address alone. */
void cap_host_str(char *buf, size_t n, const struct cap_addr *a);
/* "10.0.0.1:2181" or "[2001:db8::1]:2181". */
void cap_endpoint_str(char *buf, size_t n, const struct cap_addr *a, uint16_t port);
/* RFC 3339 UTC with microseconds. */
void cap_time_str(char buf[40], uint64_t us);

/* SHA-256 hex of a file's contents. 0 or -errno. */
int cap_sha256_file(const char *path, char out[65]);

#endif
