/* SPDX-License-Identifier: Apache-2.0 */
#include "policy.h"

#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define EOS_SOON_DAYS 90
#define DAY_S	      86400

static void add_unique(char (*arr)[12], uint16_t *n, size_t cap, const char *s)
{
	for (uint16_t i = 0; i < *n; i++)
		if (strcmp(arr[i], s) == 0)
			return;
	if (*n < cap)
		mp_strlcpy(arr[(*n)++], s, 12);
}

static cJSON *broker_ref(const struct mp_broker *b)
{
	cJSON *o = cJSON_CreateObject();
	char ep[MP_HOST_MAX + 8];
	mp_fmt(ep, sizeof(ep), "%s:%u", b->host, b->port);
	cJSON_AddStringToObject(o, "broker", ep);
	if (b->node_id >= 0)
		cJSON_AddNumberToObject(o, "node_id", b->node_id);
	return o;
}

/* Comma-joined list for titles and reasons. */
static void join(char *dst, size_t n, char (*arr)[24], size_t cnt)
{
	size_t o = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < cnt && o + 1 < n; i++)
		o += (size_t)snprintf(dst + o, n - o, "%s%s", i ? ", " : "", arr[i]);
}

static int cand_cmp(const void *a, const void *b)
{
	return mp_ver_cmp_str(a, b);
}

static int rel_cmp(const void *a, const void *b)
{
	return mp_ver_cmp_str(a, b);
}

/* The set of releases of every broker that answered, and the exact candidates. */
static int summarise(struct mp_cluster *c, const struct mp_policy *p, const struct fp_table *fp,
		     const struct msk_catalog *msk, bool *ret_not_msk)
{
	size_t nc = 0;
	const char *mode = NULL;
	bool mixed = false;
	struct mp_apiv *a = malloc(sizeof(*a)); /* the codec's form, ~6 KiB */

	if (!a)
		return -ENOMEM;
	c->n_releases = 0;
	c->fp_exact = true;
	for (size_t i = 0; i < c->n_brokers; i++) {
		struct mp_broker *b = c->brokers[i];
		if (!b->answered)
			continue;
		mp_broker_get_apiv(b, a);
		fp_match(fp, a, &b->fp);
		if (!b->fp.exact)
			c->fp_exact = false;
		if (!b->fp.matched)
			continue; /* nothing in the table is near: no candidates */
		for (uint16_t r = 0; r < b->fp.n_releases; r++)
			add_unique(c->releases, &c->n_releases, MP_RELEASES_MAX, b->fp.releases[r]);
		for (uint16_t r = 0; r < b->fp.n_rows; r++)
			msk_candidates(msk, fp_table_row(fp, b->fp.rows[r]),
				       strcmp(p->platform, "msk") == 0, c->candidates,
				       MP_RELEASES_MAX, &nc, ret_not_msk);
		if (!mode)
			mode = b->fp.mode;
		else if (strcmp(mode, b->fp.mode) != 0)
			mixed = true;
	}
	free(a);
	c->n_candidates = (uint16_t)nc;
	qsort(c->releases, c->n_releases, sizeof(c->releases[0]), rel_cmp);
	qsort(c->candidates, c->n_candidates, sizeof(c->candidates[0]), cand_cmp);
	mp_strlcpy(c->mode, mode && !mixed ? mode : "unknown", sizeof(c->mode));
	return 0;
}

/* Brokers whose release sets differ: a rolling upgrade, or a mixed cluster. */
static int check_agreement(struct mp_cluster *c)
{
	const struct mp_broker *first = NULL;
	bool differ = false;
	for (size_t i = 0; i < c->n_brokers; i++) {
		const struct mp_broker *b = c->brokers[i];
		if (!b->answered)
			continue;
		if (!first) {
			first = b;
			continue;
		}
		if (b->fp.n_releases != first->fp.n_releases ||
		    memcmp(b->fp.releases, first->fp.releases,
			   sizeof(b->fp.releases[0]) * b->fp.n_releases) != 0)
			differ = true;
	}
	if (!differ)
		return 0;
	cJSON *ev = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(ev, "brokers");
	for (size_t i = 0; i < c->n_brokers; i++) {
		const struct mp_broker *b = c->brokers[i];
		if (!b->answered)
			continue;
		cJSON *o = broker_ref(b);
		cJSON *rels = cJSON_AddArrayToObject(o, "releases");
		for (uint16_t r = 0; r < b->fp.n_releases; r++)
			cJSON_AddItemToArray(rels, cJSON_CreateString(b->fp.releases[r]));
		cJSON_AddItemToArray(arr, o);
	}
	return mp_cluster_add_finding(c, "KAFKA_BROKERS_DISAGREE", ev);
}

