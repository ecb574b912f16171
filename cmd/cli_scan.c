/* SPDX-License-Identifier: Apache-2.0 */
/* `mskprobe scan`: options into a scan_opts, run, emit, exit code. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "policy.h"
#include "rep_scan.h"
#include "report.h"
#include "scan.h"
#include "util.h"

#define LIST_MAX MP_BROKERS_MAX

static void scan_usage(FILE *f)
{
	char formats[128];
	rep_format_names(REP_DOC_REPORT, formats, sizeof(formats));
	fprintf(f,
		"usage: mskprobe scan --bootstrap HOST:PORT[,HOST:PORT...] [options]\n\n"
		"Reads each broker's ApiVersions answer (no credentials needed), fingerprints\n"
		"the Kafka release, discovers the other brokers, checks ZooKeeper endpoints\n"
		"and judges whether the cluster can and does encrypt its control plane.\n\n"
		"targets:\n"
		"  --bootstrap LIST        broker endpoints of one cluster (required)\n"
		"  --name NAME             cluster name in the report (default: first endpoint)\n"
		"  --zookeeper LIST        ZooKeeper endpoints HOST[:PORT][/chroot]; a host\n"
		"                          without a port is tried on 2181 and 2182\n"
		"policy:\n"
		"  --min-version V         minimum Kafka version (default 2.5.1 on msk,\n"
		"                          2.5.0 on apache: KIP-515 shipped in 2.5.0)\n"
		"  --platform msk|apache   version catalogue to name candidates (default msk)\n"
		"  --cert-warn-days N      certificate expiry warning (default 30)\n"
		"  --fingerprint-table F   release table instead of the built-in one\n"
		"transport:\n"
		"  --tls auto|on|off       auto: MSK port conventions, else TLS then plain\n"
		"  --ca-file PEM           trust anchors (default: the system store)\n"
		"  --cert PEM --key PEM    client certificate for mutual TLS\n"
		"  --insecure              discovery does not verify broker certificates\n"
		"  --sasl-mechanism M      SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN (discovery);\n"
		"                          sent only over TLS, or in plaintext with --tls off\n"
		"  --sasl-username U       SASL user name (discovery)\n"
		"  --sasl-password-file F  file holding the SASL password (never on the command "
		"line)\n"
		"  --timeout-ms N          per-step timeout (default 5000)\n"
		"  --concurrency N         connections in flight (default 64)\n"
		"  --no-discovery          probe only the given endpoints\n"
		"  --check-listeners       also try MSK's listener ports 9092/9094/9096/9098\n"
		"                          on every broker host\n"
		"  --zk-anonymous-read     try read-only listings of /, /brokers/ids, /kafka-acl\n"
		"capture (the wire is the proof):\n"
		"  --capture IFACE         capture on IFACE while the scan runs (needs "
		"CAP_NET_RAW)\n"
		"  --capture-seconds S     keep capturing at least S seconds (default: the scan)\n"
		"  --capture-file FILE     classify a pcap/pcapng instead (e.g. a traffic mirror)\n"
		"client inventory (which applications an upgrade would break):\n"
		"  --open-monitoring[=PORT] scrape each broker's Open Monitoring metrics\n"
		"                          (Prometheus, plain HTTP, default port 11001): clients'\n"
		"                          software, plaintext use, deprecated requests\n"
		"  --open-monitoring-port N the same, on port N\n"
		"  --target-version V      judge the clients a capture or the brokers' metrics "
		"show\n"
		"                          against what Kafka release V accepts (4.0.0, or 4.1 "
		"for\n"
		"                          its newest patch; default: the newest MSK release)\n"
		"output:\n"
		"  --format F[,F...]       %s (default text)\n"
		"  --output FILE           write there atomically, mode 0600 (default stdout)\n"
		"  --output-dir DIR        every format as DIR/report.EXT + manifest.json\n"
		"  --sign-key KEY.pem      Ed25519/EC key: detached signature JSON.sig\n"
		"  --aws-account ID        ASFF: 12-digit account for clusters without an ARN\n"
		"  --aws-region REGION     ASFF: region (like eu-west-1) for clusters without\n"
		"                          an ARN (--inventory clusters carry both)\n"
		"fleet and policy:\n"
		"  --inventory FILE        scan every cluster of an `aws kafka list-clusters-v2`\n"
		"                          inventory (scripts/msk-inventory.sh) instead of\n"
		"                          --bootstrap, and compare what AWS declares\n"
		"  --policy FILE.json      minimum version, platform, cert warning days,\n"
		"                          required tags, severities (wins over the flags)\n"
		"  --require-tags LIST     e.g. Owner,CostCenter: TAG_OWNER_MISSING without "
		"them\n\n"
		"exit codes: 0 all checks pass, 1 finding(s), 2 bad usage or input,\n"
		"            3 some target could not be verified (and no finding)\n",
		formats);
}

enum {
	O_BOOTSTRAP = 256,
	O_NAME,
	O_ZK,
	O_MINV,
	O_PLATFORM,
	O_TLS,
	O_CA,
	O_CERT,
	O_KEY,
	O_INSECURE,
	O_SASL_MECH,
	O_SASL_USER,
	O_SASL_PASS,
	O_FORMAT,
	O_OUTPUT,
	O_TIMEOUT,
	O_CONC,
	O_NODISC,
	O_ANON,
	O_WARN,
	O_TABLE,
	O_HELP,
	O_LISTENERS,
	O_CAPTURE,
	O_CAPFILE,
	O_CAPSECS,
	O_OUTDIR,
	O_SIGNKEY,
	O_INVENTORY,
	O_POLICY,
	O_REQTAGS,
	O_AWS_ACCOUNT,
	O_AWS_REGION,
	O_OPENMON,
	O_OPENMON_PORT,
	O_TARGET,
};

static const struct option scan_longopts[] = {
	{ "bootstrap", required_argument, NULL, O_BOOTSTRAP },
	{ "name", required_argument, NULL, O_NAME },
	{ "zookeeper", required_argument, NULL, O_ZK },
	{ "min-version", required_argument, NULL, O_MINV },
	{ "platform", required_argument, NULL, O_PLATFORM },
	{ "tls", required_argument, NULL, O_TLS },
	{ "ca-file", required_argument, NULL, O_CA },
	{ "cert", required_argument, NULL, O_CERT },
	{ "key", required_argument, NULL, O_KEY },
	{ "insecure", no_argument, NULL, O_INSECURE },
	{ "sasl-mechanism", required_argument, NULL, O_SASL_MECH },
	{ "sasl-username", required_argument, NULL, O_SASL_USER },
	{ "sasl-password-file", required_argument, NULL, O_SASL_PASS },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "output", required_argument, NULL, O_OUTPUT },
	{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
	{ "concurrency", required_argument, NULL, O_CONC },
	{ "no-discovery", no_argument, NULL, O_NODISC },
	{ "zk-anonymous-read", no_argument, NULL, O_ANON },
	{ "check-listeners", no_argument, NULL, O_LISTENERS },
	{ "open-monitoring", optional_argument, NULL, O_OPENMON },
	{ "open-monitoring-port", required_argument, NULL, O_OPENMON_PORT },
	{ "capture", required_argument, NULL, O_CAPTURE },
	{ "capture-file", required_argument, NULL, O_CAPFILE },
	{ "capture-seconds", required_argument, NULL, O_CAPSECS },
	{ "target-version", required_argument, NULL, O_TARGET },
	{ "cert-warn-days", required_argument, NULL, O_WARN },
	{ "fingerprint-table", required_argument, NULL, O_TABLE },
	{ "output-dir", required_argument, NULL, O_OUTDIR },
	{ "sign-key", required_argument, NULL, O_SIGNKEY },
	{ "inventory", required_argument, NULL, O_INVENTORY },
	{ "policy", required_argument, NULL, O_POLICY },
	{ "require-tags", required_argument, NULL, O_REQTAGS },
	{ "aws-account", required_argument, NULL, O_AWS_ACCOUNT },
	{ "aws-region", required_argument, NULL, O_AWS_REGION },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Split a comma list in place into at most LIST_MAX items. */
