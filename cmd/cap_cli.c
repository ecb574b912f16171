/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mskprobe capture (-i IFACE | -r FILE) [options]: run a capture session,
 * print the `mskprobe.capture/1` report (or text), map it to an exit code.
 *
 * Signals: SIGINT/SIGTERM are blocked in every thread and taken here with
 * sigtimedwait, so a Ctrl-C stops the capture and the report is still
 * written (no handler, no global flag). Progress goes to stderr only when
 * stderr is a terminal.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "cli_common.h"
#include "mp_limits.h"
#include "util.h"

struct cli {
	struct cap_opts o;
	const char *target_arg;
	char target[24];
	bool text;
	const char *output;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mskprobe capture (-i IFACE | -r FILE) [options]\n\n"
		"Watch traffic and classify each TCP flow as zookeeper-plaintext, "
		"zookeeper-quorum,\n"
		"tls, kafka-plaintext or unknown from its first payload bytes (ports are only a "
		"hint).\n"
		"VXLAN (UDP 4789, AWS VPC Traffic Mirroring) and GENEVE (6081) are unwrapped.\n\n"
		"  -i, --interface IFACE   capture live (needs root or CAP_NET_RAW)\n"
		"  -r, --read FILE         read a pcap or pcapng file, a FIFO or '-' (stdin, e.g.\n"
		"                          tcpdump -w - | mskprobe capture -r -)\n"
		"  -d, --duration S        live: stop after S seconds (default: until "
		"SIGINT/SIGTERM)\n"
		"      --zk-ports LIST     ZooKeeper port hints (default 2181,2182)\n"
		"      --kafka-ports LIST  Kafka port hints (default 9092,9094,9096,9098)\n"
		"  -f, --filter BPF        only packets matching this BPF expression\n"
		"      --max-flows N       flow table cap (default %u)\n"
		"  -s, --snaplen N         live snap length (default %u)\n"
		"      --save-evidence F   write a pcap of the plaintext flows, cut to headers + a "
		"few\n"
		"                          payload bytes (see --evidence-bytes, default %u)\n"
		"      --evidence-bytes N  payload bytes kept per evidence packet (0..%u)\n"
		"  -u, --user USER         live: drop privileges to USER once open (default "
		"nobody)\n"
		"      --reader R          auto (default): a classic pcap file is read in place\n"
		"                          (mmap), anything else through libpcap; libpcap or mmap\n"
		"                          force one (mmap fails on what it can not read)\n"
		"      --target-version V  judge each client whose requests were read against\n"
		"                          what Kafka release V accepts (4.0.0, or 4.1 for its\n"
		"                          newest patch; default: the newest MSK release)\n"
		"      --format json|text  output format (default json)\n"
		"  -o, --output FILE       write the report to FILE (atomically, mode 0600)\n"
		"  -h, --help\n\n"
		"exit codes: 0 no plaintext seen and some traffic classified, 1 plaintext traffic\n"
		"(a finding), 2 bad usage or input, 3 nothing classifiable was seen\n",
		CAP_FLOWS_DEFAULT, CAP_SNAPLEN_DEFAULT, CAP_EVIDENCE_BYTES_DEFAULT,
		CAP_EVIDENCE_BYTES_MAX);
}

/* "2181,2182": 1..CAP_PORTS_MAX ports, each 1..65535. */
static int parse_ports(const char *s, uint16_t *ports, unsigned *ret_n)
{
	char tok[8];
	unsigned n = 0;
	unsigned long v;

	for (const char *p = s;; p++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(tok) || n >= CAP_PORTS_MAX)
			return -EINVAL;
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (mp_parse_uint(tok, 1, 65535, &v) < 0)
			return -EINVAL;
		ports[n++] = (uint16_t)v;
		if (!comma)
			break;
		p = comma;
	}
	*ret_n = n;
	return 0;
}

static int parse_seconds(const char *s, double *ret)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > CAP_DURATION_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

enum {
	OPT_ZK = 256,
	OPT_KAFKA,
	OPT_MAXFLOWS,
	OPT_EVIDENCE,
	OPT_EVBYTES,
	OPT_FORMAT,
	OPT_READER,
	OPT_TARGET,
};

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "mskprobe capture: bad value '%s' for %s\n", val, opt);
	return -EINVAL;
}

