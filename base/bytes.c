/* SPDX-License-Identifier: Apache-2.0 */
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

void mp_wr_init(struct mp_wr *w, size_t limit)
{
	memset(w, 0, sizeof(*w));
	w->limit = limit;
}

void mp_wr_free(struct mp_wr *w)
{
	if (!w)
		return;
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

static bool wr_reserve(struct mp_wr *w, size_t n)
{
	if (w->bad)
		return false;
	if (n > w->limit || w->len > w->limit - n) {
		w->bad = true;
		return false;
	}
	if (w->len + n <= w->cap)
		return true;
	size_t cap = w->cap ? w->cap : 64;
	while (cap < w->len + n)
		cap *= 2;
	if (cap > w->limit)
		cap = w->limit;
	uint8_t *nb = realloc(w->buf, cap);
	if (!nb) {
		w->bad = true;
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

void mp_wr_bytes(struct mp_wr *w, const void *p, size_t n)
{
	if (n == 0 || !wr_reserve(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void mp_wr_u8(struct mp_wr *w, uint8_t v)
{
	mp_wr_bytes(w, &v, 1);
}

void mp_wr_be16(struct mp_wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	mp_wr_bytes(w, b, 2);
}

void mp_wr_be32(struct mp_wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	mp_wr_bytes(w, b, 4);
}

void mp_wr_be64(struct mp_wr *w, uint64_t v)
{
	mp_wr_be32(w, (uint32_t)(v >> 32));
	mp_wr_be32(w, (uint32_t)v);
}

void mp_wr_uvarint(struct mp_wr *w, uint32_t v)
{
	while (v >= 0x80) {
		mp_wr_u8(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	mp_wr_u8(w, (uint8_t)v);
}

void mp_wr_put_be32(struct mp_wr *w, size_t off, uint32_t v)
{
	if (w->bad || off > w->len || w->len - off < 4) {
		w->bad = true;
		return;
	}
	w->buf[off] = (uint8_t)(v >> 24);
	w->buf[off + 1] = (uint8_t)(v >> 16);
	w->buf[off + 2] = (uint8_t)(v >> 8);
	w->buf[off + 3] = (uint8_t)v;
}

uint8_t *mp_wr_take(struct mp_wr *w, size_t *ret_len)
{
	uint8_t *b = w->buf;
	*ret_len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return b;
}
