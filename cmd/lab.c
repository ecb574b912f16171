/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `mskprobe demo`: the built-in lab. Starts, inside this process on
 * loopback, broker stand-ins that answer exactly as a Kafka 2.2
 * ZooKeeper-mode cluster (with a plaintext-only ZooKeeper stand-in), a 2.8
 * ZooKeeper-mode cluster behind TLS (its ZooKeeper with a plaintext port
 * and a TLS port), and a 3.7 KRaft cluster behind TLS (with a certificate
 * the demo makes, one listener SASL) would, plus librdkafka's mock cluster
 * (which answers Metadata, so discovery has something to find, and whose
 * ApiVersions table is no real release), then scans them through the real
 * scan path (anonymous ZooKeeper reads tried: the 2.2 cluster's ZooKeeper
 * lets anyone list its znodes, the others answer NOAUTH) into DIR/before.
 * The scan's targets come from a fleet inventory the demo writes,
 * DIR/inventory.json, in the shape scripts/msk-inventory.sh makes (`aws
 * kafka list-clusters-v2` with `get-bootstrap-brokers` merged in), read the
 * way `mskprobe scan --inventory FILE --require-tags Owner` reads it
 * (cmd/rep_scan.c): ARNs in AWS's example account, Owner and CostCenter
 * tags (the mock cluster has no Owner), and, as a stale inventory would,
 * lab-2.2-zookeeper declared as Kafka 2.6.2 with client-broker TLS only.
 * Then it upgrades lab-2.2-zookeeper as an operator would (Kafka 2.8
 * brokers behind TLS on new ports, its ZooKeeper with ACLs and a TLS port
 * its brokers move to), scans again into DIR/after through a refreshed
 * inventory (DIR/inventory-after.json, the declared version now 2.8.1),
 * signed with an Ed25519 key made for the run, and compares the two
 * (lab_evidence.c). When the process may capture on "lo" (root or
 * CAP_NET_RAW), each scan captures the lab brokers' ZooKeeper sessions;
 * otherwise it says why not and scans without.
 *
 * Not exercised: --check-listeners, which an inventory scan turns on and the
 * demo turns off again. It tries 9092/9094/9096/9098 on every broker host,
 * and librdkafka's mock cluster can only listen on 127.0.0.1, so it would
 * probe whatever else runs on this machine.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "cli_common.h"
#include "fp.h"
#include "pki.h"
#include "policy.h"
#include "rep_scan.h"
#include "report.h"
#include "scan.h"
#include "lab_evidence.h"
#include "lab_openmon.h"
#include "lab_traffic.h"
#include "standin.h"
#include "util.h"

#define LAB_BROKERS	     3
#define LAB_STANDIN_CLUSTERS 3	  /* 2.2 zk, 3.7 KRaft TLS, 2.8 zk TLS */
#define LAB_ZK_MAX	     2	  /* ZooKeeper endpoints of one lab cluster */
#define LAB_TIMEOUT_MS	     2000 /* the stand-ins answer at once; discovery waits this long */
#define LAB_FORMATS	     "json,text,html,md,asff,ocsf,junit,prom"
#define LAB_ARN_PREFIX	     "arn:aws:kafka:us-east-1:123456789012:cluster/" /* AWS's example account */
#define LAB_REQUIRED_TAGS    "Owner"

/* The two scans, and where each writes its reports. */
enum lab_phase { LAB_BEFORE, LAB_AFTER, LAB_PHASES };
static const char *const lab_phase_dir[LAB_PHASES] = { "before", "after" };
static const char *const lab_inventory_file[LAB_PHASES] = { "inventory.json",
							    "inventory-after.json" };

/*
 * What the inventory declares for each cluster, in scan order; lab is the
 * index of its stand-ins (-1: librdkafka's mock cluster). lab-2.2-zookeeper
 * is declared as AWS would list it after an upgrade to 2.6.2 that its
 * brokers never got: a stale inventory.
 */
