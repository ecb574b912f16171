/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cluster discovery and broker configuration with librdkafka: cluster id,
 * controller, every broker's advertised endpoint (Metadata) and, where the
 * caller is authorised, DescribeConfigs of each broker. librdkafka has its
 * own threads and blocking calls, so discovery runs on a worker thread with
 * a bounded budget and signals completion through an eventfd that the scan's
 * event loop watches.
 */
#ifndef MP_DISCOVERY_H
#define MP_DISCOVERY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "model.h"

struct disc;

struct disc_req {
	const char *bootstrap; /* "host:port,host:port" (copied) */
	bool tls;
	const char *ca_file, *cert_file, *key_file; /* copied */
	bool insecure;
	const char *sasl_mechanism, *sasl_username; /* copied */
	const char *sasl_password;		    /* copied, wiped after use */
	/* SASL without TLS: only when the user asked for plaintext (--tls
	 * off); otherwise disc_start() refuses a SASL request without tls */
	bool sasl_plaintext;
	int timeout_ms; /* per librdkafka call */
	/* optional: told of every connection librdkafka opens (from its threads) */
	void (*observer)(const struct sockaddr *local, const struct sockaddr *remote, void *ud);
	void *observer_ud;
};

struct disc_broker {
	int32_t id;
	char host[MP_HOST_MAX];
	uint16_t port;
	char resolve_error[MP_ERR_MAX]; /* "" unless the advertised name is not a host name */
	uint8_t n_configs;
	struct mp_config_kv configs[MP_CONFIGS_MAX];
};

struct disc_result {
	enum mp_disc_status status; /* OK or FAILED; the scan decides REFUSED */
	char error[MP_ERR_MAX];
	char cluster_id[64];
	int32_t controller_id;
	char configs_status[MP_ERR_MAX];
	size_t n_brokers;
	struct disc_broker *brokers; /* owned by the disc */
};

/* Start the worker. 0 or -errno with the reason in errbuf. */
int disc_start(struct disc **ret, const struct disc_req *req, char *errbuf, size_t errlen);
/* The eventfd that becomes readable when the worker is done. */
int disc_fd(const struct disc *d);
/* Join the worker (call once the fd is readable) and borrow the result. */
const struct disc_result *disc_finish(struct disc *d);
/*
 * Joins the worker within one timeout (librdkafka shuts down after the
 * results are ready) and frees; if it is still running then, it is left to
 * free itself and never calls the observer again. Accepts NULL.
 */
void disc_free(struct disc *d);
/* The same without waiting more than a moment (the user interrupted). */
void disc_abandon(struct disc *d);

/* Configuration names recorded as evidence (issue 2). */
extern const char *const disc_config_names[];

#endif