static const struct mp_broker *first_inexact(const struct mp_cluster *c)
{
	for (size_t i = 0; i < c->n_brokers; i++)
		if (c->brokers[i]->answered && !c->brokers[i]->fp.exact)
			return c->brokers[i];
	return NULL;
}

static size_t count(const struct mp_cluster *c, bool answered, bool closed)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_brokers; i++)
		n += (answered && c->brokers[i]->answered) ||
		     (closed && c->brokers[i]->closed_on_apiv);
	return n;
}

/* Version part of the verdict. Returns 1 proven at/above, 0 below, -1 unknown. */
static int judge_version(struct mp_cluster *c, const struct mp_policy *p)
{
	size_t below = 0;
	char list[256];

	if (!count(c, true, false)) {
		if (count(c, false, true)) {
			mp_fmt(c->verdict_reason, sizeof(c->verdict_reason),
			       "brokers closed the connection on ApiVersions v0: a Kafka release "
			       "older than 0.10.0, or not Kafka at all");
			cJSON *ev = cJSON_CreateObject();
			cJSON_AddStringToObject(ev, "observation",
						"connection closed on ApiVersions v0");
			mp_cluster_add_finding(c, "KAFKA_PRE_0_10_SUSPECTED", ev);
		} else {
			mp_fmt(c->verdict_reason, sizeof(c->verdict_reason),
			       "no broker answered ApiVersions");
		}
		return -1;
	}
	const struct mp_broker *ix = first_inexact(c);
	if (ix) {
		mp_fmt(c->verdict_reason, sizeof(c->verdict_reason),
		       "broker %s:%u matches no release exactly (nearest %s, %u differing keys: "
		       "%s)",
		       ix->host, ix->port, ix->fp.n_releases ? ix->fp.releases[0] : "none",
		       ix->fp.distance, ix->fp.diff);
		return -1;
	}
	for (uint16_t i = 0; i < c->n_candidates; i++)
		below += mp_ver_cmp_str(c->candidates[i], p->min_version) < 0;
	join(list, sizeof(list), c->candidates, c->n_candidates);
	if (below == 0) {
		mp_fmt(c->verdict_reason, sizeof(c->verdict_reason),
		       "every version consistent with the evidence (%s) is at or above %s", list,
		       p->min_version);
		return 1;
	}
	if (below == c->n_candidates) {
		mp_fmt(c->verdict_reason, sizeof(c->verdict_reason),
		       "every version consistent with the evidence (%s) is below %s", list,
		       p->min_version);
		cJSON *ev = cJSON_CreateObject();
		cJSON *cands = cJSON_AddArrayToObject(ev, "candidates");
		for (uint16_t i = 0; i < c->n_candidates; i++)
			cJSON_AddItemToArray(cands, cJSON_CreateString(c->candidates[i]));
		cJSON_AddStringToObject(ev, "min_version", p->min_version);
		cJSON_AddStringToObject(ev, "mode", c->mode);
		mp_cluster_add_finding(c, "KAFKA_VERSION_BELOW_MINIMUM", ev);
		return 0;
	}
	/* The union straddles the minimum; a broker of its own may not: in a
	 * cluster mid-upgrade (KAFKA_BROKERS_DISAGREE) one broker still on a
	 * feature release below the minimum's keeps the cluster below it. */
	char min_feature[24];
	const char *dot = strchr(p->min_version, '.');
	dot = dot ? strchr(dot + 1, '.') : NULL;
	mp_strlcpy(min_feature, p->min_version,
		   dot ? (size_t)(dot - p->min_version) + 1 : sizeof(min_feature));
	for (size_t i = 0; i < c->n_brokers; i++) {
		const struct mp_broker *b = c->brokers[i];
		bool all_below = b->answered && b->fp.exact && b->fp.n_releases > 0;
		for (uint16_t j = 0; all_below && j < b->fp.n_releases; j++)
			all_below = mp_ver_cmp_str(b->fp.releases[j], min_feature) < 0;
		if (!all_below)
			continue;
		mp_fmt(c->verdict_reason, sizeof(c->verdict_reason),
		       "broker %s:%u runs %s, below %s (the brokers disagree: %s)", b->host,
		       b->port, b->fp.releases[0], p->min_version, list);
		cJSON *ev = cJSON_CreateObject();
		cJSON *cands = cJSON_AddArrayToObject(ev, "candidates");
		for (uint16_t k = 0; k < c->n_candidates; k++)
			cJSON_AddItemToArray(cands, cJSON_CreateString(c->candidates[k]));
		cJSON_AddItemToObject(ev, "broker", broker_ref(b));
		cJSON *rels = cJSON_AddArrayToObject(ev, "broker_releases");
		for (uint16_t k = 0; k < b->fp.n_releases; k++)
			cJSON_AddItemToArray(rels, cJSON_CreateString(b->fp.releases[k]));
		cJSON_AddStringToObject(ev, "min_version", p->min_version);
		cJSON_AddStringToObject(ev, "mode", c->mode);
		mp_cluster_add_finding(c, "KAFKA_VERSION_BELOW_MINIMUM", ev);
		return 0;
	}
	mp_fmt(c->verdict_reason, sizeof(c->verdict_reason),
	       "the versions consistent with the evidence (%s) straddle the minimum %s", list,
	       p->min_version);
	return -1;
}

