/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The zero-copy reader for classic pcap files: the file mapped MAP_PRIVATE
 * (read-only, MADV_SEQUENTIAL), walked record by record (cap_pcapwalk.c),
 * the BPF filter run on the mapped bytes (pcap_offline_filter, the same
 * interpreter libpcap runs on its own copy), and what has been read unmapped
 * again every CAP_MAP_RELEASE bytes so the resident size does not grow with
 * the file. The mapping and the unmapping are a thread's of their own (the
 * mapping thread), so the reader meets pages already mapped and leaves the
 * teardown behind it: on another core, the time they take is off the read.
 *
 * A file cut short while it is mapped makes the kernel raise SIGBUS on the
 * first access past its new end. The handler (installed once) maps a page of
 * zeros over the faulting page of the capture thread's own mapping and
 * notes it, so the access completes, whatever code made it (decap, the flow
 * table, the evidence writer), without a jump out of half-updated state; the
 * reader then stops before the next record with a corrupt-input error. A cut
 * inside the last page reads zeros without a fault: the size is checked
 * against the file's when the walk ends. A SIGBUS anywhere else goes to the
 * handler that was there before, or to the default action.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cap-internal.h"
#include "util.h"

/* The mapping the current thread walks (the signal is delivered to the thread that faults). */
static _Thread_local uintptr_t guard_lo, guard_hi;
static _Thread_local volatile sig_atomic_t guard_hit;
static struct sigaction bus_prev;
static long page_size;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	if (a >= guard_lo && a < guard_hi) {
		void *page = (void *)(a & ~(uintptr_t)(page_size - 1));
		if (mmap(page, (size_t)page_size, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			guard_hit = 1;
			return; /* the access is made again, now on zeros */
		}
	}
	if ((bus_prev.sa_flags & SA_SIGINFO) && bus_prev.sa_sigaction) {
		bus_prev.sa_sigaction(sig, si, uc);
	} else if (bus_prev.sa_handler != SIG_DFL && bus_prev.sa_handler != SIG_IGN) {
		bus_prev.sa_handler(sig);
	} else {
		/* not ours: the access faults again on return and the default action ends us */
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigemptyset(&dfl.sa_mask);
		sigaction(SIGBUS, &dfl, NULL);
	}
}

static void bus_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER };
	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0)
		page_size = 4096;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &bus_prev);
}

static void mt_futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	(void)syscall(SYS_futex, (uint32_t *)w, op | FUTEX_PRIVATE_FLAG, val, ts, NULL, 0);
}

/*
 * [a, b) of the file, whole pages in, as one call (the file's end rounded up
 * to its page). Should the reader have gone past it and unmapped it
 * meanwhile (this thread kept off the CPU), out again.
 */
static void mt_populate(struct cap_fmap *m, size_t a, size_t b)
{
	size_t rel;

	/* EINVAL: an old kernel; EFAULT: a cut file: the reader's own faults from here on */
	if (madvise((void *)(m->base + a), b - a, MADV_POPULATE_READ) != 0)
		m->mt->populate_off = true;
	rel = atomic_load(&m->mt->released);
	if (rel > a)
		(void)madvise((void *)(m->base + a), (rel < b ? rel : b) - a, MADV_DONTNEED);
}

/*
 * Unmap what is read below pos, in whole 2 MiB of the address (a huge folio
 * of the page cache mapped whole is unmapped whole, not split first), once
 * at least min bytes are due. Either thread may: a range unmapped twice
 * costs nothing, and released only grows.
 */
static bool mt_release(struct cap_fmap *m, size_t pos, size_t min)
{
	struct cap_fmap_mt *t = m->mt;
	size_t from = atomic_load(&t->released);
	size_t end =
		(size_t)((((uintptr_t)m->base + pos) & ~(uintptr_t)0x1fffff) - (uintptr_t)m->base);

	if (end <= from || end - from < min)
		return false;
	(void)madvise((void *)(m->base + from), end - from, MADV_DONTNEED);
	while (from < end && !atomic_compare_exchange_weak(&t->released, &from, end))
		;
	return true;
}

/*
 * The mapping thread. It never reads a byte of the mapping (so never takes
 * SIGBUS): a page past the end of a file cut short makes MADV_POPULATE_READ
 * fail with EFAULT, and it then leaves the pages to the reader's own faults.
 */
