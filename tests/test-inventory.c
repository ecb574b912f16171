/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `mskprobe scan --inventory` end to end: broker stand-ins on 127.0.0.1, an
 * inventory in the exact shape `aws kafka list-clusters-v2` prints with each
 * cluster's `aws kafka get-bootstrap-brokers` output merged in as
 * scripts/msk-inventory.sh makes it, and the built binary run on it. Checks
 * names, ARNs, tags and owners; declared vs measured (version, client-broker
 * TLS); --require-tags; the report against docs/schema (tests/reports/
 * validate.py); and hostile inventory content (markup in a name, a 100 KB
 * tag value, a version of the wrong type) giving a safe report or a clear
 * error, never invalid JSON or HTML injection.
 *
 * usage: test-inventory PATH/TO/mskprobe SRCDIR   (TAP)
 */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fp.h"
#include "pki.h"
#include "standin.h"
#include "tap.h"
#include "util.h"

extern char **environ;

#define HUGE_TAG (100u * 1024u)
#define MARKUP	 "<script>alert(1)</script><img src=x onerror=alert(2)>"
#define ARN(n)                                                                                     \
	"arn:aws:kafka:eu-west-1:123456789012:cluster/" n "/5e7a1c2d-0b9f-4c1e-9d3a-1f2e3d4c5b6a-" \
	"3"

static struct fp_table *table;
static struct standin_server *srv;
static SSL_CTX *server_tls;
static char dir[] = "/tmp/mskprobe-test-inventory-XXXXXX";

/* A stand-in; "127.0.0.1:PORT" appended to list (comma-separated). */
static void add(char *list, size_t len, const char *release, bool tls, enum standin_behaviour b)
{
	struct standin_opts o = { .row = release ? fp_table_find(table, release, FP_MODE_ZK) : NULL,
				  .tls = tls ? server_tls : NULL,
				  .behaviour = b };
	uint16_t port = 0;
	char err[256];
	if (standin_add(srv, &o, &port, err, sizeof(err)) < 0) {
		TAP_OK(0, "stand-in %s: %s", release ? release : "zookeeper", err);
		return;
	}
	size_t n = strlen(list);
	mp_fmt(list + n, len - n, "%s127.0.0.1:%u", n ? "," : "", port);
}

static cJSON *obj(cJSON *parent, const char *key)
{
	return cJSON_AddObjectToObject(parent, key);
}

/*
 * One ClusterInfoList entry as list-clusters-v2 prints it (PROVISIONED),
 * with the fields mskprobe ignores too, and get-bootstrap-brokers merged in.
 */
static cJSON *cluster(const char *name, const char *arn, const char *version, const char *cb,
		      const char *plain, const char *tls, const char *zk_tls)
{
	cJSON *c = cJSON_CreateObject(), *p, *bng, *enc, *bb;
	cJSON_AddStringToObject(c, "ClusterType", "PROVISIONED");
	cJSON_AddStringToObject(c, "ClusterArn", arn);
	cJSON_AddStringToObject(c, "ClusterName", name);
	cJSON_AddStringToObject(c, "CreationTime", "2021-03-04T10:11:12.345000+00:00");
	cJSON_AddStringToObject(c, "CurrentVersion", "K3AEGXETSR30VB");
	cJSON_AddStringToObject(c, "State", "ACTIVE");
	obj(c, "Tags");
	p = obj(c, "Provisioned");
	bng = obj(p, "BrokerNodeGroupInfo");
	cJSON_AddStringToObject(bng, "BrokerAZDistribution", "DEFAULT");
	cJSON_AddItemToObject(bng, "ClientSubnets", cJSON_CreateArray());
	cJSON_AddStringToObject(bng, "InstanceType", "kafka.m5.large");
	cJSON_AddStringToObject(obj(p, "CurrentBrokerSoftwareInfo"), "KafkaVersion", version);
	enc = obj(p, "EncryptionInfo");
	cJSON_AddStringToObject(obj(enc, "EncryptionAtRest"), "DataVolumeKMSKeyId",
				"arn:aws:kms:eu-west-1:123456789012:key/abcd");
	cJSON *eit = obj(enc, "EncryptionInTransit");
	cJSON_AddStringToObject(eit, "ClientBroker", cb);
	cJSON_AddBoolToObject(eit, "InCluster", true);
	cJSON_AddStringToObject(p, "EnhancedMonitoring", "DEFAULT");
	cJSON_AddNumberToObject(p, "NumberOfBrokerNodes", 3);
	cJSON_AddStringToObject(p, "StorageMode", "LOCAL");
	if (zk_tls)
		cJSON_AddStringToObject(p, "ZookeeperConnectStringTls", zk_tls);
	bb = obj(c, "BootstrapBrokers");
	if (plain)
		cJSON_AddStringToObject(bb, "BootstrapBrokerString", plain);
	if (tls)
		cJSON_AddStringToObject(bb, "BootstrapBrokerStringTls", tls);
	return c;
}

