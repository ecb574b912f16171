/* SPDX-License-Identifier: Apache-2.0 */
#include "model.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "util.h"

/* Append p to a pointer array, growing it geometrically. */
static int ptr_push(void ***arr, size_t *n, size_t max, void *p)
{
	if (*n >= max)
		return -E2BIG;
	/* grow at powers of two: n is a power of two exactly when full */
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		size_t cap = *n ? *n * 2 : 4;
		void **na = realloc(*arr, cap * sizeof(*na));
		if (!na)
			return -ENOMEM;
		*arr = na;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

struct mp_report *mp_report_new(void)
{
	struct mp_report *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	mp_strlcpy(r->policy.min_version, "2.5.1", sizeof(r->policy.min_version));
	mp_strlcpy(r->policy.platform, "msk", sizeof(r->policy.platform));
	r->policy.cert_warn_days = 30;
	mp_rfc3339(r->generated_at, -1);
	return r;
}

void mp_tls_info_free(struct mp_tls_info *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->n_chain && i < MP_CHAIN_MAX; i++)
		free(t->chain[i].pem);
	free(t);
}

void mp_broker_free(struct mp_broker *b)
{
	if (!b)
		return;
	mp_tls_info_free(b->tls_info);
	free(b->apiv.keys);
	free(b->attempts);
	free(b->configs);
	free(b);
}

int mp_broker_set_apiv(struct mp_broker *b, const struct mp_apiv *a)
{
	uint16_t nk = a->table.n < MP_API_KEYS_MAX ? a->table.n : MP_API_KEYS_MAX;
	uint16_t ns = a->n_supported < MP_FEATURES_MAX ? a->n_supported : MP_FEATURES_MAX;
	uint16_t nf = a->n_finalized < MP_FEATURES_MAX ? a->n_finalized : MP_FEATURES_MAX;
	/* one block: the keys, then the features (both 2-byte aligned) */
	size_t kb = nk * sizeof(struct mp_api_range),
	       fb = (size_t)(ns + nf) * sizeof(struct mp_feature);
	uint8_t *blk = NULL;

	if (kb + fb && !(blk = malloc(kb + fb)))
		return -ENOMEM;
	free(b->apiv.keys);
	b->apiv = (struct mp_apiv_kept){ .request_version = a->request_version,
					 .error_code = a->error_code,
					 .throttle_ms = a->throttle_ms,
					 .finalized_epoch = a->finalized_epoch,
					 .zk_migration_ready = a->zk_migration_ready,
					 .n_keys = nk,
					 .n_supported = ns,
					 .n_finalized = nf };
	if (!blk)
		return 0;
	b->apiv.keys = (struct mp_api_range *)blk;
	memcpy(blk, a->table.r, kb);
	b->apiv.supported = (struct mp_feature *)(blk + kb);
	b->apiv.finalized = b->apiv.supported + ns;
	memcpy(b->apiv.supported, a->supported, ns * sizeof(struct mp_feature));
	memcpy(b->apiv.finalized, a->finalized, nf * sizeof(struct mp_feature));
	return 0;
}

void mp_broker_get_apiv(const struct mp_broker *b, struct mp_apiv *ret)
{
	const struct mp_apiv_kept *k = &b->apiv;
	memset(ret, 0, sizeof(*ret));
	ret->request_version = k->request_version;
	ret->error_code = k->error_code;
	ret->throttle_ms = k->throttle_ms;
	ret->finalized_epoch = k->finalized_epoch;
	ret->zk_migration_ready = k->zk_migration_ready;
	if (!k->keys)
		return;
	ret->table.n = k->n_keys;
	memcpy(ret->table.r, k->keys, k->n_keys * sizeof(k->keys[0]));
	ret->n_supported = k->n_supported;
	memcpy(ret->supported, k->supported, k->n_supported * sizeof(k->supported[0]));
	ret->n_finalized = k->n_finalized;
	memcpy(ret->finalized, k->finalized, k->n_finalized * sizeof(k->finalized[0]));
}

struct mp_attempt *mp_broker_add_attempt(struct mp_broker *b)
{
	struct mp_attempt *na;
	if (b->n_attempts >= MP_APIV_ATTEMPTS_MAX)
		return NULL;
	/* one more each time: a probe makes one to three, eight at the most */
	if (!(na = realloc(b->attempts, (b->n_attempts + 1u) * sizeof(*na))))
		return NULL;
	b->attempts = na;
	memset(&na[b->n_attempts], 0, sizeof(*na));
	return &na[b->n_attempts++];
}

int mp_broker_set_configs(struct mp_broker *b, const struct mp_config_kv *kv, size_t n)
{
	struct mp_config_kv *nc = NULL;
	if (n > MP_CONFIGS_MAX)
		n = MP_CONFIGS_MAX;
	if (n && !(nc = malloc(n * sizeof(*nc))))
		return -ENOMEM;
	if (n)
		memcpy(nc, kv, n * sizeof(*nc));
	free(b->configs);
	b->configs = nc;
	b->n_configs = (uint8_t)n;
	return 0;
}

static void zk_free(struct mp_zk_endpoint *z)
{
	if (!z)
		return;
	mp_tls_info_free(z->tls);
	free(z);
}

static void cluster_free(struct mp_cluster *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_brokers; i++)
		mp_broker_free(c->brokers[i]);
	free(c->brokers);
	for (size_t i = 0; i < c->n_listeners; i++)
		mp_broker_free(c->listeners[i]);
	free(c->listeners);
	for (size_t i = 0; i < c->n_zk; i++)
		zk_free(c->zk[i]);
	free(c->zk);
	for (size_t i = 0; i < c->n_findings; i++)
		cJSON_Delete(c->findings[i].evidence);
	free(c->findings);
	cJSON_Delete(c->capture);
	cJSON_Delete(c->inventory);
	cJSON_Delete(c->clients);
	cJSON_Delete(c->open_monitoring);
	free(c);
}

