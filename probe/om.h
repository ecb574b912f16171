/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MSK Open Monitoring: the brokers' own JMX metrics as the Prometheus JMX
 * exporter serves them (http://BROKER:11001/metrics, plain HTTP, no
 * authentication; docs/open-monitoring.md).
 *
 *   om_parse.c  a streaming parser of the Prometheus text exposition format
 *               (0.0.4): one callback per sample, nothing kept
 *   om.c        the client view of one scrape (om_view: connections per
 *               client software and listener, TLS per listener, deprecated
 *               requests) and the HTTP scraper of many brokers at once
 *
 * Every byte of the answer is untrusted: the status line and headers, the
 * body, each line and the series kept are capped (base/mp_limits.h MP_OM_*).
 */
#ifndef MP_OM_H
#define MP_OM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "mp_limits.h"

/* ---------------------------------------------------------------- the parser */

struct om_label {
	const char *name;  /* NUL-terminated, valid until the callback returns */
	const char *value; /* unescaped; may hold any byte but NUL */
};

struct om_sample {
	const char *name;
	size_t n_labels;
	struct om_label labels[MP_OM_LABELS_MAX];
	double value; /* NaN and +-Inf are legal values */
};

/* Called once per sample line; a non-zero return stops the parse and is
 * returned by om_parser_feed. */
typedef int (*om_sample_fn)(const struct om_sample *s, void *ud);

struct om_parser;

int om_parser_new(struct om_parser **ret, om_sample_fn fn, void *ud);
void om_parser_free(struct om_parser *p);

/*
 * Feed the next bytes of the body (any split). 0, OM_BAD with the line and
 * what was wrong in errbuf (sticky: later calls return OM_BAD at once), or
 * the callback's non-zero return.
 */
int om_parser_feed(struct om_parser *p, const uint8_t *data, size_t len, char *errbuf,
		   size_t errlen);
/* The body ended: a last line without newline is parsed. 0 or OM_BAD. */
int om_parser_end(struct om_parser *p, char *errbuf, size_t errlen);
uint64_t om_parser_samples(const struct om_parser *p);

#define OM_BAD 1

/* ---------------------------------------------------------------- one broker's view */

/* connections of one client software on one listener (networkProcessors summed) */
struct om_client {
	char listener[MP_OM_NAME_MAX];
	char sw_name[MP_OM_NAME_MAX];	 /* "" for "unknown" (no ApiVersions v3 seen) */
	char sw_version[MP_OM_NAME_MAX]; /* "" for "unknown" */
	double connections;
};

struct om_listener {
	char name[MP_OM_NAME_MAX];
	double connection_count; /* connection-count (all connections) */
	double tls_connections;	 /* connections with a cipher and protocol */
	bool tls_series;	 /* some cipher/protocol series named it */
	bool count_series;
};

/* DeprecatedRequestsPerSec: requests a newer release rejects (Kafka 3.7+) */
struct om_deprecated {
	char request[MP_OM_NAME_MAX]; /* "Fetch" */
	int version;
	char sw_name[MP_OM_NAME_MAX], sw_version[MP_OM_NAME_MAX];
	double count;
};

struct om_view {
	size_t n_clients, n_listeners, n_deprecated;
	struct om_client *clients;
	struct om_listener *listeners;
	struct om_deprecated *deprecated;
	uint64_t samples;    /* every sample of the scrape */
	uint64_t dropped;    /* series past MP_OM_SERIES_MAX or with names out of alphabet */
	bool socket_metrics; /* the scrape had socket-server-metrics at all */
	/* an open-addressing index of the kept series (kind << 28 | index + 1), so
	 * a scrape of a million series costs a million lookups, not a million
	 * scans of MP_OM_SERIES_MAX entries */
	uint32_t *index;
	size_t index_cap; /* a power of two, at least twice the series kept */
};

/* The sample callback that fills an om_view (ud: the view). 0 or -ENOMEM. */
int om_view_add(const struct om_sample *s, void *ud);
void om_view_clear(struct om_view *v);
/* Is the listener plaintext (connections, no TLS series)? */
bool om_view_plaintext(const struct om_view *v, const char *listener);

/*
 * Parse a whole body into v (tests, the fuzzer, golden vectors). 0, OM_BAD
 * with the reason in errbuf, or -ENOMEM.
 */
int om_parse_body(const uint8_t *body, size_t len, struct om_view *v, char *errbuf, size_t errlen);

/* ---------------------------------------------------------------- the scraper */

enum om_status {
	OM_OK = 0,
	OM_REFUSED,	/* connection refused while the broker's Kafka port did not answer either */
	OM_TIMEOUT,	/* connect or a read passed --timeout-ms */
	OM_NOT_ENABLED, /* refused while the broker answered on Kafka, or HTTP 404 */
	OM_ERROR,	/* anything else: bad HTTP, bad body, over a cap, unreachable */
};

const char *om_status_name(enum om_status s);

struct om_target {
	const char *broker;	      /* "host:port" of the Kafka listener, for reasons */
	struct sockaddr_storage addr; /* the broker's address with the Open Monitoring port */
	socklen_t addrlen;
	const char *host_header; /* Host: value (the broker's host name) */
	bool broker_answered;	 /* its Kafka port answered (refused -> not_enabled) */
	/* results */
	enum om_status status;
	char reason[MP_ERR_MAX]; /* "" on success */
	uint64_t bytes;		 /* body bytes read */
	struct om_view view;	 /* om_view_clear() it */
};

/*
 * Scrape every target, at most `concurrency` at once, each with timeout_ms
 * on connect and on every read, and a whole-scrape bound of
 * MP_OM_SCRAPE_TIMEOUT_FACTOR times that. abort_fd (> 0) readable ends
 * every scrape still running as an error "interrupted" (its byte is left
 * for the caller). 0, 1 when interrupted, or -errno (local failure before
 * any scrape: each target's status says what happened).
 */
int om_scrape(struct om_target *t, size_t n, unsigned concurrency, int timeout_ms, int abort_fd);

/*
 * The HTTP/1.1 answer parser (status line, headers, identity or chunked
 * body) fed incrementally; body bytes go to the om_view's parser. Exposed
 * for the tests and the fuzzer.
 */
struct om_http;
int om_http_new(struct om_http **ret, struct om_view *v);
void om_http_free(struct om_http *h);
/* 0 more wanted, 1 the answer is complete, or OM_E_* > 1 with errbuf */
int om_http_feed(struct om_http *h, const uint8_t *data, size_t len, char *errbuf, size_t errlen);
/* the peer closed: 1 complete, or an error code with errbuf */
int om_http_eof(struct om_http *h, char *errbuf, size_t errlen);
int om_http_status(const struct om_http *h); /* the HTTP status code, 0 before the status line */
uint64_t om_http_body_bytes(const struct om_http *h);

#define OM_E_HTTP    2 /* malformed status line/headers, over a cap, bad chunking */
#define OM_E_STATUS  3 /* not 200 (404: not enabled) */
#define OM_E_BODY    4 /* the exposition text is malformed */
#define OM_E_TOO_BIG 5 /* over MP_OM_BODY_MAX */
#define OM_E_NOMEM   6

#endif
