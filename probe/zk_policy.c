/* SPDX-License-Identifier: Apache-2.0 */
#include "zk_policy.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <string.h>

#include "util.h"
#include "zk_wire.h"

/* Evidence under construction: the first failed allocation sticks. */
struct ev {
	cJSON *o;
	bool bad;
};

static void ev_str(struct ev *e, cJSON *o, const char *k, const char *v)
{
	if (!e->bad && !cJSON_AddStringToObject(o, k, v))
		e->bad = true;
}

static void ev_num(struct ev *e, cJSON *o, const char *k, double v)
{
	if (!e->bad && !cJSON_AddNumberToObject(o, k, v))
		e->bad = true;
}

static void ev_bool(struct ev *e, cJSON *o, const char *k, bool v)
{
	if (!e->bad && !cJSON_AddBoolToObject(o, k, v))
		e->bad = true;
}

static cJSON *ev_arr(struct ev *e, cJSON *o, const char *k)
{
	cJSON *a = e->bad ? NULL : cJSON_AddArrayToObject(o, k);
	if (!a)
		e->bad = true;
	return a;
}

/* Append a new object to array a (NULL when anything failed before). */
static cJSON *ev_item(struct ev *e, cJSON *a)
{
	cJSON *o = e->bad ? NULL : cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(a, o)) {
		cJSON_Delete(o);
		e->bad = true;
		return NULL;
	}
	return o;
}

static void ev_endpoint(struct ev *e, cJSON *o, const char *host, uint16_t port)
{
	char ep[MP_HOST_MAX + 16];
	/* IPv6 literals get brackets so host:port stays unambiguous */
	mp_fmt(ep, sizeof(ep), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	ev_str(e, o, "endpoint", ep);
}

static struct ev ev_new(const char *host, uint16_t port)
{
	struct ev e = { .o = cJSON_CreateObject(), .bad = false };
	if (!e.o)
		e.bad = true;
	else
		ev_endpoint(&e, e.o, host, port);
	return e;
}

/* Hand the evidence to a new finding id (severity and title: the catalogue's). */
static int ev_emit(struct ev *e, struct mp_cluster *c, const char *id)
{
	if (e->bad) {
		cJSON_Delete(e->o);
		return -ENOMEM;
	}
	return mp_cluster_add_finding(c, id, e->o);
}

static void ev_cert(struct ev *e, cJSON *o, const struct mp_cert *m, unsigned pos)
{
	ev_num(e, o, "position", pos);
	ev_str(e, o, "subject", m->subject);
	ev_str(e, o, "issuer", m->issuer);
	ev_str(e, o, "not_after", m->not_after);
	ev_num(e, o, "days_left", m->days_left);
	ev_str(e, o, "sha256", m->sha256);
}

static int cert_validity(struct mp_cluster *c, const char *host, uint16_t port,
			 const struct mp_tls_info *t, const struct mp_policy *p, bool expired)
{
	struct ev e = ev_new(host, port);
	cJSON *a = ev_arr(&e, e.o, "certificates");
	unsigned n = 0;

	for (unsigned i = 0; i < t->n_chain && i < MP_CHAIN_MAX; i++) {
		const struct mp_cert *m = &t->chain[i];
		bool hit = expired ? m->days_left < 0
				   : m->days_left >= 0 && m->days_left < p->cert_warn_days;
		if (!hit)
			continue;
		n++;
		ev_cert(&e, ev_item(&e, a), m, i);
	}
	if (n == 0) {
		cJSON_Delete(e.o);
		return 0;
	}
	if (!expired)
		ev_num(&e, e.o, "warn_days", p->cert_warn_days);
	/* which certificate (position 0: the server's), its date and days left: evidence */
	return ev_emit(&e, c, expired ? "TLS_CERT_EXPIRED" : "TLS_CERT_EXPIRES_SOON");
}

static int handshake_failed(struct mp_cluster *c, const char *host, uint16_t port,
			    const struct mp_tls_info *t)
{
	bool wants_cert = strcmp(t->client_cert, "required") == 0;
	struct ev e = ev_new(host, port);

	ev_str(&e, e.o, "error", t->error);
	ev_str(&e, e.o, "client_cert", t->client_cert[0] ? t->client_cert : "unknown");
	if (t->protocol[0])
		ev_str(&e, e.o, "protocol", t->protocol);
	/* a server that wants a client certificate is not broken: its own id, its own severity */
	return ev_emit(&e, c, wants_cert ? "TLS_CLIENT_CERT_REQUIRED" : "TLS_HANDSHAKE_FAILED");
}

static bool verify_is_expiry(const char *verify)
{
	return strcmp(verify, X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED)) == 0;
}

