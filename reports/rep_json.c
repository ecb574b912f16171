/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model as the JSON report. Field names of the issue contracts are
 * fixed (schema mskprobe.report/1): clusters[].verdict, kafka.releases,
 * kafka.candidates, kafka.mode, kafka.brokers[].{host,port,tls,error,
 * api_versions}, zookeeper[], findings[].{id,severity,title,evidence}.
 * Every string in the model is already sanitised printable ASCII.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <openssl/crypto.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mp_config.h"
#include "report.h"
#include "util.h"

static cJSON *str_or_null(const char *s)
{
	return s && s[0] ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *tri(int v)
{
	return v < 0 ? cJSON_CreateNull() : cJSON_CreateBool(v);
}

static cJSON *cert_json(const struct mp_cert *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *san = cJSON_AddArrayToObject(o, "san");
	char one[sizeof(c->san)];
	for (const char *p = c->san; *p;) {
		size_t n = strcspn(p, ",");
		if (n) {
			memcpy(one, p, n);
			one[n] = '\0';
			cJSON_AddItemToArray(san, cJSON_CreateString(one));
		}
		p += n + (p[n] == ',');
	}
	cJSON_AddStringToObject(o, "subject", c->subject);
	cJSON_AddStringToObject(o, "issuer", c->issuer);
	cJSON_AddStringToObject(o, "serial", c->serial);
	cJSON_AddStringToObject(o, "not_before", c->not_before);
	cJSON_AddStringToObject(o, "not_after", c->not_after);
	cJSON_AddNumberToObject(o, "days_left", c->days_left);
	cJSON_AddStringToObject(o, "key", c->key);
	cJSON_AddStringToObject(o, "sig_alg", c->sig_alg);
	cJSON_AddStringToObject(o, "sha256", c->sha256);
	cJSON_AddItemToObject(o, "pem", str_or_null(c->pem));
	return o;
}

cJSON *rep_tls_json(const struct mp_tls_info *t)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "handshake", t->handshake[0] ? t->handshake : "failed");
	cJSON_AddItemToObject(o, "error", str_or_null(t->error));
	cJSON_AddItemToObject(o, "protocol", str_or_null(t->protocol));
	cJSON_AddItemToObject(o, "cipher", str_or_null(t->cipher));
	cJSON *acc = cJSON_AddArrayToObject(o, "accepted_protocols");
	for (unsigned i = 0; i < t->n_accepted && i < MP_PROTOS_MAX; i++)
		cJSON_AddItemToArray(acc, cJSON_CreateString(t->accepted[i]));
	cJSON_AddItemToObject(o, "verify", str_or_null(t->verify));
	cJSON_AddItemToObject(o, "hostname_match", tri(t->hostname_match));
	cJSON_AddItemToObject(o, "client_cert", str_or_null(t->client_cert));
	cJSON_AddItemToObject(o, "speaks_zookeeper", tri(t->speaks_zookeeper));
	cJSON_AddItemToObject(o, "speaks_kafka", tri(t->speaks_kafka));
	cJSON *chain = cJSON_AddArrayToObject(o, "chain");
	for (unsigned i = 0; i < t->n_chain && i < MP_CHAIN_MAX; i++)
		cJSON_AddItemToArray(chain, cert_json(&t->chain[i]));
	return o;
}

static cJSON *features_json(const struct mp_feature *f, uint16_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (uint16_t i = 0; i < n; i++) {
		int v[2] = { f[i].min, f[i].max };
		cJSON_AddItemToObject(o, f[i].name, cJSON_CreateIntArray(v, 2));
	}
	return o;
}

static cJSON *api_versions_json(const struct mp_api_range *r, uint16_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (uint16_t i = 0; i < n; i++) {
		char key[8];
		int v[2] = { r[i].min, r[i].max };
		mp_fmt(key, sizeof(key), "%d", r[i].key);
		cJSON_AddItemToObject(o, key, cJSON_CreateIntArray(v, 2));
	}
	return o;
}

static cJSON *apiv_detail_json(const struct mp_apiv_kept *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "request_version", a->request_version);
	cJSON_AddNumberToObject(o, "error_code", a->error_code);
	cJSON_AddNumberToObject(o, "throttle_ms", a->throttle_ms);
	cJSON_AddItemToObject(o, "supported_features", features_json(a->supported, a->n_supported));
	cJSON_AddItemToObject(o, "finalized_features", features_json(a->finalized, a->n_finalized));
	if (a->finalized_epoch >= 0)
		cJSON_AddNumberToObject(o, "finalized_features_epoch", (double)a->finalized_epoch);
	else
		cJSON_AddNullToObject(o, "finalized_features_epoch");
	cJSON_AddItemToObject(o, "zk_migration_ready", tri(a->zk_migration_ready));
	return o;
}

