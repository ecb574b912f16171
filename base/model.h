/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The result model shared by probe/, capture/ and reports/.
 *
 * Probes fill it with what they measured (evidence); probe/policy.c derives
 * the fingerprint summary, findings and verdict from that evidence; reports/
 * serialises it to the JSON report once. Every other output format is
 * rendered from the JSON, never from these structs, so saved reports can be
 * re-rendered later with the same code.
 *
 * Ownership: a struct mp_report owns its clusters, a cluster owns its brokers,
 * ZooKeeper endpoints and findings; a finding owns its evidence (cJSON).
 * Free with mp_report_free(), which accepts NULL.
 */
#ifndef MP_MODEL_H
#define MP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mp_limits.h"

struct cJSON;
struct sockaddr;

/* ---- addresses ------------------------------------------------------------ */

/* An IP address as bytes: family 4 (the first 4 bytes, the rest zero) or 6; 0: none. */
struct mp_addr {
	uint8_t family;
	uint8_t a[16];
};

/*
 * Where an endpoint is: every address its name resolved to (in the
 * resolver's order, duplicates dropped, at most MP_ADDRS_MAX) and the one a
 * probe connected to. The join of captured flows to endpoints compares these
 * (cmd/scan_merge.c), never the name.
 */
struct mp_addrs {
	uint8_t n;
	struct mp_addr a[MP_ADDRS_MAX];
	struct mp_addr connected; /* family 0: no connection was made */
};

/* ---- Kafka ApiVersions evidence ------------------------------------------ */

struct mp_api_range {
	int16_t key, min, max;
};

struct mp_api_table {
	uint16_t n; /* sorted by key, unique keys */
	struct mp_api_range r[MP_API_KEYS_MAX];
};

struct mp_feature {
	char name[MP_FEATURE_NAME_MAX]; /* sanitised */
	int16_t min, max;
};

/* One decoded ApiVersions response. */
struct mp_apiv {
	int16_t request_version; /* version of the request this answers */
	int16_t error_code;
	int32_t throttle_ms;
	struct mp_api_table table;
	uint16_t n_supported, n_finalized;
	struct mp_feature supported[MP_FEATURES_MAX];
	struct mp_feature finalized[MP_FEATURES_MAX];
	int64_t finalized_epoch;   /* -1 when absent */
	int8_t zk_migration_ready; /* -1 absent, 0, 1 */
};

/*
 * One ApiVersions answer as a broker's record keeps it: the fields of
 * struct mp_apiv (the codec's fixed-size form) with its key table and
 * feature lists out of line, sized to what the broker sent (one block,
 * owned; NULL when empty). A broker that never answered owns nothing here.
 * Set with mp_broker_set_apiv(), read back whole with mp_broker_get_apiv().
 */
struct mp_apiv_kept {
	int16_t request_version;
	int16_t error_code;
	int32_t throttle_ms;
	int64_t finalized_epoch;   /* -1 when absent */
	int8_t zk_migration_ready; /* -1 absent, 0, 1 */
	uint16_t n_keys, n_supported, n_finalized;
	struct mp_api_range *keys;		  /* n_keys, sorted by key; the block's owner */
	struct mp_feature *supported, *finalized; /* inside the keys' block */
};

/* One request sent to a broker and what came of it. */
struct mp_attempt {
	int16_t version;
	char outcome[192]; /* "ok", "error 35 UNSUPPORTED_VERSION (broker max 2)", "closed" ... */
};

enum mp_tls_state {
	MP_TLS_OFF = 0, /* plain TCP */
	MP_TLS_ON,	/* a TLS session was established */
};

/* Certificate and session facts from one TLS handshake (probe/tls.c). */
struct mp_cert {
	char subject[256], issuer[256];
	char san[512]; /* comma-separated DNS:/IP: entries */
	char serial[80];
	char not_before[32], not_after[32]; /* RFC 3339 */
	int days_left;
	char key[48]; /* "RSA 2048", "EC P-256", "ED25519" */
	char sig_alg[48];
	char sha256[65];
	char *pem; /* owned */
};

#define MP_CHAIN_MAX  8u
#define MP_PROTOS_MAX 6u

struct mp_tls_info {
	char handshake[16]; /* "ok" | "failed" */
	char error[MP_ERR_MAX];
	char protocol[16], cipher[64];
	char verify[MP_ERR_MAX]; /* "ok" or OpenSSL's reason */
	int hostname_match;	 /* -1 not checked, 0, 1 */
	char client_cert[12];	 /* "none" | "requested" | "required" | "" unknown */
	int speaks_zookeeper;	 /* -1 not tried */
	int speaks_kafka;	 /* -1 not tried */
	uint8_t n_accepted;
	char accepted[MP_PROTOS_MAX][12]; /* "TLSv1.2" ... */
	uint8_t n_chain;
	struct mp_cert chain[MP_CHAIN_MAX];
};

enum mp_broker_source {
	MP_SRC_BOOTSTRAP = 0,
	MP_SRC_DISCOVERED,
	MP_SRC_LISTENER_CHECK, /* --check-listeners: an MSK port tried on a broker host */
};

