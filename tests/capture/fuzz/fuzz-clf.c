/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the classifier on one direction's first bytes; the SNI must stay a host name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_clf_out o;
	uint8_t *b = malloc(size ? size : 1);
	char r[256];
	if (!b)
		return 0;
	memcpy(b, data, size);
	cap_clf_bytes(b, size, &o);
	if (o.sni[0] && strcmp(o.sni, "(invalid)") != 0 &&
	    !cap_sni_valid((const uint8_t *)o.sni, strlen(o.sni)))
		abort();
	cap_reason_text(r, sizeof(r), (enum cap_reason)o.reason, o.arg);
	for (const char *p = r; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			abort();
	free(b);
	return 0;
}
