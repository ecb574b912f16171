/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the --policy file loader. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-policy-XXXXXX", err[512];
	struct rep_policy p = { 0 };
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size)
		(void)rep_policy_load(path, &p, err, sizeof(err));
	close(fd);
	unlink(path);
	return 0;
}