static int write_json(const char *path, cJSON *j)
{
	char *s = cJSON_Print(j);
	FILE *f = fopen(path, "w");
	int rc = s && f && fputs(s, f) >= 0 ? 0 : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	free(s);
	return rc;
}

static char *slurp(const char *path)
{
	char *data = NULL;
	FILE *f = fopen(path, "r");
	long n;
	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)n + 1))) {
		data[fread(data, 1, (size_t)n, f)] = '\0';
	}
	if (f)
		fclose(f);
	return data;
}

/* Run argv with stdout and stderr to files in dir; the exit code, or -1. */
static int run(char *const argv[], const char *tag)
{
	posix_spawn_file_actions_t fa;
	char out[256], err[256];
	pid_t pid;
	int st = 0;
	mp_fmt(out, sizeof(out), "%s/%s.out", dir, tag);
	mp_fmt(err, sizeof(err), "%s/%s.err", dir, tag);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* stderr of a run, "" when unreadable; caller frees. */
static char *run_err(const char *tag)
{
	char p[256];
	char *s;
	mp_fmt(p, sizeof(p), "%s/%s.err", dir, tag);
	s = slurp(p);
	return s ? s : strdup("");
}

/* The object of array arr whose string member key is value, or NULL. */
static const cJSON *by_key(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *it;
	cJSON_ArrayForEach (it, arr) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, key);
		if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
			return it;
	}
	return NULL;
}

static const cJSON *find_cluster(const cJSON *r, const char *name)
{
	return by_key(cJSON_GetObjectItemCaseSensitive(r, "clusters"), "name", name);
}

static const cJSON *finding(const cJSON *c, const char *id)
{
	return by_key(cJSON_GetObjectItemCaseSensitive(c, "findings"), "id", id);
}

