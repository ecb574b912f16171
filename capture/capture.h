/* SPDX-License-Identifier: Apache-2.0 */
/*
 * capture/: watch broker-to-ZooKeeper (and Kafka) traffic and prove whether
 * it is plaintext. Packets come from a live interface, a pipe or a pcapng
 * file through libpcap, or from a classic pcap file read in place (mmap,
 * cap_fmap.c: the same packets as libpcap's); layers are peeled (link, VLAN, IP, UDP VXLAN /
 * GENEVE, TCP); a bounded flow table joins both directions; a classifier
 * looks at the first payload bytes of each direction.
 *
 * The result is the `mskprobe.capture/1` JSON object and a findings array
 * `[{id, severity, title, evidence}]`. No payload byte ever reaches either:
 * ZooKeeper traffic carries ACLs and credentials.
 *
 * The capture CLI takes the whole result as JSON:
 *
 *	struct cap_opts o;
 *	cap_opts_init(&o);
 *	o.iface = "eth0"; o.duration_s = 30;
 *	r = cap_session_start(&s, &o, err, sizeof(err));  // opens, filters, starts a thread
 *	... wait ...
 *	r = cap_session_finish(s, &capture, &findings, err, sizeof(err));
 *	cap_session_free(s);
 *
 * A scan (cmd/scan_merge.c) takes it typed and joins it to its endpoints by
 * address: cap_session_end() gives a struct cap_result whose flows
 * (cap_result_flows) carry addresses as bytes, ports, class, confidence and
 * counts; cap_result_json() then renders the capture section and findings
 * of the flows the caller keeps (one cluster's endpoints).
 *
 * Threads: cap_session_start returns once the source is open and the capture
 * thread runs; every other call may come from any one thread. The capture
 * thread never writes to stdout/stderr and never calls exit().
 */
#ifndef CAP_CAPTURE_H
#define CAP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "mp_limits.h"

struct cJSON;
struct cap_session;
struct cap_result;

/* What a flow's first payload bytes say it is (capture/cap_clf.c). */
enum cap_class {
	CAP_CLASS_UNKNOWN = 0,
	CAP_CLASS_ZK,	     /* zookeeper-plaintext (client protocol) */
	CAP_CLASS_ZK_QUORUM, /* zookeeper-quorum (server to server: quorum, election) */
	CAP_CLASS_TLS,
	CAP_CLASS_KAFKA, /* kafka-plaintext */
	CAP_CLASS_COUNT,
};

enum cap_conf {
	CAP_CONF_NONE = 0,
	CAP_CONF_LOW,
	CAP_CONF_MEDIUM,
	CAP_CONF_HIGH,
};

/* The report's names: "zookeeper-plaintext", "tls", ...; "high", "medium", ... */
const char *cap_class_name(enum cap_class c);
const char *cap_conf_name(enum cap_conf c);

/* How a regular file is read (`capture --reader`). */
enum cap_reader {
	CAP_READER_AUTO = 0, /* mapped when it is a classic pcap, else libpcap */
	CAP_READER_LIBPCAP,  /* always through libpcap's own reads */
	CAP_READER_MMAP,     /* mapped, or fail (-EINVAL) when it can not be */
};

struct cap_opts {
	const char *iface;  /* live interface, or NULL */
	const char *file;   /* pcap or pcapng file ("-" = stdin), or NULL; exactly one is set */
	const char *filter; /* BPF expression compiled once, NULL = every packet */
	double duration_s; /* stop after this long (live: wall clock; file: ignored); 0 = no limit */
	unsigned snaplen;  /* live snap length */
	unsigned max_flows;		  /* hard cap of the flow table */
	uint16_t zk_ports[CAP_PORTS_MAX]; /* hints only, never the proof */
	unsigned n_zk_ports;
	uint16_t kafka_ports[CAP_PORTS_MAX];
	unsigned n_kafka_ports;
	const char *save_evidence; /* pcap of the flagged flows (opt-in), NULL = none */
	unsigned evidence_bytes;   /* payload bytes kept per evidence packet */
	/*
	 * Live only: once the handle is active, drop the whole process to this
	 * user (setgroups, setgid, setuid). NULL = keep the current identity.
	 * The CLI passes "nobody"; a scan that must keep its identity passes NULL.
	 */
	const char *user;
	/*
	 * Once the source is open, clear every capability (effective,
	 * permitted, inheritable, ambient), empty the bounding set (when
	 * CAP_SETPCAP allows) and set no_new_privs, for the whole process; with
	 * user also switch to that user. The capture CLI and a scan set it; a
	 * process that must open another live capture later (the demo's second
	 * scan) leaves it false. cap_session_start then fails with -EBUSY if
	 * other threads run (they would keep their capabilities).
	 */
	bool drop_privileges;
	enum cap_reader reader; /* files only; pipes, pcapng and live always use libpcap */
	/*
	 * The client inventory: judge every client whose requests were read
	 * against this exact release (base/compat.h resolves --target-version);
	 * NULL = list the clients without a judgement.
	 */
	const char *target_version;
};

