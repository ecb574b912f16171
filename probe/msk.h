/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MSK version catalogue (probe/data/msk-versions.tsv, compiled in) and
 * the mapping from fingerprint rows to the exact versions a platform offers.
 */
#ifndef MP_MSK_H
#define MP_MSK_H

#include <stdbool.h>
#include <stddef.h>

#include "fp.h"

struct msk_catalog;

extern const char mp_msk_builtin[];
extern const size_t mp_msk_builtin_len;

int msk_catalog_parse(struct msk_catalog **ret, const char *text, size_t len, const char *origin,
		      char *errbuf, size_t errlen);
int msk_catalog_builtin(struct msk_catalog **ret, char *errbuf, size_t errlen);
void msk_catalog_free(struct msk_catalog *c);

/*
 * Append to out[] (capacity cap, *n in/out, duplicates skipped) the versions
 * of `platform` ("msk" or "apache") that run row's table. On "msk", a
 * release MSK never offered falls back to the row's Apache patches and
 * *ret_not_msk is set. Returns the number appended.
 */
size_t msk_candidates(const struct msk_catalog *c, const struct fp_row *row, bool msk,
		      char (*out)[24], size_t cap, size_t *n, bool *ret_not_msk);

#endif