/* The string at a dotted path below o ("inventory.tags.Owner"), or NULL. */
static const char *str_at(const cJSON *o, const char *path)
{
	char buf[256];
	mp_strlcpy(buf, path, sizeof(buf));
	for (char *k = buf, *dot; o && k; k = dot) {
		if ((dot = strchr(k, '.')))
			*dot++ = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	}
	return cJSON_IsString(o) ? o->valuestring : NULL;
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Does the JSON array hold the string s? */
static bool holds(const cJSON *arr, const char *s)
{
	const cJSON *it;
	cJSON_ArrayForEach (it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	return false;
}

struct fleet {
	char legacy[128], pay[128], pay_zk[64], stale[128], open_tls[64], open_plain[64],
		hostile[64];
};

static cJSON *inventory(const struct fleet *f)
{
	cJSON *inv = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(inv, "ClusterInfoList");
	cJSON *c, *t;
	char *huge = malloc(HUGE_TAG + 1);

	/* 2.2 brokers, declared 2.2.1 with plaintext allowed: no mismatch */
	c = cluster("legacy-22", ARN("legacy-22"), "2.2.1", "TLS_PLAINTEXT", f->legacy, NULL, NULL);
	t = cJSON_GetObjectItemCaseSensitive(c, "Tags");
	cJSON_AddStringToObject(t, "Owner", "team-legacy");
	cJSON_AddStringToObject(t, "CostCenter", "4711");
	cJSON_AddItemToArray(list, c);
	/* 2.6 brokers behind TLS, a TLS ZooKeeper: what AWS says holds */
	c = cluster("payments-26", ARN("payments-26"), "2.6.2", "TLS", NULL, f->pay, f->pay_zk);
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(c, "Tags"), "Owner",
				"team-payments");
	cJSON_AddItemToArray(list, c);
	/* AWS says 2.6.2, the brokers answer as 2.2 (stale inventory) */
	c = cluster("orders-stale", ARN("orders-stale"), "2.6.2", "TLS_PLAINTEXT", f->stale, NULL,
		    NULL);
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(c, "Tags"), "Owner",
				"team-orders");
	cJSON_AddItemToArray(list, c);
	/* AWS says client-broker TLS only, the plaintext bootstrap answers; no tags */
	c = cluster("audit-tls-only", ARN("audit-tls-only"), "2.6.2", "TLS", f->open_plain,
		    f->open_tls, NULL);
	cJSON_AddItemToArray(list, c);
	/* hostile: markup in the name and a tag key, a 100 KB tag value */
	memset(huge, 'A', HUGE_TAG);
	memcpy(huge, "<b onmouseover=alert(3)>", 24);
	huge[HUGE_TAG] = '\0';
	c = cluster(MARKUP, ARN("hostile"), "2.2.1", "TLS_PLAINTEXT", f->hostile, NULL, NULL);
	t = cJSON_GetObjectItemCaseSensitive(c, "Tags");
	cJSON_AddStringToObject(t, "Owner", huge);
	cJSON_AddStringToObject(t, "<i>team</i>", "\"><svg onload=alert(4)>");
	cJSON_AddItemToArray(list, c);
	/* being created: scripts/msk-inventory.sh merges no bootstrap brokers */
	c = cluster("new-cluster", ARN("new-cluster"), "3.6.0", "TLS", NULL, NULL, NULL);
	cJSON_ReplaceItemInObjectCaseSensitive(c, "State", cJSON_CreateString("CREATING"));
	cJSON_DeleteItemFromObjectCaseSensitive(c, "BootstrapBrokers");
	cJSON_AddItemToArray(list, c);
	free(huge);
	return inv;
}

/* Validate file against a schema in docs/schema with tests/reports/validate.py. */
static int validate(const char *src, const char *schema, const char *file, bool jsonl)
{
	char py[512], sc[512];
	mp_fmt(py, sizeof(py), "%s/tests/reports/validate.py", src);
	mp_fmt(sc, sizeof(sc), "%s/docs/schema/%s", src, schema);
	char *argv[] = { "/usr/bin/python3", py, sc, (char *)file, jsonl ? "--jsonl" : NULL, NULL };
	return run(argv, "validate");
}

