/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MSK Open Monitoring scrapes (probe/om.h; docs/open-monitoring.md).
 *
 * The series read, as the Prometheus JMX exporter names them with its
 * default rules (domain, the first key's value, the attribute; the other
 * keys as labels) and as a real Kafka 3.7.2 broker with
 * jmx_prometheus_javaagent 0.20.0 serves them
 * (tests/interop/openmon/kafka-3.7.2-jmx-exporter-0.20.0.prom):
 *
 *   kafka_server_socket_server_metrics_connections{clientSoftwareName="librdkafka",
 *       clientSoftwareVersion="2.0.2",listener="PLAINTEXT",networkProcessor="0",} 1.0
 *   kafka_server_socket_server_metrics_connections{cipher="TLS_AES_256_GCM_SHA384",
 *       protocol="TLSv1.3",listener="SSL",networkProcessor="4",} 1.0
 *   kafka_server_socket_server_metrics_connection_count{listener="SSL",networkProcessor="4",} 1.0
 *   kafka_network_RequestMetrics_Count{name="DeprecatedRequestsPerSec",request="Metadata",
 *       version="0",clientSoftwareName="unknown",clientSoftwareVersion="unknown",} 1.0
 *
 * Series stay at 0.0 after their connections close; a listener that ever
 * carried a TLS connection keeps its cipher series.
 *
 * The HTTP answer (RFC 9112): a status line, headers, a body of
 * Content-Length bytes, chunked, or up to the close; all capped.
 */
#include "om.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

#define M_CONNECTIONS "kafka_server_socket_server_metrics_connections"
#define M_CONN_COUNT  "kafka_server_socket_server_metrics_connection_count"
#define M_REQUESTS    "kafka_network_RequestMetrics_Count"
#define DEPRECATED    "DeprecatedRequestsPerSec"

const char *om_status_name(enum om_status s)
{
	switch (s) {
	case OM_OK:
		return "ok";
	case OM_REFUSED:
		return "refused";
	case OM_TIMEOUT:
		return "timeout";
	case OM_NOT_ENABLED:
		return "not_enabled";
	case OM_ERROR:
		break;
	}
	return "error";
}

/* ---------------------------------------------------------------- the view */

static const char *label(const struct om_sample *s, const char *name)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

/*
 * A name fit for the report: KIP-511 software names and versions are
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? (the broker rejects others),
 * Kafka listener names [A-Za-z0-9_-]; anything else (or too long) is dropped.
 */
static bool fit_name(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= MP_OM_NAME_MAX)
		return false;
	for (const char *c = v; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_'))
			return false;
	return true;
}

static size_t kept(const struct om_view *v)
{
	return v->n_clients + v->n_listeners + v->n_deprecated;
}

enum { K_LISTENER = 1, K_CLIENT = 2, K_DEPRECATED = 3 };

static uint32_t fnv(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return (h ^ 0xffu) * 16777619u; /* a separator: ("ab","c") != ("a","bc") */
}

/* The hash of a series' key: its kind and names (and version). */
static uint32_t key_hash(int kind, const char *a, const char *b, const char *c, int ver)
{
	uint32_t h = fnv(2166136261u ^ (uint32_t)kind, a);
	h = fnv(h, b ? b : "");
	h = fnv(h, c ? c : "");
	return (h ^ (uint32_t)ver) * 16777619u;
}

static uint32_t entry_hash(const struct om_view *v, uint32_t e)
{
	size_t i = (e & 0x0fffffffu) - 1;
	switch (e >> 28) {
	case K_LISTENER:
		return key_hash(K_LISTENER, v->listeners[i].name, NULL, NULL, 0);
	case K_CLIENT:
		return key_hash(K_CLIENT, v->clients[i].listener, v->clients[i].sw_name,
				v->clients[i].sw_version, 0);
	default:
		return key_hash(K_DEPRECATED, v->deprecated[i].request, v->deprecated[i].sw_name,
				v->deprecated[i].sw_version, v->deprecated[i].version);
	}
}