static void *mt_main(void *arg)
{
	struct cap_fmap *m = arg;
	struct cap_fmap_mt *t = m->mt;
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };

	while (!atomic_load(&t->quit)) {
		uint32_t seq = atomic_load(&t->seq);
		size_t pos = atomic_load(&t->pos);
		/* ahead: the next window, while the reader is less than CAP_MAP_LOOKAHEAD behind
		 * (never what it has read already: a thread kept off the CPU starts again there) */
		if (t->populated < pos)
			t->populated = pos & ~(size_t)(CAP_MAP_WINDOW - 1);
		bool busy = false;
		if (!t->populate_off && t->populated < m->size &&
		    t->populated < pos + CAP_MAP_LOOKAHEAD) {
			size_t len = m->size - t->populated < CAP_MAP_WINDOW
					     ? m->size - t->populated
					     : CAP_MAP_WINDOW;
			mt_populate(m, t->populated, t->populated + len);
			t->populated += len;
			busy = true;
		}
		/* behind, in the same turn: mapping ahead takes about as long as the reader takes
		 * to read it, and a thread that maps ahead first and unmaps only when nothing is
		 * left to map leaves the unmapping to the reader (CAP_MAP_BEHIND_MAX) */
		if (mt_release(m, pos, CAP_MAP_RELEASE) || busy)
			continue;
		/* nothing to do before the reader has read half the look-ahead (one wake per
		 * CAP_MAP_LOOKAHEAD / 2: each costs the reader a system call): sleep on seq (a
		 * publication since it was read returns at once; the tick bounds the wait) */
		atomic_store(&t->wake_at, pos + CAP_MAP_LOOKAHEAD / 2);
		atomic_store(&t->sleeping, 1);
		if (!atomic_load(&t->quit) && atomic_load(&t->pos) < pos + CAP_MAP_LOOKAHEAD / 2)
			mt_futex(&t->seq, FUTEX_WAIT, seq, &tick);
		atomic_store(&t->sleeping, 0);
	}
	return NULL;
}

/* The reader's place, once per CAP_MAP_WINDOW: the mapping thread moves with it. */
static inline void mt_publish(struct cap_fmap *m)
{
	struct cap_fmap_mt *t = m->mt;
	m->published = m->w.off;
	atomic_store(&t->pos, m->w.off);
	atomic_fetch_add(&t->seq, 1);
	if (atomic_load(&t->sleeping) && m->w.off >= atomic_load(&t->wake_at))
		mt_futex(&t->seq, FUTEX_WAKE, 1, NULL);
	/* the thread kept off the CPU: the mapping must not grow with the file meanwhile */
	(void)mt_release(m, m->w.off, CAP_MAP_BEHIND_MAX);
}

/* Start the mapping thread: false when it can not be (the reader maps and unmaps itself). */
static bool mt_start(struct cap_fmap *m)
{
	sigset_t all, old;
	int r;

	m->mt = aligned_alloc(64, (sizeof(*m->mt) + 63) & ~(size_t)63);
	if (!m->mt)
		return false;
	memset(m->mt, 0, sizeof(*m->mt));
	/* every signal stays with the threads that handle them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&m->mt_thread, NULL, mt_main, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		free(m->mt);
		m->mt = NULL;
		return false;
	}
	return true;
}

static void mt_stop(struct cap_fmap *m)
{
	if (!m->mt)
		return;
	atomic_store(&m->mt->quit, 1);
	atomic_fetch_add(&m->mt->seq, 1);
	mt_futex(&m->mt->seq, FUTEX_WAKE, 1, NULL);
	pthread_join(m->mt_thread, NULL);
	free(m->mt);
	m->mt = NULL;
}

int cap_fmap_open(struct cap_fmap *m, int fd, char *errbuf, size_t errlen)
{
	struct stat st;
	void *p;
	int r;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		mp_fmt(errbuf, errlen, "fstat: %s", strerror(errno));
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX)
		return 1;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 1; /* libpcap reads it instead */
	(void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	m->base = p;
	m->size = (size_t)st.st_size;
	m->fd = fd;
	pthread_once(&bus_once, bus_install);
	/* the header was read by libpcap already (no SIGBUS risk worth a guard here) */
	if (cap_pcapw_init(&m->w, m->base, m->size) != 0) {
		cap_fmap_close(m);
		return 1;
	}
	return 0;
}

/*
 * What pcap_compile (optimised) makes of `tcp port P` when the link header
 * is l bytes long and ends in the ethertype (Ethernet: 14, Linux SLL: 16);
 * `tcpdump -d 'tcp port 2181'` prints it:
 *   0 ldh [l-2]; jeq 0x86dd 1:7      IPv6:  ldb [l+6]; jeq 6 : reject
 *   ldh [l+40]; jeq P accept : ldh [l+42]; jeq P accept : reject
 *   8 jeq 0x800 : reject             IPv4:  ldb [l+9]; jeq 6 : reject
 *   ldh [l+6]; jset 0x1fff reject    ldxb 4*([l]&0xf); ldh [x+l]; jeq P accept
 *   ldh [x+l+2]; jeq P accept : reject;   18 ret #snaplen; 19 ret #0
 * cap_fastf_match is that program in C: a load past caplen rejects, as
 * bpf_filter's does. Any other program (another filter, another libpcap's
 * code for this one) is left to the interpreter.
 */
bool cap_fastf_compile(struct cap_fastf *f, const struct bpf_program *prog)
{
	const struct bpf_insn *in = prog ? prog->bf_insns : NULL;
	uint32_t l, p;

	memset(f, 0, sizeof(*f));
	if (!in || prog->bf_len != 20 || in[0].k < 12 || in[0].k > 256 || in[5].k > 0xffff ||
	    in[18].k == 0)
		return false;
	l = in[0].k + 2;
	p = in[5].k;
	const struct bpf_insn want[20] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, l - 2 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 6, 0x86dd },
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, l + 6 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 15, 6 },
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, l + 40 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 12, 0, p },
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, l + 42 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 10, 11, p },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 10, 0x800 },
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, l + 9 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 8, 6 },
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, l + 6 },
		{ BPF_JMP | BPF_JSET | BPF_K, 6, 0, 0x1fff },
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, l },
		{ BPF_LD | BPF_H | BPF_IND, 0, 0, l },
		{ BPF_JMP | BPF_JEQ | BPF_K, 2, 0, p },
		{ BPF_LD | BPF_H | BPF_IND, 0, 0, l + 2 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, p },
		{ BPF_RET | BPF_K, 0, 0, in[18].k },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	for (unsigned i = 0; i < 20; i++)
		if (in[i].code != want[i].code || in[i].jt != want[i].jt ||
		    in[i].jf != want[i].jf || in[i].k != want[i].k)
			return false;
	f->l = l;
	f->port = (uint16_t)p;
	f->on = true;
	return true;
}