static cJSON *fp_json(const struct mp_fp_result *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "exact", f->exact);
	cJSON_AddNumberToObject(o, "distance", f->distance);
	cJSON *rels = cJSON_AddArrayToObject(o, "releases");
	for (uint16_t i = 0; i < f->n_releases; i++)
		cJSON_AddItemToArray(rels, cJSON_CreateString(f->releases[i]));
	cJSON_AddStringToObject(o, "mode", f->mode[0] ? f->mode : "unknown");
	cJSON_AddStringToObject(o, "mode_reason", f->mode_reason);
	cJSON_AddItemToObject(o, "differences", str_or_null(f->diff));
	return o;
}

static const char *source_name(enum mp_broker_source s)
{
	switch (s) {
	case MP_SRC_DISCOVERED:
		return "discovered";
	case MP_SRC_LISTENER_CHECK:
		return "listener_check";
	case MP_SRC_BOOTSTRAP:
		break;
	}
	return "bootstrap";
}

/* "addresses": every address the name resolved to; "connected": the one probed, or null. */
static void addrs_json(cJSON *o, const struct mp_addrs *a)
{
	char ip[64];
	cJSON *arr = cJSON_AddArrayToObject(o, "addresses");
	for (uint8_t i = 0; arr && i < a->n && i < MP_ADDRS_MAX; i++) {
		mp_addr_str(ip, sizeof(ip), &a->a[i]);
		cJSON_AddItemToArray(arr, cJSON_CreateString(ip));
	}
	mp_addr_str(ip, sizeof(ip), &a->connected);
	cJSON_AddItemToObject(o, "connected", str_or_null(ip));
}

static cJSON *broker_json(const struct mp_broker *b)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "host", b->host);
	cJSON_AddNumberToObject(o, "port", b->port);
	addrs_json(o, &b->addrs);
	if (b->node_id >= 0)
		cJSON_AddNumberToObject(o, "node_id", b->node_id);
	else
		cJSON_AddNullToObject(o, "node_id");
	cJSON_AddStringToObject(o, "source", source_name(b->source));
	cJSON_AddBoolToObject(o, "tls", b->tls);
	cJSON_AddItemToObject(o, "error", str_or_null(b->error));
	cJSON_AddNumberToObject(o, "elapsed_ms", (double)b->elapsed_ms);
	if (b->answered) {
		cJSON_AddItemToObject(o, "api_versions",
				      api_versions_json(b->apiv.keys, b->apiv.n_keys));
		cJSON_AddItemToObject(o, "api_versions_detail", apiv_detail_json(&b->apiv));
		cJSON_AddItemToObject(o, "fingerprint", fp_json(&b->fp));
	} else {
		cJSON_AddNullToObject(o, "api_versions");
	}
	cJSON_AddBoolToObject(o, "closed_on_api_versions", b->closed_on_apiv);
	cJSON *att = cJSON_AddArrayToObject(o, "attempts");
	for (uint8_t i = 0; i < b->n_attempts; i++) {
		cJSON *a = cJSON_CreateObject();
		cJSON_AddNumberToObject(a, "version", b->attempts[i].version);
		cJSON_AddStringToObject(a, "outcome", b->attempts[i].outcome);
		cJSON_AddItemToArray(att, a);
	}
	cJSON *cfg = cJSON_AddObjectToObject(o, "configs");
	for (uint8_t i = 0; i < b->n_configs; i++)
		cJSON_AddStringToObject(cfg, b->configs[i].name, b->configs[i].value);
	if (b->tls_info)
		cJSON_AddItemToObject(o, "tls_info", rep_tls_json(b->tls_info));
	else
		cJSON_AddNullToObject(o, "tls_info");
	return o;
}

static const char *disc_name(enum mp_disc_status s)
{
	switch (s) {
	case MP_DISC_OK:
		return "ok";
	case MP_DISC_REFUSED:
		return "refused";
	case MP_DISC_FAILED:
		return "failed";
	case MP_DISC_NOT_RUN:
		break;
	}
	return "not_run";
}