/* Room in the index for one more series (rehashing as it doubles). 0 or -ENOMEM. */
static int index_room(struct om_view *v)
{
	if ((kept(v) + 1) * 2 <= v->index_cap)
		return 0;
	size_t cap = v->index_cap ? v->index_cap * 2 : 64;
	uint32_t *ix = calloc(cap, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < v->index_cap; i++) {
		uint32_t e = v->index[i];
		if (!e)
			continue;
		size_t j = entry_hash(v, e) & (cap - 1);
		while (ix[j])
			j = (j + 1) & (cap - 1);
		ix[j] = e;
	}
	free(v->index);
	v->index = ix;
	v->index_cap = cap;
	return 0;
}

/* The slot of the series (kind, key): its entry, or the empty slot to take. */
static uint32_t *index_find(struct om_view *v, int kind, const char *a, const char *b,
			    const char *c, int ver)
{
	size_t mask = v->index_cap - 1, j = key_hash(kind, a, b, c, ver) & mask;
	for (;; j = (j + 1) & mask) {
		uint32_t e = v->index[j];
		if (!e)
			return &v->index[j];
		if ((int)(e >> 28) != kind)
			continue;
		size_t i = (e & 0x0fffffffu) - 1;
		if (kind == K_LISTENER && !strcmp(v->listeners[i].name, a))
			return &v->index[j];
		if (kind == K_CLIENT && !strcmp(v->clients[i].listener, a) &&
		    !strcmp(v->clients[i].sw_name, b) && !strcmp(v->clients[i].sw_version, c))
			return &v->index[j];
		if (kind == K_DEPRECATED && !strcmp(v->deprecated[i].request, a) &&
		    !strcmp(v->deprecated[i].sw_name, b) &&
		    !strcmp(v->deprecated[i].sw_version, c) && v->deprecated[i].version == ver)
			return &v->index[j];
	}
}