void mp_report_free(struct mp_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_clusters; i++)
		cluster_free(r->clusters[i]);
	free(r->clusters);
	free(r);
}

struct mp_cluster *mp_report_add_cluster(struct mp_report *r, const char *name)
{
	struct mp_cluster *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	mp_strlcpy(c->name, name, sizeof(c->name));
	mp_strlcpy(c->mode, "unknown", sizeof(c->mode));
	c->discovery.controller_id = -1;
	if (ptr_push((void ***)&r->clusters, &r->n_clusters, MP_CLUSTERS_MAX, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

struct mp_broker *mp_cluster_find_broker(struct mp_cluster *c, const char *host, uint16_t port)
{
	for (size_t i = 0; i < c->n_brokers; i++)
		if (c->brokers[i]->port == port && strcmp(c->brokers[i]->host, host) == 0)
			return c->brokers[i];
	return NULL;
}

static struct mp_broker *broker_new(const char *host, uint16_t port)
{
	struct mp_broker *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	mp_strlcpy(b->host, host, sizeof(b->host));
	b->port = port;
	b->node_id = -1;
	b->apiv.finalized_epoch = -1;
	b->apiv.zk_migration_ready = -1;
	return b;
}

struct mp_broker *mp_cluster_add_broker(struct mp_cluster *c, const char *host, uint16_t port)
{
	struct mp_broker *b = broker_new(host, port);
	if (b && ptr_push((void ***)&c->brokers, &c->n_brokers, MP_BROKERS_MAX, b) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

struct mp_broker *mp_cluster_add_listener(struct mp_cluster *c, const char *host, uint16_t port)
{
	struct mp_broker *b = broker_new(host, port);
	if (b && ptr_push((void ***)&c->listeners, &c->n_listeners, MP_BROKERS_MAX * 4, b) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

struct mp_zk_endpoint *mp_cluster_add_zk(struct mp_cluster *c, const char *host, uint16_t port)
{
	struct mp_zk_endpoint *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	mp_strlcpy(z->host, host, sizeof(z->host));
	z->port = port;
	z->speaks_zookeeper = -1;
	z->anonymous_read = -1;
	if (ptr_push((void ***)&c->zk, &c->n_zk, MP_ENDPOINTS_MAX, z) < 0) {
		free(z);
		return NULL;
	}
	return z;
}

int mp_cluster_add_finding(struct mp_cluster *c, const char *id, struct cJSON *evidence)
{
	const struct mp_catalog *cat = mp_catalog();
	const struct mp_check *k = cat ? mp_catalog_find(cat, id) : NULL;
	if (!k || strcmp(k->id, MP_VERDICT_CHECK) == 0) {
		cJSON_Delete(evidence);
		return -EINVAL;
	}
	if (!evidence && !(evidence = cJSON_CreateObject()))
		return -ENOMEM;
	struct mp_finding *nf = realloc(c->findings, (c->n_findings + 1) * sizeof(*nf));
	if (!nf) {
		cJSON_Delete(evidence);
		return -ENOMEM;
	}
	c->findings = nf;
	struct mp_finding *f = &nf[c->n_findings++];
	memset(f, 0, sizeof(*f));
	mp_strlcpy(f->id, k->id, sizeof(f->id));
	f->severity = f->severity_default = k->sev;
	mp_strlcpy(f->title, k->title, sizeof(f->title));
	f->evidence = evidence;
	return 0;
}

const char *mp_verdict_name(enum mp_verdict v)
{
	switch (v) {
	case MP_VERDICT_COMPLIANT:
		return "compliant";
	case MP_VERDICT_NON_COMPLIANT:
		return "non_compliant";
	case MP_VERDICT_UNVERIFIED:
		break;
	}
	return "unverified";
}

static const char *const sev_names[] = { "info", "low", "medium", "high", "critical" };

const char *mp_severity_name(enum mp_severity s)
{
	return (unsigned)s < 5 ? sev_names[s] : "info";
}

int mp_severity_parse(const char *s, enum mp_severity *ret)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(s, sev_names[i]) == 0) {
			*ret = (enum mp_severity)i;
			return 0;
		}
	return -EINVAL;
}

bool mp_addr_from_sockaddr(const struct sockaddr *sa, struct mp_addr *ret, uint16_t *ret_port)
{
	struct mp_addr a = { 0 };
	uint16_t port;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		a.family = 4;
		memcpy(a.a, &in->sin_addr, 4);
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		a.family = 6;
		memcpy(a.a, &in6->sin6_addr, 16);
		port = ntohs(in6->sin6_port);
	} else {
		return false;
	}
	*ret = a;
	if (ret_port)
		*ret_port = port;
	return true;
}

bool mp_addr_eq(const struct mp_addr *a, const struct mp_addr *b)
{
	return a->family && a->family == b->family && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

bool mp_addrs_has(const struct mp_addrs *set, const struct mp_addr *a)
{
	for (uint8_t i = 0; i < set->n && i < MP_ADDRS_MAX; i++)
		if (mp_addr_eq(&set->a[i], a))
			return true;
	return false;
}

bool mp_addrs_add(struct mp_addrs *set, const struct mp_addr *a)
{
	if (!a->family || set->n >= MP_ADDRS_MAX)
		return false;
	if (!mp_addrs_has(set, a))
		set->a[set->n++] = *a;
	return true;
}

void mp_addr_str(char *buf, size_t n, const struct mp_addr *a)
{
	if (!n)
		return;
	buf[0] = '\0';
	if (a->family == 4 || a->family == 6)
		if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, buf, (socklen_t)n))
			buf[0] = '\0';
}
