/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guard in front of cJSON: one pass over untrusted JSON text (RFC 8259)
 * that checks its structure and counts what the cJSON tree would cost,
 * allocating nothing, so a file too big for memory is refused before
 * cJSON_Parse builds anything. (A 60 MB array of small numbers is 30
 * million values: 2.4 GB of cJSON nodes, all built before they could be
 * counted.)
 *
 *   value  = object / array / string / number / "true" / "false" / "null"
 *   object = "{" ws [ string ws ":" ws value ws *( "," ws string ws ":" ws value ws ) ] "}"
 *   array  = "[" ws [ value ws *( "," ws value ws ) ] "]"
 *   ws     = *( SP / HTAB / LF / CR )
 *
 * The caps are MP_JSON_* in base/mp_limits.h. The cost of the tree is
 * estimated as MP_JSON_NODE_COST per value plus, per string and member
 * name, its bytes as written, what rep_json_parse's defanging can add (a raw
 * control byte becomes the six bytes "\u00NN"), a NUL and 16 bytes of
 * allocator header. Bytes as written bound the decoded bytes from above.
 *
 * Stricter than cJSON 1.7 where cJSON is lax (whitespace is only the four
 * RFC characters, numbers follow the RFC grammar, \u takes four hex
 * digits), never laxer: what this accepts cJSON parses
 * (tests/fuzz/fuzz-json-guard.c checks it). Like cJSON, raw control bytes
 * inside strings are accepted (rep_json_parse defangs them).
 */
#include <errno.h>
#include <string.h>

#include "mp_limits.h"
#include "report.h"
#include "util.h"

enum want { W_VALUE, W_AFTER, W_MEMBER };

struct scan {
	const unsigned char *p;
	size_t len, i;
	struct rep_json_stats st;
	unsigned depth;
	bool is_obj[MP_JSON_DEPTH_MAX];
	uint32_t members[MP_JSON_DEPTH_MAX];
	/* the first problem: -EINVAL syntax, -E2BIG a cap; what, where */
	int rc;
	const char *what;
	size_t at;
};

static int fail(struct scan *s, int rc, const char *what, size_t at)
{
	s->rc = rc;
	s->what = what;
	s->at = at;
	return rc;
}

static void skip_ws(struct scan *s)
{
	while (s->i < s->len && (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' ||
				 s->p[s->i] == '\r'))
		s->i++;
}

static bool is_digit(const struct scan *s, size_t i)
{
	return i < s->len && s->p[i] >= '0' && s->p[i] <= '9';
}

/* Four hex digits at i into *ret; false when there are not. */
static bool hex4(const struct scan *s, size_t i, unsigned *ret)
{
	unsigned v = 0;
	if (i > s->len || s->len - i < 4)
		return false;
	for (size_t k = 0; k < 4; k++) {
		unsigned char c = s->p[i + k];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (unsigned)((c | 0x20) - 'a' + 10);
		else
			return false;
		v = (v << 4) | d;
	}
	*ret = v;
	return true;
}