int zk_tls_findings(struct mp_cluster *c, const char *host, uint16_t port,
		    const struct mp_tls_info *t, const struct mp_policy *p)
{
	int rc = 0;

	if (!t)
		return 0;
	if (strcmp(t->handshake, "ok") != 0 && (rc = handshake_failed(c, host, port, t)) < 0)
		return rc;
	if (t->n_chain > 0) {
		const struct mp_cert *leaf = &t->chain[0];
		if ((rc = cert_validity(c, host, port, t, p, true)) < 0)
			return rc;
		if (p->cert_warn_days > 0 && (rc = cert_validity(c, host, port, t, p, false)) < 0)
			return rc;
		/* an expired chain fails verification for that reason: reported above */
		if (t->verify[0] && strcmp(t->verify, "ok") != 0 && !verify_is_expiry(t->verify)) {
			struct ev e = ev_new(host, port);
			ev_str(&e, e.o, "verify", t->verify);
			ev_str(&e, e.o, "subject", leaf->subject);
			ev_str(&e, e.o, "issuer", leaf->issuer);
			ev_str(&e, e.o, "sha256", leaf->sha256);
			if ((rc = ev_emit(&e, c, "TLS_CERT_UNTRUSTED")) < 0)
				return rc;
		}
		if (t->hostname_match == 0) {
			struct ev e = ev_new(host, port);
			ev_str(&e, e.o, "host", host);
			ev_str(&e, e.o, "subject", leaf->subject);
			ev_str(&e, e.o, "san", leaf->san);
			if ((rc = ev_emit(&e, c, "TLS_HOSTNAME_MISMATCH")) < 0)
				return rc;
		}
	}
	bool legacy = false;
	for (unsigned i = 0; i < t->n_accepted && i < MP_PROTOS_MAX; i++)
		if (strcmp(t->accepted[i], "TLSv1") == 0 ||
		    strcmp(t->accepted[i], "TLSv1.1") == 0 || strcmp(t->accepted[i], "SSLv3") == 0)
			legacy = true;
	if (legacy) {
		struct ev e = ev_new(host, port);
		cJSON *a = ev_arr(&e, e.o, "accepted_protocols");
		for (unsigned i = 0; i < t->n_accepted && i < MP_PROTOS_MAX && !e.bad; i++) {
			cJSON *s = cJSON_CreateString(t->accepted[i]);
			if (!s || !cJSON_AddItemToArray(a, s)) {
				cJSON_Delete(s);
				e.bad = true;
			}
		}
		if ((rc = ev_emit(&e, c, "TLS_LEGACY_PROTOCOL")) < 0)
			return rc;
	}
	return 0;
}

static int plaintext_reachable(struct mp_cluster *c, const struct mp_zk_endpoint *z)
{
	struct ev e = ev_new(z->host, z->port);
	struct zk_srvr_info si;

	ev_bool(&e, e.o, "speaks_zookeeper", true);
	ev_str(&e, e.o, "srvr_status", z->srvr_status[0] ? z->srvr_status : "not tried");
	if (z->srvr[0]) {
		(void)zk_srvr_parse((const uint8_t *)z->srvr, strlen(z->srvr), &si);
		if (si.version[0])
			ev_str(&e, e.o, "server_version", si.version);
		if (si.mode[0])
			ev_str(&e, e.o, "mode", si.mode);
	}
	return ev_emit(&e, c, "ZK_PLAINTEXT_REACHABLE");
}

static int tls_unavailable(struct mp_cluster *c)
{
	struct ev e = { .o = cJSON_CreateObject(), .bad = false };
	cJSON *plain, *other;

	if (!e.o)
		return -ENOMEM;
	plain = ev_arr(&e, e.o, "plaintext");
	other = ev_arr(&e, e.o, "no_tls");
	for (size_t i = 0; i < c->n_zk; i++) {
		const struct mp_zk_endpoint *z = c->zk[i];
		cJSON *o;
		if (z->speaks_zookeeper == 1) {
			ev_endpoint(&e, ev_item(&e, plain), z->host, z->port);
			continue;
		}
		o = ev_item(&e, other);
		ev_endpoint(&e, o, z->host, z->port);
		ev_str(&e, o, "error", z->error[0] ? z->error : "no TLS");
	}
	return ev_emit(&e, c, "ZK_TLS_UNAVAILABLE");
}

static int anonymous_read(struct mp_cluster *c, const struct mp_zk_endpoint *z)
{
	struct ev e = ev_new(z->host, z->port);

	ev_str(&e, e.o, "transport", z->tls ? "tls" : "plaintext");
	ev_str(&e, e.o, "detail", z->anonymous_detail);
	return ev_emit(&e, c, "ZK_ANONYMOUS_READ");
}

int zk_findings(struct mp_cluster *c, const struct mp_policy *p)
{
	bool any_plain = false, any_tls = false;
	int rc;

	for (size_t i = 0; i < c->n_zk; i++) {
		const struct mp_zk_endpoint *z = c->zk[i];
		if (z->tls) {
			any_tls = true;
			if ((rc = zk_tls_findings(c, z->host, z->port, z->tls, p)) < 0)
				return rc;
		} else if (z->speaks_zookeeper == 1) {
			any_plain = true;
			if ((rc = plaintext_reachable(c, z)) < 0)
				return rc;
		}
		if (z->anonymous_read == 1 && (rc = anonymous_read(c, z)) < 0)
			return rc;
	}
	if (any_plain && !any_tls)
		return tls_unavailable(c);
	return 0;
}
