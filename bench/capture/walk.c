/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a bare walk of a classic pcap file's record headers costs, by way of
 * reading the file (not built by meson; bench/capture/walk.sh compiles and runs it):
 *   walk MODE FILE
 * MODE:
 *   read          read() into a reused 1 MiB buffer, records walked in it
 *   mmap          the whole file mapped, plain page faults, never unmapped (RSS grows)
 *   mmap-pop      the whole file mapped with MAP_POPULATE
 *   win-fault     64 MiB windows mapped one after another (munmap behind), plain faults
 *   win-pop       the same windows mapped with MAP_POPULATE
 *   chunk-pop     the whole file mapped, MADV_POPULATE_READ 1 MiB ahead and MADV_DONTNEED
 *                 4 MiB behind (mskprobe's reader before this change)
 *   folios        no walk: how the file's page cache is made of folios (needs root:
 *                 /proc/self/pagemap, /proc/kpageflags)
 * Each walk reads every record header and the 4 bytes of the TCP ports of an Ethernet/IPv4
 * packet, and prints the record count and a checksum so nothing is optimized away.
 * Environment: PF=BYTES asks for every cache line (PFS=STEP bytes apart, PFK=0..3 prefetcht0, t1,
 * t2, nta) that far ahead, as mskprobe does; MPOP=1 (mode mmap) populates the whole mapping first,
 * UNMAP=1 unmaps it before exit (perf's task-clock does not count the teardown at exit: a walk
 * that leaves it there looks ~20 ms cheaper on a 638 MB file of 4 KiB folios); chunk-pop takes
 * POPSZ=BYTES (populate step), NOPOP=1, NOREL=1 (never unmap), NOSEQ=1 (no MADV_SEQUENTIAL).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WIN (64ul << 20)

static uint64_t n_rec, sum;
static size_t pf_ahead, pf_done, pf_step = 64; /* PF, PFS */
static int pf_kind;			       /* PFK */

/* Walk the records wholly inside p[off, end): returns the offset of the first one not inside. */
static size_t walk(const uint8_t *p, size_t off, size_t end)
{
	while (end - off >= 16) {
		uint32_t caplen;
		memcpy(&caplen, p + off + 8, 4);
		if (caplen > end - off - 16)
			break;
		if (caplen >= 38) {
			uint32_t ports;
			memcpy(&ports, p + off + 16 + 34, 4);
			sum += ports;
		}
		n_rec++;
		off += 16 + caplen;
		if (pf_ahead) {
			if (pf_done < off)
				pf_done = off;
			for (; pf_done < off + pf_ahead && pf_done < end; pf_done += pf_step)
				switch (pf_kind) {
				case 0:
					__builtin_prefetch(p + pf_done, 0, 3);
					break;
				case 1:
					__builtin_prefetch(p + pf_done, 0, 2);
					break;
				case 2:
					__builtin_prefetch(p + pf_done, 0, 1);
					break;
				default:
					__builtin_prefetch(p + pf_done, 0, 0);
					break;
				}
		}
	}
	return off;
}

static int by_read(int fd)
{
	size_t cap = 1ul << 20, have = 0, off;
	uint8_t *b = malloc(cap);
	ssize_t r;
	if (!b)
		return 1;
	if (read(fd, b, 24) != 24)
		return 1;
	while ((r = read(fd, b + have, cap - have)) > 0) {
		have += (size_t)r;
		off = walk(b, 0, have);
		memmove(b, b + off, have - off);
		have -= off;
	}
	free(b);
	return 0;
}

static int by_windows(int fd, size_t size, int flags)
{
	size_t off = 24;
	while (off < size) {
		size_t start = off & ~(size_t)4095, len = size - start < WIN ? size - start : WIN;
		const uint8_t *p =
			mmap(NULL, len, PROT_READ, MAP_PRIVATE | flags, fd, (off_t)start);
		size_t next;
		if (p == MAP_FAILED)
			return 1;
		next = walk(p - start, off, start + len);
		munmap((void *)p, len);
		if (next == off)
			return 1; /* a record larger than a window: not in this bench */
		off = next;
	}
	return 0;
}