/* A TLS ZooKeeper endpoint that completed a verified handshake and speaks ZooKeeper. */
static bool zk_tls_proven(const struct mp_cluster *c)
{
	for (size_t i = 0; i < c->n_zk; i++) {
		const struct mp_tls_info *t = c->zk[i]->tls;
		if (t && strcmp(t->handshake, "ok") == 0 && strcmp(t->verify, "ok") == 0 &&
		    t->speaks_zookeeper == 1)
			return true;
	}
	return false;
}

static bool zk_plain_open(const struct mp_cluster *c)
{
	for (size_t i = 0; i < c->n_zk; i++)
		if (!c->zk[i]->tls && c->zk[i]->speaks_zookeeper == 1)
			return true;
	return false;
}

static const char *config_value(const struct mp_cluster *c, const char *name)
{
	for (size_t i = 0; i < c->n_brokers; i++)
		for (uint8_t j = 0; j < c->brokers[i]->n_configs; j++)
			if (strcmp(c->brokers[i]->configs[j].name, name) == 0)
				return c->brokers[i]->configs[j].value;
	return NULL;
}

/* Direct evidence from DescribeConfigs, when the caller was authorised. */
static void check_configs(struct mp_cluster *c)
{
	const char *v = config_value(c, "zookeeper.ssl.client.enable");
	if (!v || strcmp(c->mode, "kraft") == 0 || strcmp(v, "false") != 0)
		return;
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "zookeeper.ssl.client.enable", v);
	const char *zc = config_value(c, "zookeeper.connect");
	if (zc)
		cJSON_AddStringToObject(ev, "zookeeper.connect", zc);
	mp_cluster_add_finding(c, "ZK_CLIENT_TLS_DISABLED", ev);
}

static void judge(struct mp_cluster *c, const struct mp_policy *p)
{
	int v = judge_version(c, p);
	bool kraft = strcmp(c->mode, "kraft") == 0;
	char why[512];

	c->proven_version = v == 1;
	c->proven_zk_tls = zk_tls_proven(c);
	if (v == 0) {
		c->verdict = MP_VERDICT_NON_COMPLIANT;
		return;
	}
	if (v < 0) {
		c->verdict = MP_VERDICT_UNVERIFIED;
		return;
	}
	if (kraft) {
		c->verdict = MP_VERDICT_COMPLIANT;
		mp_fmt(why, sizeof(why), "%s; KRaft mode: the cluster has no ZooKeeper",
		       c->verdict_reason);
		mp_strlcpy(c->verdict_reason, why, sizeof(c->verdict_reason));
		return;
	}
	if (strcmp(c->mode, "zookeeper") != 0) {
		c->verdict = MP_VERDICT_UNVERIFIED;
		mp_fmt(why, sizeof(why), "%s, but the broker mode could not be established",
		       c->verdict_reason);
		mp_strlcpy(c->verdict_reason, why, sizeof(c->verdict_reason));
		return;
	}
	if (c->proven_zk_tls) {
		c->verdict = MP_VERDICT_COMPLIANT;
		mp_fmt(why, sizeof(why), "%s, and a TLS ZooKeeper endpoint verified%s",
		       c->verdict_reason,
		       c->proven_traffic ? "; the captured ZooKeeper traffic was all TLS"
		       : zk_plain_open(c)
			       ? "; a plaintext ZooKeeper port also answers, and whether "
				 "brokers use TLS was not observed (capture proves it)"
			       : "");
	} else {
		c->verdict = MP_VERDICT_UNVERIFIED;
		mp_fmt(why, sizeof(why), "%s, but no TLS ZooKeeper endpoint was verified (%s)",
		       c->verdict_reason,
		       c->n_zk ? "none of the given endpoints completed a trusted TLS "
				 "handshake speaking ZooKeeper"
			       : "give the cluster's ZooKeeper endpoints: --zookeeper, or "
				 "ZookeeperConnectStringTls in an --inventory");
	}
	mp_strlcpy(c->verdict_reason, why, sizeof(c->verdict_reason));
}

