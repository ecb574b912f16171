/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scan path end to end over real sockets on 127.0.0.1: broker
 * stand-ins replaying every release of the table over plain TCP, over TLS
 * and as SASL listeners; hostile endpoints; librdkafka's mock cluster for
 * discovery (with lowered ApiVersions); and the verdict and findings that
 * come out.
 */
#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_common.h"
#include "fp.h"
#include "kafka_apiv.h"
#include "loopback.h"
#include "pki.h"
#include "scan.h"
#include "standin.h"
#include "tap.h"
#include "util.h"

#define TIMEOUT_MS 1500

static struct fp_table *table;
static struct standin_server *srv;
static struct pki_paths pki;
static SSL_CTX *server_tls;

struct ep {
	char s[32];
};

static uint16_t add(const char *release, enum fp_mode mode, bool tls, bool sasl,
		    enum standin_behaviour beh)
{
	struct standin_opts o = { .row = release ? fp_table_find(table, release, mode) : NULL,
				  .tls = tls ? server_tls : NULL,
				  .sasl = sasl,
				  .behaviour = beh };
	uint16_t port = 0;
	char err[256];
	if (standin_add(srv, &o, &port, err, sizeof(err)) < 0)
		printf("# standin_add %s: %s\n", release ? release : "-", err);
	return port;
}

/* Scan one cluster of the given endpoints. */
static struct mp_report *scan(const char *const *eps, size_t n, const char *platform,
			      enum kafka_tls_mode tls, bool discover)
{
	struct scan_opts o;
	struct scan_cluster_spec spec = { .name = "t", .bootstrap = eps, .n_bootstrap = n };
	struct mp_report *r = NULL;
	char err[256] = "";
	cli_default_opts(&o);
	o.clusters = &spec;
	o.n_clusters = 1;
	o.timeout_ms = TIMEOUT_MS;
	o.tls_mode = tls;
	o.discover = discover;
	o.ca_file = pki.ca_cert;
	if (platform)
		mp_strlcpy(o.policy.platform, platform, sizeof(o.policy.platform));
	if (scan_run(&o, &r, err, sizeof(err)) < 0)
		printf("# scan_run: %s\n", err);
	return r;
}

static bool has_finding(const struct mp_cluster *c, const char *id)
{
	for (size_t i = 0; i < c->n_findings; i++)
		if (strcmp(c->findings[i].id, id) == 0)
			return true;
	return false;
}

static bool has_release(const struct mp_cluster *c, const char *rel)
{
	for (uint16_t i = 0; i < c->n_releases; i++)
		if (strcmp(c->releases[i], rel) == 0)
			return true;
	return false;
}

/* Every row of the table over plain TCP, over TLS and as a SASL listener
 * (which answers one ApiVersions per connection), one cluster each. */
static void test_every_release(void)
{
	static const char *const how[] = { "plain", "TLS", "SASL" };
	size_t n = fp_table_rows(table);
	for (size_t i = 0; i < n; i++) {
		const struct fp_row *row = fp_table_row(table, i);
		for (int kind = 0; kind < 3; kind++) {
			struct standin_opts o = { .row = row,
						  .tls = kind == 1 ? server_tls : NULL,
						  .sasl = kind == 2 };
			uint16_t port = 0;
			char err[256], ep[32];
			if (standin_add(srv, &o, &port, err, sizeof(err)) < 0) {
				TAP_OK(0, "standin for %s: %s", row->release, err);
				continue;
			}
			mp_fmt(ep, sizeof(ep), "127.0.0.1:%u", port);
			const char *eps[] = { ep };
			struct mp_report *r = scan(eps, 1, "apache", KAFKA_TLS_AUTO, false);
			struct mp_cluster *c = r ? r->clusters[0] : NULL;
			struct mp_broker *b = c ? c->brokers[0] : NULL;
			TAP_OK(b && b->answered && b->fp.exact && has_release(c, row->release) &&
				       b->tls == (kind == 1),
			       "%s %s (%s) over %s: exact, release found (%s)", row->release,
			       fp_mode_name(row->mode), row->patches[0], how[kind],
			       b ? b->error : "no report");
			mp_report_free(r);
		}
	}
}