static const struct lab_decl {
	const char *name, *uuid, *version[LAB_PHASES], *client_broker, *owner, *cost_center;
	int lab;
} lab_decls[] = {
	{ "lab-2.2-zookeeper",
	  "0c4b8f5e-2a6d-4f1b-9e3c-7d5a1b2c3d4e-1",
	  { "2.6.2", "2.8.1" },
	  "TLS",
	  "team-orders",
	  "4711",
	  0 },
	{ "lab-2.8-zookeeper-tls",
	  "3e9a7c1d-5b2f-4a8e-8d6c-1f0e2d3c4b5a-2",
	  { "2.8.1", "2.8.1" },
	  "TLS",
	  "team-payments",
	  "4712",
	  2 },
	{ "lab-3.7-kraft-tls",
	  "7a2d4e6f-8b1c-4d3e-a5f7-9c0b1a2d3e4f-3",
	  { "3.7.x.kraft", "3.7.x.kraft" },
	  "TLS",
	  "team-analytics",
	  "4713",
	  1 },
	/* no Owner tag: TAG_OWNER_MISSING under --require-tags Owner */
	{ "lab-librdkafka-mock",
	  "9f1e3d5c-7b2a-4c6e-b8d0-2e4f6a8c0b1d-4",
	  { "3.6.0", "3.6.0" },
	  "TLS_PLAINTEXT",
	  NULL,
	  "4714",
	  -1 },
};

struct lab {
	char dir[4096];
	char pki_dir[4200];
	struct pki_paths pki;
	struct lab_keys keys; /* signs the after report */
	bool capture;
	int exit_code[LAB_PHASES]; /* what `mskprobe scan` would have returned */
	SSL_CTX *server_tls;
	struct fp_table *fp;
	struct standin_server *si;
	rd_kafka_t *mock_rk;
	char ep[LAB_STANDIN_CLUSTERS][LAB_BROKERS][32];
	const char *eps[LAB_STANDIN_CLUSTERS][LAB_BROKERS];
	bool tls[LAB_STANDIN_CLUSTERS]; /* its brokers' listeners (the last one SASL) */
	char zk[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX][32];
	const char *zks[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX];
	size_t n_zk[LAB_STANDIN_CLUSTERS];
	uint16_t zk_port[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX];
	bool zk_tls[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX];
	SSL_CTX *client_tls; /* the lab brokers' ZooKeeper client */
	struct lab_traffic *traffic;
	char mock_bootstrap[512];
	char mock_ep[64]; /* the scan takes one bootstrap endpoint and discovers the rest */
	char inventory[LAB_PHASES][4200];
};

static void lab_free(struct lab *l)
{
	lab_traffic_free(l->traffic);
	standin_server_free(l->si);
	SSL_CTX_free(l->server_tls);
	SSL_CTX_free(l->client_tls);
	fp_table_free(l->fp);
	if (l->mock_rk)
		rd_kafka_destroy(l->mock_rk);
}

static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

/* librdkafka's mock cluster, for discovery against something that answers Metadata. */
static int start_mock(struct lab *l, char *err, size_t el)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char e[256];
	rd_kafka_conf_set_log_cb(conf, quiet_log);
	if (rd_kafka_conf_set(conf, "test.mock.num.brokers", "3", e, sizeof(e)) !=
	    RD_KAFKA_CONF_OK) {
		mp_fmt(err, el, "mock cluster: %s", e);
		rd_kafka_conf_destroy(conf);
		return -EINVAL;
	}
	l->mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof(e));
	if (!l->mock_rk) {
		mp_fmt(err, el, "mock cluster: %s", e);
		rd_kafka_conf_destroy(conf);
		return -EINVAL;
	}
	rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(l->mock_rk);
	if (!mc) {
		mp_fmt(err, el, "mock cluster did not start");
		return -EINVAL;
	}
	mp_strlcpy(l->mock_bootstrap, rd_kafka_mock_cluster_bootstraps(mc),
		   sizeof(l->mock_bootstrap));
	size_t n = strcspn(l->mock_bootstrap, ",");
	if (n >= sizeof(l->mock_ep))
		return -EINVAL;
	memcpy(l->mock_ep, l->mock_bootstrap, n);
	l->mock_ep[n] = '\0';
	return 0;
}