static void add_plain(cJSON *arr, const struct mp_broker *b)
{
	if (b->answered && !b->tls)
		cJSON_AddItemToArray(arr, broker_ref(b));
}

/* A listener that answers Kafka without TLS: client traffic in clear text. */
static void check_plaintext_listeners(struct mp_cluster *c)
{
	cJSON *ev = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(ev, "listeners");
	for (size_t i = 0; i < c->n_brokers; i++)
		add_plain(arr, c->brokers[i]);
	for (size_t i = 0; i < c->n_listeners; i++)
		add_plain(arr, c->listeners[i]);
	if (cJSON_GetArraySize(arr) == 0) {
		cJSON_Delete(ev);
		return;
	}
	mp_cluster_add_finding(c, "KAFKA_PLAINTEXT_LISTENER", ev);
}

/*
 * Findings that prove the control plane is not encrypted whatever the
 * version says: the brokers' own configuration, or plaintext ZooKeeper
 * traffic seen on the wire.
 */
static const char *gap_proof(const struct mp_cluster *c)
{
	static const char *const proofs[] = { "ZK_CLIENT_TLS_DISABLED",
					      "ZK_PLAINTEXT_TRAFFIC_OBSERVED" };
	for (size_t i = 0; i < c->n_findings; i++)
		for (size_t j = 0; j < sizeof(proofs) / sizeof(proofs[0]); j++)
			if (strcmp(c->findings[i].id, proofs[j]) == 0)
				return proofs[j];
	return NULL;
}

/*
 * librdkafka before 2.6.1 repeats the client nonce in SCRAM's client-final
 * message and Kafka 4.x refuses it as invalid credentials (fixed in
 * librdkafka 2.6.1, confluentinc/librdkafka PR #4895; docs/interop.md): when
 * every release the brokers can be is 4.x and this build's librdkafka is
 * older, the discovery error says so, since the credentials may be right.
 */
static void explain_scram_refusal(struct mp_cluster *c)
{
	struct mp_discovery *d = &c->discovery;
	char note[MP_ERR_MAX];
	bool all4 = c->n_releases > 0;
	for (uint16_t i = 0; i < c->n_releases; i++)
		all4 = all4 && mp_ver_cmp_str(c->releases[i], "4.0") >= 0;
	if (!all4 || rd_kafka_version() >= 0x020601ff || !strstr(d->error, "SCRAM") ||
	    !strstr(d->error, "invalid credentials"))
		return;
	mp_fmt(note, sizeof(note),
	       "librdkafka %s cannot authenticate with SCRAM to Kafka 4.x (fixed in 2.6.1, "
	       "confluentinc/librdkafka PR #4895): the credentials may be right; ",
	       rd_kafka_version_str());
	size_t n = strlen(note);
	mp_strlcpy(note + n, d->error, sizeof(note) - n);
	mp_strlcpy(d->error, note, sizeof(d->error));
}

static cJSON *date_str(int64_t t)
{
	char d[32];
	mp_rfc3339(d, t);
	d[10] = '\0'; /* the day */
	return cJSON_CreateString(d);
}

int64_t policy_scan_date(bool *ret_from_env)
{
	const char *e = getenv("MSKPROBE_SCAN_DATE");
	int64_t t;
	if (e && msk_date_parse(e, &t) == 0) {
		*ret_from_env = true;
		return t;
	}
	*ret_from_env = false;
	return (int64_t)time(NULL);
}

/*
 * MSK's end of support (AWS "Supported Apache Kafka versions", and its
 * version support policy: past the date MSK upgrades the cluster itself, at
 * any time, without notice). Judged only on platform msk and only when every
 * candidate version has a published date: the cluster is past end of support
 * when the latest of them is at or before the scan date, and soon when it is
 * within EOS_SOON_DAYS after it.
 */
