/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan verdicts with real ZooKeeper endpoints: Kafka broker stand-ins
 * (lab/standin.c) for the brokers, the real Apache ZooKeeper 3.8
 * instances of tests/zk/zk-harness.sh for ZooKeeper (argv[1] is its zk.env;
 * tests/zk/run-zk-tests.sh starts and always stops it), all scanned in one
 * scan_run() as four clusters, checked on the report JSON (rep_to_json)
 * the user would read:
 *
 *   cluster        brokers            ZooKeeper given           verdict
 *   main           2.6 ZooKeeper mode main plain + main TLS     compliant (version, TLS
 *                                                              verified), plaintext
 *                                                              port still a finding
 *   plainonly      2.6 ZooKeeper mode plainonly                 unverified, ZK_TLS_UNAVAILABLE
 *   expired        2.6 ZooKeeper mode expired TLS only          unverified, TLS_CERT_EXPIRED
 *   old-tls-zk     2.2 ZooKeeper mode main TLS                  non_compliant (version)
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_common.h"
#include "fp.h"
#include "policy.h"
#include "report.h"
#include "scan.h"
#include "standin.h"
#include "tap.h"
#include "util.h"

#define TIMEOUT_MS 2500
#define N_CLUSTERS 4
#define BROKERS	   2

/* KEY=value lines of zk.env; the value of key (without the newline) into dst. */
static bool env_get(const char *path, const char *key, char *dst, size_t n)
{
	char line[1024];
	size_t kl = strlen(key);
	bool found = false;
	FILE *f = fopen(path, "r");

	dst[0] = '\0';
	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) != 0 || line[kl] != '=')
			continue;
		line[strcspn(line, "\n")] = '\0';
		found = mp_strlcpy(dst, line + kl + 1, n) < n && dst[0];
	}
	if (f)
		fclose(f);
	return found;
}

/* "localhost:PORT" from "127.0.0.1:PORT": TLS endpoints are checked by name. */
static void by_name(char *dst, size_t n, const char *ep)
{
	const char *colon = strrchr(ep, ':');
	mp_fmt(dst, n, "localhost%s", colon ? colon : "");
}

static const cJSON *cluster(const cJSON *rep, const char *name)
{
	const cJSON *c;
	cJSON_ArrayForEach (c, cJSON_GetObjectItemCaseSensitive(rep, "clusters")) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
		if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
			return c;
	}
	return NULL;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static bool proven(const cJSON *c, const char *what)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(c, "proven"), what));
}

static bool finding(const cJSON *c, const char *id)
{
	const cJSON *f;
	cJSON_ArrayForEach (f, cJSON_GetObjectItemCaseSensitive(c, "findings"))
		if (strcmp(str(f, "id"), id) == 0)
			return true;
	return false;
}

static void show(const cJSON *c)
{
	const cJSON *f;
	printf("# %s: %s (%s)\n#  findings:", str(c, "name"), str(c, "verdict"),
	       str(c, "verdict_reason"));
	cJSON_ArrayForEach (f, cJSON_GetObjectItemCaseSensitive(c, "findings"))
		printf(" %s", str(f, "id"));
	printf("\n");
}