static int parse_one(struct cli *c, int opt, const char *arg)
{
	unsigned long v;
	switch (opt) {
	case 'i':
		c->o.iface = arg;
		return 0;
	case 'r':
		c->o.file = arg;
		return 0;
	case 'd':
		return parse_seconds(arg, &c->o.duration_s) < 0 ? bad("--duration", arg) : 0;
	case OPT_ZK:
		return parse_ports(arg, c->o.zk_ports, &c->o.n_zk_ports) < 0
			       ? bad("--zk-ports", arg)
			       : 0;
	case OPT_KAFKA:
		return parse_ports(arg, c->o.kafka_ports, &c->o.n_kafka_ports) < 0
			       ? bad("--kafka-ports", arg)
			       : 0;
	case 'f':
		c->o.filter = arg;
		return 0;
	case OPT_MAXFLOWS:
		if (mp_parse_uint(arg, 1, CAP_FLOWS_MAX, &v) < 0)
			return bad("--max-flows", arg);
		c->o.max_flows = (unsigned)v;
		return 0;
	case 's':
		if (mp_parse_uint(arg, CAP_SNAPLEN_MIN, CAP_SNAPLEN_DEFAULT, &v) < 0)
			return bad("--snaplen", arg);
		c->o.snaplen = (unsigned)v;
		return 0;
	case OPT_EVIDENCE:
		c->o.save_evidence = arg;
		return 0;
	case OPT_EVBYTES:
		if (mp_parse_uint(arg, 0, CAP_EVIDENCE_BYTES_MAX, &v) < 0)
			return bad("--evidence-bytes", arg);
		c->o.evidence_bytes = (unsigned)v;
		return 0;
	case 'u':
		c->o.user = arg;
		return 0;
	case OPT_READER:
		if (strcmp(arg, "auto") == 0)
			c->o.reader = CAP_READER_AUTO;
		else if (strcmp(arg, "libpcap") == 0)
			c->o.reader = CAP_READER_LIBPCAP;
		else if (strcmp(arg, "mmap") == 0)
			c->o.reader = CAP_READER_MMAP;
		else
			return bad("--reader", arg);
		return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "json") && strcmp(arg, "text"))
			return bad("--format", arg);
		c->text = strcmp(arg, "text") == 0;
		return 0;
	case 'o':
		c->output = arg;
		return 0;
	case OPT_TARGET:
		c->target_arg = arg;
		return 0;
	default:
		return -EINVAL;
	}
}

/* 0 parsed, 1 help shown, -EINVAL usage error (already reported). */
static int parse_args(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "read", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "zk-ports", required_argument, NULL, OPT_ZK },
		{ "kafka-ports", required_argument, NULL, OPT_KAFKA },
		{ "filter", required_argument, NULL, 'f' },
		{ "max-flows", required_argument, NULL, OPT_MAXFLOWS },
		{ "snaplen", required_argument, NULL, 's' },
		{ "save-evidence", required_argument, NULL, OPT_EVIDENCE },
		{ "evidence-bytes", required_argument, NULL, OPT_EVBYTES },
		{ "user", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "reader", required_argument, NULL, OPT_READER },
		{ "target-version", required_argument, NULL, OPT_TARGET },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	cap_opts_init(&c->o);
	c->o.user = "nobody";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:r:d:f:s:u:o:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 1;
		}
		if (opt == '?' || parse_one(c, opt, optarg) < 0)
			return -EINVAL; /* getopt or bad() printed the reason */
	}
	if (optind < argc) {
		fprintf(stderr, "mskprobe capture: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!c->o.iface == !c->o.file) {
		fprintf(stderr, "mskprobe capture: give exactly one of -i IFACE or -r FILE\n");
		return -EINVAL;
	}
	if (cli_target_version(c->target_arg, c->target, sizeof(c->target)) < 0)
		return -EINVAL;
	c->o.target_version = c->target;
	if (!c->o.iface || geteuid() != 0)
		c->o.user = NULL;    /* no identity to leave */
	c->o.drop_privileges = true; /* capabilities: whatever we were given (root, CAP_NET_RAW) */
	return 0;
}

/*
 * Wait for the session, taking SIGINT/SIGTERM and drawing progress on a
 * terminal. The signals are blocked in every thread; a signalfd and the
 * session's end descriptor wake the poll, so the report starts as soon as the
 * file is read (a fixed tick cost up to 200 ms per run). Without a signalfd
 * (EMFILE) it falls back to looking for signals every 200 ms.
 */
