/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fleet inventory, policy file and declared-vs-measured.
 *
 * Inventory: the JSON `aws kafka list-clusters-v2` prints, each cluster
 * with its `aws kafka get-bootstrap-brokers` output merged in under
 * "BootstrapBrokers" (scripts/msk-inventory.sh writes it):
 *
 *   { "ClusterInfoList": [ {
 *       "ClusterArn": "arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID",
 *       "ClusterName": "NAME", "ClusterType": "PROVISIONED", "State": "ACTIVE",
 *       "Tags": { "Owner": "team-a" },
 *       "Provisioned": {
 *         "CurrentBrokerSoftwareInfo": { "KafkaVersion": "2.6.2" },
 *         "EncryptionInfo": { "EncryptionInTransit":
 *                             { "ClientBroker": "TLS", "InCluster": true } },
 *         "ZookeeperConnectString": "z-1...:2181,...",
 *         "ZookeeperConnectStringTls": "z-1...:2182,..." },
 *       "BootstrapBrokers": { "BootstrapBrokerString": "b-1...:9092,...",
 *                             "BootstrapBrokerStringTls": "b-1...:9094,...", ... } } ] }
 *
 * Everything in it is untrusted: names and tags are sanitised into
 * printable ASCII (rep_json_parse has already rejected non-UTF-8), every
 * field's type is checked and a wrong one is an error naming the field, and
 * every endpoint must parse as host:port. A cluster that is not running
 * (CREATING, DELETING, FAILED) and has no BootstrapBrokers, as the helper
 * script leaves it, is set aside as skipped rather than failing the fleet.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rep-internal.h"
#include "util.h"

#define INV_CLUSTERS_MAX  MP_CLUSTERS_MAX
#define INV_ENDPOINTS_MAX 64u /* per cluster and kind: the scan's bootstrap limit */

static const char *const bootstrap_keys[] = {
	"BootstrapBrokerString",
	"BootstrapBrokerStringTls",
	"BootstrapBrokerStringSaslScram",
	"BootstrapBrokerStringSaslIam",
	"BootstrapBrokerStringPublicTls",
	"BootstrapBrokerStringPublicSaslScram",
	"BootstrapBrokerStringPublicSaslIam",
	"BootstrapBrokerStringVpcConnectivityTls",
};

struct ctx {
	const char *file;
	char *errbuf;
	size_t errlen;
	size_t idx;
};

static int bad(struct ctx *x, const char *field, const char *what)
{
	mp_fmt(x->errbuf, x->errlen, "%s: ClusterInfoList[%zu].%s: %s", x->file, x->idx, field,
	       what);
	return -EINVAL;
}

/* The member or NULL; a member of another type than want is an error. */
static int member(struct ctx *x, const cJSON *o, const char *key, int want, const char *path,
		  const cJSON **ret)
{
	const cJSON *v = js_get(o, key);
	*ret = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!(v->type & want)) {
		char f[160];
		mp_fmt(f, sizeof(f), "%s%s", path, key);
		return bad(x, f,
			   want == cJSON_String	  ? "want a string"
			   : want == cJSON_Object ? "want an object"
			   : want == cJSON_True	  ? "want true or false"
						  : "wrong type");
	}
	*ret = v;
	return 0;
}

static void clean(char *dst, size_t n, const char *s)
{
	mp_sanitize(dst, n, (const uint8_t *)s, strlen(s));
}