static void test_fleet(const char *bin, const char *src, const struct fleet *f)
{
	char inv_path[256], out[256], ca[256], p[300];
	mp_fmt(inv_path, sizeof(inv_path), "%s/inventory.json", dir);
	mp_fmt(out, sizeof(out), "%s/out", dir);
	mp_fmt(ca, sizeof(ca), "%s/ca.pem", dir);
	cJSON *inv = inventory(f);
	TAP_OK(inv && write_json(inv_path, inv) == 0, "inventory written");
	cJSON_Delete(inv);

	char *argv[] = { (char *)bin,
			 "scan",
			 "--inventory",
			 inv_path,
			 "--require-tags",
			 "Owner",
			 "--ca-file",
			 ca,
			 "--no-discovery",
			 "--timeout-ms",
			 "2000",
			 "--format",
			 "json,html,text,md,asff,ocsf,junit",
			 "--output-dir",
			 out,
			 NULL };
	int rc = run(argv, "scan");
	char *err = run_err("scan");
	TAP_EQ_INT(rc, 1, "scan --inventory: exit 1 (findings)");
	if (rc != 1)
		printf("# %s\n", err);
	TAP_OK(strstr(err, "new-cluster") && strstr(err, "CREATING"),
	       "a cluster without bootstrap brokers (CREATING) is skipped, and said so");
	free(err);

	mp_fmt(p, sizeof(p), "%s/report.json", out);
	char *text = slurp(p);
	cJSON *r = text ? cJSON_Parse(text) : NULL;
	free(text);
	TAP_OK(r != NULL, "report.json is JSON");
	TAP_EQ_INT(validate(src, "report.schema.json", p, false), 0,
		   "report.json valid against docs/schema/report.schema.json");
	TAP_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "clusters")), 5,
		   "every scannable cluster of the inventory scanned");

	const cJSON *sk = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "provenance"),
						 "inventory_skipped"),
		0);
	TAP_OK(eq(str_at(sk, "cluster"), "new-cluster") && eq(str_at(sk, "state"), "CREATING") &&
		       eq(str_at(sk, "arn"), ARN("new-cluster")),
	       "the report names the cluster it did not scan (provenance.inventory_skipped)");
	static const char *const names[] = { "legacy-22", "payments-26", "orders-stale",
					     "audit-tls-only" };
	for (size_t i = 0; i < 4; i++) {
		const cJSON *c = find_cluster(r, names[i]);
		char arn[256];
		mp_fmt(arn, sizeof(arn), ARN("%s"), names[i]);
		TAP_OK(c && eq(str_at(c, "inventory.arn"), arn) &&
			       eq(str_at(c, "inventory.source"), "aws kafka list-clusters-v2"),
		       "%s: scanned under its name and ARN", names[i]);
	}
	const cJSON *legacy = find_cluster(r, "legacy-22"), *pay = find_cluster(r, "payments-26");
	const cJSON *stale = find_cluster(r, "orders-stale"),
		    *open = find_cluster(r, "audit-tls-only");
	TAP_OK(eq(str_at(legacy, "inventory.tags.Owner"), "team-legacy") &&
		       eq(str_at(legacy, "inventory.tags.CostCenter"), "4711") &&
		       eq(str_at(legacy, "inventory.owners.Owner"), "team-legacy") &&
		       !str_at(legacy, "inventory.owners.CostCenter"),
	       "legacy-22: tags kept, owner is the required tag");
	TAP_OK(eq(str_at(pay, "inventory.owners.Owner"), "team-payments"),
	       "payments-26: owner team-payments");

	/* declared vs measured: version */
	const cJSON *mm = finding(stale, "DECLARED_VERSION_MISMATCH");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(mm, "evidence");
	TAP_OK(mm && eq(str_at(ev, "declared_kafka_version"), "2.6.2") &&
		       holds(cJSON_GetObjectItemCaseSensitive(ev, "measured_releases"), "2.2"),
	       "orders-stale: declared 2.6.2, answers as 2.2: DECLARED_VERSION_MISMATCH");
	TAP_OK(eq(str_at(stale, "verdict"), "non_compliant") &&
		       finding(stale, "KAFKA_VERSION_BELOW_MINIMUM"),
	       "orders-stale: verdict from the measurement (non_compliant, below minimum): %s",
	       str_at(stale, "verdict_reason") ? str_at(stale, "verdict_reason") : "?");
	TAP_OK(!finding(legacy, "DECLARED_VERSION_MISMATCH") &&
		       !finding(pay, "DECLARED_VERSION_MISMATCH") &&
		       !finding(open, "DECLARED_VERSION_MISMATCH"),
	       "a declared version the brokers match is no mismatch");
	TAP_OK(finding(legacy, "DECLARED_CLIENT_PLAINTEXT_ALLOWED") &&
		       eq(str_at(legacy, "verdict"), "non_compliant"),
	       "legacy-22: TLS_PLAINTEXT declared, 2.2 measured: findings, non_compliant");

	/* declared vs measured: client-broker TLS only */
	const cJSON *po = finding(open, "DECLARED_TLS_ONLY_PLAINTEXT_OPEN");
	char plain0[64];
	mp_strlcpy(plain0, f->open_plain, sizeof(plain0));
	TAP_OK(po && holds(cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(po, "evidence"),
				   "plaintext_endpoints_answering"),
			   plain0),
	       "audit-tls-only: TLS declared, plaintext %s answers: "
	       "DECLARED_TLS_ONLY_PLAINTEXT_OPEN",
	       plain0);
	TAP_OK(!finding(pay, "DECLARED_TLS_ONLY_PLAINTEXT_OPEN") &&
		       !finding(pay, "DECLARED_CLIENT_PLAINTEXT_ALLOWED"),
	       "payments-26: TLS declared and only TLS answers: no declared finding");
	TAP_OK(eq(str_at(pay, "verdict"), "compliant"),
	       "payments-26: 2.6 behind TLS with a verified TLS ZooKeeper: compliant (%s)",
	       str_at(pay, "verdict_reason") ? str_at(pay, "verdict_reason") : "?");

	const char *why = str_at(open, "verdict_reason");
	TAP_OK(eq(str_at(open, "verdict"), "unverified") && why &&
		       strstr(why, "ZookeeperConnectStringTls"),
	       "audit-tls-only: no ZooKeeper listed: unverified, says where the endpoints go");

	/* ownership */
	const cJSON *tm = finding(open, "TAG_OWNER_MISSING");
	TAP_OK(tm && holds(cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(tm, "evidence"),
				   "missing_tags"),
			   "Owner"),
	       "--require-tags Owner: the untagged cluster has TAG_OWNER_MISSING");
	TAP_OK(!finding(legacy, "TAG_OWNER_MISSING") && !finding(pay, "TAG_OWNER_MISSING") &&
		       !finding(stale, "TAG_OWNER_MISSING"),
	       "tagged clusters have no TAG_OWNER_MISSING");

	/* hostile content: a safe report */
	const cJSON *h = find_cluster(r, MARKUP);
	const char *howner = str_at(h, "inventory.tags.Owner");
	TAP_OK(h && str_at(h, "name") && strstr(str_at(h, "name"), "alert(1)"),
	       "hostile name scanned as text: %s", h ? str_at(h, "name") : "(missing)");
	TAP_OK(howner && strlen(howner) < 1024 && strncmp(howner, "<b onmouseover", 14) == 0,
	       "100 KB tag value capped (%zu bytes)", howner ? strlen(howner) : 0);
	cJSON_Delete(r);

	mp_fmt(p, sizeof(p), "%s/report.html", out);
	char *html = slurp(p);
	TAP_OK(html && !strstr(html, "<script") && !strstr(html, "<img") &&
		       !strstr(html, "<svg onload") && !strstr(html, "<b onmouseover") &&
		       !strstr(html, "<i>team") && strstr(html, "&lt;script&gt;alert(1)"),
	       "HTML: markup from the inventory is escaped, never an element");
	free(html);
	mp_fmt(p, sizeof(p), "%s/report.txt", out);
	char *txt = slurp(p);
	TAP_OK(txt && !strchr(txt, '\x1b') && strstr(txt, "orders-stale"),
	       "text: no terminal escape");
	free(txt);
	mp_fmt(p, sizeof(p), "%s/report.asff.json", out);
	TAP_EQ_INT(validate(src, "asff.schema.json", p, false), 0,
		   "ASFF valid (account and region from each ARN)");
	char *asff = slurp(p);
	TAP_OK(asff && strstr(asff,
			      "\"mskprobe/" ARN("orders-stale") "/DECLARED_VERSION_MISMATCH\""),
	       "ASFF: stable id from the ARN for the declared-vs-measured check");
	free(asff);
	mp_fmt(p, sizeof(p), "%s/report.ocsf.jsonl", out);
	TAP_EQ_INT(validate(src, "ocsf-compliance-finding.schema.json", p, true), 0,
		   "OCSF events valid");
}

