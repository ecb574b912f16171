/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the inventory loader and the declared-vs-measured step on its result. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-inventory-XXXXXX", err[512];
	struct rep_inventory *inv = NULL;
	struct rep_policy pol = { .n_required_tags = 1, .required_tags = { "Owner" } };
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size &&
	    rep_inventory_load(path, &inv, err, sizeof(err)) == 0) {
		struct mp_report *r = mp_report_new();
		for (size_t i = 0; r && i < inv->n; i++) {
			struct mp_cluster *c = mp_report_add_cluster(r, inv->clusters[i].name);
			if (c)
				(void)rep_declared_findings(c, &inv->clusters[i], &pol);
		}
		mp_report_free(r);
	}
	close(fd);
	unlink(path);
	rep_inventory_free(inv);
	return 0;
}