static void test_verdicts(void)
{
	char e[4][32];
	const char *eps[4];
	struct mp_report *r;

	/* 2.2 ZooKeeper mode: below the minimum */
	mp_fmt(e[0], 32, "127.0.0.1:%u", add("2.2", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	eps[0] = e[0];
	r = scan(eps, 1, NULL, KAFKA_TLS_AUTO, false);
	TAP_OK(r && r->clusters[0]->verdict == MP_VERDICT_NON_COMPLIANT &&
		       has_finding(r->clusters[0], "KAFKA_VERSION_BELOW_MINIMUM") &&
		       strcmp(r->clusters[0]->candidates[0], "2.2.1") == 0,
	       "2.2 on MSK is 2.2.1: non_compliant with KAFKA_VERSION_BELOW_MINIMUM");
	mp_report_free(r);

	/* 3.7 KRaft behind TLS, one listener SASL: compliant, no ZooKeeper */
	for (int i = 0; i < 3; i++) {
		mp_fmt(e[i], 32, "127.0.0.1:%u",
		       add("3.7", FP_MODE_KRAFT, true, i == 2, STANDIN_RELEASE));
		eps[i] = e[i];
	}
	r = scan(eps, 3, NULL, KAFKA_TLS_ON, false);
	TAP_OK(r && r->clusters[0]->verdict == MP_VERDICT_COMPLIANT &&
		       strcmp(r->clusters[0]->mode, "kraft") == 0 &&
		       strstr(r->clusters[0]->verdict_reason, "no ZooKeeper"),
	       "3.7 KRaft over TLS (one SASL listener): compliant, says there is no ZooKeeper");
	TAP_OK(r && r->clusters[0]->brokers[2]->answered,
	       "the SASL listener answered without credentials");
	TAP_OK(r && r->clusters[0]->brokers[0]->tls_info &&
		       strcmp(r->clusters[0]->brokers[0]->tls_info->verify, "ok") == 0 &&
		       r->clusters[0]->brokers[0]->tls_info->n_chain >= 1,
	       "TLS chain recorded and verified against the CA");
	mp_report_free(r);

	/* a 2.2 SASL listener: v3 is refused with error 35 and an empty range
	 * (pre-2.4), so the probe steps down one version per new connection */
	mp_fmt(e[0], 32, "127.0.0.1:%u", add("2.2", FP_MODE_ZK, false, true, STANDIN_RELEASE));
	eps[0] = e[0];
	r = scan(eps, 1, NULL, KAFKA_TLS_OFF, false);
	TAP_OK(r && r->clusters[0]->brokers[0]->answered &&
		       r->clusters[0]->brokers[0]->apiv.request_version == 2 &&
		       r->clusters[0]->brokers[0]->n_attempts == 2 &&
		       has_release(r->clusters[0], "2.2"),
	       "2.2 SASL listener: v3 refused, v2 on a new connection answered, release 2.2");
	mp_report_free(r);

	/* 2.6 ZooKeeper mode: version fine, but no TLS ZooKeeper endpoint verified */
	mp_fmt(e[0], 32, "127.0.0.1:%u", add("2.6", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	eps[0] = e[0];
	r = scan(eps, 1, NULL, KAFKA_TLS_AUTO, false);
	TAP_OK(r && r->clusters[0]->verdict == MP_VERDICT_UNVERIFIED &&
		       strstr(r->clusters[0]->verdict_reason, "--zookeeper"),
	       "2.6 ZooKeeper mode without ZooKeeper evidence: unverified, says why");
	mp_report_free(r);

	/* Apache 2.5 straddles 2.5.1 */
	mp_fmt(e[0], 32, "127.0.0.1:%u", add("2.5", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	r = scan(eps, 1, "apache", KAFKA_TLS_AUTO, false);
	TAP_OK(r && r->clusters[0]->verdict == MP_VERDICT_UNVERIFIED &&
		       strstr(r->clusters[0]->verdict_reason, "straddle"),
	       "Apache 2.5.0/2.5.1 against 2.5.1: unverified (straddles)");
	mp_report_free(r);

	/* a rolling upgrade: 2.4 and 2.5 brokers in one cluster */
	mp_fmt(e[0], 32, "127.0.0.1:%u", add("2.4", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	mp_fmt(e[1], 32, "127.0.0.1:%u", add("2.5", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	eps[1] = e[1];
	r = scan(eps, 2, NULL, KAFKA_TLS_AUTO, false);
	TAP_OK(r && has_finding(r->clusters[0], "KAFKA_BROKERS_DISAGREE") &&
		       r->clusters[0]->verdict != MP_VERDICT_COMPLIANT,
	       "brokers that disagree: KAFKA_BROKERS_DISAGREE, not compliant");
	mp_report_free(r);

	/* mid-upgrade from 2.2 to 2.8: the union straddles 2.5.1, but the 2.2
	 * broker alone is below it, so the cluster is below it */
	mp_fmt(e[0], 32, "127.0.0.1:%u", add("2.2", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	mp_fmt(e[1], 32, "127.0.0.1:%u", add("2.8", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	r = scan(eps, 2, NULL, KAFKA_TLS_AUTO, false);
	TAP_OK(r && has_finding(r->clusters[0], "KAFKA_BROKERS_DISAGREE") &&
		       has_finding(r->clusters[0], "KAFKA_VERSION_BELOW_MINIMUM") &&
		       r->clusters[0]->verdict == MP_VERDICT_NON_COMPLIANT &&
		       strstr(r->clusters[0]->verdict_reason, e[0]),
	       "2.2 and 2.8 brokers: non_compliant, the 2.2 broker named below the minimum");
	mp_report_free(r);

	/* a release MSK never offered */
	mp_fmt(e[0], 32, "127.0.0.1:%u", add("2.0", FP_MODE_ZK, false, false, STANDIN_RELEASE));
	r = scan(eps, 1, "msk", KAFKA_TLS_AUTO, false);
	TAP_OK(r && has_finding(r->clusters[0], "KAFKA_NOT_AN_MSK_VERSION") &&
		       strcmp(r->clusters[0]->candidates[0], "2.0.0") == 0,
	       "2.0 on MSK: Apache candidates and KAFKA_NOT_AN_MSK_VERSION");
	mp_report_free(r);
}

static void test_hostile(void)
{
	static const struct {
		enum standin_behaviour b;
		const char *want;
	} cases[] = {
		{ STANDIN_SILENT, "timeout" },
		{ STANDIN_GARBAGE, "not Kafka" },
		{ STANDIN_CLOSE_MID, "closed" },
		{ STANDIN_HUGE_FRAME, "too_big" },
		{ STANDIN_PRE_0_10, "older than 0.10.0" },
		{ STANDIN_SLOW, "within" },
	};
	char e[8][32];
	const char *eps[8];
	size_t n = sizeof(cases) / sizeof(cases[0]);
	_Static_assert(sizeof(cases) / sizeof(cases[0]) < 8, "room for the refused endpoint");
	for (size_t i = 0; i < n; i++) {
		mp_fmt(e[i], 32, "127.0.0.1:%u", add("2.4", FP_MODE_ZK, false, false, cases[i].b));
		eps[i] = e[i];
	}
	mp_fmt(e[n], 32, "127.0.0.1:%u", dead_port());
	eps[n] = e[n];
	struct mp_report *r = scan(eps, n + 1, NULL, KAFKA_TLS_OFF, false);
	struct mp_cluster *c = r ? r->clusters[0] : NULL;
	for (size_t i = 0; c && i < n; i++)
		TAP_OK(!c->brokers[i]->answered && strstr(c->brokers[i]->error, cases[i].want),
		       "%s endpoint: clear error: %s", standin_behaviour_name(cases[i].b),
		       c->brokers[i]->error);
	TAP_OK(c && strstr(c->brokers[n]->error, "refused"), "refused endpoint: %s",
	       c ? c->brokers[n]->error : "");
	TAP_OK(c && c->verdict == MP_VERDICT_UNVERIFIED, "no answer at all: unverified");
	TAP_OK(c && c->brokers[4]->closed_on_apiv, "pre-0.10 close recorded as evidence");
	TAP_OK(c && c->brokers[5]->elapsed_ms <= 4 * TIMEOUT_MS + 1000,
	       "a peer dribbling its answer costs one step timeout, not one per byte (%lld ms)",
	       c ? (long long)c->brokers[5]->elapsed_ms : -1LL);
	TAP_OK(r && r->duration_ms < 4 * TIMEOUT_MS + 2000,
	       "hostile endpoints ran concurrently (took %lld ms)",
	       r ? (long long)r->duration_ms : -1LL);
	mp_report_free(r);

	/* resolution failures are per-endpoint errors too */
	const char *bad[] = { "no-such-host.invalid:9092" };
	r = scan(bad, 1, NULL, KAFKA_TLS_OFF, false);
	TAP_OK(r && r->clusters[0]->brokers[0]->error[0] && !r->clusters[0]->brokers[0]->answered,
	       "unresolvable host: %s", r ? r->clusters[0]->brokers[0]->error : "");
	mp_report_free(r);
}

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk, (void)level, (void)fac, (void)buf;
}

/* librdkafka's mock cluster: discovery of all brokers and a lowered ApiVersions. */
static void test_mock_discovery(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char e[256];
	rd_kafka_conf_set_log_cb(conf, quiet);
	rd_kafka_conf_set(conf, "test.mock.num.brokers", "3", e, sizeof(e));
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e));
	rd_kafka_mock_cluster_t *mc = rk ? rd_kafka_handle_mock_cluster(rk) : NULL;
	TAP_OK(mc != NULL, "mock cluster started");
	if (!mc)
		return;
	char boot[256];
	mp_strlcpy(boot, rd_kafka_mock_cluster_bootstraps(mc), sizeof(boot));
	boot[strcspn(boot, ",")] = '\0';
	const char *eps[] = { boot };

	struct mp_report *r = scan(eps, 1, NULL, KAFKA_TLS_OFF, true);
	struct mp_cluster *c = r ? r->clusters[0] : NULL;
	TAP_OK(c && c->discovery.status == MP_DISC_OK && c->n_brokers == 3,
	       "discovery found all 3 brokers (%zu)", c ? c->n_brokers : 0);
	TAP_OK(c && c->discovery.cluster_id[0] && c->discovery.controller_id >= 0,
	       "cluster id and controller recorded");
	size_t answered = 0;
	for (size_t i = 0; c && i < c->n_brokers; i++)
		answered += c->brokers[i]->answered;
	TAP_EQ_INT(answered, 3, "every discovered broker was probed");
	TAP_OK(c && c->verdict == MP_VERDICT_UNVERIFIED,
	       "the mock's table is no real release: unverified, never guessed");
	mp_report_free(r);

	/* lower ApiVersions to max 2: the probe follows the broker down */
	rd_kafka_mock_set_apiversion(mc, KAFKA_API_VERSIONS, 0, 2);
	r = scan(eps, 1, NULL, KAFKA_TLS_OFF, false);
	struct mp_broker *b = r ? r->clusters[0]->brokers[0] : NULL;
	TAP_OK(b && b->answered && b->apiv.request_version == 2 && b->n_attempts >= 2,
	       "ApiVersions max 2: stepped down to v2 after %u attempts", b ? b->n_attempts : 0);
	mp_report_free(r);
	rd_kafka_destroy(rk);
}

int main(void)
{
	char err[256], dir[] = "/tmp/mskprobe-test-scan-XXXXXX";
	const char *ips[] = { "127.0.0.1" };
	const char *dns[] = { "localhost" };

	if (!mkdtemp(dir) || fp_table_builtin(&table, err, sizeof(err)) < 0 ||
	    standin_server_new(&srv, err, sizeof(err)) < 0) {
		printf("not ok 1 - setup\n");
		return 1;
	}
	struct pki_opts po = { .dir = dir, .dns = dns, .n_dns = 1, .ips = ips, .n_ips = 1 };
	if (pki_generate(&po, &pki, err, sizeof(err)) < 0 ||
	    pki_server_ctx(&server_tls, &pki, false, err, sizeof(err)) < 0 ||
	    standin_server_start(srv, err, sizeof(err)) < 0) {
		printf("not ok 1 - setup: %s\n", err);
		return 1;
	}
	test_every_release();
	test_verdicts();
	test_hostile();
	test_mock_discovery();
	standin_server_free(srv);
	SSL_CTX_free(server_tls);
	fp_table_free(table);
	return tap_done();
}