/* Defaults: ZooKeeper ports 2181,2182, Kafka 9092,9094,9096,9098, 100k flows. */
void cap_opts_init(struct cap_opts *o);

/*
 * Open the source, compile and set the filter, open the evidence file, drop
 * privileges, start the capture thread. 0 and *ret set, or -errno (-EINVAL
 * for bad options or a bad filter, -ENOENT/-EPERM/... for the source) with
 * the reason in errbuf; *ret untouched on failure.
 */
int cap_session_start(struct cap_session **ret, const struct cap_opts *o, char *errbuf,
		      size_t errlen);

/*
 * Exclude one of the caller's own connections (local and remote endpoint,
 * e.g. a scan's probe) from the results: it is counted in
 * stats.own_flows_excluded and never becomes evidence. Call it as soon as
 * the connection exists; safe from any thread. 0, -EINVAL or -ENOMEM.
 */
struct sockaddr;
int cap_session_exclude(struct cap_session *s, const struct sockaddr *local,
			const struct sockaddr *remote);

/* Ask the capture to stop soon (idempotent; safe from any thread, not from a signal handler). */
void cap_session_stop(struct cap_session *s);

/* True once the capture thread has ended (end of file, duration, stop or a read error). */
bool cap_session_done(struct cap_session *s);

/*
 * A descriptor that polls readable once the capture thread has ended, so a
 * caller can wait for the end without a timer (poll it; never read or close
 * it). Valid until cap_session_free.
 */
int cap_session_wait_fd(struct cap_session *s);

/* Progress so far (for a terminal line): packets and bytes read. */
void cap_session_progress(struct cap_session *s, uint64_t *ret_packets, uint64_t *ret_bytes);

/*
 * Stop (if still running), wait for the thread, classify what remains and
 * build the results. On 0, *ret_capture is a new `mskprobe.capture/1` object
 * (with its own "findings" copy) and *ret_findings a new array of
 * {id, severity, title, evidence}; the caller owns both (cJSON_Delete).
 * -errno on failure (a read error mid-file still yields results: it is
 * recorded in stats.error, and 0 is returned). Call at most once.
 */
int cap_session_finish(struct cap_session *s, struct cJSON **ret_capture,
		       struct cJSON **ret_findings, char *errbuf, size_t errlen);

/*
 * One listed flow of a finished capture: what the capture section lists
 * (every flow with a class, and unknown flows on a hinted port), never a
 * payload byte. client/server are as the flow table decided them.
 */
struct cap_flow_info {
	struct mp_addr client, server;
	uint16_t cport, sport;
	int64_t vni; /* innermost VXLAN/GENEVE VNI, -1 when not tunnelled */
	enum cap_class cls;
	enum cap_conf conf;  /* medium or better: counted in a finding */
	uint64_t packets[2]; /* [0] client to server, [1] server to client */
	uint64_t bytes[2];
	uint64_t first_us, last_us; /* packet time */
	/* why it has its class: opaque codes, rendered by cap_flow_reason() */
	uint8_t reason;
	uint16_t reason_arg;
	bool port_hint, mid_session, has_payload;
};

/* The reason text the capture section shows for f (fixed texts, no payload). */
void cap_flow_reason(char *buf, size_t n, const struct cap_flow_info *f);

/*
 * Stop (if still running), wait for the thread, classify what remains and
 * keep the result: 0 and *ret_result, owned by the session (valid until
 * cap_session_free; never free it yourself), or -errno with errbuf (a read
 * error mid-file still yields a result, as for cap_session_finish). Call at
 * most once, and not together with cap_session_finish.
 */