int main(int argc, char **argv)
{
	static const char *const names[N_CLUSTERS] = { "main", "plainonly", "expired",
						       "old-tls-zk" };
	static const char *const releases[N_CLUSTERS] = { "2.6", "2.6", "2.6", "2.2" };
	char ca[1024], main_plain[64], main_tls[64], plainonly[64], expired[64], err[256] = "";
	char ep[N_CLUSTERS][BROKERS][32];
	const char *eps[N_CLUSTERS][BROKERS];
	struct fp_table *table = NULL;
	struct standin_server *srv = NULL;
	struct mp_report *r = NULL;
	cJSON *j = NULL;

	if (argc < 2 || !env_get(argv[1], "ZK_CA", ca, sizeof(ca))) {
		printf("1..0 # SKIP no zk.env (run through tests/zk/run-zk-tests.sh)\n");
		return 77;
	}
	TAP_OK(env_get(argv[1], "ZK_MAIN_PLAIN", main_plain, sizeof(main_plain)) &&
		       env_get(argv[1], "ZK_PLAINONLY_PLAIN", plainonly, sizeof(plainonly)),
	       "harness plaintext endpoints");
	TAP_OK(env_get(argv[1], "ZK_MAIN_TLS", err, sizeof(err)), "harness main TLS endpoint");
	by_name(main_tls, sizeof(main_tls), err);
	TAP_OK(env_get(argv[1], "ZK_EXPIRED_TLS", err, sizeof(err)), "harness expired endpoint");
	by_name(expired, sizeof(expired), err);
	err[0] = '\0';

	if (fp_table_builtin(&table, err, sizeof(err)) < 0 ||
	    standin_server_new(&srv, err, sizeof(err)) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	for (int i = 0; i < N_CLUSTERS; i++)
		for (int b = 0; b < BROKERS; b++) {
			struct standin_opts o = { .row = fp_table_find(table, releases[i],
								       FP_MODE_ZK) };
			uint16_t port = 0;
			if (standin_add(srv, &o, &port, err, sizeof(err)) < 0)
				printf("# standin_add: %s\n", err);
			mp_fmt(ep[i][b], sizeof(ep[i][b]), "127.0.0.1:%u", port);
			eps[i][b] = ep[i][b];
		}
	if (standin_server_start(srv, err, sizeof(err)) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}

	const char *zk_main[] = { main_plain, main_tls }, *zk_plain[] = { plainonly },
		   *zk_expired[] = { expired }, *zk_tls[] = { main_tls };
	struct scan_cluster_spec specs[N_CLUSTERS] = {
		{ .name = names[0], .zookeeper = zk_main, .n_zookeeper = 2 },
		{ .name = names[1], .zookeeper = zk_plain, .n_zookeeper = 1 },
		{ .name = names[2], .zookeeper = zk_expired, .n_zookeeper = 1 },
		{ .name = names[3], .zookeeper = zk_tls, .n_zookeeper = 1 },
	};
	for (int i = 0; i < N_CLUSTERS; i++) {
		specs[i].bootstrap = eps[i];
		specs[i].n_bootstrap = BROKERS;
	}
	struct scan_opts o;
	cli_default_opts(&o);
	o.clusters = specs;
	o.n_clusters = N_CLUSTERS;
	o.timeout_ms = TIMEOUT_MS;
	o.ca_file = ca;
	o.discover = false;
	TAP_EQ_INT(scan_run(&o, &r, err, sizeof(err)), 0, "scan ran: %s", err);
	if (r)
		j = rep_to_json(r);
	TAP_OK(j != NULL, "report JSON");
	if (!j)
		goto out;
	for (int i = 0; i < N_CLUSTERS; i++)
		if (cluster(j, names[i]))
			show(cluster(j, names[i]));

	/* main: the version can encrypt and a TLS endpoint verified -> compliant;
	 * the plaintext port is a high finding beside it, not a verdict (it
	 * proves the port is open, not that brokers use it: capture does) */
	const cJSON *c = cluster(j, "main");
	TAP_EQ_STR(str(c, "verdict"), "compliant", "main: compliant");
	TAP_OK(proven(c, "version_can_encrypt"), "main: the version can encrypt");
	TAP_OK(proven(c, "encrypted_zookeeper_endpoint"), "main: an encrypted ZooKeeper endpoint");
	TAP_OK(!proven(c, "traffic_encrypted"), "main: traffic not proven (no capture)");
	TAP_OK(finding(c, "ZK_PLAINTEXT_REACHABLE"), "main: ZK_PLAINTEXT_REACHABLE");
	TAP_OK(!finding(c, "ZK_TLS_UNAVAILABLE"), "main: no ZK_TLS_UNAVAILABLE");
	TAP_OK(strstr(str(c, "verdict_reason"), "plaintext ZooKeeper port also answers") != NULL,
	       "main: the reason says the plaintext port answers");

	/* plainonly: no TLS endpoint at all -> unverified */
	c = cluster(j, "plainonly");
	TAP_EQ_STR(str(c, "verdict"), "unverified", "plainonly: unverified");
	TAP_OK(proven(c, "version_can_encrypt") && !proven(c, "encrypted_zookeeper_endpoint"),
	       "plainonly: version yes, encrypted endpoint no");
	TAP_OK(finding(c, "ZK_TLS_UNAVAILABLE") && finding(c, "ZK_PLAINTEXT_REACHABLE"),
	       "plainonly: ZK_TLS_UNAVAILABLE and ZK_PLAINTEXT_REACHABLE");

	/* expired: TLS and ZooKeeper behind it, but the chain does not verify */
	c = cluster(j, "expired");
	TAP_EQ_STR(str(c, "verdict"), "unverified", "expired: unverified");
	TAP_OK(!proven(c, "encrypted_zookeeper_endpoint"), "expired: not proven");
	TAP_OK(finding(c, "TLS_CERT_EXPIRED"), "expired: TLS_CERT_EXPIRED");
	TAP_OK(!finding(c, "ZK_TLS_UNAVAILABLE"), "expired: TLS is there, just not trusted");

	/* a 2.2 cluster next to a verified TLS ZooKeeper: the version decides */
	c = cluster(j, "old-tls-zk");
	TAP_EQ_STR(str(c, "verdict"), "non_compliant", "2.2 with TLS ZooKeeper: non_compliant");
	TAP_OK(!proven(c, "version_can_encrypt") && proven(c, "encrypted_zookeeper_endpoint"),
	       "2.2 with TLS ZooKeeper: an encrypted endpoint, a version that cannot use it");
	TAP_OK(finding(c, "KAFKA_VERSION_BELOW_MINIMUM"), "2.2: KAFKA_VERSION_BELOW_MINIMUM");

	TAP_EQ_INT(policy_exit_code(r), MP_EXIT_FINDING, "exit code: findings");
out:
	cJSON_Delete(j);
	mp_report_free(r);
	standin_server_free(srv);
	fp_table_free(table);
	return tap_done();
}
