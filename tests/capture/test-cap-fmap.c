/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mapped classic-pcap reader: the record walker on crafted buffers (both
 * byte orders, micro and nano, every damage libpcap names), and a file cut
 * short while it is mapped (SIGBUS handled: the walk ends with the
 * corrupt-input error, no crash); the filter recognised without the BPF
 * interpreter against the interpreter, on every cut of crafted frames and on
 * random bytes.
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
 * A file of size bytes of records, mapped; cut to keep bytes (keep < 0: that
 * many fewer) after the first record is read, while the mapping thread maps
 * ahead (a file larger than its look-ahead: it is still at work).
 */
static void cut_while_mapped(size_t size, long keep, const char *what)
{
	char path[] = "/tmp/test-cap-fmap-XXXXXX";
	int fd = mkstemp(path);
	size_t n;
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

/* ---- `tcp port P` without the interpreter ------------------------------------------------ */

static bool compiled(int dlt, const char *filter, struct bpf_program *prog)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);
	bool ok = p && pcap_compile(p, prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (p)
		pcap_close(p);
	return ok;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Every cut of frame (0 .. n bytes): the same verdict as pcap_offline_filter. Returns mismatches. */
static unsigned cuts_agree(const struct cap_fastf *f, const struct bpf_program *prog,
			   const uint8_t *frame, size_t n, unsigned *accepted)
{
	unsigned bad = 0;
	for (size_t c = 0; c <= n; c++) {
		struct pcap_pkthdr h = { .caplen = (bpf_u_int32)c, .len = (bpf_u_int32)n };
		bool want = pcap_offline_filter(prog, &h, frame) != 0;
		bad += cap_fastf_match(f, frame, (uint32_t)c) != want;
		*accepted += want;
	}
	return bad;
}

static void fast_filter(void)
{
	static const struct {
		int dlt;
		enum craft_link link;
		const char *name;
	} links[] = { { DLT_EN10MB, CRAFT_ETH, "Ethernet" }, { DLT_LINUX_SLL, CRAFT_SLL, "SLL" } };
	static const char *const others[] = { "tcp port 2181 or tcp port 2182",
					      "udp port 2181",
					      "port 2181",
					      "tcp src port 2181",
					      "tcp",
					      "tcp port 2181 and host 10.0.0.1" };
	struct bpf_program prog;
	struct cap_fastf f;

	for (size_t li = 0; li < sizeof(links) / sizeof(links[0]); li++) {
		const char *ln = links[li].name;
		unsigned bad = 0, accepted = 0, frames = 0;
		if (!compiled(links[li].dlt, "tcp port 2181", &prog)) {
			TAP_OK(false, "%s: tcp port 2181 compiles", ln);
			continue;
		}
		TAP_OK(cap_fastf_compile(&f, &prog) && f.port == 2181,
		       "%s: tcp port 2181 is recognised", ln);
		/* IPv4 and IPv6, the port on either side or neither, IPv4 options, fragments */
		for (int v6 = 0; v6 < 2; v6++)
			for (int side = 0; side < 3; side++)
				for (int opt = 0; opt < 3; opt++)
					for (int frag = 0; frag < 3; frag++) {
						struct craft_ep a =
							v6 ? craft_ep6("fd00::1", 40000)
							   : craft_ep4("10.0.0.1", 40000);
						struct craft_ep b =
							v6 ? craft_ep6("fd00::2", 2182)
							   : craft_ep4("10.0.0.2", 2182);
						uint8_t ip[200], fr[300];
						size_t il;
						if (side == 0)
							a.port = 2181;
						else if (side == 1)
							b.port = 2181;
						il = craft_ip_tcp(ip, &a, &b, 1, 2, 0x18, "abcd",
								  4);
						if (!v6 && opt) { /* grow the header by opt words */
							memmove(ip + 20 + 4 * opt, ip + 20,
								il - 20);
							memset(ip + 20, 1, 4 * (size_t)opt);
							ip[0] = (uint8_t)(0x45 + opt);
							il += 4 * (size_t)opt;
						}
						if (!v6 && frag == 1)
							ip[7] = 0x08; /* offset 8: not a first fragment */
						if (!v6 && frag == 2)
							ip[6] = 0x21; /* MF only: a first fragment */
						size_t n = craft_link(fr, links[li].link, ip, il);
						bad += cuts_agree(&f, &prog, fr, n, &accepted);
						frames++;
					}
		/* random frames, with the ethertype and the protocol set often enough to get far */
		for (unsigned i = 0; i < 20000; i++) {
			uint8_t fr[128];
			uint32_t l = f.l;
			for (size_t k = 0; k < sizeof(fr); k++)
				fr[k] = (uint8_t)rnd();
			if (rnd() % 4) {
				bool v6 = rnd() & 1;
				fr[l - 2] = v6 ? 0x86 : 0x08;
				fr[l - 1] = v6 ? 0xdd : 0x00;
				fr[l + (v6 ? 6 : 9)] = rnd() % 4 ? 6 : fr[l + 9];
				if (!v6 && rnd() % 2) {
					fr[l + 6] &= 0xe0;
					fr[l + 7] = 0;
				}
				uint32_t at = v6 ? l + 40 + 2 * (rnd() & 1)
						 : l + 4 * (fr[l] & 0xfu) + 2 * (rnd() & 1);
				if (rnd() % 2 && at + 2 <= sizeof(fr)) {
					fr[at] = 2181 >> 8;
					fr[at + 1] = 2181 & 0xff;
				}
			}
			bad += cuts_agree(&f, &prog, fr, sizeof(fr), &accepted);
			frames++;
		}
		TAP_OK(bad == 0 && accepted > 1000,
		       "%s: the same verdict as the interpreter on every cut of %u frames (%u "
		       "accepted, %u differ)",
		       ln, frames, accepted, bad);
		pcap_freecode(&prog);
		for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
			if (!compiled(links[li].dlt, others[k], &prog)) {
				TAP_OK(false, "%s: '%s' compiles", ln, others[k]);
				continue;
			}
			TAP_OK(!cap_fastf_compile(&f, &prog) && !f.on,
			       "%s: '%s' is left to the interpreter", ln, others[k]);
			pcap_freecode(&prog);
		}
	}
	if (compiled(DLT_RAW, "tcp port 2181", &prog)) {
		TAP_OK(!cap_fastf_compile(&f, &prog),
		       "raw IP: tcp port 2181 is left to the interpreter");
		pcap_freecode(&prog);
	}
	TAP_OK(!cap_fastf_compile(&f, NULL), "no filter: nothing recognised");
}

int main(void)
{
	walker_orders();
	walker_others();
	walker_damage();
	fast_filter();
	cut_while_mapped(4u << 20, 100000, "cut to 100,000 bytes (SIGBUS past its page)");
	cut_while_mapped(4u << 20, 4096 + 2000,
			 "cut inside a page (zeros to its end, then SIGBUS)");
	cut_while_mapped(4u << 20, -500,
			 "cut inside the last page (zeros, no fault: the size check)");
	cut_while_mapped(CAP_MAP_LOOKAHEAD * 3, 100000,
			 "a file thrice the look-ahead cut to 100,000 bytes while mapped ahead");
	cut_while_mapped(CAP_MAP_LOOKAHEAD * 3, (long)CAP_MAP_LOOKAHEAD * 2,
			 "a file thrice the look-ahead cut past the look-ahead");
	return tap_done();
}