static int add_cluster(struct lab *l, int idx, const char *release, enum fp_mode mode, bool tls,
		       char *err, size_t el)
{
	const struct fp_row *row = fp_table_find(l->fp, release, mode);
	if (!row) {
		mp_fmt(err, el, "release %s is not in the table", release);
		return -EINVAL;
	}
	for (int i = 0; i < LAB_BROKERS; i++) {
		struct standin_opts o = { .row = row,
					  .tls = tls ? l->server_tls : NULL,
					  .sasl = tls && i == LAB_BROKERS - 1 };
		uint16_t port;
		int rc = standin_add(l->si, &o, &port, err, el);
		if (rc < 0)
			return rc;
		mp_fmt(l->ep[idx][i], sizeof(l->ep[idx][i]), "127.0.0.1:%u", port);
		l->eps[idx][i] = l->ep[idx][i];
	}
	l->tls[idx] = tls;
	return 0;
}

/*
 * A ZooKeeper stand-in for lab cluster idx, plain or behind the demo's
 * certificate; with open_acl anyone may list its znodes, else NOAUTH.
 */
static int add_zookeeper(struct lab *l, int idx, bool tls, bool open_acl, char *err, size_t el)
{
	struct standin_opts o = { .behaviour = STANDIN_ZOOKEEPER,
				  .tls = tls ? l->server_tls : NULL,
				  .zk_list = open_acl };
	uint16_t port;
	size_t n = l->n_zk[idx];
	int rc = standin_add(l->si, &o, &port, err, el);

	if (rc < 0)
		return rc;
	mp_fmt(l->zk[idx][n], sizeof(l->zk[idx][n]), "127.0.0.1:%u", port);
	l->zk_port[idx][n] = port;
	l->zk_tls[idx][n] = tls;
	l->zks[idx][n] = l->zk[idx][n];
	l->n_zk[idx] = n + 1;
	return 0;
}

static int lab_start(struct lab *l, char *err, size_t el)
{
	const char *ips[] = { "127.0.0.1" };
	const char *dns[] = { "localhost" };
	int rc;

	/* a fresh folder per run, so --output-dir may be reused */
	mp_fmt(l->pki_dir, sizeof(l->pki_dir), "%s/pki-XXXXXX", l->dir);
	if (!mkdtemp(l->pki_dir)) {
		mp_fmt(err, el, "%s: %s", l->pki_dir, strerror(errno));
		return -errno;
	}
	/* valid for 13 months, like a real server certificate: no expiry findings */
	struct pki_opts po = { .dir = l->pki_dir,
			       .dns = dns,
			       .n_dns = 1,
			       .ips = ips,
			       .n_ips = 1,
			       .not_after = (int64_t)time(NULL) + 397 * 86400 };
	if ((rc = pki_generate(&po, &l->pki, err, el)) < 0 ||
	    (rc = lab_signing_keys(l->pki_dir, &l->keys, err, el)) < 0 ||
	    (rc = pki_server_ctx(&l->server_tls, &l->pki, false, err, el)) < 0 ||
	    (rc = pki_client_ctx(&l->client_tls, &l->pki, false, err, el)) < 0 ||
	    (rc = fp_table_builtin(&l->fp, err, el)) < 0 ||
	    (rc = standin_server_new(&l->si, err, el)) < 0 ||
	    (rc = add_cluster(l, 0, "2.2", FP_MODE_ZK, false, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 0, false, true, err, el)) < 0 ||
	    (rc = add_cluster(l, 1, "3.7", FP_MODE_KRAFT, true, err, el)) < 0 ||
	    (rc = add_cluster(l, 2, "2.8", FP_MODE_ZK, true, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 2, false, false, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 2, true, false, err, el)) < 0 ||
	    (rc = standin_server_start(l->si, err, el)) < 0)
		return rc;
	return start_mock(l, err, el);
}

