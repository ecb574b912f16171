/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scan orchestrator: plan (clusters, endpoints), resolve, run every
 * probe concurrently on one event loop, discover brokers with librdkafka,
 * then apply the policy. Endpoint failures never abort a scan: they become
 * per-endpoint errors in the report.
 */
#ifndef MP_SCAN_H
#define MP_SCAN_H

#include <stdbool.h>

#include "kafka_probe.h"
#include "model.h"

struct scan_cluster_spec {
	const char *name;
	const char *const *bootstrap; /* "host:port" */
	size_t n_bootstrap;
	const char *const *zookeeper; /* "host[:port][/chroot]" */
	size_t n_zookeeper;
};

struct scan_opts {
	const struct scan_cluster_spec *clusters;
	size_t n_clusters;
	struct mp_policy policy;
	int timeout_ms;
	unsigned concurrency;
	enum kafka_tls_mode tls_mode;
	const char *ca_file, *cert_file, *key_file;
	bool insecure;
	const char *sasl_mechanism, *sasl_username;
	const char *sasl_password; /* borrowed; the caller wipes it */
	bool discover;
	bool check_listeners;
	bool zk_anonymous_read;
	/* --open-monitoring[=PORT]: scrape each broker's Prometheus JMX
	 * exporter (MSK: 11001) after discovery; 0: off */
	unsigned open_monitoring_port;
	const char *fp_table_file; /* NULL: the built-in table */
	/* packet capture while the scan runs (live interface) or from a file
	 * (e.g. a VPC Traffic Mirroring capture); at most one is set */
	const char *capture_iface;
	const char *capture_file;
	unsigned capture_seconds; /* live: capture at least this long */
	/* keep every privilege after the capture opens (the demo: it opens
	 * another live capture later in the same process); else, once the
	 * capture is open, the process holds no capability */
	bool capture_keep_privileges;
	/* readable when the user interrupts (SIGINT/SIGTERM): the scan stops
	 * waiting and reports what it measured; <= 0 when not used (stdin is
	 * never an interrupt source) */
	int interrupt_fd;
	const char *command_line; /* for provenance, secrets already masked */
};

/*
 * Size the scan to the open-file limit before it starts: the soft limit is
 * raised toward the hard one as far as the scan needs, and if --concurrency
 * still does not fit beside what the rest of the process needs (discovery,
 * capture, files: mp_limits.h), o->concurrency is lowered and note says so
 * (else note is ""). Returns 0, or -EMFILE with the reason in errbuf when
 * not even one connection fits.
 */
int scan_fit_fd_limit(struct scan_opts *o, char *note, size_t notelen, char *errbuf, size_t errlen);

/* How an endpoint error starts when a local limit (out of file descriptors),
 * not the target, kept it from being probed. */
#define SCAN_LOCAL_ERROR "not probed (a limit of this machine, not the target): "

/* Endpoints of r whose error is a local one (SCAN_LOCAL_ERROR). */
size_t scan_local_failures(const struct mp_report *r);

/*
 * Run the scan. Returns 0 with *ret set (the report holds every result and
 * error), or -errno for a scan that could not start (bad table file, bad
 * CA file, bad endpoint syntax) with the reason in errbuf.
 */
int scan_run(const struct scan_opts *o, struct mp_report **ret, char *errbuf, size_t errlen);

#endif