/* A version of the wrong type: a clear error naming the field, no report. */
static void test_wrong_type(const char *bin, const struct fleet *f)
{
	char inv_path[256], out[256], p[300];
	mp_fmt(inv_path, sizeof(inv_path), "%s/inventory-badtype.json", dir);
	mp_fmt(out, sizeof(out), "%s/out-badtype", dir);
	cJSON *inv = inventory(f);
	cJSON *c = cluster("typo", ARN("typo"), "2.6.2", "TLS", NULL, f->pay, NULL);
	cJSON *sw = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(c, "Provisioned"), "CurrentBrokerSoftwareInfo");
	cJSON_ReplaceItemInObjectCaseSensitive(sw, "KafkaVersion", cJSON_CreateNumber(2.62));
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(inv, "ClusterInfoList"), c);
	TAP_OK(write_json(inv_path, inv) == 0, "inventory with a numeric KafkaVersion written");
	cJSON_Delete(inv);
	char *argv[] = { (char *)bin, "scan",	      "--inventory", inv_path, "--format",
			 "json,html", "--output-dir", out,	     NULL };
	int rc = run(argv, "badtype");
	char *err = run_err("badtype");
	TAP_EQ_INT(rc, 2, "wrong type: exit 2 (bad input)");
	TAP_OK(strstr(err, "ClusterInfoList[6].Provisioned.CurrentBrokerSoftwareInfo.KafkaVersion: "
			   "want a string"),
	       "... the error names the field: %.200s", err);
	free(err);
	mp_fmt(p, sizeof(p), "%s/report.json", out);
	TAP_OK(access(p, F_OK) != 0, "... and no report is written");
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	char err[256];
	const char *ips[] = { "127.0.0.1" };
	const char *dns[] = { "localhost" };
	struct pki_paths pki;
	struct fleet f = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: test-inventory MSKPROBE SRCDIR\n");
		return 2;
	}
	if (!mkdtemp(dir) || fp_table_builtin(&table, err, sizeof(err)) < 0 ||
	    standin_server_new(&srv, err, sizeof(err)) < 0) {
		printf("not ok 1 - setup\n");
		return 1;
	}
	/* valid a year: no certificate-expiry findings among the ones checked */
	struct pki_opts po = { .dir = dir,
			       .dns = dns,
			       .n_dns = 1,
			       .ips = ips,
			       .n_ips = 1,
			       .not_after = (int64_t)time(NULL) + 365 * 86400 };
	if (pki_generate(&po, &pki, err, sizeof(err)) < 0 ||
	    pki_server_ctx(&server_tls, &pki, false, err, sizeof(err)) < 0) {
		printf("not ok 1 - setup: %s\n", err);
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		add(f.legacy, sizeof(f.legacy), "2.2", false, STANDIN_RELEASE);
		add(f.pay, sizeof(f.pay), "2.6", true, STANDIN_RELEASE);
	}
	add(f.pay_zk, sizeof(f.pay_zk), NULL, true, STANDIN_ZOOKEEPER);
	for (int i = 0; i < 2; i++)
		add(f.stale, sizeof(f.stale), "2.2", false, STANDIN_RELEASE);
	add(f.open_tls, sizeof(f.open_tls), "2.6", true, STANDIN_RELEASE);
	add(f.open_plain, sizeof(f.open_plain), "2.6", false, STANDIN_RELEASE);
	add(f.hostile, sizeof(f.hostile), "2.2", false, STANDIN_RELEASE);
	if (standin_server_start(srv, err, sizeof(err)) < 0) {
		printf("not ok 1 - setup: %s\n", err);
		return 1;
	}
	test_fleet(argv[1], argv[2], &f);
	test_wrong_type(argv[1], &f);
	standin_server_free(srv);
	SSL_CTX_free(server_tls);
	fp_table_free(table);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
