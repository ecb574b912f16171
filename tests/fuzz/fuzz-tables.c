/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the data-file parsers: the release table
 * (fp_table_parse, which also reads --fingerprint-table files) and the MSK
 * catalogue (msk_catalog_parse). Byte 0 selects the parser, the rest is the
 * file. A table that parses must also be usable: every row is matched
 * against itself exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"
#include "msk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void self_match(const struct fp_table *t)
{
	for (size_t i = 0; i < fp_table_rows(t); i++) {
		const struct fp_row *row = fp_table_row(t, i);
		struct mp_apiv a;
		struct mp_fp_result f;
		memset(&a, 0, sizeof(a));
		a.table = row->table;
		a.finalized_epoch = -1;
		a.zk_migration_ready = -1;
		fp_match(t, &a, &f);
		if (!f.exact)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct msk_catalog *c = NULL;
		if (msk_catalog_parse(&c, (const char *)data + 1, size - 1, "fuzz", err,
				      sizeof(err)) == 0)
			msk_catalog_free(c);
		return 0;
	}
	struct fp_table *t = NULL;
	if (fp_table_parse(&t, (const char *)data + 1, size - 1, "fuzz", err, sizeof(err)) == 0) {
		self_match(t);
		fp_table_free(t);
	}
	return 0;
}