struct mp_config_kv {
	char name[64];
	char value[MP_CONFIG_VALUE_MAX]; /* sanitised; sensitive values are never stored */
	bool is_default;
};

/* What the fingerprint says about one broker (probe/fp.c). */
struct mp_fp_result {
	bool matched;	   /* at least one row within reach */
	bool exact;	   /* distance 0 */
	unsigned distance; /* differing keys to the nearest row(s) */
	char mode[12];	   /* "zookeeper" | "kraft" | "unknown" */
	char mode_reason[128];
	uint16_t n_rows;
	uint16_t rows[MP_FP_CANDIDATES_MAX]; /* indexes into the fingerprint table */
	uint16_t n_releases;
	char releases[16][12]; /* distinct feature releases of rows[], ascending */
	char diff[256];	       /* human summary of the nearest differences */
};

struct mp_broker {
	char host[MP_HOST_MAX]; /* as the user (or the cluster's metadata) wrote it */
	uint16_t port;
	struct mp_addrs addrs;
	int32_t node_id; /* -1 when known only from bootstrap */
	enum mp_broker_source source;
	bool tls;		/* listener spoke TLS */
	char error[MP_ERR_MAX]; /* "" when none: why no answer was read */
	bool answered;		/* apiv holds a successful answer */
	bool closed_on_apiv;	/* connection closed on ApiVersions: pre-0.10.0 evidence */
	/* the answer, the attempts and the configs are out of line and sized to
	 * what was filled (owned, NULL when none): a scan of 10,000 endpoints
	 * keeps 10,000 brokers (docs/bench-scan.md, tests/test-model.c) */
	struct mp_apiv_kept apiv;
	uint8_t n_attempts;	     /* at most MP_APIV_ATTEMPTS_MAX */
	struct mp_attempt *attempts; /* mp_broker_add_attempt() */
	struct mp_fp_result fp;
	struct mp_tls_info *tls_info; /* owned, NULL when not TLS or not inspected */
	uint8_t n_configs;	      /* at most MP_CONFIGS_MAX */
	struct mp_config_kv *configs; /* mp_broker_set_configs(): discovered brokers only */
	int64_t elapsed_ms;
};

enum mp_disc_status {
	MP_DISC_NOT_RUN = 0,
	MP_DISC_OK,
	MP_DISC_REFUSED, /* the cluster would not tell an unauthenticated client */
	MP_DISC_FAILED,
};

struct mp_discovery {
	enum mp_disc_status status;
	char error[MP_ERR_MAX];
	char cluster_id[64];
	int32_t controller_id;		 /* -1 unknown */
	char configs_status[MP_ERR_MAX]; /* "ok", or why DescribeConfigs gave nothing */
};

enum mp_verdict {
	MP_VERDICT_UNVERIFIED = 0,
	MP_VERDICT_COMPLIANT,
	MP_VERDICT_NON_COMPLIANT,
};

enum mp_severity {
	MP_SEV_INFO = 0,
	MP_SEV_LOW,
	MP_SEV_MEDIUM,
	MP_SEV_HIGH,
	MP_SEV_CRITICAL,
};

/*
 * A finding: an id of the catalogue (base/data/findings.tsv) and what was
 * measured. Severity and title are the catalogue's; only a policy file may
 * change the severity (reports/rep_policy.c), and then severity_default
 * keeps the catalogue's and severity_policy says so.
 */
struct mp_finding {
	char id[48];
	enum mp_severity severity;	   /* the one in force */
	enum mp_severity severity_default; /* the catalogue's */
	bool severity_policy;		   /* a policy file set severity */
	char title[256];		   /* the catalogue's */
	struct cJSON *evidence;		   /* owned; an object */
};

/* ZooKeeper endpoint evidence (probe/zk_probe.c). */
struct mp_zk_endpoint {
	char host[MP_HOST_MAX]; /* as the user wrote it */
	uint16_t port;
	struct mp_addrs addrs;
	bool reachable;
	char error[MP_ERR_MAX];
	int speaks_zookeeper;	 /* plaintext: -1 not tried */
	char srvr[512];		 /* sanitised srvr reply, "" if none */
	char srvr_status[64];	 /* "ok", "refused (not in whitelist)", ... */
	struct mp_tls_info *tls; /* owned, NULL when the port is not TLS */
	int anonymous_read;	 /* -1 not tried */
	char anonymous_detail[256];
};

#define MP_RELEASES_MAX 64u