static cJSON *discovery_json(const struct mp_discovery *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", disc_name(d->status));
	cJSON_AddItemToObject(o, "error", str_or_null(d->error));
	cJSON_AddItemToObject(o, "cluster_id", str_or_null(d->cluster_id));
	if (d->controller_id >= 0)
		cJSON_AddNumberToObject(o, "controller_id", d->controller_id);
	else
		cJSON_AddNullToObject(o, "controller_id");
	cJSON_AddItemToObject(o, "configs", str_or_null(d->configs_status));
	return o;
}

static cJSON *zk_json(const struct mp_zk_endpoint *z)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "host", z->host);
	cJSON_AddNumberToObject(o, "port", z->port);
	addrs_json(o, &z->addrs);
	cJSON_AddBoolToObject(o, "reachable", z->reachable);
	cJSON_AddItemToObject(o, "error", str_or_null(z->error));
	if (z->tls) {
		cJSON_AddNullToObject(o, "plaintext");
		cJSON_AddItemToObject(o, "tls", rep_tls_json(z->tls));
	} else {
		cJSON *p = cJSON_AddObjectToObject(o, "plaintext");
		cJSON_AddBoolToObject(p, "speaks_zookeeper", z->speaks_zookeeper == 1);
		if (z->srvr[0]) {
			cJSON *s = cJSON_AddObjectToObject(p, "srvr");
			cJSON_AddStringToObject(s, "text", z->srvr);
		} else {
			cJSON_AddNullToObject(p, "srvr");
		}
		cJSON_AddItemToObject(p, "srvr_status", str_or_null(z->srvr_status));
		cJSON_AddNullToObject(o, "tls");
	}
	if (z->anonymous_read >= 0) {
		cJSON *a = cJSON_AddObjectToObject(o, "anonymous_read");
		cJSON_AddBoolToObject(a, "allowed", z->anonymous_read == 1);
		cJSON_AddStringToObject(a, "detail", z->anonymous_detail);
	}
	return o;
}

static cJSON *cluster_json(const struct mp_cluster *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "verdict", mp_verdict_name(c->verdict));
	cJSON_AddStringToObject(o, "verdict_reason", c->verdict_reason);
	cJSON *pr = cJSON_AddObjectToObject(o, "proven");
	cJSON_AddBoolToObject(pr, "version_can_encrypt", c->proven_version);
	cJSON_AddBoolToObject(pr, "encrypted_zookeeper_endpoint", c->proven_zk_tls);
	cJSON_AddBoolToObject(pr, "traffic_encrypted", c->proven_traffic);
	cJSON *k = cJSON_AddObjectToObject(o, "kafka");
	cJSON *rels = cJSON_AddArrayToObject(k, "releases");
	for (uint16_t i = 0; i < c->n_releases; i++)
		cJSON_AddItemToArray(rels, cJSON_CreateString(c->releases[i]));
	cJSON *cands = cJSON_AddArrayToObject(k, "candidates");
	for (uint16_t i = 0; i < c->n_candidates; i++)
		cJSON_AddItemToArray(cands, cJSON_CreateString(c->candidates[i]));
	cJSON_AddStringToObject(k, "mode", c->mode);
	cJSON_AddBoolToObject(k, "fingerprint_exact", c->fp_exact && c->n_releases > 0);
	cJSON_AddItemToObject(k, "discovery", discovery_json(&c->discovery));
	cJSON *brokers = cJSON_AddArrayToObject(k, "brokers");
	for (size_t i = 0; i < c->n_brokers; i++)
		cJSON_AddItemToArray(brokers, broker_json(c->brokers[i]));
	cJSON *lis = cJSON_AddArrayToObject(k, "listener_checks");
	for (size_t i = 0; i < c->n_listeners; i++)
		cJSON_AddItemToArray(lis, broker_json(c->listeners[i]));
	cJSON *zk = cJSON_AddArrayToObject(o, "zookeeper");
	for (size_t i = 0; i < c->n_zk; i++)
		cJSON_AddItemToArray(zk, zk_json(c->zk[i]));
	if (c->capture)
		cJSON_AddItemToObject(o, "capture", cJSON_Duplicate(c->capture, 1));
	else
		cJSON_AddNullToObject(o, "capture");
	if (c->inventory)
		cJSON_AddItemToObject(o, "inventory", cJSON_Duplicate(c->inventory, 1));
	else
		cJSON_AddNullToObject(o, "inventory");
	if (c->clients)
		cJSON_AddItemToObject(o, "clients", cJSON_Duplicate(c->clients, 1));
	else
		cJSON_AddNullToObject(o, "clients");
	if (c->open_monitoring)
		cJSON_AddItemToObject(o, "open_monitoring", cJSON_Duplicate(c->open_monitoring, 1));
	else
		cJSON_AddNullToObject(o, "open_monitoring");
	cJSON *fs = cJSON_AddArrayToObject(o, "findings");
	for (size_t i = 0; i < c->n_findings; i++) {
		const struct mp_finding *f = &c->findings[i];
		cJSON *fo = cJSON_CreateObject();
		cJSON_AddStringToObject(fo, "id", f->id);
		cJSON_AddStringToObject(fo, "severity", mp_severity_name(f->severity));
		if (f->severity_policy) { /* the catalogue's, and who changed it */
			cJSON_AddStringToObject(fo, "severity_default",
						mp_severity_name(f->severity_default));
			cJSON_AddStringToObject(fo, "severity_source", "policy");
		}
		cJSON_AddStringToObject(fo, "title", f->title);
		cJSON_AddItemToObject(fo, "evidence",
				      f->evidence ? cJSON_Duplicate(f->evidence, 1)
						  : cJSON_CreateObject());
		cJSON_AddItemToArray(fs, fo);
	}
	return o;
}

