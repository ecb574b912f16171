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
 * scan path and writes the reports into one folder. When the process may
 * capture on "lo" (root or CAP_NET_RAW), the scan captures its own
 * traffic, so the plaintext ZooKeeper sessions of the probe are seen on
 * the wire too; otherwise it says why not and scans without.
 */
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
#include "lab_traffic.h"
#include "standin.h"
#include "util.h"

#define LAB_BROKERS	     3
#define LAB_STANDIN_CLUSTERS 3 /* 2.2 zk, 3.7 KRaft TLS, 2.8 zk TLS */
#define LAB_ZK_MAX	     2 /* ZooKeeper endpoints of one lab cluster */

struct lab {
	char dir[4096];
	struct pki_paths pki;
	SSL_CTX *server_tls;
	struct fp_table *fp;
	struct standin_server *si;
	rd_kafka_t *mock_rk;
	char ep[LAB_STANDIN_CLUSTERS][LAB_BROKERS][32];
	const char *eps[LAB_STANDIN_CLUSTERS][LAB_BROKERS];
	char zk[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX][32];
	const char *zks[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX];
	size_t n_zk[LAB_STANDIN_CLUSTERS];
	uint16_t zk_port[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX];
	bool zk_tls[LAB_STANDIN_CLUSTERS][LAB_ZK_MAX];
	SSL_CTX *client_tls; /* the lab brokers' ZooKeeper client */
	struct lab_traffic *traffic;
	char mock_bootstrap[512];
	const char *mock_eps[LAB_BROKERS];
	char mock_ep[LAB_BROKERS][64];
	size_t n_mock;
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
	/* the scan takes one bootstrap endpoint and discovers the rest */
	size_t n = strcspn(l->mock_bootstrap, ",");
	if (n >= sizeof(l->mock_ep[0]))
		return -EINVAL;
	memcpy(l->mock_ep[0], l->mock_bootstrap, n);
	l->mock_ep[0][n] = '\0';
	l->mock_eps[0] = l->mock_ep[0];
	l->n_mock = 1;
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
	return 0;
}

