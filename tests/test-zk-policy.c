/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe/zk_policy.c on evidence written by hand: which findings each
 * ZooKeeper endpoint and TLS inspection raises, with which severity, and
 * that evidence carries facts only (no PEM). Severity and title of every
 * finding are the catalogue's (base/data/findings.tsv); the model refuses an
 * id the catalogue lacks.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "model.h"
#include "tap.h"
#include "util.h"
#include "zk_policy.h"

static const struct mp_policy pol = { .cert_warn_days = 30 };

static struct mp_tls_info *tls_ok(int leaf_days, int ca_days)
{
	struct mp_tls_info *t = calloc(1, sizeof(*t));
	mp_strlcpy(t->handshake, "ok", sizeof(t->handshake));
	mp_strlcpy(t->verify, "ok", sizeof(t->verify));
	mp_strlcpy(t->client_cert, "none", sizeof(t->client_cert));
	t->hostname_match = 1;
	t->n_chain = 2;
	t->chain[0].days_left = leaf_days;
	t->chain[1].days_left = ca_days;
	mp_strlcpy(t->chain[0].subject, "CN=zk", sizeof(t->chain[0].subject));
	mp_strlcpy(t->chain[1].subject, "CN=ca", sizeof(t->chain[1].subject));
	t->chain[0].pem = strdup("-----BEGIN CERTIFICATE-----\nxx\n");
	mp_strlcpy(t->accepted[t->n_accepted++], "TLSv1.2", sizeof(t->accepted[0]));
	return t;
}

static size_t count(const struct mp_cluster *c, const char *id, enum mp_severity *ret_sev)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_findings; i++)
		if (strcmp(c->findings[i].id, id) == 0) {
			n++;
			if (ret_sev)
				*ret_sev = c->findings[i].severity;
		}
	return n;
}

static struct mp_zk_endpoint *zk(struct mp_cluster *c, const char *host, uint16_t port, int speaks,
				 struct mp_tls_info *t)
{
	struct mp_zk_endpoint *z = mp_cluster_add_zk(c, host, port);
	z->reachable = true;
	z->speaks_zookeeper = speaks;
	z->tls = t;
	return z;
}