static cJSON *summary_json(const struct mp_report *r)
{
	size_t n[3] = { 0 }, findings = 0;
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < r->n_clusters; i++) {
		n[r->clusters[i]->verdict]++;
		findings += r->clusters[i]->n_findings;
	}
	cJSON_AddNumberToObject(o, "clusters", (double)r->n_clusters);
	cJSON_AddNumberToObject(o, "compliant", (double)n[MP_VERDICT_COMPLIANT]);
	cJSON_AddNumberToObject(o, "non_compliant", (double)n[MP_VERDICT_NON_COMPLIANT]);
	cJSON_AddNumberToObject(o, "unverified", (double)n[MP_VERDICT_UNVERIFIED]);
	cJSON_AddNumberToObject(o, "findings", (double)findings);
	return o;
}

/* Provenance: how this binary was built and what it links. */
static cJSON *build_json(void)
{
	char b[512];
	mp_fmt(b, sizeof(b), "%s; %s; librdkafka %s; %s; cJSON %d.%d.%d",
#ifdef __VERSION__
	       "cc " __VERSION__,
#else
	       "cc unknown",
#endif
	       OpenSSL_version(OPENSSL_VERSION), rd_kafka_version_str(), pcap_lib_version(),
	       CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR, CJSON_VERSION_PATCH);
	char safe[512];
	mp_sanitize(safe, sizeof(safe), (const uint8_t *)b, strlen(b));
	return cJSON_CreateString(safe);
}

/* Provenance: the endpoints each cluster was scanned through (bootstrap, ZooKeeper). */
static cJSON *targets_json(const struct mp_report *r)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < r->n_clusters; i++) {
		const struct mp_cluster *c = r->clusters[i];
		cJSON *t = cJSON_CreateObject(), *eps;
		char ep[MP_HOST_MAX + 16];
		cJSON_AddItemToArray(arr, t);
		cJSON_AddStringToObject(t, "cluster", c->name);
		eps = cJSON_AddArrayToObject(t, "endpoints");
		for (size_t k = 0; k < c->n_brokers; k++) {
			if (c->brokers[k]->source != MP_SRC_BOOTSTRAP)
				continue;
			mp_fmt(ep, sizeof(ep), "%s:%u", c->brokers[k]->host, c->brokers[k]->port);
			cJSON_AddItemToArray(eps, cJSON_CreateString(ep));
		}
		for (size_t k = 0; k < c->n_zk; k++) {
			mp_fmt(ep, sizeof(ep), "zookeeper %s:%u", c->zk[k]->host, c->zk[k]->port);
			cJSON_AddItemToArray(eps, cJSON_CreateString(ep));
		}
	}
	return arr;
}