/* The escape at i (the byte after a backslash); its length or 0 when bad. */
static size_t escape_len(const struct scan *s, size_t i)
{
	unsigned hi, lo;
	if (i >= s->len)
		return 0;
	switch (s->p[i]) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return 1;
	case 'u':
		break;
	default:
		return 0;
	}
	if (!hex4(s, i + 1, &hi) || (hi >= 0xdc00 && hi <= 0xdfff))
		return 0; /* a low surrogate alone: cJSON refuses it */
	if (hi < 0xd800 || hi > 0xdbff)
		return 5;
	/* a high surrogate must be followed by \u and a low one */
	if (i + 6 >= s->len || s->p[i + 5] != '\\' || s->p[i + 6] != 'u' || !hex4(s, i + 7, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return 0;
	return 11;
}

/* The string starting at the quote at s->i; s->i ends past its closing quote. */
static int string(struct scan *s)
{
	size_t start = s->i++;
	uint64_t extra = 0;
	for (;;) {
		if (s->i >= s->len)
			return fail(s, -EINVAL, "a string not closed", start);
		unsigned char c = s->p[s->i];
		if (c == '"')
			break;
		if (c == '\\') {
			size_t n = escape_len(s, s->i + 1);
			if (!n)
				return fail(s, -EINVAL, "a bad escape in a string", s->i);
			s->i += 1 + n;
			continue;
		}
		/* what defanging adds: C0 and DEL, C1, line separators and bidi controls */
		if (c < 0x20 || c == 0x7f)
			extra += 5;
		else if (c == 0xc2 && s->i + 1 < s->len && s->p[s->i + 1] >= 0x80 &&
			 s->p[s->i + 1] <= 0x9f)
			extra += 4;
		else if (c == 0xe2 && s->i + 1 < s->len &&
			 (s->p[s->i + 1] == 0x80 || s->p[s->i + 1] == 0x81))
			extra += 3;
		s->i++;
	}
	size_t n = s->i - start - 1;
	s->i++;
	if (n > MP_JSON_STRING_MAX)
		return fail(s, -E2BIG, "string", start);
	if (n > s->st.longest_string)
		s->st.longest_string = n;
	s->st.tree_bytes += 16 + ((n + extra + 1 + 15) & ~(uint64_t)15);
	return 0;
}

static int number(struct scan *s)
{
	size_t start = s->i;
	if (s->p[s->i] != '-' && !is_digit(s, s->i))
		return fail(s, -EINVAL, "syntax error", start);
	if (s->p[s->i] == '-')
		s->i++;
	if (!is_digit(s, s->i))
		return fail(s, -EINVAL, "a bad number", start);
	if (s->p[s->i] == '0')
		s->i++;
	else
		while (is_digit(s, s->i))
			s->i++;
	if (s->i < s->len && s->p[s->i] == '.') {
		if (!is_digit(s, ++s->i))
			return fail(s, -EINVAL, "a bad number", start);
		while (is_digit(s, s->i))
			s->i++;
	}
	if (s->i < s->len && (s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
		s->i++;
		if (s->i < s->len && (s->p[s->i] == '+' || s->p[s->i] == '-'))
			s->i++;
		if (!is_digit(s, s->i))
			return fail(s, -EINVAL, "a bad number", start);
		while (is_digit(s, s->i))
			s->i++;
	}
	if (s->i - start > MP_JSON_NUMBER_MAX)
		return fail(s, -E2BIG, "number", start);
	return 0;
}

static int literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if (s->len - s->i < n || memcmp(s->p + s->i, word, n) != 0)
		return fail(s, -EINVAL, "syntax error", s->i);
	s->i += n;
	return 0;
}

/* One value starts at s->i: count it, then scan it or open its container. */
static int value(struct scan *s, enum want *next)
{
	if (s->i >= s->len)
		return fail(s, -EINVAL, "syntax error", s->i);
	if (++s->st.values > MP_JSON_VALUES_MAX)
		return fail(s, -E2BIG, "values", s->i);
	s->st.tree_bytes += MP_JSON_NODE_COST;
	*next = W_AFTER;
	switch (s->p[s->i]) {
	case '{':
	case '[': {
		bool obj = s->p[s->i] == '{';
		if (s->depth >= MP_JSON_DEPTH_MAX)
			return fail(s, -E2BIG, "depth", s->i);
		s->is_obj[s->depth] = obj;
		s->members[s->depth] = 0;
		if (++s->depth > s->st.depth)
			s->st.depth = s->depth;
		s->i++;
		skip_ws(s);
		if (s->i < s->len && s->p[s->i] == (obj ? '}' : ']')) {
			s->i++;
			s->depth--;
		} else {
			*next = obj ? W_MEMBER : W_VALUE;
		}
		return 0;
	}
	case '"':
		return string(s);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		return number(s);
	}
}

/* A member name and its colon; the value follows. */
static int member(struct scan *s)
{
	if (++s->members[s->depth - 1] > MP_JSON_MEMBERS_MAX)
		return fail(s, -E2BIG, "members", s->i);
	if (s->i >= s->len || s->p[s->i] != '"')
		return fail(s, -EINVAL, "syntax error", s->i);
	if (string(s) < 0)
		return s->rc;
	skip_ws(s);
	if (s->i >= s->len || s->p[s->i] != ':')
		return fail(s, -EINVAL, "syntax error", s->i);
	s->i++;
	return 0;
}

/* After a value: a comma, the end of its container, or (at the top) the end. */
static int after(struct scan *s, enum want *next)
{
	if (!s->depth) {
		if (s->i != s->len)
			return fail(s, -EINVAL, "text after the JSON value", s->i);
		return 1;
	}
	bool obj = s->is_obj[s->depth - 1];
	if (s->i < s->len && s->p[s->i] == ',') {
		s->i++;
		*next = obj ? W_MEMBER : W_VALUE;
		return 0;
	}
	if (s->i < s->len && s->p[s->i] == (obj ? '}' : ']')) {
		s->i++;
		s->depth--;
		*next = W_AFTER;
		return 0;
	}
	return fail(s, -EINVAL, "syntax error", s->i);
}

static void where(const struct scan *s, size_t *ret_line, size_t *ret_col)
{
	size_t line = 1, col = 1;
	for (size_t k = 0; k < s->at && k < s->len; k++, col++)
		if (s->p[k] == '\n') {
			line++;
			col = 0;
		}
	*ret_line = line;
	*ret_col = col;
}

static void explain(const struct scan *s, const char *name, char *errbuf, size_t errlen)
{
	size_t line, col;
	where(s, &line, &col);
	if (s->rc == -EINVAL && strcmp(s->what, "text after the JSON value") == 0)
		mp_fmt(errbuf, errlen, "%s: text after the JSON value (line %zu column %zu)", name,
		       line, col);
	else if (s->rc == -EINVAL)
		mp_fmt(errbuf, errlen, "%s: not valid JSON (%s near line %zu column %zu)", name,
		       s->what, line, col);
	else if (strcmp(s->what, "values") == 0)
		mp_fmt(errbuf, errlen,
		       "%s: more than %u JSON values (MP_JSON_VALUES_MAX): refused before parsing",
		       name, MP_JSON_VALUES_MAX);
	else if (strcmp(s->what, "depth") == 0)
		mp_fmt(errbuf, errlen,
		       "%s: nested deeper than %u levels (MP_JSON_DEPTH_MAX) at line %zu", name,
		       MP_JSON_DEPTH_MAX, line);
	else if (strcmp(s->what, "members") == 0)
		mp_fmt(errbuf, errlen,
		       "%s: an object with more than %u members (MP_JSON_MEMBERS_MAX) at line %zu",
		       name, MP_JSON_MEMBERS_MAX, line);
	else if (strcmp(s->what, "string") == 0)
		mp_fmt(errbuf, errlen,
		       "%s: a string longer than %u bytes (MP_JSON_STRING_MAX) at line %zu "
		       "column %zu",
		       name, MP_JSON_STRING_MAX, line, col);
	else if (strcmp(s->what, "number") == 0)
		mp_fmt(errbuf, errlen,
		       "%s: a number longer than %u characters (MP_JSON_NUMBER_MAX) at line %zu "
		       "column %zu",
		       name, MP_JSON_NUMBER_MAX, line, col);
	else
		mp_fmt(errbuf, errlen,
		       "%s: its JSON tree would take more than the %u MiB allowed "
		       "(MP_JSON_TREE_BYTES_MAX): refused before parsing",
		       name, MP_JSON_TREE_BYTES_MAX >> 20);
}

int rep_json_scan(const char *data, size_t len, const char *name, struct rep_json_stats *ret,
		  char *errbuf, size_t errlen)
{
	struct scan s = { .p = (const unsigned char *)data, .len = data ? len : 0 };
	enum want next = W_VALUE;
	int rc = 0;

	skip_ws(&s);
	while (rc == 0) {
		if (next == W_MEMBER && member(&s) < 0)
			break;
		if (next == W_MEMBER || next == W_VALUE) {
			skip_ws(&s);
			if (value(&s, &next) < 0)
				break;
			if (next != W_AFTER)
				continue;
		}
		skip_ws(&s);
		rc = after(&s, &next);
		if (rc == 0 && next != W_AFTER)
			skip_ws(&s);
		if (s.st.tree_bytes > MP_JSON_TREE_BYTES_MAX)
			rc = fail(&s, -E2BIG, "bytes", s.i);
	}
	if (s.rc < 0) {
		explain(&s, name, errbuf, errlen);
		return s.rc;
	}
	if (ret)
		*ret = s.st;
	return 0;
}
