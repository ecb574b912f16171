/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mapped classic-pcap reader: the record walker on crafted buffers (both
 * byte orders, micro and nano, every damage libpcap names), and a file cut
 * short while it is mapped (SIGBUS handled: the walk ends with the
 * corrupt-input error, no crash).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "cap-internal.h"
#include "craft.h"

/* A file header; returns 24. */
static size_t fhdr(uint8_t *b, bool be, bool nano, uint16_t minor, uint32_t snaplen)
{
	craft_put32(b, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
	craft_put16(b + 4, 2, be);
	craft_put16(b + 6, minor, be);
	memset(b + 8, 0, 8);
	craft_put32(b + 16, snaplen, be);
	craft_put32(b + 20, 1, be);
	return 24;
}

/* A record of caplen bytes (byte i = i); returns its size. */
static size_t rec(uint8_t *b, bool be, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len)
{
	craft_put32(b, sec, be);
	craft_put32(b + 4, frac, be);
	craft_put32(b + 8, caplen, be);
	craft_put32(b + 12, len, be);
	for (uint32_t i = 0; i < caplen; i++)
		b[16 + i] = (uint8_t)i;
	return 16 + caplen;
}

static void walker_orders(void)
{
	for (int v = 0; v < 4; v++) {
		bool be = v & 1, nano = v & 2;
		uint8_t b[256];
		struct cap_pcapw w;
		struct pcap_pkthdr h;
		const uint8_t *d = NULL;
		char err[128] = "";
		size_t n = fhdr(b, be, nano, 4, 65535);
		n += rec(b + n, be, 1700000000, nano ? 123456789 : 123456, 20, 60);
		n += rec(b + n, be, 1700000001, 0, 0, 0);
		TAP_EQ_INT(cap_pcapw_init(&w, b, n), 0, "%s %s: a classic pcap", be ? "BE" : "LE",
			   nano ? "nano" : "micro");
		TAP_EQ_INT(cap_pcapw_next(&w, &h, &d, err, sizeof(err)), 1, "first record");
		TAP_OK(h.ts.tv_sec == 1700000000 && h.ts.tv_usec == 123456 && h.caplen == 20 &&
			       h.len == 60 && d == b + 40 && d[19] == 19,
		       "time in microseconds, lengths, data in place");
		TAP_EQ_INT(cap_pcapw_next(&w, &h, &d, err, sizeof(err)), 1, "an empty record");
		TAP_EQ_INT(cap_pcapw_next(&w, &h, &d, err, sizeof(err)), 0, "then the end");
	}
}

static void walker_others(void)
{
	static const uint8_t ng[24] = { 0x0a, 0x0d, 0x0d, 0x0a };
	uint8_t b[64];
	struct cap_pcapw w;
	fhdr(b, false, false, 3, 65535);
	TAP_EQ_INT(cap_pcapw_init(&w, b, 24), 1, "version 2.3: libpcap's");
	TAP_EQ_INT(cap_pcapw_init(&w, ng, sizeof(ng)), 1, "pcapng: libpcap's");
	TAP_EQ_INT(cap_pcapw_init(&w, b, 20), 1, "20 bytes: libpcap's (it names the damage)");
	fhdr(b, true, false, 4, 0);
	TAP_OK(cap_pcapw_init(&w, b, 24) == 0 && w.snapshot == CAP_PCAP_MAX_CAPLEN,
	       "snaplen 0 reads as the maximum, as in libpcap");
}

struct damage {
	const char *name;
	uint32_t caplen, snaplen;
	size_t hdr_bytes, present; /* of the damaged record: header bytes, data bytes in the file */
	const char *want;
};

static void walker_damage(void)
{
	static const struct damage cases[] = {
		{ "cut inside the header", 20, 65535, 8, 0,
		  "truncated dump file; tried to read 16 header bytes, only got 8" },
		{ "cut inside the data", 20, 65535, 16, 15,
		  "truncated dump file; tried to read 20 captured bytes, only got 15" },
		{ "caplen 2^31", 0x80000000u, 65535, 16, 0,
		  "invalid packet capture length 2147483648, bigger than snaplen of 65535" },
		{ "caplen above the maximum, below the snaplen", 300000, 400000, 16, 0,
		  "invalid packet capture length 300000, bigger than maximum of 262144" },
		{ "above the snaplen, cut inside the snaplen", 100, 50, 16, 10,
		  "truncated dump file; tried to read 50 captured bytes, only got 10" },
		{ "above the snaplen, cut past it", 100, 50, 16, 80,
		  "truncated dump file; tried to read 100 captured bytes, only got 80" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct damage *c = &cases[i];
		uint8_t b[256];
		struct cap_pcapw w;
		struct pcap_pkthdr h;
		const uint8_t *d;
		char err[160] = "";
		size_t n = fhdr(b, false, false, 4, c->snaplen);
		n += rec(b + n, false, 1, 2, 8, 8);
		size_t at = n;
		rec(b + at, false, 3, 4, (uint32_t)c->present, c->caplen);
		craft_put32(b + at + 8, c->caplen, false);
		n = at + c->hdr_bytes + c->present;
		cap_pcapw_init(&w, b, n);
		int r1 = cap_pcapw_next(&w, &h, &d, err, sizeof(err));
		int r2 = cap_pcapw_next(&w, &h, &d, err, sizeof(err));
		TAP_OK(r1 == 1 && r2 == -EBADMSG, "%s: the record before it, then the error",
		       c->name);
		TAP_EQ_STR(err, c->want, "%s: libpcap's words", c->name);
	}
	/* above the snaplen, whole: cut to the snaplen, the next record follows */
	uint8_t b[256];
	struct cap_pcapw w;
	struct pcap_pkthdr h;
	const uint8_t *d;
	char err[160] = "";
	size_t n = fhdr(b, false, false, 4, 50);
	n += rec(b + n, false, 1, 2, 100, 100);
	n += rec(b + n, false, 1, 2, 4, 4);
	cap_pcapw_init(&w, b, n);
	TAP_OK(cap_pcapw_next(&w, &h, &d, err, sizeof(err)) == 1 && h.caplen == 50 && h.len == 100,
	       "a record above the snaplen is cut to it");
	TAP_OK(cap_pcapw_next(&w, &h, &d, err, sizeof(err)) == 1 && h.caplen == 4 &&
		       d == b + 24 + 116 + 16,
	       "and the next one is found past all its bytes");
}

/*
 * A file of records, mapped; cut to keep bytes (keep < 0: that many fewer)
 * after the first record is read.
 */
static void cut_while_mapped(long keep, const char *what)
{
	char path[] = "/tmp/test-cap-fmap-XXXXXX";
	int fd = mkstemp(path);
	size_t size = 4u << 20, n;
	uint8_t *b = calloc(1, size);
	struct cap_fmap m;
	struct pcap_pkthdr h;
	const uint8_t *d;
	char err[160] = "";
	int r = 0;
	uint64_t got = 0, sum = 0;

	if (fd < 0 || !b) {
		TAP_OK(false, "%s: a scratch file", what);
		free(b);
		return;
	}
	n = fhdr(b, false, false, 4, 65535);
	while (n + 16 + 1000 <= size)
		n += rec(b + n, false, 1, 2, 1000, 1000);
	TAP_OK(write(fd, b, n) == (ssize_t)n, "%s: %zu bytes written", what, n);
	TAP_EQ_INT(cap_fmap_open(&m, fd, err, sizeof(err)), 0, "%s: mapped", what);
	TAP_EQ_INT(cap_fmap_next(&m, &h, &d, err, sizeof(err)), 1, "%s: a first record", what);
	if (keep < 0)
		keep += (long)n;
	TAP_OK(ftruncate(fd, (off_t)keep) == 0, "%s: the file cut to %ld bytes", what, keep);
	while ((r = cap_fmap_next(&m, &h, &d, err, sizeof(err))) == 1) {
		for (uint32_t i = 0; i < h.caplen; i++)
			sum += d[i]; /* touch every byte, as the classifier may */
		got++;
	}
	TAP_EQ_INT(r, -EBADMSG, "%s: the walk ends in the corrupt-input error (%llu records)", what,
		   (unsigned long long)got);
	TAP_OK(strstr(err, "cut short") != NULL, "%s: it says so: %s", what, err);
	(void)sum;
	cap_fmap_close(&m);
	close(fd);
	unlink(path);
	free(b);
}

int main(void)
{
	walker_orders();
	walker_others();
	walker_damage();
	cut_while_mapped(100000, "cut to 100,000 bytes (SIGBUS past its page)");
	cut_while_mapped(4096 + 2000, "cut inside a page (zeros to its end, then SIGBUS)");
	cut_while_mapped(-500, "cut inside the last page (zeros, no fault: the size check)");
	return tap_done();
}