/* A ZooKeeper stand-in for lab cluster idx, plain or behind the demo's certificate. */
static int add_zookeeper(struct lab *l, int idx, bool tls, char *err, size_t el)
{
	struct standin_opts o = { .behaviour = STANDIN_ZOOKEEPER,
				  .tls = tls ? l->server_tls : NULL };
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
	char pkidir[4200];
	int rc;

	/* a fresh folder per run, so --output-dir may be reused */
	mp_fmt(pkidir, sizeof(pkidir), "%s/pki-XXXXXX", l->dir);
	if (!mkdtemp(pkidir)) {
		mp_fmt(err, el, "%s: %s", pkidir, strerror(errno));
		return -errno;
	}
	/* valid for 13 months, like a real server certificate: no expiry findings */
	struct pki_opts po = { .dir = pkidir,
			       .dns = dns,
			       .n_dns = 1,
			       .ips = ips,
			       .n_ips = 1,
			       .not_after = (int64_t)time(NULL) + 397 * 86400 };
	if ((rc = pki_generate(&po, &l->pki, err, el)) < 0 ||
	    (rc = pki_server_ctx(&l->server_tls, &l->pki, false, err, el)) < 0 ||
	    (rc = pki_client_ctx(&l->client_tls, &l->pki, false, err, el)) < 0 ||
	    (rc = fp_table_builtin(&l->fp, err, el)) < 0 ||
	    (rc = standin_server_new(&l->si, err, el)) < 0 ||
	    (rc = add_cluster(l, 0, "2.2", FP_MODE_ZK, false, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 0, false, err, el)) < 0 ||
	    (rc = add_cluster(l, 1, "3.7", FP_MODE_KRAFT, true, err, el)) < 0 ||
	    (rc = add_cluster(l, 2, "2.8", FP_MODE_ZK, true, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 2, false, err, el)) < 0 ||
	    (rc = add_zookeeper(l, 2, true, err, el)) < 0 ||
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
		   "TLS, and librdkafka's mock cluster), scans it with the real scan path,\n"
		   "capturing its own traffic on lo when allowed (root or CAP_NET_RAW), prints\n"
		   "the text report and writes every report format into DIR (default: a new\n"
		   "folder under /tmp).\n");
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
 * The lab brokers' own ZooKeeper sessions for the capture to judge: the 2.2
 * cluster's brokers can only speak plaintext to ZooKeeper, the 2.8 cluster's
 * use its TLS port (zookeeper.ssl.client.enable=true).
 */
static void start_control_plane(struct lab *l)
{
	struct lab_zk_target t[2];
	size_t n = 0;
	char err[256];
	for (size_t i = 0; i < l->n_zk[0] && n < 2; i++)
		if (!l->zk_tls[0][i]) {
			t[n++] = (struct lab_zk_target){ .port = l->zk_port[0][i], .tls = NULL };
			break;
		}
	for (size_t i = 0; i < l->n_zk[2] && n < 2; i++)
		if (l->zk_tls[2][i]) {
			t[n++] = (struct lab_zk_target){ .port = l->zk_port[2][i],
							 .tls = l->client_tls };
			break;
		}
	if (lab_traffic_start(&l->traffic, t, n, 400, err, sizeof(err)) < 0)
		fprintf(stderr, "mskprobe demo: no simulated broker traffic: %s\n", err);
}

static int run_scan(struct lab *l)
{
	struct scan_opts o;
	struct scan_cluster_spec specs[4] = {
		{ .name = "lab-2.2-zookeeper",
		  .bootstrap = l->eps[0],
		  .n_bootstrap = LAB_BROKERS,
		  .zookeeper = l->zks[0],
		  .n_zookeeper = l->n_zk[0] },
		{ .name = "lab-2.8-zookeeper-tls",
		  .bootstrap = l->eps[2],
		  .n_bootstrap = LAB_BROKERS,
		  .zookeeper = l->zks[2],
		  .n_zookeeper = l->n_zk[2] },
		{ .name = "lab-3.7-kraft-tls", .bootstrap = l->eps[1], .n_bootstrap = LAB_BROKERS },
		{ .name = "lab-librdkafka-mock",
		  .bootstrap = l->mock_eps,
		  .n_bootstrap = l->n_mock },
	};
	char why[256] = "";
	struct mp_report *r = NULL;
	char err[512] = "";
	int rc;

	cli_default_opts(&o);
	o.clusters = specs;
	o.n_clusters = 4;
	o.ca_file = l->pki.ca_cert;
	o.timeout_ms = 3000;
	o.command_line = "mskprobe demo";
	if (may_capture(why, sizeof(why))) {
		o.capture_iface = "lo";
		o.capture_seconds = 0;
		start_control_plane(l);
		printf("capture: on lo while the scan runs; the lab's brokers hold ZooKeeper "
		       "sessions "
		       "(2.2: plaintext, 2.8: TLS) and the scan's own connections are left "
		       "out\n\n");
		fflush(stdout); /* before the report, which is written unbuffered */
	} else {
		fprintf(stderr,
			"mskprobe demo: capture skipped (needs root or CAP_NET_RAW on lo): %s\n",
			why);
	}
	if (scan_run(&o, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe demo: scan failed: %s\n", err);
		return MP_EXIT_USAGE;
	}
	/* every format into the folder; ASFF under AWS's documentation example account */
	struct rep_scan rs = { .formats = "json,text,html,md,asff,ocsf,junit",
			       .output_dir = l->dir,
			       .aws_account = "123456789012",
			       .aws_region = "us-east-1" };
	rc = rep_scan_emit(&rs, r, false);
	if (!rc)
		rc = cli_emit(r, "text", "-");
	if (!rc)
		printf("\nreports written to %s (scan exit code would be %d)\n", l->dir,
		       (int)policy_exit_code(r));
	mp_report_free(r);
	return rc;
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
		rc = run_scan(&l);
	}
	lab_free(&l);
	return rc;
}