static int by_chunks(int fd, size_t size)
{
	const uint8_t *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	size_t off = 24, populated = 0, released = 0;
	if (p == MAP_FAILED)
		return 1;
	if (!getenv("NOSEQ"))
		madvise((void *)p, size, MADV_SEQUENTIAL);
	while (off < size) {
		if (!getenv("NOPOP") && off + (1u << 20) > populated && populated < size) {
			size_t step =
				getenv("POPSZ") ? strtoul(getenv("POPSZ"), NULL, 0) : (1u << 20);
			size_t len = size - populated < step ? size - populated : step;
			madvise((void *)(p + populated), len, MADV_POPULATE_READ);
			populated += len;
		}
		if (!getenv("NOREL") && off - released >= (4u << 20)) {
			size_t e = off & ~(size_t)4095;
			madvise((void *)(p + released), e - released, MADV_DONTNEED);
			released = e;
		}
		size_t end = off + (1u << 19) < size ? off + (1u << 19) : size,
		       next = walk(p, off, end);
		if (next == off)
			next = walk(p, off, size);
		if (next == off)
			break;
		off = next;
	}
	munmap((void *)p, size);
	return 0;
}

static int folios(int fd, size_t size)
{
	const uint8_t *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	int pm = open("/proc/self/pagemap", O_RDONLY), kf = open("/proc/kpageflags", O_RDONLY);
	uint64_t hist[24] = { 0 }, run = 0, pages = size / 4096;
	if (p == MAP_FAILED || pm < 0 || kf < 0)
		return 1;
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t e, fl = 0;
		if (pread(pm, &e, 8, (off_t)(((uintptr_t)p / 4096 + i) * 8)) != 8 || !(e >> 63))
			continue;
		if (pread(kf, &fl, 8, (off_t)((e & ((1ull << 55) - 1)) * 8)) != 8)
			continue;
		/* KPF_COMPOUND_HEAD 15, KPF_COMPOUND_TAIL 16 */
		if (fl & (1ull << 16)) {
			run++;
			continue;
		}
		if (run) {
			hist[63 - __builtin_clzll(run)]++;
			run = 0;
		}
		run = 1;
	}
	if (run)
		hist[63 - __builtin_clzll(run)]++;
	for (int k = 0; k < 24; k++)
		if (hist[k])
			printf("folios of %6llu KiB: %llu\n", (1ull << k) * 4,
			       (unsigned long long)hist[k]);
	return 0;
}

int main(int argc, char **argv)
{
	struct stat st;
	const char *mode = argc > 2 ? argv[1] : "";
	int fd = argc > 2 ? open(argv[2], O_RDONLY) : -1, r = 1;
	const uint8_t *p;
	if (getenv("PFK"))
		pf_kind = (int)strtol(getenv("PFK"), NULL, 10);
	if (getenv("PFS"))
		pf_step = strtoul(getenv("PFS"), NULL, 0);
	if (getenv("PF"))
		pf_ahead = strtoul(getenv("PF"), NULL, 0);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr,
			"usage: walk read|mmap|mmap-pop|win-fault|win-pop|chunk-pop|folios FILE\n");
		return 2;
	}
	if (!strcmp(mode, "read")) {
		r = by_read(fd);
	} else if (!strcmp(mode, "mmap") || !strcmp(mode, "mmap-pop")) {
		void *hint = NULL;
		if (getenv("ALIGN")) { /* ALIGN=1: the mapping starts on a 2 MiB boundary */
			uint8_t *a = mmap(NULL, (size_t)st.st_size + (2ul << 20), PROT_NONE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			hint = (void *)(((uintptr_t)a + (2ul << 20) - 1) &
					~((uintptr_t)(2ul << 20) - 1));
		}
		p = mmap(hint, (size_t)st.st_size, PROT_READ,
			 MAP_PRIVATE | (hint ? MAP_FIXED : 0) | (mode[4] ? MAP_POPULATE : 0), fd,
			 0);
		if (getenv("SHOW")) {
			char b[64];
			snprintf(b, sizeof(b), "grep -E 'FilePmd' /proc/%d/smaps_rollup",
				 (int)getpid());
			fprintf(stderr, "map at %p\n", (void *)p);
			(void)!system(b);
		}
		if (p != MAP_FAILED && getenv("MPOP"))
			madvise((void *)p, (size_t)st.st_size, MADV_POPULATE_READ);
		if (p != MAP_FAILED) {
			walk(p, 24, (size_t)st.st_size);
			if (getenv("UNMAP"))
				munmap((void *)p, (size_t)st.st_size);
			r = 0;
		}
	} else if (!strcmp(mode, "win-fault") || !strcmp(mode, "win-pop")) {
		r = by_windows(fd, (size_t)st.st_size, mode[4] == 'p' ? MAP_POPULATE : 0);
	} else if (!strcmp(mode, "chunk-pop")) {
		r = by_chunks(fd, (size_t)st.st_size);
	} else if (!strcmp(mode, "folios")) {
		return folios(fd, (size_t)st.st_size);
	}
	printf("%s: %llu records, sum %llx\n", mode, (unsigned long long)n_rec,
	       (unsigned long long)sum);
	return r;
}