/* Split a comma list of endpoints into list (owned strings), de-duplicated. */
static int add_endpoints(struct ctx *x, const char *field, const char *s, char ***list, size_t *n)
{
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ",");
		char ep[MP_HOST_MAX + 16], host[MP_HOST_MAX], err[256];
		uint16_t port = 0;
		if (len == 0 || len >= sizeof(ep))
			return bad(x, field, "an endpoint is empty or longer than a host name");
		memcpy(ep, p, len);
		ep[len] = '\0';
		if (mp_hostport_parse(ep, host, sizeof(host), &port, 0, false, err, sizeof(err)) <
			    0 ||
		    !port || !mp_host_valid(host)) {
			char what[400], safe[80];
			clean(safe, sizeof(safe), ep);
			mp_fmt(what, sizeof(what), "endpoint '%s' is not HOST:PORT", safe);
			return bad(x, field, what);
		}
		bool dup = false;
		for (size_t i = 0; i < *n; i++)
			dup = dup || strcmp((*list)[i], ep) == 0;
		if (!dup) {
			if (*n >= INV_ENDPOINTS_MAX)
				return bad(x, field, "more than 64 endpoints");
			char **nl = realloc(*list, (*n + 1) * sizeof(**list));
			if (!nl)
				return -ENOMEM;
			*list = nl;
			if (!((*list)[*n] = strdup(ep)))
				return -ENOMEM;
			(*n)++;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

static int tags(struct ctx *x, const cJSON *t, cJSON *info)
{
	const cJSON *it;
	size_t n = 0;
	cJSON *out = cJSON_AddObjectToObject(info, "tags");
	if (!out)
		return -ENOMEM;
	cJSON_ArrayForEach (it, t) {
		char k[128], v[256];
		if (!cJSON_IsString(it))
			return bad(x, "Tags", "every tag value must be a string");
		if (++n > REP_TAGS_MAX)
			return bad(x, "Tags", "more than 64 tags");
		clean(k, sizeof(k), it->string ? it->string : "");
		clean(v, sizeof(v), it->valuestring);
		if (!k[0] || cJSON_GetObjectItemCaseSensitive(out, k))
			continue;
		if (!cJSON_AddStringToObject(out, k, v))
			return -ENOMEM;
	}
	return 0;
}

static int declared(struct ctx *x, const cJSON *ci, cJSON *info, struct rep_inv_cluster *ic)
{
	const cJSON *prov, *sw, *ver, *enc, *eit, *cb, *inc, *zk, *zkt, *state, *type;
	cJSON *d = cJSON_AddObjectToObject(info, "declared");
	char v[128];
	int rc;
	if (!d)
		return -ENOMEM;
	if ((rc = member(x, ci, "State", cJSON_String, "", &state)) < 0 ||
	    (rc = member(x, ci, "ClusterType", cJSON_String, "", &type)) < 0 ||
	    (rc = member(x, ci, "Provisioned", cJSON_Object, "", &prov)) < 0 ||
	    (rc = member(x, prov, "CurrentBrokerSoftwareInfo", cJSON_Object, "Provisioned.", &sw)) <
		    0 ||
	    (rc = member(x, sw, "KafkaVersion", cJSON_String,
			 "Provisioned.CurrentBrokerSoftwareInfo.", &ver)) < 0 ||
	    (rc = member(x, prov, "EncryptionInfo", cJSON_Object, "Provisioned.", &enc)) < 0 ||
	    (rc = member(x, enc, "EncryptionInTransit", cJSON_Object, "Provisioned.EncryptionInfo.",
			 &eit)) < 0 ||
	    (rc = member(x, eit, "ClientBroker", cJSON_String,
			 "Provisioned.EncryptionInfo.EncryptionInTransit.", &cb)) < 0 ||
	    (rc = member(x, eit, "InCluster", cJSON_True | cJSON_False,
			 "Provisioned.EncryptionInfo.EncryptionInTransit.", &inc)) < 0 ||
	    (rc = member(x, prov, "ZookeeperConnectString", cJSON_String, "Provisioned.", &zk)) <
		    0 ||
	    (rc = member(x, prov, "ZookeeperConnectStringTls", cJSON_String, "Provisioned.",
			 &zkt)) < 0)
		return rc;
	if (state) {
		clean(v, sizeof(v), state->valuestring);
		cJSON_AddStringToObject(d, "state", v);
	}
	if (type) {
		clean(v, sizeof(v), type->valuestring);
		cJSON_AddStringToObject(d, "cluster_type", v);
	}
	if (ver) {
		struct mp_ver pv;
		clean(v, sizeof(v), ver->valuestring);
		if (mp_ver_parse(v, &pv) < 0)
			return bad(x, "Provisioned.CurrentBrokerSoftwareInfo.KafkaVersion",
				   "not a Kafka version");
		cJSON_AddStringToObject(d, "kafka_version", v);
	}
	if (cb) {
		const char *s = cb->valuestring;
		if (strcmp(s, "TLS") && strcmp(s, "TLS_PLAINTEXT") && strcmp(s, "PLAINTEXT"))
			return bad(x, "Provisioned.EncryptionInfo.EncryptionInTransit.ClientBroker",
				   "want TLS, TLS_PLAINTEXT or PLAINTEXT");
		cJSON_AddStringToObject(d, "client_broker", s);
	}
	if (inc)
		cJSON_AddBoolToObject(d, "in_cluster", cJSON_IsTrue(inc));
	cJSON_AddBoolToObject(d, "zookeeper_tls_offered", zkt != NULL);
	if (zk && (rc = add_endpoints(x, "Provisioned.ZookeeperConnectString", zk->valuestring,
				      &ic->zookeeper, &ic->n_zookeeper)) < 0)
		return rc;
	if (zkt && (rc = add_endpoints(x, "Provisioned.ZookeeperConnectStringTls", zkt->valuestring,
				       &ic->zookeeper, &ic->n_zookeeper)) < 0)
		return rc;
	return 0;
}

/*
 * States without brokers to reach; scripts/msk-inventory.sh merges no
 * bootstrap brokers for them (get-bootstrap-brokers fails while creating).
 */
static bool not_running(const char *state)
{
	return state && (strcmp(state, "CREATING") == 0 || strcmp(state, "DELETING") == 0 ||
			 strcmp(state, "FAILED") == 0);
}

#define SKIPPED 1

/* 0: ready to scan; SKIPPED: not running, nothing to scan; or -errno. */
static int one_cluster(struct ctx *x, const cJSON *ci, struct rep_inv_cluster *ic)
{
	const cJSON *arn, *name, *t, *bb;
	char a[512];
	int rc;
	if (!cJSON_IsObject(ci))
		return bad(x, "", "want an object");
	if ((rc = member(x, ci, "ClusterName", cJSON_String, "", &name)) < 0 ||
	    (rc = member(x, ci, "ClusterArn", cJSON_String, "", &arn)) < 0 ||
	    (rc = member(x, ci, "Tags", cJSON_Object, "", &t)) < 0 ||
	    (rc = member(x, ci, "BootstrapBrokers", cJSON_Object, "", &bb)) < 0)
		return rc;
	if (!name || !name->valuestring[0])
		return bad(x, "ClusterName", "missing");
	clean(ic->name, sizeof(ic->name), name->valuestring);
	if (!(ic->info = cJSON_CreateObject()))
		return -ENOMEM;
	cJSON_AddStringToObject(ic->info, "source", "aws kafka list-clusters-v2");
	if (arn) {
		clean(a, sizeof(a), arn->valuestring);
		if (strncmp(a, "arn:", 4) != 0 || strlen(arn->valuestring) >= sizeof(a))
			return bad(x, "ClusterArn", "not an ARN");
		mp_strlcpy(ic->arn, a, sizeof(ic->arn));
		cJSON_AddStringToObject(ic->info, "arn", a);
	}
	if ((rc = tags(x, t, ic->info)) < 0 || (rc = declared(x, ci, ic->info, ic)) < 0)
		return rc;
	if (!bb && not_running(js_str(js_obj(ic->info, "declared"), "state", NULL)))
		return SKIPPED;
	for (size_t k = 0; bb && k < sizeof(bootstrap_keys) / sizeof(bootstrap_keys[0]); k++) {
		const cJSON *s;
		char f[96];
		mp_fmt(f, sizeof(f), "BootstrapBrokers.%s", bootstrap_keys[k]);
		if ((rc = member(x, bb, bootstrap_keys[k], cJSON_String, "BootstrapBrokers.", &s)) <
			    0 ||
		    (s && (rc = add_endpoints(x, f, s->valuestring, &ic->bootstrap,
					      &ic->n_bootstrap)) < 0))
			return rc;
	}
	if (!ic->n_bootstrap)
		return bad(x, "BootstrapBrokers",
			   "no bootstrap broker string (merge get-bootstrap-brokers output: "
			   "scripts/msk-inventory.sh)");
	return 0;
}

int rep_inventory_load(const char *path, struct rep_inventory **ret, char *errbuf, size_t errlen)
{
	struct rep_inventory *inv = NULL;
	struct ctx x = { .file = path, .errbuf = errbuf, .errlen = errlen };
	cJSON *j = NULL;
	const cJSON *list, *ci;
	int rc = rep_json_read(path, REP_FILE_MAX, &j, errbuf, errlen);
	if (rc < 0)
		return rc;
	list = js_get(j, "ClusterInfoList");
	if (!cJSON_IsArray(list)) {
		mp_fmt(errbuf, errlen,
		       "%s: ClusterInfoList: want the array `aws kafka "
		       "list-clusters-v2` prints",
		       path);
		rc = -EINVAL;
		goto out;
	}
	size_t n = (size_t)cJSON_GetArraySize(list);
	if (n == 0 || n > INV_CLUSTERS_MAX) {
		mp_fmt(errbuf, errlen, "%s: ClusterInfoList: want 1 to %u clusters", path,
		       INV_CLUSTERS_MAX);
		rc = -EINVAL;
		goto out;
	}
	rc = -ENOMEM;
	if (!(inv = calloc(1, sizeof(*inv))) ||
	    !(inv->clusters = calloc(n, sizeof(*inv->clusters))) ||
	    !(inv->skipped = calloc(n, sizeof(*inv->skipped))))
		goto out;
	cJSON_ArrayForEach (ci, js_get(j, "ClusterInfoList")) {
		struct rep_inv_cluster *ic = &inv->clusters[inv->n++];
		if ((rc = one_cluster(&x, ci, ic)) < 0)
			goto out;
		if (rc == SKIPPED) {
			inv->skipped[inv->n_skipped++] = *ic;
			memset(ic, 0, sizeof(*ic));
			inv->n--;
		}
		for (size_t i = 0; rc != SKIPPED && i + 1 < inv->n; i++)
			if (strcmp(inv->clusters[i].name, ic->name) == 0) {
				rc = bad(&x, "ClusterName", "listed twice");
				goto out;
			}
		x.idx++;
	}
	if (!inv->n) {
		mp_fmt(errbuf, errlen,
		       "%s: ClusterInfoList: no cluster to scan (every one is CREATING, DELETING "
		       "or FAILED)",
		       path);
		rc = -EINVAL;
		goto out;
	}
	*ret = inv;
	inv = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		mp_fmt(errbuf, errlen, "%s: out of memory", path);
	rep_inventory_free(inv);
	cJSON_Delete(j);
	return rc;
}

static void cluster_clear(struct rep_inv_cluster *c)
{
	for (size_t k = 0; k < c->n_bootstrap; k++)
		free(c->bootstrap[k]);
	for (size_t k = 0; k < c->n_zookeeper; k++)
		free(c->zookeeper[k]);
	free(c->bootstrap);
	free(c->zookeeper);
	cJSON_Delete(c->info);
}

void rep_inventory_free(struct rep_inventory *inv)
{
	if (!inv)
		return;
	for (size_t i = 0; i < inv->n; i++)
		cluster_clear(&inv->clusters[i]);
	for (size_t i = 0; i < inv->n_skipped; i++)
		cluster_clear(&inv->skipped[i]);
	free(inv->clusters);
	free(inv->skipped);
	free(inv);
}