static void wait_session(struct cap_session *s, const sigset_t *sigs)
{
	bool tty = isatty(STDERR_FILENO);
	int64_t t0 = mp_now_ms(), last = t0;
	const struct timespec zero = { 0, 0 };
	int sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	struct pollfd pfd[2] = {
		{ .fd = cap_session_wait_fd(s), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};

	while (!cap_session_done(s)) {
		(void)poll(pfd, 2, tty || sfd < 0 ? 200 : -1);
		int sig = sigtimedwait(sigs, NULL, &zero); /* takes what woke the signalfd */
		if (sig == SIGINT || sig == SIGTERM) {
			if (tty)
				fprintf(stderr, "\ncapture: stopping, writing the report\n");
			cap_session_stop(s);
		}
		int64_t now = mp_now_ms();
		if (tty && now - last >= 1000) {
			uint64_t p, b;
			cap_session_progress(s, &p, &b);
			double secs = (double)(now - t0) / 1000.0;
			fprintf(stderr, "\rcapture: %llu packets, %.1f MB, %.1f MB/s   ",
				(unsigned long long)p, (double)b / 1e6, (double)b / 1e6 / secs);
			last = now;
		}
	}
	if (tty && mp_now_ms() - t0 >= 1000)
		fprintf(stderr, "\n");
	if (sfd >= 0)
		close(sfd);
}

static int emit(const struct cli *c, const cJSON *capture, struct cap_afile *out)
{
	char *text = NULL, err[MP_ERR_MAX];
	int r;

	if (c->text)
		r = cap_render_text(capture, &text);
	else
		r = cap_json_print(capture, &text); /* cJSON_Print's text, faster */
	if (r < 0)
		goto out;
	if (!c->output) {
		r = fputs(text, stdout) < 0 || (!c->text && fputs("\n", stdout) < 0) ? -EIO : 0;
		r = fflush(stdout) ? -EIO : r;
		goto out;
	}
	r = cap_afile_write(out, text, strlen(text));
	if (r == 0 && !c->text)
		r = cap_afile_write(out, "\n", 1);
	if (r == 0)
		r = cap_afile_commit(out, err, sizeof(err));
	else
		mp_fmt(err, sizeof(err), "writing '%s': %s", c->output, strerror(-r));
	if (r < 0)
		fprintf(stderr, "mskprobe capture: %s\n", err);
out:
	free(text);
	return r;
}

/* Create the output's temp file now, while we may still own the directory. */
static int open_output(const struct cli *c, struct cap_afile *out)
{
	char err[MP_ERR_MAX];
	if (!c->output)
		return 0;
	if (cap_afile_open(out, c->output, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe capture: %s\n", err);
		return -EIO;
	}
	if (c->o.user) {
		struct passwd *pw = getpwnam(c->o.user);
		if (pw)
			(void)cap_afile_chown(out, pw->pw_uid, pw->pw_gid);
	}
	return 0;
}

int mp_cmd_capture(int argc, char **argv)
{
	struct cli c;
	struct cap_afile out = { .fd = -1 };
	struct cap_session *s = NULL;
	cJSON *capture = NULL, *findings = NULL;
	char err[MP_ERR_MAX] = "";
	sigset_t sigs, old;
	int r, rc = MP_EXIT_USAGE;

	memset(&c, 0, sizeof(c));
	r = parse_args(&c, argc, argv);
	if (r != 0)
		return r > 0 ? MP_EXIT_PASS : MP_EXIT_USAGE;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, &old); /* the capture thread inherits this mask */
	if (open_output(&c, &out) < 0)
		goto out;
	r = cap_session_start(&s, &c.o, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "mskprobe capture: %s\n", err);
		goto out;
	}
	wait_session(s, &sigs);
	r = cap_session_finish(s, &capture, &findings, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "mskprobe capture: %s\n", err);
		goto out;
	}
	if (emit(&c, capture, &out) < 0)
		goto out;
	rc = cap_exit_code(capture);
	if (cap_session_input_error(s)) {
		/* bad input: the report above keeps what was read before the damage */
		fprintf(stderr, "mskprobe capture: %s\n", cap_session_input_error(s));
		rc = MP_EXIT_USAGE;
	}
out:
	cap_session_free(s);
	cap_afile_abort(&out);
	cJSON_Delete(capture);
	cJSON_Delete(findings);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
