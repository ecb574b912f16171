/* SPDX-License-Identifier: Apache-2.0 */
#include "bytes.h"
#include "tap.h"

static void test_reader(void)
{
	const uint8_t b[] = { 0x00, 0x2a, 0xff, 0xff, 0xff, 0xfe, 0x03, 'a', 'b', 'c' };
	struct mp_rd r = mp_rd_init(b, sizeof(b));
	TAP_EQ_INT(mp_rd_be16(&r), 42, "be16");
	TAP_EQ_INT((int32_t)mp_rd_be32(&r), -2, "be32 signed");
	struct mp_rd s = mp_rd_sub(&r, mp_rd_u8(&r));
	TAP_OK(!s.bad && s.left == 3 && s.p[0] == 'a', "sub-reader over a length prefix");
	TAP_OK(!r.bad && r.left == 0, "parent advanced past the field");
	(void)mp_rd_u8(&r);
	TAP_OK(r.bad, "reading past the end sets bad");
	TAP_EQ_INT(mp_rd_be32(&r), 0, "reads after bad return 0");
	TAP_OK(r.left == 0, "and consume nothing");
}

static void test_sub_overflow(void)
{
	const uint8_t b[] = { 1, 2, 3 };
	struct mp_rd r = mp_rd_init(b, sizeof(b));
	struct mp_rd s = mp_rd_sub(&r, 4);
	TAP_OK(s.bad && r.bad, "a length longer than the input fails both readers");
}

static void test_varint(void)
{
	const uint8_t ok[] = { 0xac, 0x02 };
	struct mp_rd r = mp_rd_init(ok, sizeof(ok));
	TAP_EQ_INT(mp_rd_uvarint(&r), 300, "uvarint 300");
	const uint8_t big[] = { 0xff, 0xff, 0xff, 0xff, 0x7f };
	r = mp_rd_init(big, sizeof(big));
	(void)mp_rd_uvarint(&r);
	TAP_OK(r.bad, "uvarint over 32 bits is rejected");
	const uint8_t trunc[] = { 0x80, 0x80 };
	r = mp_rd_init(trunc, sizeof(trunc));
	(void)mp_rd_uvarint(&r);
	TAP_OK(r.bad, "truncated uvarint is rejected");
}

static void test_writer(void)
{
	struct mp_wr w;
	mp_wr_init(&w, 8);
	mp_wr_be32(&w, 0);
	mp_wr_be16(&w, 0x1234);
	mp_wr_uvarint(&w, 300);
	mp_wr_put_be32(&w, 0, (uint32_t)w.len - 4);
	TAP_OK(!w.bad && w.len == 8, "writer fills to its limit");
	TAP_OK(w.buf[3] == 4 && w.buf[4] == 0x12 && w.buf[6] == 0xac, "bytes are big-endian");
	mp_wr_u8(&w, 1);
	TAP_OK(w.bad && w.len == 8, "a write past the limit sets bad and writes nothing");
	mp_wr_free(&w);
}

int main(void)
{
	test_reader();
	test_sub_overflow();
	test_varint();
	test_writer();
	return tap_done();
}
