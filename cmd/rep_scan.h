/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The glue between `mskprobe scan` (cmd/cli_scan.c) and reports/: the
 * report-side options (--format list, --output-dir, --sign-key,
 * --inventory, --policy, --require-tags), kept here so the scan CLI only
 * stores option strings and calls three functions.
 */
#ifndef MP_REP_SCAN_H
#define MP_REP_SCAN_H

#include "report.h"
#include "scan.h"

struct rep_scan {
	/* set by the option parser (borrowed argv strings) */
	const char *formats, *output, *output_dir, *sign_key;
	const char *inventory, *policy, *require_tags;
	const char *aws_account, *aws_region; /* ASFF for clusters without an ARN */
	/* owned, filled by rep_scan_prepare */
	struct rep_policy pol;
	struct rep_inventory *inv;
	struct scan_cluster_spec *specs;
};

/*
 * Load --policy and --inventory, apply the policy to o->policy, and when an
 * inventory is given make its clusters the scan's targets (with listener
 * checks on). cli is the --bootstrap cluster, or NULL. 0, or MP_EXIT_USAGE
 * after printing one precise error.
 */
int rep_scan_prepare(struct rep_scan *x, struct scan_opts *o, const struct scan_cluster_spec *cli);
/* After scan_run: inventory facts, declared-vs-measured, tags, severity overrides. 0 or MP_EXIT_USAGE. */
int rep_scan_finish(struct rep_scan *x, struct mp_report *r);
/* Serialise once and write every asked format (and manifest, signatures). 0 or MP_EXIT_USAGE. */
int rep_scan_emit(struct rep_scan *x, const struct mp_report *r, bool tty);
void rep_scan_free(struct rep_scan *x);

#endif