struct mp_cluster {
	char name[MP_NAME_MAX];
	/* Pointer arrays so that a probe may keep a broker pointer while
	 * discovery adds more brokers. */
	size_t n_brokers;
	struct mp_broker **brokers; /* owned */
	struct mp_discovery discovery;
	size_t n_zk;
	struct mp_zk_endpoint **zk; /* owned */
	/* --check-listeners: MSK's listener ports tried on each broker host */
	size_t n_listeners;
	struct mp_broker **listeners; /* owned */
	/* derived by policy */
	char mode[12];
	uint16_t n_releases;
	char releases[MP_RELEASES_MAX][12];
	uint16_t n_candidates;
	char candidates[MP_RELEASES_MAX][24];
	bool fp_exact;
	char fp_note[256];
	enum mp_verdict verdict;
	char verdict_reason[512];
	bool proven_version, proven_zk_tls, proven_traffic;
	size_t n_findings;
	struct mp_finding *findings; /* owned array */
	struct cJSON *capture;	     /* owned: capture section (flows, stats), or NULL */
	struct cJSON *inventory;     /* owned: what AWS declares (reports/rep_policy.c), or NULL */
	/*
	 * owned: the client inventory, an array of client objects (capture's
	 * request headers, "source": "capture"; brokers' Open Monitoring
	 * metrics, "source": "open-monitoring"; docs/schema), or NULL
	 */
	struct cJSON *clients;
	/* owned: per broker, the Open Monitoring scrape's status and reason, or NULL */
	struct cJSON *open_monitoring;
};

struct mp_policy {
	char min_version[24]; /* "2.5.1" */
	char platform[8];     /* "msk" | "apache" */
	int cert_warn_days;
	/* --target-version resolved to an exact release ("4.2.2"): clients are
	 * judged against what it accepts; "" = no judgement */
	char target_version[24];
};

struct mp_report {
	struct mp_policy policy;
	char generated_at[32];
	char command_line[1024]; /* secrets masked */
	int64_t duration_ms;
	bool interrupted; /* the user stopped the scan: unfinished probes say so */
	/* bad input met while reading (a corrupt --capture-file): the report keeps
	 * what was read before it, the CLI exits 2 naming it; "" when none */
	char input_error[MP_ERR_MAX + 64];
	size_t n_clusters;
	struct mp_cluster **clusters; /* owned */
};

/* Allocation helpers; all return NULL / -ENOMEM on failure and free NULL. */
struct mp_report *mp_report_new(void);
void mp_report_free(struct mp_report *r);
struct mp_cluster *mp_report_add_cluster(struct mp_report *r, const char *name);
struct mp_broker *mp_cluster_add_broker(struct mp_cluster *c, const char *host, uint16_t port);
struct mp_broker *mp_cluster_find_broker(struct mp_cluster *c, const char *host, uint16_t port);
struct mp_broker *mp_cluster_add_listener(struct mp_cluster *c, const char *host, uint16_t port);
struct mp_zk_endpoint *mp_cluster_add_zk(struct mp_cluster *c, const char *host, uint16_t port);
/*
 * Add finding id with its evidence (NULL: none); severity and title come
 * from the built-in catalogue. Takes ownership of evidence, even on failure.
 * 0, -EINVAL when id is not in the catalogue (a programmer error: the tests
 * list every id the code emits), -ENOMEM.
 */
int mp_cluster_add_finding(struct mp_cluster *c, const char *id, struct cJSON *evidence);
void mp_tls_info_free(struct mp_tls_info *t);
/*
 * A broker's out-of-line parts. mp_broker_set_apiv keeps a copy of a
 * decoded answer sized to it (replacing any earlier one);
 * mp_broker_get_apiv expands it back into the codec's form (a broker
 * without one gives an empty answer). mp_broker_add_attempt grows the
 * attempt list by one zeroed entry: NULL when MP_APIV_ATTEMPTS_MAX are
 * there or out of memory. mp_broker_set_configs replaces the configs with
 * a copy of the first min(n, MP_CONFIGS_MAX). 0 or -ENOMEM (b unchanged).
 * mp_broker_free frees a broker that no cluster owns (accepts NULL).
 */
int mp_broker_set_apiv(struct mp_broker *b, const struct mp_apiv *a);
void mp_broker_get_apiv(const struct mp_broker *b, struct mp_apiv *ret);
struct mp_attempt *mp_broker_add_attempt(struct mp_broker *b);
int mp_broker_set_configs(struct mp_broker *b, const struct mp_config_kv *kv, size_t n);
void mp_broker_free(struct mp_broker *b);

/* a as an mp_addr (its port into *ret_port when not NULL); false for other families. */
bool mp_addr_from_sockaddr(const struct sockaddr *sa, struct mp_addr *ret, uint16_t *ret_port);
bool mp_addr_eq(const struct mp_addr *a, const struct mp_addr *b);
/* Add a to set (no duplicates); false when full or a has no family. */
bool mp_addrs_add(struct mp_addrs *set, const struct mp_addr *a);
bool mp_addrs_has(const struct mp_addrs *set, const struct mp_addr *a);
/* inet_ntop's text ("127.0.0.1", "::1"); "" for family 0. buf of 46 bytes holds any. */
void mp_addr_str(char *buf, size_t n, const struct mp_addr *a);

const char *mp_verdict_name(enum mp_verdict v);
const char *mp_severity_name(enum mp_severity s);
int mp_severity_parse(const char *s, enum mp_severity *ret);

#endif
