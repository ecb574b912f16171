/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MSK version catalogue (probe/data/msk-versions.tsv, compiled in) and
 * the mapping from fingerprint rows to the exact versions a platform offers.
 */
#ifndef MP_MSK_H
#define MP_MSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fp.h"

struct msk_catalog;

extern const char mp_msk_builtin[];
extern const size_t mp_msk_builtin_len;

int msk_catalog_parse(struct msk_catalog **ret, const char *text, size_t len, const char *origin,
		      char *errbuf, size_t errlen);
int msk_catalog_builtin(struct msk_catalog **ret, char *errbuf, size_t errlen);
void msk_catalog_free(struct msk_catalog *c);
/* The newest Apache feature release ("4.2") any catalogue version runs, "" for an empty catalogue. */
const char *msk_catalog_newest_release(const struct msk_catalog *c);

/*
 * Append to out[] (capacity cap, *n in/out, duplicates skipped) the versions
 * of `platform` ("msk" or "apache") that run row's table. On "msk", a
 * release MSK never offered falls back to the row's Apache patches and
 * *ret_not_msk is set. Returns the number appended.
 */
size_t msk_candidates(const struct msk_catalog *c, const struct fp_row *row, bool msk,
		      char (*out)[24], size_t cap, size_t *n, bool *ret_not_msk);

/*
 * MSK's published dates for version (an exact catalogue name, "3.7.x"):
 * release and end of support, seconds since the epoch at 00:00 UTC of the
 * day, 0 where the catalogue has no date. 0, or -ENOENT when the catalogue
 * lacks the version.
 */
int msk_support_dates(const struct msk_catalog *c, const char *version, int64_t *ret_released,
		      int64_t *ret_end_of_support);

/* "YYYY-MM-DD" (a real day, 1970 or later) to seconds at 00:00 UTC; 0 or -EINVAL. */
int msk_date_parse(const char *s, int64_t *ret);

#endif