static int split_list(char *s, const char **items, size_t *n, size_t max, const char *opt)
{
	for (char *p = s; p && *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p) {
			if (*n >= max) {
				fprintf(stderr, "mskprobe scan: %s: more than %zu endpoints\n", opt,
					max);
				return -EINVAL;
			}
			items[(*n)++] = p;
		}
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/*
 * Read the SASL password: the first line of the file, at most 1 KiB. read(2)
 * straight into a buffer we wipe, so no stdio buffer keeps a copy.
 */
static int read_secret(const char *path, char **ret)
{
	char buf[1025], e[PATH_MAX + 64];
	ssize_t n = 0, r;
	int fd = mp_open_regular(path, NULL, e, sizeof(e));

	if (fd < 0) {
		fprintf(stderr, "mskprobe scan: --sasl-password-file %s\n", e);
		return -EINVAL;
	}
	while (n < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (*ret) { /* given twice: the last one wins, the first is wiped */
		OPENSSL_cleanse(*ret, strlen(*ret));
		free(*ret);
	}
	*ret = strdup(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return *ret ? 0 : -ENOMEM;
}

struct scan_cli {
	struct scan_opts o;
	struct scan_cluster_spec spec;
	const char *bootstrap[LIST_MAX], *zookeeper[LIST_MAX];
	char *bootstrap_arg, *zk_arg;
	char *password;
	struct rep_scan rep; /* report-side options (cmd/rep_scan.h) */
	char cmdline[1024];
	bool min_set;		/* --min-version given */
	const char *target_arg; /* --target-version */
};

static int parse_scan(struct scan_cli *s, int argc, char **argv)
{
	int c;
	unsigned long v;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", scan_longopts, NULL)) != -1) {
		switch (c) {
		case O_BOOTSTRAP:
			free(s->bootstrap_arg);
			if (!(s->bootstrap_arg = strdup(optarg)) ||
			    split_list(s->bootstrap_arg, s->bootstrap, &s->spec.n_bootstrap,
				       LIST_MAX, "--bootstrap") < 0)
				return MP_EXIT_USAGE;
			break;
		case O_ZK:
			free(s->zk_arg);
			if (!(s->zk_arg = strdup(optarg)) ||
			    split_list(s->zk_arg, s->zookeeper, &s->spec.n_zookeeper, LIST_MAX,
				       "--zookeeper") < 0)
				return MP_EXIT_USAGE;
			break;
		case O_NAME:
			s->spec.name = optarg;
			break;
		case O_TARGET:
			s->target_arg = optarg;
			break;
		case O_MINV:
			if (cli_min_version(&s->o.policy, optarg) < 0)
				return MP_EXIT_USAGE;
			s->min_set = true;
			break;
		case O_PLATFORM:
			if (cli_platform(&s->o.policy, optarg) < 0)
				return MP_EXIT_USAGE;
			break;
		case O_TLS:
			if (strcmp(optarg, "auto") == 0)
				s->o.tls_mode = KAFKA_TLS_AUTO;
			else if (strcmp(optarg, "on") == 0)
				s->o.tls_mode = KAFKA_TLS_ON;
			else if (strcmp(optarg, "off") == 0)
				s->o.tls_mode = KAFKA_TLS_OFF;
			else {
				fprintf(stderr, "mskprobe scan: --tls must be auto, on or off\n");
				return MP_EXIT_USAGE;
			}
			break;
		case O_CA:
			s->o.ca_file = optarg;
			break;
		case O_CERT:
			s->o.cert_file = optarg;
			break;
		case O_KEY:
			s->o.key_file = optarg;
			break;
		case O_INSECURE:
			s->o.insecure = true;
			break;
		case O_SASL_MECH:
			s->o.sasl_mechanism = optarg;
			break;
		case O_SASL_USER:
			s->o.sasl_username = optarg;
			break;
		case O_SASL_PASS:
			if (read_secret(optarg, &s->password) < 0)
				return MP_EXIT_USAGE;
			s->o.sasl_password = s->password;
			break;
		case O_FORMAT:
			s->rep.formats = optarg; /* checked by rep_scan_prepare */
			break;
		case O_OUTPUT:
			s->rep.output = optarg;
			break;
		case O_OUTDIR:
			s->rep.output_dir = optarg;
			break;
		case O_SIGNKEY:
			s->rep.sign_key = optarg;
			break;
		case O_INVENTORY:
			s->rep.inventory = optarg;
			break;
		case O_POLICY:
			s->rep.policy = optarg;
			break;
		case O_REQTAGS:
			s->rep.require_tags = optarg;
			break;
		case O_AWS_ACCOUNT:
			s->rep.aws_account = optarg; /* checked by rep_scan_prepare */
			break;
		case O_AWS_REGION:
			s->rep.aws_region = optarg;
			break;
		case O_TIMEOUT:
			if (cli_uint("--timeout-ms", optarg, 1, MP_TIMEOUT_MS_MAX, &v) < 0)
				return MP_EXIT_USAGE;
			s->o.timeout_ms = (int)v;
			break;
		case O_CONC:
			if (cli_uint("--concurrency", optarg, 1, MP_CONCURRENCY_MAX, &v) < 0)
				return MP_EXIT_USAGE;
			s->o.concurrency = (unsigned)v;
			break;
		case O_NODISC:
			s->o.discover = false;
			break;
		case O_ANON:
			s->o.zk_anonymous_read = true;
			break;
		case O_LISTENERS:
			s->o.check_listeners = true;
			break;
		case O_OPENMON:
		case O_OPENMON_PORT:
			v = MP_OM_PORT_DEFAULT;
			if (optarg && cli_uint(c == O_OPENMON ? "--open-monitoring"
							      : "--open-monitoring-port",
					       optarg, 1, 65535, &v) < 0)
				return MP_EXIT_USAGE;
			s->o.open_monitoring_port = (unsigned)v;
			break;
		case O_CAPTURE:
			s->o.capture_iface = optarg;
			break;
		case O_CAPFILE:
			s->o.capture_file = optarg;
			break;
		case O_CAPSECS:
			if (cli_uint("--capture-seconds", optarg, 0, 86400, &v) < 0)
				return MP_EXIT_USAGE;
			s->o.capture_seconds = (unsigned)v;
			break;
		case O_WARN:
			if (cli_uint("--cert-warn-days", optarg, 0, 3650, &v) < 0)
				return MP_EXIT_USAGE;
			s->o.policy.cert_warn_days = (int)v;
			break;
		case O_TABLE:
			s->o.fp_table_file = optarg;
			break;
		case O_HELP:
			scan_usage(stdout);
			return -1;
		default:
			fprintf(stderr, "mskprobe scan: see 'mskprobe scan --help'\n");
			return MP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mskprobe scan: unexpected argument '%s'\n", argv[optind]);
		return MP_EXIT_USAGE;
	}
	if (!s->spec.n_bootstrap && !s->rep.inventory) {
		fprintf(stderr,
			"mskprobe scan: --bootstrap is required (or --inventory; see --help)\n");
		return MP_EXIT_USAGE;
	}
	if (s->o.capture_iface && s->o.capture_file) {
		fprintf(stderr, "mskprobe scan: --capture and --capture-file exclude each other\n");
		return MP_EXIT_USAGE;
	}
	if (!s->o.cert_file != !s->o.key_file) {
		fprintf(stderr, "mskprobe scan: --cert and --key go together\n");
		return MP_EXIT_USAGE;
	}
	/* clients are judged when something can show them: the target's default follows */
	if ((s->target_arg || s->o.capture_iface || s->o.capture_file ||
	     s->o.open_monitoring_port) &&
	    cli_target_version(s->target_arg, s->o.policy.target_version,
			       sizeof(s->o.policy.target_version)) < 0)
		return MP_EXIT_USAGE;
	return 0;
}

/*
 * Every file the scan reads, checked before anything starts: a FIFO or a
 * device would block open() or read() for ever (the libraries that open
 * them, OpenSSL, libpcap, librdkafka, would wait), so anything but a
 * regular file is refused at once, naming the option and the file.
 * --capture-file - is standard input and left to the capture. The JSON
 * inputs (--inventory, --policy) are read with the same check.
 */
static int check_file_inputs(const struct scan_cli *s)
{
	const struct {
		const char *opt, *path;
	} in[] = {
		{ "--ca-file", s->o.ca_file },
		{ "--cert", s->o.cert_file },
		{ "--key", s->o.key_file },
		{ "--fingerprint-table", s->o.fp_table_file },
		{ "--capture-file", s->o.capture_file && strcmp(s->o.capture_file, "-") != 0
					    ? s->o.capture_file
					    : NULL },
		{ "--sign-key", s->rep.sign_key },
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char e[PATH_MAX + 64];
		if (in[i].path && mp_check_regular(in[i].path, e, sizeof(e)) < 0) {
			fprintf(stderr, "mskprobe scan: %s %s\n", in[i].opt, e);
			return MP_EXIT_USAGE;
		}
	}
	return 0;
}

/* Self-pipe: the first SIGINT/SIGTERM makes the scan report what it has;
 * a second one ends the process the ordinary way. */
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	(void)!write(sig_pipe[1], "i", 1);
	signal(sig, SIG_DFL);
	errno = saved;
}

static void catch_interrupts(struct scan_opts *o)
{
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o->interrupt_fd = sig_pipe[0];
}

static void release_interrupts(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	for (int i = 0; i < 2; i++)
		if (sig_pipe[i] >= 0) {
			close(sig_pipe[i]);
			sig_pipe[i] = -1;
		}
}

int mp_cmd_scan(int argc, char **argv)
{
	struct scan_cli s = { 0 };
	struct mp_report *r = NULL;
	char err[512] = "";
	int rc;

	cli_default_opts(&s.o);
	rc = parse_scan(&s, argc, argv);
	if (rc) {
		rc = rc < 0 ? MP_EXIT_PASS : rc;
		goto out;
	}
	if ((rc = check_file_inputs(&s)))
		goto out;
	if (!s.spec.name)
		s.spec.name = s.bootstrap[0];
	s.spec.bootstrap = s.bootstrap;
	s.spec.zookeeper = s.zookeeper;
	s.o.clusters = &s.spec;
	s.o.n_clusters = 1;
	if ((rc = rep_scan_prepare(&s.rep, &s.o, s.spec.n_bootstrap ? &s.spec : NULL)))
		goto out;
	/* KIP-515 shipped in Apache Kafka 2.5.0; MSK's first such version is
	 * 2.5.1 (it never offered 2.5.0): the default minimum follows the platform */
	if (!s.min_set && !s.rep.pol.has_min_version && strcmp(s.o.policy.platform, "apache") == 0)
		mp_strlcpy(s.o.policy.min_version, "2.5.0", sizeof(s.o.policy.min_version));
	{
		char note[512] = "";
		if (scan_fit_fd_limit(&s.o, note, sizeof(note), err, sizeof(err)) < 0) {
			fprintf(stderr, "mskprobe scan: %s\n", err);
			rc = MP_EXIT_USAGE;
			goto out;
		}
		if (note[0])
			fprintf(stderr, "mskprobe scan: %s\n", note);
	}
	cli_command_line(s.cmdline, sizeof(s.cmdline), argc, argv);
	s.o.command_line = s.cmdline;
	catch_interrupts(&s.o);
	rc = scan_run(&s.o, &r, err, sizeof(err));
	release_interrupts();
	if (r && r->interrupted)
		fprintf(stderr, "mskprobe scan: interrupted: reporting what was measured\n");
	if (rc < 0) {
		fprintf(stderr, "mskprobe scan: %s\n", err);
		rc = MP_EXIT_USAGE;
		goto out;
	}
	rc = rep_scan_finish(&s.rep, r);
	if (rc == 0)
		rc = rep_scan_emit(&s.rep, r, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	if (rc == 0)
		rc = (int)policy_exit_code(r);
	if (r->input_error[0]) {
		/* bad input, named; the report above keeps what was read before it */
		fprintf(stderr, "mskprobe scan: %s\n", r->input_error);
		rc = MP_EXIT_USAGE;
	}
	if (scan_local_failures(r)) {
		/* this machine's limit, not the targets': never a pass */
		fprintf(stderr,
			"mskprobe scan: %zu endpoint(s) not probed: this process ran out of file "
			"descriptors (raise ulimit -n or lower --concurrency)\n",
			scan_local_failures(r));
		if (rc == MP_EXIT_PASS)
			rc = MP_EXIT_UNVERIFIED;
	}
out:
	if (s.password) {
		OPENSSL_cleanse(s.password, strlen(s.password));
		free(s.password);
	}
	free(s.bootstrap_arg);
	free(s.zk_arg);
	rep_scan_free(&s.rep);
	mp_report_free(r);
	return rc;
}
