/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the four-letter-word text of probe/zk_wire.c:
 * zk_srvr_parse() on raw bytes and on their zk_text_sanitize() form, as
 * the probe and the policy use them.
 *
 * Beyond "never crash": every field is NUL-terminated and holds only its
 * alphabet, the sanitised text holds only printable ASCII and '\n', and
 * sanitising never changes whether a text is a srvr answer when nothing
 * was truncated.
 */
#include <stdlib.h>
#include <string.h>

#include "zk_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(const char *f, size_t n, const char *alphabet)
{
	const char *end = memchr(f, '\0', n);
	if (!end)
		abort();
	for (const char *c = f; c < end; c++)
		if (!strchr(alphabet, *c))
			abort();
}

static void check(const struct zk_srvr_info *s)
{
	static const char tok[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ._+-${}";
	if (s->kind != ZK_SRVR_ANSWER && s->kind != ZK_SRVR_NOT_WHITELISTED &&
	    s->kind != ZK_SRVR_OTHER)
		abort();
	check_field(s->version, sizeof(s->version), tok);
	check_field(s->release, sizeof(s->release), "0123456789.");
	check_field(s->mode, sizeof(s->mode), tok);
	if (s->node_count < -1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zk_srvr_info raw, clean;
	char text[ZK_SRVR_READ_MAX * 4 + 1];

	zk_srvr_parse(data, size, &raw);
	check(&raw);
	zk_text_sanitize(text, sizeof(text), data, size);
	for (const char *c = text; *c; c++)
		if (!((*c >= 0x20 && *c < 0x7f) || *c == '\n'))
			abort();
	zk_srvr_parse((const uint8_t *)text, strlen(text), &clean);
	check(&clean);
	/* inputs up to the probe's read cap are never truncated by 4x room */
	if (size <= ZK_SRVR_READ_MAX &&
	    (raw.kind == ZK_SRVR_ANSWER) != (clean.kind == ZK_SRVR_ANSWER))
		abort();
	return 0;
}
