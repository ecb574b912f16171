/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `mskprobe report REPORT.json`: render any format from a saved JSON report
 * (the evidence), so an auditor can re-render it later with the same code.
 * The exit code is the one the scan would have had for this report.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"
#include "js.h"
#include "report.h"
#include "util.h"

static void usage(FILE *f)
{
	char names[REP_FORMAT_NAMES_MAX];
	fprintf(f,
		"usage: mskprobe report REPORT.json [--format F[,F...]] [--output FILE | "
		"--output-dir DIR]\n"
		"                      [--sign-key KEY.pem] [--aws-account ID --aws-region "
		"REGION]\n\n"
		"Renders a saved JSON report (schema %s) in other formats.\n\n"
		"  --format LIST        %s (default text)\n"
		"  --output FILE        write there atomically, mode 0600 (default stdout)\n"
		"  --output-dir DIR     every format as DIR/report.EXT, plus report.json and\n"
		"                       manifest.json (SHA-256 of each file)\n"
		"  --sign-key KEY.pem   Ed25519 or EC private key: writes JSON.sig (and\n"
		"                       manifest.json.sig) beside the JSON\n"
		"  --aws-account ID     ASFF: account for clusters without an ARN\n"
		"  --aws-region REGION  ASFF: region for clusters without an ARN\n"
		"  --target-version V   judge the report's clients again against what Kafka\n"
		"                       release V accepts (4.0.0, or 4.1 for its newest patch)\n\n"
		"exit codes: 0 the report passes every check, 1 it holds findings,\n"
		"            2 bad usage or input, 3 some cluster is unverified (and no finding)\n",
		REP_SCHEMA, rep_format_names(REP_DOC_REPORT, names, sizeof(names)));
}

/* The scan's exit code, from the JSON (same rule as policy_exit_code). */
static int report_exit(const cJSON *r)
{
	const cJSON *c, *f;
	bool unverified = false;
	cJSON_ArrayForEach (c, js_arr(r, "clusters")) {
		cJSON_ArrayForEach (f, js_arr(c, "findings"))
			if (rep_sev_rank(js_str(f, "severity", "")) >= 1)
				return MP_EXIT_FINDING;
		if (strcmp(js_str(c, "verdict", ""), "non_compliant") == 0)
			return MP_EXIT_FINDING;
		unverified |= strcmp(js_str(c, "verdict", ""), "unverified") == 0;
	}
	return unverified ? MP_EXIT_UNVERIFIED : MP_EXIT_PASS;
}

int mp_cmd_report(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_OUTPUT, O_DIR, O_SIGN, O_ACCOUNT, O_REGION, O_TARGET, O_HELP };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "output-dir", required_argument, NULL, O_DIR },
		{ "sign-key", required_argument, NULL, O_SIGN },
		{ "aws-account", required_argument, NULL, O_ACCOUNT },
		{ "aws-region", required_argument, NULL, O_REGION },
		{ "target-version", required_argument, NULL, O_TARGET },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct rep_emit_opts eo = { .formats = "text" };
	const char *target_arg = NULL;
	char target[24];
	cJSON *r = NULL;
	char err[1024] = "";
	int c, rc = MP_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (rep_formats_check(REP_DOC_REPORT, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "mskprobe report: %s\n", err);
				return MP_EXIT_USAGE;
			}
			eo.formats = optarg;
			break;
		case O_OUTPUT:
			eo.output = optarg;
			break;
		case O_DIR:
			eo.output_dir = optarg;
			break;
		case O_SIGN:
			eo.sign_key = optarg;
			break;
		case O_ACCOUNT:
			eo.aws_account = optarg;
			break;
		case O_REGION:
			eo.aws_region = optarg;
			break;
		case O_TARGET:
			target_arg = optarg;
			if (cli_target_version(target_arg, target, sizeof(target)) < 0)
				return MP_EXIT_USAGE;
			break;
		case O_HELP:
			usage(stdout);
			return MP_EXIT_PASS;
		default:
			fprintf(stderr, "mskprobe report: see 'mskprobe report --help'\n");
			return MP_EXIT_USAGE;
		}
	}
	if (rep_aws_where_check(eo.aws_account, eo.aws_region, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe report: %s\n", err);
		return MP_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mskprobe report: want exactly one REPORT.json (see --help)\n");
		return MP_EXIT_USAGE;
	}
	if (rep_report_load(argv[optind], &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe report: %s\n", err);
		return MP_EXIT_USAGE;
	}
	if (target_arg && rep_clients_rejudge(r, target, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe report: %s\n", err);
		goto out;
	}
	eo.color_stdout = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	if (rep_emit(r, &eo, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe report: %s\n", err);
		goto out;
	}
	if (eo.output_dir)
		fprintf(stderr, "mskprobe report: written to %s\n", eo.output_dir);
	rc = report_exit(r);
out:
	cJSON_Delete(r);
	return rc;
}
