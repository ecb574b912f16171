/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounds-checked big-endian reader and a capped growable writer for wire
 * formats (Kafka, ZooKeeper jute, TLS, packet headers).
 *
 * The reader has a sticky error: once a read would pass the end, `bad` is set,
 * every later read returns 0 and consumes nothing, and the caller checks `bad`
 * once per record. Never cast packet memory to a struct.
 */
#ifndef MP_BYTES_H
#define MP_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mp_rd {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static inline struct mp_rd mp_rd_init(const void *p, size_t len)
{
	struct mp_rd r = { .p = p, .left = len, .bad = false };
	return r;
}

static inline bool mp_rd_need(struct mp_rd *r, size_t n)
{
	if (r->bad || r->left < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static inline uint8_t mp_rd_u8(struct mp_rd *r)
{
	if (!mp_rd_need(r, 1))
		return 0;
	uint8_t v = r->p[0];
	r->p += 1;
	r->left -= 1;
	return v;
}

static inline uint16_t mp_rd_be16(struct mp_rd *r)
{
	if (!mp_rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return v;
}

static inline uint32_t mp_rd_be32(struct mp_rd *r)
{
	if (!mp_rd_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 |
		     r->p[3];
	r->p += 4;
	r->left -= 4;
	return v;
}

static inline uint64_t mp_rd_be64(struct mp_rd *r)
{
	uint64_t hi = mp_rd_be32(r);
	uint64_t lo = mp_rd_be32(r);
	return hi << 32 | lo;
}

/* Skip n bytes. */
static inline void mp_rd_skip(struct mp_rd *r, size_t n)
{
	if (!mp_rd_need(r, n))
		return;
	r->p += n;
	r->left -= n;
}

/* A sub-reader over the next n bytes (for length-prefixed fields). */
static inline struct mp_rd mp_rd_sub(struct mp_rd *r, size_t n)
{
	struct mp_rd s = { .p = r->p, .left = 0, .bad = true };
	if (!mp_rd_need(r, n))
		return s;
	s.left = n;
	s.bad = false;
	r->p += n;
	r->left -= n;
	return s;
}

/* Unsigned varint (Kafka flexible versions): at most 5 bytes for 32 bits. */
static inline uint32_t mp_rd_uvarint(struct mp_rd *r)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift < 35; shift += 7) {
		uint8_t b = mp_rd_u8(r);
		if (r->bad)
			return 0;
		if (shift == 28 && (b & 0xf0)) {
			r->bad = true; /* would overflow 32 bits */
			return 0;
		}
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

/*
 * Growable output buffer with a hard cap. Writes past the cap set `bad`
 * (sticky) instead of growing without bound.
 */
struct mp_wr {
	uint8_t *buf;
	size_t len;
	size_t cap;   /* allocated */
	size_t limit; /* never grow past this */
	bool bad;
};

void mp_wr_init(struct mp_wr *w, size_t limit);
void mp_wr_free(struct mp_wr *w);
void mp_wr_bytes(struct mp_wr *w, const void *p, size_t n);
void mp_wr_u8(struct mp_wr *w, uint8_t v);
void mp_wr_be16(struct mp_wr *w, uint16_t v);
void mp_wr_be32(struct mp_wr *w, uint32_t v);
void mp_wr_be64(struct mp_wr *w, uint64_t v);
void mp_wr_uvarint(struct mp_wr *w, uint32_t v);
/* Overwrite 4 bytes at off (for length prefixes written after the body). */
void mp_wr_put_be32(struct mp_wr *w, size_t off, uint32_t v);
/* Hand the buffer to the caller (who frees it with free()); w is reset. */
uint8_t *mp_wr_take(struct mp_wr *w, size_t *ret_len);

#endif
