/* SPDX-License-Identifier: Apache-2.0 */
/* mskprobe: the thin entry point. Dispatches to a subcommand; nothing else. */
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mp_config.h"

const struct mp_cmd mp_cmds[] = {
	{ "scan", "probe Kafka brokers (and ZooKeeper) and judge the cluster", mp_cmd_scan },
	{ "demo", "run a scan against the built-in lab on loopback", mp_cmd_demo },
	{ "capture", "classify Kafka/ZooKeeper traffic from an interface or a pcap",
	  mp_cmd_capture },
	{ "report", "render a saved JSON report as text, html, md, asff, ocsf or junit",
	  mp_cmd_report },
	{ "diff", "compare two reports (before/after an upgrade)", mp_cmd_diff },
	{ "trend", "KPIs over a series of reports", mp_cmd_trend },
	{ "verify", "check a report's detached signature (and a manifest)", mp_cmd_verify },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mskprobe [--version] [--help] COMMAND [ARGS]\n\n"
		   "Verifies from the network whether a Kafka / AWS MSK cluster can and does\n"
		   "encrypt its control plane.\n\ncommands:\n");
	for (const struct mp_cmd *c = mp_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'mskprobe COMMAND --help' describes a command.\n"
		   "exit codes: 0 all checks pass, 1 finding(s), 2 bad usage or input,\n"
		   "            3 some target could not be verified (and no finding)\n");
}

int main(int argc, char **argv)
{
	/* A peer closing mid-write must be an error return, not a dead process. */
	signal(SIGPIPE, SIG_IGN);
	/* --concurrency may need more descriptors than the default soft limit */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (argc < 2) {
		usage(stderr);
		return MP_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mskprobe %s\n", MP_VERSION);
		return MP_EXIT_PASS;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return MP_EXIT_PASS;
	}
	for (const struct mp_cmd *c = mp_cmds; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "mskprobe: unknown command '%s' (try --help)\n", argv[1]);
	return MP_EXIT_USAGE;
}