int cap_session_end(struct cap_session *s, const struct cap_result **ret_result, char *errbuf,
		    size_t errlen);

/* The listed flows, oldest first: n into *ret_n, the array borrowed from r. */
const struct cap_flow_info *cap_result_flows(const struct cap_result *r, size_t *ret_n);

/* Flows past CAP_REPORT_FLOWS_MAX (or out of memory) that cap_result_flows
 * does not list: a join over the listed flows is then incomplete. */
uint64_t cap_result_unlisted(const struct cap_result *r);

/* Keep the flows whose server is this address and port (a caller's join). */
typedef bool (*cap_keep_fn)(const struct mp_addr *server, uint16_t port, void *ud);

/*
 * The `mskprobe.capture/1` object and findings for the flows keep accepts
 * (keep NULL: every flow, exactly what cap_session_finish gives). With keep:
 * flows lists the kept flows, stats.classes counts them and
 * stats.cluster_flows says how many, stats.scope says that the other
 * figures are the whole capture's; a plaintext finding names the kept
 * client/server pairs only and counts their flows (pairs_not_listed stays
 * the whole capture's), and with no kept plaintext pair the finding is
 * CAPTURE_NO_PLAINTEXT_OBSERVED with the kept flows' class counts. New
 * objects, the caller owns both (cJSON_Delete). 0 or -ENOMEM.
 */
int cap_result_json(const struct cap_result *r, cap_keep_fn keep, void *ud,
		    struct cJSON **ret_capture, struct cJSON **ret_findings);

/*
 * After cap_session_finish: when the input file's content was corrupt (a cut
 * record, an impossible length), one line naming the file and what is wrong,
 * else NULL. The report still holds what was read before it (and the error
 * in stats.error); the CLI maps this to MP_EXIT_USAGE (bad input). Valid
 * until cap_session_free.
 */
const char *cap_session_input_error(const struct cap_session *s);

/*
 * What cap_session_start does with o->drop_privileges / o->user: drop to
 * user (setgroups, setgid, setuid to uid/gid) when user is set, clear every
 * capability and the bounding set, set no_new_privs; then check that nothing
 * is left. Call it with no other thread running (-EBUSY otherwise). 0, or
 * -errno with the step that failed in errbuf.
 */
int cap_privs_drop(const char *user, uid_t uid, gid_t gid, char *errbuf, size_t errlen);

/* Stops, joins and frees; accepts NULL. Removes an uncommitted evidence temp file. */
void cap_session_free(struct cap_session *s);

/*
 * Exit code the CLI maps the findings to (base/mp_exit.h): MP_EXIT_FINDING when
 * any finding is above info, MP_EXIT_PASS when the capture classified at
 * least one flow and found nothing, MP_EXIT_UNVERIFIED when it saw nothing
 * it could classify.
 */
int cap_exit_code(const struct cJSON *capture);

/* Render a capture object as text (for --format text). 0 or -errno. */
int cap_render_text(const struct cJSON *capture, char **ret_text);

/*
 * The text cJSON_Print(item) gives, byte for byte, without its per-number
 * sprintf and sscanf (cap_jprint.c). 0 and *ret_text (free it), or -ENOMEM
 * (also for an item cJSON_Print refuses: invalid type, raw without text).
 */
int cap_json_print(const struct cJSON *item, char **ret_text);

/* ---- atomic output files (cap_afile.c) ----------------------------------- */

struct cap_afile {
	int fd;
	char *tmp;  /* temp path in the target's directory */
	char *path; /* final path */
};

/* Create DIR/.NAME.XXXXXX with mode 0600. 0 or -errno with errbuf. */
int cap_afile_open(struct cap_afile *f, const char *path, char *errbuf, size_t errlen);
/* Give the temp file to uid/gid (before a privilege drop); 0 or -errno. */
int cap_afile_chown(struct cap_afile *f, uid_t uid, gid_t gid);
/* fsync, rename over path, fsync the directory; closes fd. 0 or -errno. */
int cap_afile_commit(struct cap_afile *f, char *errbuf, size_t errlen);
/* Remove the temp file if not committed and free; safe twice. */
void cap_afile_abort(struct cap_afile *f);
/* Write all of buf to the file. 0 or -errno. */
int cap_afile_write(struct cap_afile *f, const void *buf, size_t len);
#endif
