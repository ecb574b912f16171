/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing and output helpers shared by the subcommands. */
#ifndef MP_CLI_COMMON_H
#define MP_CLI_COMMON_H

#include <stddef.h>

#include "model.h"
#include "scan.h"

void cli_default_opts(struct scan_opts *o);
/* Each prints one precise error naming the option and returns -EINVAL. */
int cli_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
	     unsigned long *ret);
int cli_min_version(struct mp_policy *p, const char *s);
int cli_platform(struct mp_policy *p, const char *s);
/*
 * --target-version: arg, or with arg NULL the newest feature release in
 * the MSK catalogue (probe/data/msk-versions.tsv), resolved to an exact
 * release whose accepted request versions are known (base/compat.h).
 */
int cli_target_version(const char *arg, char *out, size_t n);
/* The command line with anything after a secret-bearing option masked. */
void cli_command_line(char *dst, size_t n, int argc, char **argv);
/*
 * Serialise r once to JSON and write `format` (json|text) to `output`
 * ("-": stdout; text is coloured only on a TTY). Returns 0 or
 * MP_EXIT_USAGE after printing the reason.
 */
int cli_emit(const struct mp_report *r, const char *format, const char *output);

#endif