/* The report without its clusters' subtrees: "clusters" is an empty array, the last member. */
static cJSON *head_json(const struct mp_report *r)
{
	cJSON *o = cJSON_CreateObject();
	char host[256] = "";
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "schema", REP_SCHEMA);
	cJSON_AddStringToObject(o, "generated_at", r->generated_at);
	cJSON *tool = cJSON_AddObjectToObject(o, "tool");
	cJSON_AddStringToObject(tool, "name", "mskprobe");
	cJSON_AddStringToObject(tool, "version", MP_VERSION);
	cJSON_AddItemToObject(tool, "build", build_json());
	cJSON *pol = cJSON_AddObjectToObject(o, "policy");
	cJSON_AddStringToObject(pol, "min_kafka_version", r->policy.min_version);
	cJSON_AddStringToObject(pol, "platform", r->policy.platform);
	cJSON_AddNumberToObject(pol, "cert_warn_days", r->policy.cert_warn_days);
	if (r->policy.target_version[0])
		cJSON_AddStringToObject(pol, "target_version", r->policy.target_version);
	else
		cJSON_AddNullToObject(pol, "target_version");
	cJSON *prov = cJSON_AddObjectToObject(o, "provenance");
	if (gethostname(host, sizeof(host) - 1) == 0 && mp_host_valid(host))
		cJSON_AddStringToObject(prov, "probe_host", host);
	cJSON_AddStringToObject(prov, "command_line", r->command_line);
	cJSON_AddNumberToObject(prov, "duration_ms", (double)r->duration_ms);
	if (r->interrupted)
		cJSON_AddBoolToObject(prov, "interrupted", true);
	cJSON_AddStringToObject(prov, "time_utc", r->generated_at);
	cJSON_AddItemToObject(prov, "targets", targets_json(r));
	cJSON_AddItemToObject(o, "summary", summary_json(r));
	cJSON_AddArrayToObject(o, "clusters");
	return o;
}

cJSON *rep_to_json(const struct mp_report *r)
{
	cJSON *o = head_json(r);
	cJSON *cl = cJSON_GetObjectItemCaseSensitive(o, "clusters");
	for (size_t i = 0; cl && i < r->n_clusters; i++)
		cJSON_AddItemToArray(cl, cluster_json(r->clusters[i]));
	return o;
}

/*
 * One cluster's subtree printed on its own starts at depth 0; inside the
 * report it sits at depth 2 (report object, clusters array), and cJSON's
 * formatted printing indents every line after a newline by one tab per
 * depth: two more tabs after each newline make it the same bytes. A string
 * never holds a raw newline (cJSON escapes it), so every newline is layout.
 */
static char *indent2(const char *s, size_t *ret_len)
{
	size_t n = 0, len = 0;
	for (const char *p = s; *p; p++, len++)
		n += *p == '\n';
	char *out = malloc(len + 2 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		*o++ = *p;
		if (*p == '\n') {
			*o++ = '\t';
			*o++ = '\t';
		}
	}
	*o = '\0';
	*ret_len = (size_t)(o - out);
	return out;
}

int rep_json_write(const struct mp_report *r, int (*head_hook)(cJSON *head, void *ud),
		   int (*put)(const char *p, size_t n, void *ud), void *ud)
{
	static const char tail[] = "\"clusters\":\t[]\n}";
	cJSON *head = head_json(r);
	char *text = NULL;
	size_t len;
	int rc = -ENOMEM;

	if (!head || (head_hook && (rc = head_hook(head, ud)) < 0))
		goto out;
	rc = -ENOMEM;
	if (!(text = cJSON_Print(head)))
		goto out;
	cJSON_Delete(head);
	head = NULL;
	len = strlen(text);
	/* "clusters" is the head's last member (head_json, and a hook that only
	 * annotates): the text ends with its empty array */
	if (len < sizeof(tail) - 1 || strcmp(text + len - (sizeof(tail) - 1), tail) != 0) {
		rc = -EINVAL;
		goto out;
	}
	len -= 3; /* up to and with the '[' */
	if ((rc = put(text, len, ud)) < 0)
		goto out;
	for (size_t i = 0; i < r->n_clusters; i++) {
		cJSON *c = cluster_json(r->clusters[i]);
		char *one = c ? cJSON_Print(c) : NULL;
		cJSON_Delete(c);
		free(text);
		text = one ? indent2(one, &len) : NULL;
		free(one);
		if (!text) {
			rc = -ENOMEM;
			goto out;
		}
		if ((i && (rc = put(", ", 2, ud)) < 0) || (rc = put(text, len, ud)) < 0)
			goto out;
	}
	rc = put("]\n}\n", 4, ud);
out:
	cJSON_Delete(head);
	free(text);
	return rc < 0 ? rc : 0;
}