int main(void)
{
	struct mp_report *r = mp_report_new();
	enum mp_severity sev = MP_SEV_INFO;

	/* plaintext only, with an open srvr and anonymous reads */
	struct mp_cluster *a = mp_report_add_cluster(r, "plain");
	struct mp_zk_endpoint *z = zk(a, "zk1", 2181, 1, NULL);
	mp_strlcpy(z->srvr,
		   "Zookeeper version: 3.5.9-83df9301aa5c2a5d284a9940177808c01bc35cef, built "
		   "on\nMode: follower\n",
		   sizeof(z->srvr));
	mp_strlcpy(z->srvr_status, "ok", sizeof(z->srvr_status));
	z->anonymous_read = 1;
	mp_strlcpy(z->anonymous_detail, "/: 12 children", sizeof(z->anonymous_detail));
	zk(a, "zk1", 2182, -1, NULL)->reachable = false;
	TAP_EQ_INT(zk_findings(a, &pol), 0, "plain: findings");
	TAP_OK(count(a, "ZK_PLAINTEXT_REACHABLE", &sev) == 1 && sev == MP_SEV_HIGH,
	       "plain: ZK_PLAINTEXT_REACHABLE high");
	TAP_OK(count(a, "ZK_TLS_UNAVAILABLE", &sev) == 1 && sev == MP_SEV_MEDIUM,
	       "plain: ZK_TLS_UNAVAILABLE medium, as catalogued");
	TAP_OK(count(a, "ZK_ANONYMOUS_READ", &sev) == 1 && sev == MP_SEV_HIGH,
	       "plain: ZK_ANONYMOUS_READ high");
	char *s = cJSON_PrintUnformatted(a->findings[0].evidence);
	TAP_OK(s &&
		       strstr(s, "\"server_version\":\"3.5.9-"
				 "83df9301aa5c2a5d284a9940177808c01bc35cef\"") &&
		       strstr(s, "\"mode\":\"follower\"") && strstr(s, "\"endpoint\":\"zk1:2181\""),
	       "plain: evidence names the endpoint, version and mode: %s", s ? s : "");
	free(s);

	/* TLS with every certificate problem at once */
	struct mp_cluster *b = mp_report_add_cluster(r, "tls");
	struct mp_tls_info *t = tls_ok(10, -3);
	mp_strlcpy(t->verify, "unable to get local issuer certificate", sizeof(t->verify));
	t->hostname_match = 0;
	mp_strlcpy(t->accepted[t->n_accepted++], "TLSv1.1", sizeof(t->accepted[0]));
	zk(b, "fe80::1", 2182, -1, t);
	zk(b, "zk2", 2181, 1, NULL);
	TAP_EQ_INT(zk_findings(b, &pol), 0, "tls: findings");
	TAP_OK(count(b, "TLS_CERT_EXPIRED", &sev) == 1 && sev == MP_SEV_HIGH,
	       "tls: an expired CA in the chain is TLS_CERT_EXPIRED");
	TAP_OK(count(b, "TLS_CERT_EXPIRES_SOON", &sev) == 1 && sev == MP_SEV_MEDIUM,
	       "tls: 10 days left is TLS_CERT_EXPIRES_SOON");
	TAP_EQ_INT(count(b, "TLS_CERT_UNTRUSTED", NULL), 1, "tls: TLS_CERT_UNTRUSTED");
	TAP_EQ_INT(count(b, "TLS_HOSTNAME_MISMATCH", NULL), 1, "tls: TLS_HOSTNAME_MISMATCH");
	TAP_EQ_INT(count(b, "TLS_LEGACY_PROTOCOL", NULL), 1, "tls: TLS_LEGACY_PROTOCOL");
	TAP_EQ_INT(count(b, "ZK_TLS_UNAVAILABLE", NULL), 0, "tls: a TLS port exists");
	TAP_EQ_INT(count(b, "ZK_PLAINTEXT_REACHABLE", NULL), 1,
		   "tls: the plaintext port is still one");
	bool bracketed = false, pem = false;
	for (size_t i = 0; i < b->n_findings; i++) {
		char *e = cJSON_PrintUnformatted(b->findings[i].evidence);
		if (e && strstr(e, "\"endpoint\":\"[fe80::1]:2182\""))
			bracketed = true;
		if (!e || strstr(e, "BEGIN CERTIFICATE"))
			pem = true;
		free(e);
	}
	TAP_OK(bracketed, "tls: IPv6 endpoints are bracketed");
	TAP_OK(!pem, "tls: no PEM in any evidence");

	/* expiry alone is not also "untrusted"; warn days 0 turns the warning off */
	struct mp_cluster *c = mp_report_add_cluster(r, "expired");
	t = tls_ok(-1, 100);
	mp_strlcpy(t->verify, "certificate has expired", sizeof(t->verify));
	struct mp_policy nowarn = { .cert_warn_days = 0 };
	TAP_EQ_INT(zk_tls_findings(c, "zk3", 2182, t, &nowarn), 0, "expired: findings");
	TAP_EQ_INT(count(c, "TLS_CERT_EXPIRED", NULL), 1, "expired: TLS_CERT_EXPIRED");
	TAP_EQ_INT(count(c, "TLS_CERT_UNTRUSTED", NULL), 0, "expired: not also untrusted");
	TAP_EQ_INT(c->n_findings, 1, "expired: nothing else");
	mp_tls_info_free(t);

	/* a failed handshake: its own id, low, when only a client certificate is missing */
	struct mp_cluster *d = mp_report_add_cluster(r, "failed");
	struct mp_tls_info f = { .handshake = "failed",
				 .client_cert = "required",
				 .error = "the server sent alert 42 (bad certificate)" };
	TAP_EQ_INT(zk_tls_findings(d, "zk4", 2182, &f, &pol), 0, "failed: findings");
	TAP_OK(count(d, "TLS_CLIENT_CERT_REQUIRED", &sev) == 1 && sev == MP_SEV_LOW,
	       "failed: client certificate required is TLS_CLIENT_CERT_REQUIRED, low");
	TAP_EQ_INT(count(d, "TLS_HANDSHAKE_FAILED", NULL), 0, "... and not TLS_HANDSHAKE_FAILED");
	mp_strlcpy(f.client_cert, "", sizeof(f.client_cert));
	TAP_EQ_INT(zk_tls_findings(d, "zk4", 2182, &f, &pol), 0, "failed again");
	TAP_OK(count(d, "TLS_HANDSHAKE_FAILED", &sev) == 1 && sev == MP_SEV_MEDIUM,
	       "failed: any other failure is TLS_HANDSHAKE_FAILED, medium");
	TAP_EQ_INT(zk_tls_findings(d, "zk4", 2182, NULL, &pol), 0, "no TLS info: nothing");
	TAP_EQ_INT(d->n_findings, 2, "no TLS info added nothing");

	/* every finding above: severity and title are its catalogue row's */
	const struct mp_catalog *cat = mp_catalog();
	size_t agree = 0, all = 0;
	TAP_OK(cat != NULL, "built-in catalogue");
	for (size_t i = 0; cat && i < r->n_clusters; i++)
		for (size_t j = 0; j < r->clusters[i]->n_findings; j++) {
			const struct mp_finding *x = &r->clusters[i]->findings[j];
			const struct mp_check *k = mp_catalog_find(cat, x->id);
			all++;
			agree += k && x->severity == k->sev && x->severity_default == k->sev &&
				 !x->severity_policy && strcmp(x->title, k->title) == 0;
		}
	TAP_OK(all > 10 && agree == all,
	       "%zu of %zu findings carry the catalogue's severity and title", agree, all);

	/* an id the catalogue lacks is refused, and its evidence freed (ASan) */
	struct mp_cluster *e = mp_report_add_cluster(r, "unknown");
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "x", "y");
	TAP_EQ_INT(mp_cluster_add_finding(e, "NO_SUCH_FINDING", ev), -EINVAL,
		   "an id not in the catalogue is refused");
	TAP_EQ_INT(mp_cluster_add_finding(e, "ZK_PLAINTEXT_REACHABLE ", NULL), -EINVAL,
		   "... also when it differs by a trailing space");
	TAP_EQ_INT(mp_cluster_add_finding(e, MP_VERDICT_CHECK, NULL), -EINVAL,
		   "the verdict check is not a finding");
	TAP_EQ_INT(mp_cluster_add_finding(e, NULL, NULL), -EINVAL, "a NULL id is refused");
	TAP_EQ_INT(e->n_findings, 0, "nothing was added");
	TAP_EQ_INT(mp_cluster_add_finding(e, "TAG_OWNER_MISSING", NULL), 0,
		   "a catalogued id is taken");
	TAP_OK(e->n_findings == 1 && e->findings[0].severity == MP_SEV_LOW &&
		       cJSON_IsObject(e->findings[0].evidence),
	       "... with the catalogue's severity (low) and an empty evidence object");

	mp_report_free(r);
	return tap_done();
}