void cap_fmap_set_filter(struct cap_fmap *m, const struct bpf_program *prog)
{
	m->prog = prog;
	(void)cap_fastf_compile(&m->fast, prog);
}

int cap_fmap_next(struct cap_fmap *m, struct pcap_pkthdr *h, const uint8_t **ret_data, char *errbuf,
		  size_t errlen)
{
	int r;

	if (guard_lo != (uintptr_t)m->base) {
		guard_lo = (uintptr_t)m->base;
		guard_hi = guard_lo + m->size;
		guard_hit = 0;
	}
	if (!m->mt_tried) {
		m->mt_tried = true;
		(void)mt_start(m);
	}
	for (;;) {
		if (guard_hit) {
			mp_fmt(errbuf, errlen,
			       "the file was cut short while it was read (at or before byte %zu)",
			       m->w.off);
			return -EBADMSG;
		}
		if (m->mt) {
			if (m->w.off - m->published >= CAP_MAP_WINDOW)
				mt_publish(m);
			goto walk;
		}
		/* no mapping thread: map the pages ahead in one call per CAP_MAP_AHEAD bytes instead
		 * of a fault per 16 pages (an old kernel without MADV_POPULATE_READ, or a cut file:
		 * faults as usual) */
		if (m->w.off + CAP_MAP_AHEAD / 2 > m->populated && m->populated < m->size) {
			size_t len = m->size - m->populated < CAP_MAP_AHEAD ? m->size - m->populated
									    : CAP_MAP_AHEAD;
			(void)madvise((void *)(m->base + m->populated), len, MADV_POPULATE_READ);
			m->populated += len;
		}
		/* unmap what is behind us: whole pages below the record about to be read */
		if (m->w.off - m->released >= CAP_MAP_RELEASE) {
			/* at a 2 MiB boundary of the address: a huge page of the page
			 * cache mapped whole is unmapped whole, not split first */
			size_t end =
				(size_t)((((uintptr_t)m->base + m->w.off) & ~(uintptr_t)0x1fffff) -
					 (uintptr_t)m->base);
			(void)madvise((void *)(m->base + m->released), end - m->released,
				      MADV_DONTNEED);
			m->released = end;
		}
	walk:
		r = cap_pcapw_next(&m->w, h, ret_data, errbuf, errlen);
		if (r == 0) {
			struct stat st;
			if (!guard_hit && fstat(m->fd, &st) == 0 && (uint64_t)st.st_size >= m->size)
				return 0;
			mp_fmt(errbuf, errlen, "the file was cut short while it was read");
			return -EBADMSG;
		}
		if (r < 0)
			return r;
		if (guard_hit)
			continue; /* the header read zeros: report the cut, not the record */
		/* each record header's place comes from the one before: a chain of loads from
		 * memory. Fetch every line of the file CAP_MAP_PREFETCH bytes ahead instead, as a
		 * copy would read it, without the copy */
		for (size_t end = m->w.off + CAP_MAP_PREFETCH;
		     m->prefetched < end && m->prefetched < m->size; m->prefetched += 64)
			__builtin_prefetch(m->base + m->prefetched);
		if (!m->prog)
			return 1;
		if (m->fast.on ? cap_fastf_match(&m->fast, *ret_data, h->caplen)
			       : pcap_offline_filter(m->prog, h, *ret_data) != 0)
			return 1;
	}
}

void cap_fmap_close(struct cap_fmap *m)
{
	mt_stop(m);
	if (m->base) {
		if (guard_lo == (uintptr_t)m->base)
			guard_lo = guard_hi = 0;
		munmap((void *)m->base, m->size);
	}
	m->base = NULL;
}