static void demo_usage(FILE *f)
{
	fprintf(f, "usage: mskprobe demo [--output-dir DIR]\n\n"
		   "Starts the built-in lab on loopback (stand-ins answering as Kafka 2.2 in\n"
		   "ZooKeeper mode with a plaintext ZooKeeper, Kafka 2.8 in ZooKeeper mode behind\n"
		   "TLS with a plaintext and a TLS ZooKeeper port, Kafka 3.7 in KRaft mode behind\n"
		   "TLS, and librdkafka's mock cluster), scans it with the real scan path\n"
		   "through a fleet inventory it writes (DIR/inventory.json, the shape of\n"
		   "scripts/msk-inventory.sh, read as --inventory with --require-tags Owner),\n"
		   "capturing the lab's ZooKeeper traffic on lo when allowed (root or\n"
		   "CAP_NET_RAW), and prints the text report. Then it upgrades the 2.2 cluster\n"
		   "to 2.8 with ZooKeeper TLS, scans again, signs that report with an Ed25519\n"
		   "key made for the run and checks the signature, and compares the two scans.\n"
		   "Writes into DIR (default: a new folder under /tmp): before/ and after/ (every\n"
		   "report format and a manifest each), inventory.json and inventory-after.json,\n"
		   "diff.{txt,md,json}, trend.{txt,html},\n"
		   "pki-*/ (certificates and the signing key pair).\n");
}

/*
 * May this process capture on lo? Opens (and closes) a live handle the way
 * the scan will; false with the reason when it may not.
 */
static bool may_capture(char *why, size_t n)
{
	struct cap_session *cs = NULL;
	struct cap_opts co;

	cap_opts_init(&co);
	co.iface = "lo";
	co.filter = "tcp port 1"; /* nothing: this is only a permission check */
	if (cap_session_start(&cs, &co, why, n) < 0)
		return false;
	cap_session_free(cs);
	return true;
}

/*
 * The lab brokers' own ZooKeeper sessions for the capture to judge, one per
 * ZooKeeper-mode cluster: to its TLS port when its ZooKeeper has one
 * (zookeeper.ssl.client.enable=true), else in plaintext (the 2.2 cluster
 * before its upgrade, whose brokers cannot speak TLS to ZooKeeper).
 * Replaces the sessions already running.
 */
static void start_control_plane(struct lab *l)
{
	static const int zk_clusters[] = { 0, 2 };
	struct lab_zk_target t[3];
	size_t n = 2;
	char err[256];

	lab_traffic_free(l->traffic);
	l->traffic = NULL;
	for (size_t k = 0; k < 2; k++) {
		int c = zk_clusters[k];
		size_t pick = 0;
		for (size_t i = 0; i < l->n_zk[c]; i++)
			if (l->zk_tls[c][i]) {
				pick = i;
				break;
			}
		t[k] = (struct lab_zk_target){ .port = l->zk_port[c][pick],
					       .tls = l->zk_tls[c][pick] ? l->client_tls : NULL };
	}
	/* applications of lab-2.2-zookeeper on its plaintext listener, a legacy one
	 * and a current one, until its upgrade moves the cluster behind TLS */
	const char *colon = strrchr(l->ep[0][0], ':');
	unsigned long kport = 0;
	if (!l->tls[0] && colon && mp_parse_uint(colon + 1, 1, 65535, &kport) == 0)
		t[n++] = (struct lab_zk_target){ .port = (uint16_t)kport, .kafka_clients = true };
	if (lab_traffic_start(&l->traffic, t, n, 400, err, sizeof(err)) < 0)
		fprintf(stderr, "mskprobe demo: no simulated broker traffic: %s\n", err);
}