static int grow(void **arr, size_t n, size_t size)
{
	/* doubling from 8; n < MP_OM_SERIES_MAX keeps the product small */
	if (n && (n & (n - 1)))
		return 0;
	if (n && n < 8)
		return 0;
	size_t cap = n ? n * 2 : 8;
	void *p = realloc(*arr, cap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

/* The listener's entry, added if new; NULL past the cap, or out of memory (*nomem). */
static struct om_listener *listener_get(struct om_view *v, const char *name, bool *nomem)
{
	if (index_room(v) < 0) {
		*nomem = true;
		return NULL;
	}
	uint32_t *slot = index_find(v, K_LISTENER, name, NULL, NULL, 0);
	if (*slot)
		return &v->listeners[(*slot & 0x0fffffffu) - 1];
	if (kept(v) >= MP_OM_SERIES_MAX)
		return NULL;
	if (grow((void **)&v->listeners, v->n_listeners, sizeof(*v->listeners)) < 0) {
		*nomem = true;
		return NULL;
	}
	struct om_listener *l = &v->listeners[v->n_listeners++];
	memset(l, 0, sizeof(*l));
	mp_strlcpy(l->name, name, sizeof(l->name));
	*slot = (uint32_t)K_LISTENER << 28 | (uint32_t)v->n_listeners;
	return l;
}

/* "unknown" (no ApiVersions v3 seen) is kept as "" */
static const char *sw(const char *v)
{
	return v && strcmp(v, "unknown") == 0 ? "" : v;
}

static int add_connections(struct om_view *v, const struct om_sample *s, const char *lis)
{
	const char *cipher = label(s, "cipher"), *proto = label(s, "protocol");
	const char *name = sw(label(s, "clientSoftwareName"));
	const char *ver = sw(label(s, "clientSoftwareVersion"));
	double n = isfinite(s->value) && s->value > 0 ? s->value : 0;
	bool nomem = false;

	if (cipher || proto) {
		struct om_listener *l = listener_get(v, lis, &nomem);
		if (!l)
			return nomem ? -ENOMEM : (v->dropped++, 0);
		l->tls_series = true;
		l->tls_connections += n;
		return 0;
	}
	if (!name || !ver || (name[0] && !fit_name(name)) || (ver[0] && !fit_name(ver)))
		return v->dropped++, 0;
	if (!listener_get(v, lis, &nomem))
		return nomem ? -ENOMEM : (v->dropped++, 0);
	if (index_room(v) < 0)
		return -ENOMEM;
	uint32_t *slot = index_find(v, K_CLIENT, lis, name, ver, 0);
	if (*slot) {
		v->clients[(*slot & 0x0fffffffu) - 1].connections += n;
		return 0;
	}
	if (kept(v) >= MP_OM_SERIES_MAX)
		return v->dropped++, 0;
	if (grow((void **)&v->clients, v->n_clients, sizeof(*v->clients)) < 0)
		return -ENOMEM;
	struct om_client *c = &v->clients[v->n_clients++];
	memset(c, 0, sizeof(*c));
	mp_strlcpy(c->listener, lis, sizeof(c->listener));
	mp_strlcpy(c->sw_name, name, sizeof(c->sw_name));
	mp_strlcpy(c->sw_version, ver, sizeof(c->sw_version));
	c->connections = n;
	*slot = (uint32_t)K_CLIENT << 28 | (uint32_t)v->n_clients;
	return 0;
}

static int add_deprecated(struct om_view *v, const struct om_sample *s)
{
	const char *req = label(s, "request"), *vs = label(s, "version");
	const char *name = sw(label(s, "clientSoftwareName"));
	const char *ver = sw(label(s, "clientSoftwareVersion"));
	char *end = NULL;
	if (!req || !vs || !name || !ver || !fit_name(req) || (name[0] && !fit_name(name)) ||
	    (ver[0] && !fit_name(ver)))
		return v->dropped++, 0;
	long version = strtol(vs, &end, 10);
	if (!vs[0] || *end || version < 0 || version > 32767)
		return v->dropped++, 0;
	double n = isfinite(s->value) && s->value > 0 ? s->value : 0;
	if (index_room(v) < 0)
		return -ENOMEM;
	uint32_t *slot = index_find(v, K_DEPRECATED, req, name, ver, (int)version);
	if (*slot) {
		v->deprecated[(*slot & 0x0fffffffu) - 1].count += n;
		return 0;
	}
	if (kept(v) >= MP_OM_SERIES_MAX)
		return v->dropped++, 0;
	if (grow((void **)&v->deprecated, v->n_deprecated, sizeof(*v->deprecated)) < 0)
		return -ENOMEM;
	struct om_deprecated *d = &v->deprecated[v->n_deprecated++];
	memset(d, 0, sizeof(*d));
	mp_strlcpy(d->request, req, sizeof(d->request));
	d->version = (int)version;
	mp_strlcpy(d->sw_name, name, sizeof(d->sw_name));
	mp_strlcpy(d->sw_version, ver, sizeof(d->sw_version));
	d->count = n;
	*slot = (uint32_t)K_DEPRECATED << 28 | (uint32_t)v->n_deprecated;
	return 0;
}

int om_view_add(const struct om_sample *s, void *ud)
{
	struct om_view *v = ud;
	v->samples++;
	if (strcmp(s->name, M_CONNECTIONS) == 0 || strcmp(s->name, M_CONN_COUNT) == 0) {
		const char *lis = label(s, "listener");
		v->socket_metrics = true;
		if (!lis || !fit_name(lis))
			return v->dropped++, 0;
		if (s->name[sizeof(M_CONNECTIONS) - 1] == '\0')
			return add_connections(v, s, lis);
		bool nomem = false;
		struct om_listener *l = listener_get(v, lis, &nomem);
		if (!l)
			return nomem ? -ENOMEM : (v->dropped++, 0);
		l->count_series = true;
		if (isfinite(s->value) && s->value > 0)
			l->connection_count += s->value;
		return 0;
	}
	if (strcmp(s->name, M_REQUESTS) == 0) {
		const char *n = label(s, "name");
		if (n && strcmp(n, DEPRECATED) == 0)
			return add_deprecated(v, s);
	}
	return 0;
}

void om_view_clear(struct om_view *v)
{
	free(v->clients);
	free(v->listeners);
	free(v->deprecated);
	free(v->index);
	memset(v, 0, sizeof(*v));
}

bool om_view_plaintext(const struct om_view *v, const char *listener)
{
	for (size_t i = 0; i < v->n_listeners; i++)
		if (strcmp(v->listeners[i].name, listener) == 0)
			return !v->listeners[i].tls_series;
	return true;
}

int om_parse_body(const uint8_t *body, size_t len, struct om_view *v, char *errbuf, size_t errlen)
{
	struct om_parser *p = NULL;
	int rc = om_parser_new(&p, om_view_add, v);
	if (rc < 0)
		return rc;
	rc = om_parser_feed(p, body, len, errbuf, errlen);
	if (rc == 0)
		rc = om_parser_end(p, errbuf, errlen);
	om_parser_free(p);
	return rc;
}

/* ---------------------------------------------------------------- HTTP */

enum hstate { H_HEAD, H_BODY, H_CHUNK_SIZE, H_CHUNK_DATA, H_CHUNK_CRLF, H_TRAILER, H_DONE };

struct om_http {
	enum hstate st;
	char head[MP_OM_HEAD_MAX + 1];
	size_t head_len;
	int status;
	bool chunked, has_length;
	uint64_t length, body, chunk_left;
	char cline[MP_OM_CHUNK_LINE_MAX + 1];
	size_t cline_len;
	struct om_view *v;
	struct om_parser *p;
};

int om_http_new(struct om_http **ret, struct om_view *v)
{
	struct om_http *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->v = v;
	if (om_parser_new(&h->p, om_view_add, v) < 0) {
		free(h);
		return -ENOMEM;
	}
	*ret = h;
	return 0;
}

void om_http_free(struct om_http *h)
{
	if (!h)
		return;
	om_parser_free(h->p);
	free(h);
}

int om_http_status(const struct om_http *h)
{
	return h->status;
}

uint64_t om_http_body_bytes(const struct om_http *h)
{
	return h->body;
}

static int herr(char *errbuf, size_t errlen, int code, const char *what)
{
	mp_strlcpy(errbuf, what, errlen);
	return code;
}

/* A decimal without sign, at most 15 digits (2^53). */
static bool parse_u64(const char *s, const char *end, uint64_t *ret)
{
	uint64_t v = 0;
	if (s == end || end - s > 15)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*ret = v;
	return true;
}

static char *trim(char *s, char **end)
{
	while (s < *end && (*s == ' ' || *s == '\t'))
		s++;
	while (*end > s && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
	return s;
}

/* The status line and headers, whole in h->head (ending in an empty line). */
static int parse_head(struct om_http *h, char *errbuf, size_t errlen)
{
	char *s = h->head, *end = h->head + h->head_len;
	char *eol = memchr(s, '\n', (size_t)(end - s));
	size_t lines = 0;
	if (!eol)
		return herr(errbuf, errlen, OM_E_HTTP, "no status line");
	char *le = eol > s && eol[-1] == '\r' ? eol - 1 : eol;
	/* HTTP/1.x SP 3DIGIT [SP reason] */
	if (le - s < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') ||
	    s[8] != ' ' || s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' || s[11] < '0' ||
	    s[11] > '9' || (le - s > 12 && s[12] != ' '))
		return herr(errbuf, errlen, OM_E_HTTP, "not an HTTP/1.x status line");
	h->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	for (s = eol + 1; s < end; s = eol + 1) {
		eol = memchr(s, '\n', (size_t)(end - s));
		if (!eol)
			break;
		le = eol > s && eol[-1] == '\r' ? eol - 1 : eol;
		if (le == s)
			break; /* the empty line */
		if (++lines > MP_OM_HEADERS_MAX)
			return herr(errbuf, errlen, OM_E_HTTP, "more header lines than the cap");
		char *colon = memchr(s, ':', (size_t)(le - s));
		if (!colon || colon == s)
			return herr(errbuf, errlen, OM_E_HTTP, "a header line without a name");
		for (char *c = s; c < colon; c++)
			if (*c <= ' ' || *c > '~')
				return herr(errbuf, errlen, OM_E_HTTP,
					    "a header name out of its alphabet");
		char *ve = le, *v = trim(colon + 1, &ve);
		size_t nl = (size_t)(colon - s);
		if (nl == 14 && strncasecmp(s, "Content-Length", 14) == 0) {
			uint64_t n;
			if (!parse_u64(v, ve, &n) || (h->has_length && n != h->length))
				return herr(errbuf, errlen, OM_E_HTTP, "a bad Content-Length");
			h->has_length = true;
			h->length = n;
		} else if (nl == 17 && strncasecmp(s, "Transfer-Encoding", 17) == 0) {
			if ((size_t)(ve - v) == 7 && strncasecmp(v, "chunked", 7) == 0)
				h->chunked = true;
			else if (!((size_t)(ve - v) == 8 && strncasecmp(v, "identity", 8) == 0))
				return herr(errbuf, errlen, OM_E_HTTP,
					    "a Transfer-Encoding other than chunked");
		} else if (nl == 16 && strncasecmp(s, "Content-Encoding", 16) == 0) {
			if (!((size_t)(ve - v) == 8 && strncasecmp(v, "identity", 8) == 0))
				return herr(errbuf, errlen, OM_E_HTTP,
					    "a Content-Encoding that was not asked for");
		}
	}
	if (h->chunked && h->has_length)
		return herr(errbuf, errlen, OM_E_HTTP, "both Content-Length and chunked");
	if (h->status != 200) {
		char why[64];
		mp_fmt(why, sizeof(why), "HTTP status %d", h->status);
		return herr(errbuf, errlen, OM_E_STATUS, why);
	}
	if (h->has_length && h->length > MP_OM_BODY_MAX)
		return herr(errbuf, errlen, OM_E_TOO_BIG, "a Content-Length over the body cap");
	h->st = h->chunked ? H_CHUNK_SIZE : H_BODY;
	return 0;
}

static int body(struct om_http *h, const uint8_t *d, size_t n, char *errbuf, size_t errlen)
{
	if (n > MP_OM_BODY_MAX - h->body) {
		char why[96];
		mp_fmt(why, sizeof(why), "a body over %u bytes", MP_OM_BODY_MAX);
		return herr(errbuf, errlen, OM_E_TOO_BIG, why);
	}
	h->body += n;
	char why[MP_ERR_MAX];
	int rc = om_parser_feed(h->p, d, n, why, sizeof(why));
	if (rc == OM_BAD) {
		char w2[MP_ERR_MAX];
		mp_fmt(w2, sizeof(w2), "the metrics text is malformed: %s", why);
		return herr(errbuf, errlen, OM_E_BODY, w2);
	}
	if (rc)
		return herr(errbuf, errlen, OM_E_NOMEM, "out of memory");
	return 0;
}

static int finish_body(struct om_http *h, char *errbuf, size_t errlen)
{
	char why[MP_ERR_MAX];
	int rc = om_parser_end(h->p, why, sizeof(why));
	if (rc == OM_BAD) {
		char w2[MP_ERR_MAX];
		mp_fmt(w2, sizeof(w2), "the metrics text is malformed: %s", why);
		return herr(errbuf, errlen, OM_E_BODY, w2);
	}
	if (rc)
		return herr(errbuf, errlen, OM_E_NOMEM, "out of memory");
	h->st = H_DONE;
	return 1;
}

int om_http_feed(struct om_http *h, const uint8_t *d, size_t n, char *errbuf, size_t errlen)
{
	int rc;
	while (n || (h->st == H_BODY && h->has_length && h->body == h->length)) {
		switch (h->st) {
		case H_HEAD: {
			/* byte by byte up to the empty line: the rest is body */
			while (n) {
				if (h->head_len == MP_OM_HEAD_MAX)
					return herr(errbuf, errlen, OM_E_HTTP,
						    "a status line and headers over the cap");
				h->head[h->head_len++] = (char)*d++;
				n--;
				size_t l = h->head_len;
				if ((l >= 4 && memcmp(h->head + l - 4, "\r\n\r\n", 4) == 0) ||
				    (l >= 2 && memcmp(h->head + l - 2, "\n\n", 2) == 0)) {
					h->head[l] = '\0';
					if ((rc = parse_head(h, errbuf, errlen)) != 0)
						return rc;
					break;
				}
			}
			break;
		}
		case H_BODY: {
			size_t take = n;
			if (h->has_length) {
				if (h->body == h->length)
					return finish_body(h, errbuf, errlen);
				if (take > h->length - h->body)
					take = (size_t)(h->length - h->body);
			}
			if ((rc = body(h, d, take, errbuf, errlen)) != 0)
				return rc;
			d += take;
			n -= take;
			if (h->has_length && h->body == h->length)
				return finish_body(h, errbuf, errlen);
			break;
		}
		case H_CHUNK_SIZE:
		case H_TRAILER: {
			uint8_t c = *d++;
			n--;
			if (c != '\n') {
				if (h->cline_len == MP_OM_CHUNK_LINE_MAX)
					return herr(errbuf, errlen, OM_E_HTTP,
						    "a chunk-size or trailer line over the cap");
				h->cline[h->cline_len++] = (char)c;
				break;
			}
			size_t l = h->cline_len;
			h->cline_len = 0;
			if (l && h->cline[l - 1] == '\r')
				l--;
			if (h->st == H_TRAILER) {
				if (l == 0)
					return finish_body(h, errbuf, errlen);
				break; /* a trailer field: ignored */
			}
			/* hex size [; extensions] */
			uint64_t v = 0;
			size_t i = 0;
			for (; i < l && i < 16; i++) {
				char x = h->cline[i];
				int dv = x >= '0' && x <= '9'	? x - '0'
					 : x >= 'a' && x <= 'f' ? x - 'a' + 10
					 : x >= 'A' && x <= 'F' ? x - 'A' + 10
								: -1;
				if (dv < 0)
					break;
				v = v * 16 + (uint64_t)dv;
			}
			if (i == 0 ||
			    (i < l && h->cline[i] != ';' && h->cline[i] != ' ' &&
			     h->cline[i] != '\t') ||
			    (i == 16 && i < l && h->cline[i] != ';'))
				return herr(errbuf, errlen, OM_E_HTTP, "a bad chunk size");
			if (v > MP_OM_BODY_MAX - h->body)
				return herr(errbuf, errlen, OM_E_TOO_BIG,
					    "a chunk past the body cap");
			h->chunk_left = v;
			h->st = v ? H_CHUNK_DATA : H_TRAILER;
			break;
		}
		case H_CHUNK_DATA: {
			size_t take = n < h->chunk_left ? n : (size_t)h->chunk_left;
			if ((rc = body(h, d, take, errbuf, errlen)) != 0)
				return rc;
			d += take;
			n -= take;
			h->chunk_left -= take;
			if (!h->chunk_left)
				h->st = H_CHUNK_CRLF;
			break;
		}
		case H_CHUNK_CRLF: {
			uint8_t c = *d++;
			n--;
			if (c == '\r' && h->cline_len == 0) {
				h->cline_len = 1;
				break;
			}
			h->cline_len = 0;
			if (c != '\n')
				return herr(errbuf, errlen, OM_E_HTTP, "no line end after a chunk");
			h->st = H_CHUNK_SIZE;
			break;
		}
		case H_DONE:
			return 1; /* bytes after the answer: ignored, the connection closes */
		}
	}
	return h->st == H_DONE ? 1 : 0;
}

int om_http_eof(struct om_http *h, char *errbuf, size_t errlen)
{
	switch (h->st) {
	case H_DONE:
		return 1;
	case H_HEAD:
		return herr(errbuf, errlen, OM_E_HTTP,
			    h->head_len ? "closed inside the status line or headers"
					: "closed without an answer");
	case H_BODY:
		if (!h->has_length)
			return finish_body(h, errbuf, errlen);
		return herr(errbuf, errlen, OM_E_HTTP, "closed before Content-Length bytes");
	default:
		return herr(errbuf, errlen, OM_E_HTTP, "closed inside the chunked body");
	}
}

/* ---------------------------------------------------------------- the scraper */

struct conn {
	struct om_target *t;
	int fd;
	bool connected;
	char req[MP_HOST_MAX + 128];
	size_t req_len, req_off;
	struct om_http *h;
	int64_t step_deadline, deadline;
};

static void set_result(struct om_target *t, enum om_status st, const char *what, const char *more)
{
	t->status = st;
	mp_fmt(t->reason, sizeof(t->reason), "%s: %s%s", t->broker ? t->broker : "?", what,
	       more ? more : "");
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->h) {
		c->t->bytes = om_http_body_bytes(c->h);
		om_http_free(c->h);
	}
	c->h = NULL;
	c->t = NULL;
}

static int conn_start(struct conn *c, struct om_target *t, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->fd = -1;
	int64_t now = mp_now_ms();
	c->step_deadline = now + timeout_ms;
	c->deadline = now + (int64_t)timeout_ms * MP_OM_SCRAPE_TIMEOUT_FACTOR;
	const char *host = t->host_header && t->host_header[0] ? t->host_header : "localhost";
	int n = snprintf(c->req, sizeof(c->req),
			 "GET /metrics HTTP/1.1\r\nHost: %s\r\nUser-Agent: mskprobe\r\n"
			 "Accept: text/plain;version=0.0.4\r\nAccept-Encoding: identity\r\n"
			 "Connection: close\r\n\r\n",
			 host);
	if (n < 0 || (size_t)n >= sizeof(c->req)) {
		set_result(t, OM_ERROR, "host name too long for the request", NULL);
		c->t = NULL;
		return -1;
	}
	c->req_len = (size_t)n;
	if (om_http_new(&c->h, &t->view) < 0) {
		set_result(t, OM_ERROR, "out of memory", NULL);
		c->t = NULL;
		return -1;
	}
	c->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		set_result(t, OM_ERROR, "socket: ", strerror(errno));
		conn_close(c);
		return -1;
	}
	if (connect(c->fd, (const struct sockaddr *)&t->addr, t->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		int e = errno;
		if (e == ECONNREFUSED)
			set_result(t, t->broker_answered ? OM_NOT_ENABLED : OM_REFUSED,
				   "connection refused",
				   t->broker_answered
					   ? " while the broker's Kafka port answers: Open "
					     "Monitoring is "
					     "not enabled, or the port is closed to this host"
					   : "");
		else
			set_result(t, OM_ERROR, "connect: ", strerror(e));
		conn_close(c);
		return -1;
	}
	return 0;
}

static void conn_fail_errno(struct conn *c, int e)
{
	struct om_target *t = c->t;
	if (e == ECONNREFUSED && !c->connected)
		set_result(
			t, t->broker_answered ? OM_NOT_ENABLED : OM_REFUSED, "connection refused",
			t->broker_answered
				? " while the broker's Kafka port answers: Open Monitoring is not "
				  "enabled, or the port is closed to this host"
				: "");
	else
		set_result(t, OM_ERROR, c->connected ? "" : "connect: ", strerror(e));
	conn_close(c);
}

static void conn_http_error(struct conn *c, int rc, const char *why)
{
	struct om_target *t = c->t;
	char a[MP_ERR_MAX];
	if (rc == OM_E_STATUS && om_http_status(c->h) == 404) {
		set_result(t, OM_NOT_ENABLED, "HTTP 404 for /metrics: no Prometheus exporter there",
			   NULL);
	} else {
		mp_fmt(a, sizeof(a), "%s", why);
		set_result(t, OM_ERROR, "", a);
	}
	conn_close(c);
}

/* Progress on a ready connection. */
static void conn_io(struct conn *c, short revents, int timeout_ms)
{
	struct om_target *t = c->t;
	char why[MP_ERR_MAX];
	if (!c->connected) {
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			conn_fail_errno(c, err);
			return;
		}
		if (!(revents & POLLOUT))
			return;
		c->connected = true;
		c->step_deadline = mp_now_ms() + timeout_ms;
	}
	while (c->req_off < c->req_len) {
		ssize_t w = send(c->fd, c->req + c->req_off, c->req_len - c->req_off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			conn_fail_errno(c, errno);
			return;
		}
		c->req_off += (size_t)w;
		c->step_deadline = mp_now_ms() + timeout_ms;
	}
	for (int rounds = 0; rounds < 16; rounds++) {
		uint8_t buf[16384];
		ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			conn_fail_errno(c, errno);
			return;
		}
		c->step_deadline = mp_now_ms() + timeout_ms;
		int rc = r == 0 ? om_http_eof(c->h, why, sizeof(why))
				: om_http_feed(c->h, buf, (size_t)r, why, sizeof(why));
		if (rc == 1) {
			t->status = OM_OK;
			t->reason[0] = '\0';
			conn_close(c);
			return;
		}
		if (rc != 0) {
			conn_http_error(c, rc, why);
			return;
		}
	}
}