int policy_end_of_support(struct mp_cluster *c, const struct mp_policy *p,
			  const struct msk_catalog *msk, int64_t now, bool now_from_env)
{
	int64_t latest = 0, rel, eos;
	if (strcmp(p->platform, "msk") != 0 || c->n_candidates == 0)
		return 0;
	for (uint16_t i = 0; i < c->n_candidates; i++) {
		if (msk_support_dates(msk, c->candidates[i], &rel, &eos) < 0 || eos == 0)
			return 0; /* a version without a published date may still be supported */
		if (eos > latest)
			latest = eos;
	}
	bool past = latest <= now;
	if (!past && latest - now > (int64_t)EOS_SOON_DAYS * DAY_S)
		return 0;
	cJSON *ev = cJSON_CreateObject();
	cJSON *vs = cJSON_AddArrayToObject(ev, "versions");
	for (uint16_t i = 0; i < c->n_candidates; i++) {
		cJSON *o = cJSON_CreateObject();
		msk_support_dates(msk, c->candidates[i], &rel, &eos);
		cJSON_AddStringToObject(o, "version", c->candidates[i]);
		cJSON_AddItemToObject(o, "released", rel ? date_str(rel) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "end_of_support", date_str(eos));
		cJSON_AddItemToArray(vs, o);
	}
	cJSON_AddItemToObject(ev, "end_of_support", date_str(latest));
	cJSON_AddItemToObject(ev, "scan_date", date_str(now));
	cJSON_AddStringToObject(ev, "scan_date_from",
				now_from_env ? "MSKPROBE_SCAN_DATE" : "the clock");
	if (past)
		cJSON_AddNumberToObject(ev, "days_past_end_of_support",
					(double)((now - latest) / DAY_S));
	else
		cJSON_AddNumberToObject(ev, "days_to_end_of_support",
					(double)((latest - now + DAY_S - 1) / DAY_S));
	cJSON_AddStringToObject(
		ev, "msk_policy",
		past ? "Amazon MSK upgrades a cluster on a version past its end of support date to "
		       "the recommended version at any time, without notification (AWS, Amazon MSK "
		       "version support policy)"
		     : "after the end of support date Amazon MSK may upgrade the cluster to the "
		       "recommended version at any time, without notification (AWS, Amazon MSK "
		       "version support policy)");
	return mp_cluster_add_finding(
		c, past ? "KAFKA_VERSION_END_OF_SUPPORT" : "KAFKA_VERSION_END_OF_SUPPORT_SOON", ev);
}

int policy_apply(struct mp_cluster *c, const struct mp_policy *p, const struct fp_table *fp,
		 const struct msk_catalog *msk)
{
	bool not_msk = false;
	if (summarise(c, p, fp, msk, &not_msk) < 0 || check_agreement(c) < 0)
		return -ENOMEM;
	if (not_msk) {
		cJSON *ev = cJSON_CreateObject();
		cJSON *rels = cJSON_AddArrayToObject(ev, "releases");
		for (uint16_t i = 0; i < c->n_releases; i++)
			cJSON_AddItemToArray(rels, cJSON_CreateString(c->releases[i]));
		mp_cluster_add_finding(c, "KAFKA_NOT_AN_MSK_VERSION", ev);
	}
	bool from_env;
	int64_t now = policy_scan_date(&from_env);
	if (policy_end_of_support(c, p, msk, now, from_env) == -ENOMEM)
		return -ENOMEM;
	check_configs(c);
	check_plaintext_listeners(c);
	explain_scram_refusal(c);
	judge(c, p);
	const char *proof = gap_proof(c);
	if (proof && strcmp(c->mode, "kraft") != 0) {
		char why[512];
		c->verdict = MP_VERDICT_NON_COMPLIANT;
		mp_fmt(why, sizeof(why), "%s; and %s proves ZooKeeper traffic is not encrypted",
		       c->verdict_reason, proof);
		mp_strlcpy(c->verdict_reason, why, sizeof(c->verdict_reason));
	}
	return 0;
}

enum mp_exit policy_exit_code(const struct mp_report *r)
{
	bool unverified = false;
	for (size_t i = 0; i < r->n_clusters; i++) {
		const struct mp_cluster *c = r->clusters[i];
		for (size_t j = 0; j < c->n_findings; j++)
			if (c->findings[j].severity >= MP_SEV_LOW)
				return MP_EXIT_FINDING;
		if (c->verdict == MP_VERDICT_NON_COMPLIANT)
			return MP_EXIT_FINDING;
		if (c->verdict == MP_VERDICT_UNVERIFIED)
			unverified = true;
	}
	return unverified ? MP_EXIT_UNVERIFIED : MP_EXIT_PASS;
}