/*
 * The upgrade of lab-2.2-zookeeper, as an operator does it: Kafka 2.8
 * brokers behind TLS replace the 2.2 ones (new listeners; the old ones stay
 * up but are no longer the cluster's), its ZooKeeper comes back with ACLs
 * on the Kafka znodes and a TLS port, and its brokers move to that port.
 */
static int lab_upgrade(struct lab *l, char *err, size_t el)
{
	int rc;

	l->n_zk[0] = 0;
	if ((rc = add_cluster(l, 0, "2.8", FP_MODE_ZK, true, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 0, false, false, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 0, true, false, err, el)) < 0)
		return rc;
	if (l->capture)
		start_control_plane(l);
	printf("\nupgrade: lab-2.2-zookeeper now runs Kafka 2.8 behind TLS on %s, %s, %s; its "
	       "ZooKeeper comes back on %s with ACLs on the Kafka znodes and a TLS port, %s, "
	       "which its brokers now use\n",
	       l->eps[0][0], l->eps[0][1], l->eps[0][2], l->zks[0][0], l->zks[0][1]);
	return 0;
}

/* Append ep to the comma list buf. */
static void add_ep(char *buf, size_t n, const char *ep)
{
	size_t len = strlen(buf);
	mp_fmt(buf + len, n - len, "%s%s", len ? "," : "", ep);
}

/* A string member unless s is empty; false when out of memory. */
static bool put_str(cJSON *o, const char *key, const char *s)
{
	return !s || !*s || cJSON_AddStringToObject(o, key, s);
}

/*
 * One ClusterInfoList entry as `aws kafka list-clusters-v2` prints it, with
 * `aws kafka get-bootstrap-brokers` merged in as BootstrapBrokers: the
 * cluster's endpoints as they are in this phase, its ARN, tags and what AWS
 * declares. NULL when out of memory.
 */
