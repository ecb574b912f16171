/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing and output helpers shared by the subcommands. */
#ifndef MP_CLI_COMMON_H
#define MP_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * A progress line for long runs (a fleet scan, a big capture file): stderr
 * only, and only when stderr is a terminal, never in a pipe or a log. One
 * line rewritten with \r, at most every CLI_PROGRESS_MS (force: draw now,
 * e.g. the final state), wiped by cli_progress_clear at the end.
 */
#define CLI_PROGRESS_MS 100

struct cli_progress {
	bool on;
	int64_t last_ms; /* 0: nothing drawn yet */
	int width;	 /* of the line on screen, to wipe it */
};

void cli_progress_init(struct cli_progress *p);
void cli_progress_draw(struct cli_progress *p, bool force, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cli_progress_clear(struct cli_progress *p);
/* n bytes for a person: "812 B", "12.3 kB", "45.6 MB", "1.2 GB". */
void cli_bytes(char *dst, size_t n, uint64_t bytes);

#endif