int om_scrape(struct om_target *t, size_t n, unsigned concurrency, int timeout_ms, int abort_fd)
{
	if (!n)
		return 0;
	if (concurrency == 0)
		concurrency = 1;
	if (concurrency > n)
		concurrency = (unsigned)n;
	if (timeout_ms <= 0)
		timeout_ms = 5000;
	struct conn *cs = calloc(concurrency, sizeof(*cs));
	struct pollfd *pf = calloc(concurrency + 1, sizeof(*pf));
	if (!cs || !pf) {
		free(cs);
		free(pf);
		for (size_t i = 0; i < n; i++)
			set_result(&t[i], OM_ERROR, "not scraped: out of memory", NULL);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < concurrency; i++)
		cs[i].fd = -1;
	for (size_t i = 0; i < n; i++)
		set_result(&t[i], OM_ERROR, "not scraped", NULL);
	size_t next = 0, active = 0;
	bool aborted = false;
	for (;;) {
		for (unsigned i = 0; i < concurrency && next < n && !aborted; i++)
			if (!cs[i].t)
				while (next < n && !cs[i].t)
					(void)conn_start(&cs[i], &t[next++], timeout_ms);
		active = 0;
		int64_t now = mp_now_ms(), wake = INT64_MAX;
		for (unsigned i = 0; i < concurrency; i++) {
			struct conn *c = &cs[i];
			pf[i].fd = -1;
			pf[i].events = 0;
			pf[i].revents = 0;
			if (!c->t)
				continue;
			if (aborted) {
				set_result(c->t, OM_ERROR, "interrupted", NULL);
				conn_close(c);
				continue;
			}
			int64_t dl =
				c->step_deadline < c->deadline ? c->step_deadline : c->deadline;
			if (now >= dl) {
				if (now >= c->deadline)
					set_result(c->t, OM_TIMEOUT,
						   "the scrape took longer than its bound", "");
				else
					set_result(c->t, OM_TIMEOUT,
						   c->connected
							   ? "no answer bytes within the timeout"
							   : "no connection within the timeout",
						   "");
				conn_close(c);
				continue;
			}
			if (dl < wake)
				wake = dl;
			pf[i].fd = c->fd;
			pf[i].events = c->connected && c->req_off == c->req_len ? POLLIN : POLLOUT;
			active++;
		}
		if (!active && (next >= n || aborted))
			break;
		if (!active)
			continue;
		pf[concurrency].fd = abort_fd > 0 ? abort_fd : -1;
		pf[concurrency].events = POLLIN;
		pf[concurrency].revents = 0;
		int64_t wait = wake - mp_now_ms();
		if (wait < 0)
			wait = 0;
		if (wait > 1000)
			wait = 1000;
		int pr = poll(pf, concurrency + 1, (int)wait);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		if (pf[concurrency].revents & POLLIN)
			aborted = true;
		for (unsigned i = 0; i < concurrency; i++)
			if (cs[i].t && pf[i].fd >= 0 && pf[i].revents)
				conn_io(&cs[i], pf[i].revents, timeout_ms);
	}
	for (unsigned i = 0; i < concurrency; i++)
		if (cs[i].t) {
			set_result(cs[i].t, OM_ERROR, "interrupted", NULL);
			conn_close(&cs[i]);
		}
	free(cs);
	free(pf);
	return aborted ? 1 : 0;
}
