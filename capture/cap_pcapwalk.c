/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A classic pcap file walked in place (the file is mapped: no byte of a
 * packet is copied). The format is pcap-savefile(5), the one libpcap's
 * sf-pcap.c reads; this walker takes only the common case and leaves the
 * rest to libpcap (cap_pcapw_init returns 1): version 2.4, magic a1b2c3d4
 * (microseconds) or a1b23c4d (nanoseconds), in either byte order.
 *
 *   file header (24 bytes)            record header (16 bytes), then caplen bytes
 *   0  magic        u32               0  ts_sec       i32
 *   4  version      u16 major, minor  4  ts_usec/nsec i32
 *   8  thiszone     i32               8  caplen       u32
 *   12 sigfigs      u32               12 len          u32
 *   16 snaplen      u32
 *   20 linktype     u32
 *
 * Every record is taken exactly as libpcap 1.10 takes it (sf-pcap.c,
 * pcap_next_packet), so both paths give the same packets and the same
 * report: a caplen above CAP_PCAP_MAX_CAPLEN is an error, a caplen above the
 * file's snapshot length is cut to it, a nanosecond stamp is divided by
 * 1000; and a damaged file stops with libpcap's own words.
 */
#include <byteswap.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cap-internal.h"
#include "util.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR  16u

static uint32_t get32(const struct cap_pcapw *w, const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return w->swapped ? bswap_32(v) : v;
}

int cap_pcapw_init(struct cap_pcapw *w, const uint8_t *p, size_t n)
{
	uint32_t magic, snaplen;
	uint16_t major, minor;

	memset(w, 0, sizeof(*w));
	if (n < PCAP_FILE_HDR)
		return 1;
	memcpy(&magic, p, 4);
	if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) {
		magic = bswap_32(magic);
		if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
			return 1; /* pcapng, a patched format, or no capture: libpcap decides */
		w->swapped = true;
	}
	w->nano = magic == PCAP_MAGIC_NS;
	memcpy(&major, p + 4, 2);
	memcpy(&minor, p + 6, 2);
	if (w->swapped) {
		major = bswap_16(major);
		minor = bswap_16(minor);
	}
	if (major != 2 || minor != 4)
		return 1; /* older layouts swap caplen and len: libpcap's heuristics */
	snaplen = get32(w, p + 16);
	w->max_caplen = CAP_PCAP_MAX_CAPLEN;
	w->snapshot = snaplen == 0 || snaplen > INT_MAX ? w->max_caplen : snaplen;
	w->base = p;
	w->size = n;
	w->off = PCAP_FILE_HDR;
	return 0;
}

/* Every record the inline cap_pcapw_next does not take (the other byte order, the end, damage). */
int cap_pcapw_next_slow(struct cap_pcapw *w, struct pcap_pkthdr *h, const uint8_t **ret_data,
			char *errbuf, size_t errlen)
{
	size_t left = w->size - w->off, avail;
	const uint8_t *r = w->base + w->off;
	uint32_t caplen;
	int32_t usec;

	if (left == 0)
		return 0;
	if (left < PCAP_REC_HDR) {
		mp_fmt(errbuf, errlen,
		       "truncated dump file; tried to read %u header bytes, only got %zu",
		       PCAP_REC_HDR, left);
		return -EBADMSG;
	}
	h->ts.tv_sec = (int32_t)get32(w, r);
	usec = (int32_t)get32(w, r + 4);
	h->ts.tv_usec = w->nano ? usec / 1000 : usec;
	caplen = get32(w, r + 8);
	h->len = get32(w, r + 12);
	avail = left - PCAP_REC_HDR;
	if (caplen > w->max_caplen) {
		if (caplen > w->snapshot)
			mp_fmt(errbuf, errlen,
			       "invalid packet capture length %u, bigger than snaplen of %u",
			       caplen, w->snapshot);
		else
			mp_fmt(errbuf, errlen,
			       "invalid packet capture length %u, bigger than maximum of %u",
			       caplen, w->max_caplen);
		return -EBADMSG;
	}
	if (caplen > avail) {
		if (caplen > w->snapshot && avail < w->snapshot)
			mp_fmt(errbuf, errlen,
			       "truncated dump file; tried to read %u captured bytes, only got %zu",
			       w->snapshot, avail);
		else
			mp_fmt(errbuf, errlen,
			       "truncated dump file; tried to read %u captured bytes, only got %zu",
			       caplen, avail);
		return -EBADMSG;
	}
	h->caplen = caplen > w->snapshot ? w->snapshot : caplen;
	*ret_data = r + PCAP_REC_HDR;
	w->off += PCAP_REC_HDR + caplen;
	return 1;
}
