/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the finding catalogue parser, mp_catalog_parse()
 * (reports/rep_catalog.c): the whole input is the TSV text.
 *
 * Beyond "never crash, never read past the end": a rejection carries a
 * reason; an accepted catalogue has only rows whose id, severity, requires,
 * title and remediation are non-empty strings, whose id finds that same
 * row, and whose controls are non-empty FRAMEWORK|CONTROL pairs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rep-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct mp_catalog *c)
{
	for (size_t i = 0; i < mp_catalog_size(c); i++) {
		const struct mp_check *k = mp_catalog_at(c, i);
		if (!k || !k->id[0] || !k->severity[0] || !k->requires[0] || !k->title[0] ||
		    !k->remediation[0] || mp_catalog_find(c, k->id) != k ||
		    k->n_controls > MP_CONTROLS_MAX)
			abort();
		for (size_t j = 0; j < k->n_controls; j++)
			if (!k->framework[j][0] || !k->control[j][0])
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mp_catalog *c = NULL;
	char err[256];

	err[0] = '\0';
	int rc = mp_catalog_parse(&c, (const char *)data, size, err, sizeof(err));
	if (rc == 0) {
		check(c);
		mp_catalog_free(c);
	} else if (rc != -ENOMEM && (rc != -EINVAL || !err[0])) {
		abort(); /* every rejection is -EINVAL with a reason */
	}
	return 0;
}
