/* SPDX-License-Identifier: Apache-2.0 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t mp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t mp_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

void mp_fmt(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	if (!n)
		return;
	va_start(ap, fmt);
	int r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	if (r < 0)
		dst[0] = '\0';
}

void mp_sanitize(char *dst, size_t n, const uint8_t *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!n)
		return;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = src[i];
		bool plain = c >= 0x20 && c < 0x7f && c != '\\';
		size_t need = plain ? 1 : 4;
		if (o + need >= n)
			break;
		if (plain) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
}

bool mp_host_valid(const char *host)
{
	size_t n = 0;
	for (const char *p = host; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;
		if (!(isalnum(c) || c == '-' || c == '.' || c == ':' || c == '_' || c == '%' ||
		      c == '[' || c == ']'))
			return false;
	}
	return n > 0 && n < 254;
}

int mp_ver_parse(const char *s, struct mp_ver *ret)
{
	struct mp_ver v = { 0 };
	const char *p = s;
	if (!s || !*s)
		return -EINVAL;
	while (*p) {
		if (v.n == 4 || !(isdigit((unsigned char)*p) || *p == 'x')) {
			/* the rest is a label like "kraft" or "tiered" */
			if (v.n < 2 || !isalpha((unsigned char)*p))
				return -EINVAL;
			if (strlen(p) >= sizeof(v.label))
				return -EINVAL;
			for (const char *q = p; *q; q++)
				if (!isalnum((unsigned char)*q) && *q != '.')
					return -EINVAL;
			mp_strlcpy(v.label, p, sizeof(v.label));
			break;
		}
		if (*p == 'x') {
			v.c[v.n++] = -1;
			p++;
		} else {
			long c = 0;
			int digits = 0;
			while (isdigit((unsigned char)*p)) {
				if (++digits > 6)
					return -EINVAL;
				c = c * 10 + (*p++ - '0');
			}
			v.c[v.n++] = (int)c;
		}
		if (*p == '.')
			p++;
		else if (*p)
			return -EINVAL;
	}
	if (v.n < 2)
		return -EINVAL;
	*ret = v;
	return 0;
}

int mp_ver_cmp(const struct mp_ver *a, const struct mp_ver *b)
{
	for (int i = 0; i < 4; i++) {
		int x = i < a->n && a->c[i] >= 0 ? a->c[i] : 0;
		int y = i < b->n && b->c[i] >= 0 ? b->c[i] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

int mp_ver_cmp_str(const char *a, const char *b)
{
	struct mp_ver va, vb;
	bool oka = mp_ver_parse(a, &va) == 0, okb = mp_ver_parse(b, &vb) == 0;
	if (!oka || !okb)
		return (int)oka - (int)okb;
	return mp_ver_cmp(&va, &vb);
}

int mp_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
	char *end = NULL;
	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int mp_hostport_parse(const char *s, char *host, size_t hostlen, uint16_t *ret_port,
		      uint16_t default_port, bool allow_chroot, char *errbuf, size_t errlen)
{
	char tmp[512];
	const char *h, *port = NULL;
	char *slash;
	unsigned long pv;

	if (strlen(s) >= sizeof(tmp)) {
		mp_fmt(errbuf, errlen, "endpoint '%.40s...' is too long", s);
		return -EINVAL;
	}
	mp_strlcpy(tmp, s, sizeof(tmp));
	slash = strchr(tmp, '/');
	if (slash) {
		if (!allow_chroot) {
			mp_fmt(errbuf, errlen, "endpoint '%s' has a path", s);
			return -EINVAL;
		}
		*slash = '\0';
	}
	if (tmp[0] == '[') {
		char *close = strchr(tmp, ']');
		if (!close) {
			mp_fmt(errbuf, errlen, "endpoint '%s': unterminated '['", s);
			return -EINVAL;
		}
		*close = '\0';
		h = tmp + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1]) {
			mp_fmt(errbuf, errlen, "endpoint '%s': junk after ']'", s);
			return -EINVAL;
		}
	} else {
		char *colon = strrchr(tmp, ':');
		if (colon && strchr(tmp, ':') != colon) {
			mp_fmt(errbuf, errlen, "endpoint '%s': IPv6 addresses need [brackets]", s);
			return -EINVAL;
		}
		if (colon) {
			*colon = '\0';
			port = colon + 1;
		}
		h = tmp;
	}
	if (!mp_host_valid(h)) {
		mp_fmt(errbuf, errlen, "endpoint '%s': bad host name", s);
		return -EINVAL;
	}
	if (port) {
		if (mp_parse_uint(port, 1, 65535, &pv) < 0) {
			mp_fmt(errbuf, errlen, "endpoint '%s': bad port '%s'", s, port);
			return -EINVAL;
		}
	} else {
		pv = default_port;
	}
	if (strlen(h) >= hostlen) {
		mp_fmt(errbuf, errlen, "endpoint '%s': host too long", s);
		return -EINVAL;
	}
	mp_strlcpy(host, h, hostlen);
	*ret_port = (uint16_t)pv;
	return 0;
}

void mp_rfc3339(char buf[32], int64_t unix_seconds)
{
	time_t t = unix_seconds >= 0 ? (time_t)unix_seconds : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool mp_next_line(const char **p, const char *end, const char **ret_line, size_t *ret_len)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *le = nl ? nl : end;
	*ret_line = *p;
	if (le > *p && le[-1] == '\r')
		le--;
	*ret_len = (size_t)(le - *p);
	*p = nl ? nl + 1 : end;
	return true;
}

bool mp_line_is_data(const char *line, size_t len)
{
	return len > 0 && line[0] != '#';
}

int mp_open_regular(const char *path, struct stat *ret_st, char *errbuf, size_t errlen)
{
	/* regular files ignore O_NONBLOCK; a FIFO opens at once instead of
	 * waiting for a writer, and is refused below */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	int flags, rc;

	if (fd < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		mp_fmt(errbuf, errlen, "%s: not a regular file", path);
		rc = -EINVAL;
		goto fail;
	}
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (ret_st)
		*ret_st = st;
	return fd;
fail:
	close(fd);
	return rc;
}

int mp_check_regular(const char *path, char *errbuf, size_t errlen)
{
	int fd = mp_open_regular(path, NULL, errbuf, errlen);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

bool mp_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t need;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			need = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}
