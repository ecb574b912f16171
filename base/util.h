/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by every module: time, strings, versions, endpoints. */
#ifndef MP_UTIL_H
#define MP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stat;

/* Monotonic milliseconds, for deadlines. */
int64_t mp_now_ms(void);

/* Copy with truncation; always NUL-terminates when n > 0. Returns strlen(src). */
size_t mp_strlcpy(char *dst, const char *src, size_t n);

/* snprintf that never fails silently: truncates and still terminates. */
void mp_fmt(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Copy bytes that came from a peer into a report-safe string: printable ASCII
 * is kept, every other byte becomes "\xNN" so hostile input can never make
 * the report invalid JSON or inject markup. Always NUL-terminates.
 */
void mp_sanitize(char *dst, size_t n, const uint8_t *src, size_t len);

/* A host name or address literal safe to put in a report (letters, digits, - . : _ [ ] %). */
bool mp_host_valid(const char *host);

/*
 * Versions like "2.5.1", "2.4.1.1", "3.7.x", "2.8.2.tiered", "0.10.2.0".
 * Up to 4 numeric components; "x" is a wildcard (compares as the lowest patch
 * for minimum checks: see mp_ver_cmp). Trailing ".kraft"/".tiered" labels are
 * kept in `label` and ignored for ordering.
 */
struct mp_ver {
	int n;	  /* numeric components parsed */
	int c[4]; /* -1 = wildcard "x" */
	char label[16];
};

/* 0 on success, -EINVAL on a malformed version. */
int mp_ver_parse(const char *s, struct mp_ver *ret);
/* <0, 0, >0; missing components count as 0; a wildcard counts as 0. */
int mp_ver_cmp(const struct mp_ver *a, const struct mp_ver *b);
/* Compare two version strings; malformed sorts first. */
int mp_ver_cmp_str(const char *a, const char *b);

/*
 * Parse "host:port", "[v6]:port" or "host" (then *ret_port = default_port,
 * which may be 0 meaning "none given"). A "/chroot" suffix is stripped when
 * allow_chroot. Returns 0 or -EINVAL with a reason in errbuf.
 */
int mp_hostport_parse(const char *s, char *host, size_t hostlen, uint16_t *ret_port,
		      uint16_t default_port, bool allow_chroot, char *errbuf, size_t errlen);

/* Strict unsigned parse: whole string, in [min, max]. 0 or -EINVAL. */
int mp_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret);

/*
 * Data-file lines: the next line of [*p, end) without its "\n" or "\r\n",
 * advancing *p past it. Returns false at the end. Blank lines and "#"
 * comments are returned too; mp_line_is_data() tells them apart.
 */
bool mp_next_line(const char **p, const char *end, const char **ret_line, size_t *ret_len);
bool mp_line_is_data(const char *line, size_t len);

/*
 * Open a file input (a table, a CA or key file, a capture, a JSON file)
 * read-only without ever blocking in open(): O_NONBLOCK, so a FIFO does not
 * wait for a writer; fstat; anything but a regular file is refused; then
 * O_NONBLOCK is cleared for ordinary reads. Returns the descriptor (with
 * its stat in *ret_st when not NULL) or -errno with "PATH: why" in errbuf.
 */
int mp_open_regular(const char *path, struct stat *ret_st, char *errbuf, size_t errlen);
/* The same check for a path that a library (OpenSSL, libpcap) opens itself: 0 or -errno. */
int mp_check_regular(const char *path, char *errbuf, size_t errlen);

/* RFC 3339 UTC timestamp of wall-clock now (or of t when t >= 0), into buf[32]. */
void mp_rfc3339(char buf[32], int64_t unix_seconds);

/* Is s[0..len) well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF)? */
bool mp_utf8_valid(const char *s, size_t len);

#endif
