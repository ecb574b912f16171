/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Prometheus text exposition format, version 0.0.4 ("Exposition
 * formats", prometheus.io/docs/instrumenting/exposition_formats/), as the
 * Prometheus JMX exporter writes it (docs/open-monitoring.md has a real
 * broker's scrape). One line is one of:
 *
 *   (empty)
 *   # HELP name docstring          (any line starting with '#': a comment)
 *   # TYPE name counter|gauge|untyped|...
 *   name [ "{" label "=" '"' value '"' { "," label "=" '"' value '"' } [","] "}" ] value [ timestamp ]
 *
 *   name   [a-zA-Z_:][a-zA-Z0-9_:]*       label  [a-zA-Z_][a-zA-Z0-9_]*
 *   value  a float, NaN, +Inf or -Inf       timestamp  an int64 (milliseconds)
 *   label values escape \\ \" and \n; the JMX exporter 0.12 leaves a comma
 *   before the closing brace.
 *
 * Hand-written, streaming and bounded instead of a library: no C library for
 * this format is packaged for the project's platforms, the format is a
 * line grammar of a page, and a streaming parser keeps one line
 * (MP_OM_LINE_MAX) in memory whatever the size of the scrape, where the
 * reference parsers (Go, Python) hold the whole text. Input is hostile: a
 * line past the cap, a NUL byte, a duplicate label, more than
 * MP_OM_LABELS_MAX labels, an unterminated value or a malformed number
 * makes the whole scrape bad (OM_BAD, naming the line), as Prometheus itself
 * rejects such a scrape.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "om.h"
#include "util.h"

struct om_parser {
	om_sample_fn fn;
	void *ud;
	char *line; /* MP_OM_LINE_MAX + 1 */
	size_t len;
	uint64_t lineno, samples;
	bool bad;
	char why[MP_ERR_MAX];
};

int om_parser_new(struct om_parser **ret, om_sample_fn fn, void *ud)
{
	struct om_parser *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->line = malloc(MP_OM_LINE_MAX + 1);
	if (!p->line) {
		free(p);
		return -ENOMEM;
	}
	p->fn = fn;
	p->ud = ud;
	*ret = p;
	return 0;
}

void om_parser_free(struct om_parser *p)
{
	if (!p)
		return;
	free(p->line);
	free(p);
}

uint64_t om_parser_samples(const struct om_parser *p)
{
	return p ? p->samples : 0;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static bool name_start(char c, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}

static bool name_char(char c, bool colon)
{
	return name_start(c, colon) || (c >= '0' && c <= '9');
}

static char *skip_ws(char *s, char *end)
{
	while (s < end && is_ws(*s))
		s++;
	return s;
}

/* A float as the format writes it; the whole token must be one. */
static bool parse_value(const char *tok, double *ret)
{
	if (strcmp(tok, "NaN") == 0) {
		*ret = NAN;
		return true;
	}
	if (strcmp(tok, "+Inf") == 0 || strcmp(tok, "Inf") == 0) {
		*ret = INFINITY;
		return true;
	}
	if (strcmp(tok, "-Inf") == 0) {
		*ret = -INFINITY;
		return true;
	}
	/* digits, sign, point, exponent only: strtod's hex, "inf" and "nan(...)" are not the format */
	for (const char *c = tok; *c; c++)
		if (!((*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' ||
		      *c == '+' || *c == '-'))
			return false;
	if (!tok[0])
		return false;
	char *end = NULL;
	errno = 0;
	double v = strtod(tok, &end);
	if (!end || *end || end == tok)
		return false;
	*ret = v; /* an overflow is +-HUGE_VAL: Inf, a legal value */
	return true;
}

static bool parse_timestamp(const char *tok)
{
	const char *c = tok;
	if (*c == '-')
		c++;
	size_t n = strlen(c);
	if (n == 0 || n > 19)
		return false;
	for (; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	return true;
}

static int bad(struct om_parser *p, const char *what)
{
	p->bad = true;
	mp_fmt(p->why, sizeof(p->why), "line %llu: %s", (unsigned long long)p->lineno, what);
	return OM_BAD;
}

/* One line, s[0..len) with s[len] writable; labels are unescaped in place. */
static int parse_line(struct om_parser *p, char *s, size_t len)
{
	struct om_sample smp;
	char *end = s + len;

	p->lineno++;
	if (len && s[len - 1] == '\r')
		end--;
	*end = '\0';
	if (memchr(s, '\0', (size_t)(end - s)))
		return bad(p, "a NUL byte");
	s = skip_ws(s, end);
	if (s == end || *s == '#')
		return 0;
	smp.n_labels = 0;
	smp.name = s;
	if (!name_start(*s, true))
		return bad(p, "a sample line that does not start with a metric name");
	while (s < end && name_char(*s, true))
		s++;
	char *name_end = s;
	s = skip_ws(s, end);
	bool braces = s < end && *s == '{';
	if (!braces && s == name_end)
		return bad(p, "the metric name is not followed by a space or '{'");
	if (!braces && s == end)
		return bad(p, "a sample without a value");
	*name_end = '\0';
	if (braces) {
		s++;
		for (;;) {
			s = skip_ws(s, end);
			if (s < end && *s == '}') {
				s++;
				break;
			}
			if (s == end || !name_start(*s, false))
				return bad(p, "a label that does not start with a label name");
			if (smp.n_labels == MP_OM_LABELS_MAX)
				return bad(p, "more labels than the cap");
			char *ln = s;
			while (s < end && name_char(*s, false))
				s++;
			char *ln_end = s;
			s = skip_ws(s, end);
			if (s == end || *s != '=')
				return bad(p, "a label name not followed by '='");
			*ln_end = '\0';
			s = skip_ws(s + 1, end);
			if (s == end || *s != '"')
				return bad(p, "a label value that does not start with '\"'");
			char *v = ++s, *d = v;
			for (;;) {
				if (s == end)
					return bad(p, "an unterminated label value");
				if (*s == '"')
					break;
				if (*s == '\\') {
					if (s + 1 == end)
						return bad(p, "an unterminated label value");
					s++;
					*d++ = *s == 'n'
						       ? '\n'
						       : *s; /* \\ \" \n; others kept as the character */
					s++;
					continue;
				}
				*d++ = *s++;
			}
			s++; /* the closing quote */
			*d = '\0';
			for (size_t i = 0; i < smp.n_labels; i++)
				if (strcmp(smp.labels[i].name, ln) == 0)
					return bad(p, "a duplicate label name");
			smp.labels[smp.n_labels].name = ln;
			smp.labels[smp.n_labels].value = v;
			smp.n_labels++;
			s = skip_ws(s, end);
			if (s < end && *s == ',') {
				s++;
				continue;
			}
			if (s < end && *s == '}') {
				s++;
				break;
			}
			return bad(p, "a label value not followed by ',' or '}'");
		}
		s = skip_ws(s, end);
	}
	char *vt = s;
	while (s < end && !is_ws(*s))
		s++;
	if (s == vt)
		return bad(p, "a sample without a value");
	char *vt_end = s;
	s = skip_ws(s, end);
	*vt_end = '\0';
	if (!parse_value(vt, &smp.value))
		return bad(p, "a value that is not a number");
	if (s < end) {
		char *ts = s;
		while (s < end && !is_ws(*s))
			s++;
		char *ts_end = s;
		s = skip_ws(s, end);
		*ts_end = '\0';
		if (!parse_timestamp(ts))
			return bad(p, "a timestamp that is not an integer");
		if (s != end)
			return bad(p, "text after the timestamp");
	}
	p->samples++;
	return p->fn ? p->fn(&smp, p->ud) : 0;
}

int om_parser_feed(struct om_parser *p, const uint8_t *data, size_t len, char *errbuf,
		   size_t errlen)
{
	if (p->bad) {
		mp_strlcpy(errbuf, p->why, errlen);
		return OM_BAD;
	}
	while (len) {
		const uint8_t *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		if (take > MP_OM_LINE_MAX - p->len) {
			p->lineno++;
			bad(p, "longer than the line cap (MP_OM_LINE_MAX)");
			mp_strlcpy(errbuf, p->why, errlen);
			return OM_BAD;
		}
		memcpy(p->line + p->len, data, take);
		p->len += take;
		data += take;
		len -= take;
		if (!nl)
			break;
		data++;
		len--;
		size_t l = p->len;
		p->len = 0;
		int rc = parse_line(p, p->line, l);
		if (rc) {
			if (rc == OM_BAD)
				mp_strlcpy(errbuf, p->why, errlen);
			return rc;
		}
	}
	return 0;
}

int om_parser_end(struct om_parser *p, char *errbuf, size_t errlen)
{
	if (p->bad) {
		mp_strlcpy(errbuf, p->why, errlen);
		return OM_BAD;
	}
	if (!p->len)
		return 0;
	size_t l = p->len;
	p->len = 0;
	int rc = parse_line(p, p->line, l);
	if (rc == OM_BAD)
		mp_strlcpy(errbuf, p->why, errlen);
	return rc;
}
