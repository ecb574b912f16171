/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The terminal view, rendered from the JSON report: one line per cluster
 * (name, version, mode, verdict), then per cluster its reason, brokers,
 * ZooKeeper endpoints and findings. Colour only when asked (a TTY).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
	bool color;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = o->cap - o->len;
		va_start(ap, fmt);
		int n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->buf ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0 || o->oom)
			return;
		if (o->buf && (size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = o->cap ? o->cap * 2 : 4096;
		while (cap < o->len + (size_t)n + 1)
			cap *= 2;
		char *nb = realloc(o->buf, cap);
		if (!nb) {
			o->oom = true;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
}

static const char *s_of(const cJSON *o, const char *k, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : dflt;
}

static const char *paint(const struct out *o, const char *what)
{
	if (!o->color)
		return "";
	if (strcmp(what, "compliant") == 0 || strcmp(what, "ok") == 0)
		return "\033[32m";
	if (strcmp(what, "non_compliant") == 0 || strcmp(what, "high") == 0 ||
	    strcmp(what, "critical") == 0)
		return "\033[31m";
	if (strcmp(what, "unverified") == 0 || strcmp(what, "medium") == 0)
		return "\033[33m";
	if (strcmp(what, "reset") == 0)
		return "\033[0m";
	return "\033[36m";
}

/* "2.4 (2.4.1, 2.4.1.1)" from kafka.releases and kafka.candidates. */
static void version_cell(const cJSON *kafka, char *dst, size_t n)
{
	const cJSON *rels = cJSON_GetObjectItemCaseSensitive(kafka, "releases");
	const cJSON *cands = cJSON_GetObjectItemCaseSensitive(kafka, "candidates");
	const cJSON *it;
	size_t o = 0;
	dst[0] = '\0';
	cJSON_ArrayForEach(it, rels)
		if (cJSON_IsString(it) && o + 1 < n)
			o += (size_t)snprintf(dst + o, n - o, "%s%s", o ? "/" : "", it->valuestring);
	if (!o) {
		mp_strlcpy(dst, "?", n);
		return;
	}
	bool first = true;
	cJSON_ArrayForEach(it, cands)
		if (cJSON_IsString(it) && o + 1 < n) {
			o += (size_t)snprintf(dst + o, n - o, "%s%s", first ? " (" : ", ", it->valuestring);
			first = false;
		}
	if (!first && o + 1 < n)
		snprintf(dst + o, n - o, ")");
}

static void brokers_text(struct out *o, const cJSON *kafka)
{
	const cJSON *b;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(kafka, "brokers"))
	{
		const cJSON *fp = cJSON_GetObjectItemCaseSensitive(b, "fingerprint");
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(b, "port");
		const char *err = s_of(b, "error", NULL);
		put(o, "    broker %s:%d %s%s", s_of(b, "host", "?"),
		    cJSON_IsNumber(port) ? port->valueint : 0,
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "tls")) ? "tls" : "plain",
		    strcmp(s_of(b, "source", ""), "discovered") == 0 ? " (discovered)" : "");
		if (fp) {
			const cJSON *rel;
			put(o, ": release");
			cJSON_ArrayForEach(rel, cJSON_GetObjectItemCaseSensitive(fp, "releases"))
				if (cJSON_IsString(rel))
					put(o, " %s", rel->valuestring);
			put(o, ", %s, %s", s_of(fp, "mode", "unknown"),
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fp, "exact")) ? "exact match"
											     : "nearest match");
		}
		if (err)
			put(o, ": %s", err);
		put(o, "\n");
	}
}

static void zk_text(struct out *o, const cJSON *c)
{
	const cJSON *z;
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(c, "zookeeper"))
	{
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(z, "port");
		const cJSON *tls = cJSON_GetObjectItemCaseSensitive(z, "tls");
		const cJSON *plain = cJSON_GetObjectItemCaseSensitive(z, "plaintext");
		put(o, "    zookeeper %s:%d ", s_of(z, "host", "?"),
		    cJSON_IsNumber(port) ? port->valueint : 0);
		if (cJSON_IsObject(tls))
			put(o, "TLS %s %s %s, verify %s%s\n", s_of(tls, "handshake", "?"),
			    s_of(tls, "protocol", ""), s_of(tls, "cipher", ""), s_of(tls, "verify", "?"),
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tls, "speaks_zookeeper"))
				    ? ", speaks ZooKeeper"
				    : "");
		else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(z, "reachable")))
			put(o, "plaintext%s\n",
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(plain, "speaks_zookeeper"))
				    ? ", speaks ZooKeeper"
				    : ", not ZooKeeper");
		else
			put(o, "unreachable: %s\n", s_of(z, "error", "?"));
	}
}

static void findings_text(struct out *o, const cJSON *c)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(c, "findings"))
	{
		const char *sev = s_of(f, "severity", "info");
		char up[16];
		size_t i;
		for (i = 0; sev[i] && i + 1 < sizeof(up); i++)
			up[i] = (char)(sev[i] >= 'a' && sev[i] <= 'z' ? sev[i] - 32 : sev[i]);
		up[i] = '\0';
		put(o, "    %s[%s]%s %s: %s\n", paint(o, sev), up, paint(o, "reset"),
		    s_of(f, "id", "?"), s_of(f, "title", ""));
	}
}

int rep_render_text(const cJSON *r, bool color, char **ret, char *errbuf, size_t errlen)
{
	struct out o = { .color = color };
	const cJSON *clusters = cJSON_GetObjectItemCaseSensitive(r, "clusters");
	const cJSON *pol = cJSON_GetObjectItemCaseSensitive(r, "policy");
	const cJSON *c;

	if (!cJSON_IsObject(r) || strcmp(s_of(r, "schema", ""), REP_SCHEMA) != 0 ||
	    !cJSON_IsArray(clusters)) {
		mp_fmt(errbuf, errlen, "not a %s report", REP_SCHEMA);
		return -EINVAL;
	}
	put(&o, "mskprobe report %s: policy Kafka >= %s on %s\n\n", s_of(r, "generated_at", "?"),
	    s_of(pol, "min_kafka_version", "?"), s_of(pol, "platform", "?"));
	put(&o, "%-24s %-28s %-10s %s\n", "CLUSTER", "VERSION", "MODE", "VERDICT");
	cJSON_ArrayForEach(c, clusters)
	{
		const cJSON *kafka = cJSON_GetObjectItemCaseSensitive(c, "kafka");
		const char *verdict = s_of(c, "verdict", "unverified");
		char ver[128];
		version_cell(kafka, ver, sizeof(ver));
		put(&o, "%-24.24s %-28.28s %-10s %s%s%s\n", s_of(c, "name", "?"), ver,
		    s_of(kafka, "mode", "unknown"), paint(&o, verdict), verdict, paint(&o, "reset"));
	}
	cJSON_ArrayForEach(c, clusters)
	{
		put(&o, "\n%s: %s\n", s_of(c, "name", "?"), s_of(c, "verdict_reason", ""));
		const cJSON *kafka = cJSON_GetObjectItemCaseSensitive(c, "kafka");
		const cJSON *disc = cJSON_GetObjectItemCaseSensitive(kafka, "discovery");
		put(&o, "    discovery: %s%s%s\n", s_of(disc, "status", "?"),
		    s_of(disc, "error", NULL) ? ": " : "", s_of(disc, "error", ""));
		brokers_text(&o, kafka);
		zk_text(&o, c);
		findings_text(&o, c);
	}
	if (o.oom) {
		free(o.buf);
		return -ENOMEM;
	}
	*ret = o.buf;
	return 0;
}