static cJSON *inventory_cluster(const struct lab *l, const struct lab_decl *d, enum lab_phase ph)
{
	char arn[256], plain[256] = "", tls[256] = "", sasl[256] = "", zk[256] = "", zkt[256] = "";
	cJSON *c = cJSON_CreateObject(), *t = NULL, *p = NULL, *sw = NULL, *eit = NULL, *bb = NULL;

	if (d->lab < 0) {
		add_ep(plain, sizeof(plain), l->mock_ep);
	} else {
		for (int i = 0; i < LAB_BROKERS; i++)
			if (!l->tls[d->lab])
				add_ep(plain, sizeof(plain), l->eps[d->lab][i]);
			else if (i == LAB_BROKERS - 1) /* the SASL listener */
				add_ep(sasl, sizeof(sasl), l->eps[d->lab][i]);
			else
				add_ep(tls, sizeof(tls), l->eps[d->lab][i]);
		for (size_t i = 0; i < l->n_zk[d->lab]; i++)
			if (l->zk_tls[d->lab][i])
				add_ep(zkt, sizeof(zkt), l->zks[d->lab][i]);
			else
				add_ep(zk, sizeof(zk), l->zks[d->lab][i]);
	}
	mp_fmt(arn, sizeof(arn), LAB_ARN_PREFIX "%s/%s", d->name, d->uuid);
	/* in the order the AWS CLI prints them */
	bool ok = put_str(c, "ClusterType", "PROVISIONED") && put_str(c, "ClusterArn", arn) &&
		  put_str(c, "ClusterName", d->name) &&
		  put_str(c, "CreationTime", "2024-03-04T10:11:12.345000+00:00") &&
		  put_str(c, "State", "ACTIVE") && (t = cJSON_AddObjectToObject(c, "Tags")) &&
		  put_str(t, "Owner", d->owner) && put_str(t, "CostCenter", d->cost_center) &&
		  (p = cJSON_AddObjectToObject(c, "Provisioned")) &&
		  (sw = cJSON_AddObjectToObject(p, "CurrentBrokerSoftwareInfo")) &&
		  put_str(sw, "KafkaVersion", d->version[ph]) &&
		  (eit = cJSON_AddObjectToObject(cJSON_AddObjectToObject(p, "EncryptionInfo"),
						 "EncryptionInTransit")) &&
		  put_str(eit, "ClientBroker", d->client_broker) &&
		  cJSON_AddBoolToObject(eit, "InCluster", true) &&
		  cJSON_AddNumberToObject(p, "NumberOfBrokerNodes", LAB_BROKERS) &&
		  put_str(p, "ZookeeperConnectString", zk) &&
		  put_str(p, "ZookeeperConnectStringTls", zkt) &&
		  (bb = cJSON_AddObjectToObject(c, "BootstrapBrokers")) &&
		  put_str(bb, "BootstrapBrokerString", plain) &&
		  put_str(bb, "BootstrapBrokerStringTls", tls) &&
		  put_str(bb, "BootstrapBrokerStringSaslScram", sasl);
	if (!ok) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

/*
 * Write the fleet inventory of this phase into DIR (as scripts/msk-inventory.sh
 * would have written it then) and say so. 0, or -errno with errbuf set.
 */
static int write_inventory(struct lab *l, enum lab_phase ph, char *err, size_t el)
{
	cJSON *inv = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(inv, "ClusterInfoList");
	char *text = NULL;
	int rc = -ENOMEM;

	for (size_t i = 0; list && i < sizeof(lab_decls) / sizeof(lab_decls[0]); i++)
		if (!cJSON_AddItemToArray(list, inventory_cluster(l, &lab_decls[i], ph)))
			goto out;
	if (!list || !(text = cJSON_Print(inv)))
		goto out;
	mp_fmt(l->inventory[ph], sizeof(l->inventory[ph]), "%s/%s", l->dir, lab_inventory_file[ph]);
	if ((rc = rep_write_file(l->inventory[ph], text, strlen(text), err, el)) < 0)
		goto out;
	if (ph == LAB_BEFORE)
		printf("inventory: the scan reads %s (aws kafka list-clusters-v2 with "
		       "get-bootstrap-brokers merged in, as scripts/msk-inventory.sh writes it; "
		       "stale: it declares lab-2.2-zookeeper as Kafka %s, client-broker TLS only), "
		       "as `mskprobe scan --inventory FILE --require-tags " LAB_REQUIRED_TAGS
		       "` would\n\n",
		       l->inventory[ph], lab_decls[0].version[ph]);
	else
		printf("inventory: the scan reads %s, refreshed after the upgrade "
		       "(lab-2.2-zookeeper declared as Kafka %s)\n",
		       l->inventory[ph], lab_decls[0].version[ph]);
	fflush(stdout); /* before the report, which is written unbuffered */
out:
	if (rc == -ENOMEM)
		mp_fmt(err, el, "out of memory building the inventory");
	free(text);
	cJSON_Delete(inv);
	return rc;
}

/*
 * One scan of the whole lab into DIR/before or DIR/after, every format and
 * a manifest; the after one signed. The targets, their ARNs (which place
 * the ASFF findings), tags and declarations come from the phase's inventory
 * through the code `mskprobe scan --inventory` runs. Prints the text report
 * of the first.
 */
static int run_scan(struct lab *l, enum lab_phase phase)
{
	struct scan_opts o;
	struct mp_report *r = NULL;
	char err[512] = "", dir[4200];
	int rc;

	if (write_inventory(l, phase, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: inventory: %s\n", err);
		return MP_EXIT_USAGE;
	}
	mp_fmt(dir, sizeof(dir), "%s/%s", l->dir, lab_phase_dir[phase]);
	struct rep_scan rs = { .formats = LAB_FORMATS,
			       .output_dir = dir,
			       .sign_key = phase == LAB_AFTER ? l->keys.key : NULL,
			       .inventory = l->inventory[phase],
			       .require_tags = LAB_REQUIRED_TAGS };
	cli_default_opts(&o);
	o.ca_file = l->pki.ca_cert;
	o.timeout_ms = LAB_TIMEOUT_MS;
	o.zk_anonymous_read = true;
	o.command_line = "mskprobe demo";
	if (l->capture) {
		o.capture_iface = "lo";
		o.capture_seconds = 0;
		o.capture_keep_privileges = true; /* two scans, two live captures */
		/* the capture's client inventory, judged against the newest MSK release */
		if (cli_target_version(NULL, o.policy.target_version,
				       sizeof(o.policy.target_version)) < 0) {
			rc = MP_EXIT_USAGE;
			goto out;
		}
	}
	if ((rc = rep_scan_prepare(&rs, &o, NULL)) != 0)
		goto out;
	o.check_listeners = false; /* see the top of this file */
	if (scan_run(&o, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: scan failed: %s\n", err);
		rc = MP_EXIT_USAGE;
		goto out;
	}
	if ((rc = rep_scan_finish(&rs, r)) == 0)
		rc = rep_scan_emit(&rs, r, false);
	if (!rc && phase == LAB_BEFORE)
		rc = cli_emit(r, "text", "-");
	l->exit_code[phase] = (int)policy_exit_code(r);
out:
	rep_scan_free(&rs);
	mp_report_free(r);
	return rc;
}

/* Where everything went, as paths a reader can paste. */
static void print_paths(const struct lab *l)
{
	printf("\nreports written to %s:\n", l->dir);
	for (int p = 0; p < LAB_PHASES; p++)
		printf("  %s/%s/report.{json,txt,html,md,asff.json,ocsf.jsonl,junit.xml,prom}, "
		       "manifest.json%s (scan exit code would be %d)\n",
		       l->dir, lab_phase_dir[p],
		       p == LAB_AFTER ? ", report.json.sig, manifest.json.sig" : "",
		       l->exit_code[p]);
	printf("  %s/open-monitoring/report.json (lab-3.7-kraft-tls's clients from its brokers' "
	       "metrics)\n",
	       l->dir);
	printf("  %s/{%s,%s} (the fleet inventory each scan read)\n", l->dir,
	       lab_inventory_file[LAB_BEFORE], lab_inventory_file[LAB_AFTER]);
	printf("  %s/diff.{txt,md,json}\n", l->dir);
	printf("  %s/trend.{txt,html}\n", l->dir);
	printf("  %s/{ca.pem,server.pem,server-key.pem,report-signing-key.pem,"
	       "report-signing-pub.pem}\n",
	       l->pki_dir);
}

/*
 * The client inventory without a capture: lab-3.7-kraft-tls's brokers'
 * metrics from the lab's MSK Open Monitoring stand-in (lab/lab_openmon.c),
 * scanned with --open-monitoring into DIR/open-monitoring/.
 */
static int run_openmon_scan(struct lab *l)
{
	struct lab_openmon *om = NULL;
	struct scan_opts o;
	struct scan_cluster_spec spec = { .name = "lab-3.7-kraft-tls",
					  .bootstrap = l->eps[1],
					  .n_bootstrap = LAB_BROKERS };
	struct mp_report *r = NULL;
	char err[512] = "", dir[4300], out[4400];
	uint16_t port = 0;
	int rc = MP_EXIT_USAGE;

	if (lab_openmon_start(&om, &port, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: %s\n", err);
		return rc;
	}
	cli_default_opts(&o);
	o.clusters = &spec;
	o.n_clusters = 1;
	o.ca_file = l->pki.ca_cert;
	o.timeout_ms = LAB_TIMEOUT_MS;
	o.discover = false;
	o.command_line = "mskprobe demo (scan --open-monitoring)";
	o.open_monitoring_port = port;
	mp_fmt(dir, sizeof(dir), "%s/open-monitoring", l->dir);
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    cli_target_version(NULL, o.policy.target_version, sizeof(o.policy.target_version)) < 0)
		goto out;
	printf("\nthe client inventory from the brokers' own metrics: lab-3.7-kraft-tls is TLS "
	       "only, so no capture can read its clients; its brokers' MSK Open Monitoring "
	       "(a JMX exporter stand-in on 127.0.0.1:%u) names them (scan --open-monitoring=%u):"
	       "\n\n",
	       port, port);
	fflush(stdout);
	if (scan_run(&o, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: open monitoring scan failed: %s\n", err);
		goto out;
	}
	mp_fmt(out, sizeof(out), "%s/report.json", dir);
	if ((rc = cli_emit(r, "json", out)) == 0)
		rc = cli_emit(r, "text", "-");
out:
	mp_report_free(r);
	lab_openmon_free(om);
	return rc;
}

/* Scan, upgrade, scan again, then compare and check the signatures. */
static int run_demo(struct lab *l)
{
	char err[512] = "", why[256] = "";
	int rc;

	l->capture = may_capture(why, sizeof(why));
	if (l->capture) {
		start_control_plane(l);
		printf("capture: on lo while each scan runs; the lab's brokers hold ZooKeeper "
		       "sessions (2.2: plaintext until its upgrade, then TLS; 2.8: TLS), two "
		       "applications use 2.2's plaintext listener until the upgrade "
		       "(billing-legacy "
		       "with kafka-node's request versions, orders-api naming itself Java 3.9.2: "
		       "the "
		       "client inventory judges both against the newest MSK release), and the "
		       "scan's own connections are left out\n\n");
	} else {
		fprintf(stderr,
			"mskprobe demo: capture skipped (needs root or CAP_NET_RAW on lo): %s\n",
			why);
	}
	printf("scan 1 of 2, before the upgrade:\n\n");
	fflush(stdout); /* before the report, which is written unbuffered */
	if ((rc = run_scan(l, LAB_BEFORE)) != 0)
		return rc;
	if ((rc = run_openmon_scan(l)) != 0)
		return rc;
	if (lab_upgrade(l, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: cannot upgrade the lab: %s\n", err);
		return MP_EXIT_USAGE;
	}
	printf("scan 2 of 2, after the upgrade, signed with %s\n", l->keys.key);
	fflush(stdout);
	if ((rc = run_scan(l, LAB_AFTER)) != 0)
		return rc;
	if (lab_compare(l->dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: cannot compare the scans: %s\n", err);
		return MP_EXIT_USAGE;
	}
	printf("(lab-librdkafka-mock stays unverified by design: its ApiVersions table is no "
	       "real release; so the diff as a whole does not pass)\n");
	rc = lab_check_signatures(l->dir, &l->keys, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "mskprobe demo: signature check failed: %s\n", err);
		return rc < 0 ? MP_EXIT_USAGE : MP_EXIT_FINDING;
	}
	print_paths(l);
	return 0;
}

int mp_cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = { { "output-dir", required_argument, NULL, 'o' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct lab l = { 0 };
	const char *dir = NULL;
	char err[512] = "";
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o') {
			dir = optarg;
		} else if (c == 'h') {
			demo_usage(stdout);
			return MP_EXIT_PASS;
		} else {
			fprintf(stderr, "mskprobe demo: see 'mskprobe demo --help'\n");
			return MP_EXIT_USAGE;
		}
	}
	if (dir) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			fprintf(stderr, "mskprobe demo: %s: %s\n", dir, strerror(errno));
			return MP_EXIT_USAGE;
		}
		mp_strlcpy(l.dir, dir, sizeof(l.dir));
	} else {
		const char *tmp = getenv("TMPDIR");
		mp_fmt(l.dir, sizeof(l.dir), "%s/mskprobe-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(l.dir)) {
			fprintf(stderr, "mskprobe demo: %s: %s\n", l.dir, strerror(errno));
			return MP_EXIT_USAGE;
		}
	}
	if (lab_start(&l, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: cannot start the lab: %s\n", err);
		rc = MP_EXIT_USAGE;
	} else {
		rc = run_demo(&l);
	}
	lab_free(&l);
	return rc;
}
