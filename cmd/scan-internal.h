/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the scan (cmd/scan*.c):
 *   scan.c          orchestration: tables, TLS contexts, capture start and
 *                   wait, the two phases of the loop, policy, cleanup
 *   scan_plan.c     planning: endpoints into the model, probes, discovery,
 *                   listener checks, TLS inspection of Kafka listeners
 *   scan_resolve.c  resolution: each endpoint's name resolved on the loop
 *                   (probe/resolve.h), then its probe started
 *   scan_merge.c    merge: the capture's typed flows joined to the
 *                   endpoints by address and port
 */
#ifndef MP_SCAN_INTERNAL_H
#define MP_SCAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "capture.h"
#include "discovery.h"
#include "model.h"
#include "resolve.h"
#include "scan.h"
#include "tls.h"

struct scan;

/* A probed broker and the address it was probed at (listener checks, dedup). */
struct bref {
	struct mp_broker *b;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* Per cluster: what is still running and what discovery needs. */
struct cstate {
	struct scan *s;
	struct mp_cluster *c;
	const struct scan_cluster_spec *spec;
	struct disc *disc;
	bool disc_started;
	bool disc_merged;      /* its results are in the cluster */
	size_t bootstrap_left; /* bootstrap endpoints still resolving or probing */
	size_t bootstrap_probed;
	bool disc_withheld;  /* a broker answered, but not over a transport for credentials */
	struct bref *probed; /* every broker probed, with its address */
	size_t n_probed, cap_probed;
};

/* What a pending name lookup is for (scan_resolve.c); freed with the scan. */
struct pend {
	struct pend *next; /* the scan's list of them */
	struct cstate *st;
	struct mp_broker *b;	  /* a bootstrap broker, or NULL */
	struct mp_zk_endpoint *z; /* a ZooKeeper endpoint, or NULL */
	struct disc_batch *batch; /* a discovered broker, or NULL */
	size_t idx;		  /* its index in the batch */
	bool owns_batch;	  /* the batch is freed with this one */
};

struct scan {
	const struct scan_opts *o;
	struct mp_report *r;
	struct mp_loop *loop;
	struct mp_resolver *rv;
	SSL_CTX *tls;
	struct fp_table *fp;
	struct msk_catalog *msk;
	struct tls_probe_set *protos; /* per-version TLS contexts, shared */
	struct cap_session *cap;      /* --capture / --capture-file */
	bool interrupted;
	int64_t cap_started;
	struct cstate *cs;
	struct pend *pends;
};

/* scan.c */
void scan_mark_local(char *error, size_t len);
void scan_exclude_own(const struct sockaddr *local, const struct sockaddr *remote, void *ud);

/* scan_plan.c */
int scan_plan_cluster(struct scan *s, struct cstate *st, char *errbuf, size_t errlen);
int scan_plan_zookeeper(struct scan *s, struct cstate *st, char *errbuf, size_t errlen);
void scan_plan_listener_checks(struct cstate *st);
void scan_plan_kafka_tls(struct scan *s, struct cstate *st);
int scan_kafka_tls_findings(struct cstate *st, const struct mp_policy *p);
/* Probe b at addr; remembers it in st->probed. 0 or -errno (b->error says why). */
int scan_probe(struct cstate *st, struct mp_broker *b, const struct sockaddr_storage *addr,
	       socklen_t addrlen, enum kafka_tls_mode mode);
void scan_zk_probe(struct cstate *st, struct mp_zk_endpoint *z, const struct sockaddr_storage *addr,
		   socklen_t addrlen);
/* A bootstrap endpoint is done (probed, or it could not be). */
void scan_bootstrap_settled(struct cstate *st);
/* Discovered brokers, in the metadata's order, once every name is resolved. */
void scan_merge_discovered(struct cstate *st, const struct disc_result *res,
			   const struct mp_resolved *resolved);

/* scan_resolve.c */
int scan_resolve_broker(struct cstate *st, struct mp_broker *b);
int scan_resolve_zk(struct cstate *st, struct mp_zk_endpoint *z);
/* Resolve every discovered broker not already known by name, then scan_merge_discovered. */
int scan_resolve_discovered(struct cstate *st, const struct disc_result *res);
/* The first address of res at port, as a sockaddr. */
socklen_t scan_sockaddr(const struct mp_addr *a, uint16_t port, struct sockaddr_storage *ret);
/* Endpoints still waiting for their name after an interrupt: say so. */
void scan_resolve_abandoned(struct scan *s);
void scan_pends_free(struct scan *s);

/* scan_merge.c: the address join */
/* Does the endpoint (addrs, port) answer at address a, port p? */
bool scan_ep_serves(const struct mp_addrs *addrs, uint16_t port, const struct mp_addr *a,
		    uint16_t p);
/* Is a:p one of c's ZooKeeper endpoints? */
bool scan_cluster_zk_serves(const struct mp_cluster *c, const struct mp_addr *a, uint16_t p);
/* Is a:p any endpoint of c (ZooKeeper, broker, listener check)? */
bool scan_cluster_serves(const struct mp_cluster *c, const struct mp_addr *a, uint16_t p);
/*
 * Attach the finished capture to the clusters of r, joined by address: each
 * cluster's capture section and findings cover the flows to its endpoints;
 * traffic_encrypted is proven where its ZooKeeper endpoints saw TLS and no
 * plaintext; flows to no endpoint are counted under "unattributed" in every
 * section. 0 or -ENOMEM.
 */
int scan_merge_result(struct mp_report *r, const struct cap_result *res);
/*
 * The client findings of c (base/compat.h) from its inventory, every source
 * merged (capture, Open Monitoring): call once, after all of them.
 */
int scan_client_findings(struct mp_cluster *c, const struct mp_policy *p);

/*
 * --open-monitoring: scrape every probed broker address's Open Monitoring
 * port (once per address and cluster), then set each cluster's
 * open_monitoring[] and add its clients[] (docs/open-monitoring.md). A
 * broker that fails is a status in the report, never a scan failure.
 * 0 or -ENOMEM.
 */
int scan_open_monitoring(struct scan *s);

/* Two socket addresses of the same host (the port aside); set a socket address's port. */
struct sockaddr_storage;
bool scan_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b);
void scan_set_port(struct sockaddr_storage *a, uint16_t port);

#endif
