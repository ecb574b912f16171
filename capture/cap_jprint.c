/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Serialise a cJSON tree exactly as cJSON_Print (cJSON 1.7, formatted) does,
 * byte for byte, only faster. cJSON prints every number with sprintf("%1.15g")
 * and reads it back with sscanf to check the round trip: for the 10,000
 * flows a capture report lists that was most of the time between the end of
 * the file and the report on stdout. Integers below 10^15 (every count and
 * port in the report) are written digit by digit here, which is the text
 * "%1.15g" gives for them; other numbers take cJSON's own steps.
 *
 * Layout (cJSON print_value/print_object/print_array with format = 1):
 *   object   "{\n" then per member: depth tabs, "key", ":\t", value, [","] "\n";
 *            then depth-1 tabs and "}"  (an empty object is "{\n" tabs "}")
 *   array    "[" values joined by ", " "]"
 *   string   quotes; \" \\ \b \f \n \r \t escaped, other bytes < 0x20 as \u00XX,
 *            bytes >= 0x80 as they are; a NULL string (or key) prints ""
 *   number   NaN and infinities print null
 * tests/capture/test-cap-jprint.c compares the two printers on every case.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"

struct jout {
	char *buf;
	size_t len, cap;
	bool oom;
};

static char *room(struct jout *o, size_t n)
{
	if (o->oom)
		return NULL;
	if (o->cap - o->len < n + 1) {
		size_t cap = o->cap ? o->cap : 65536;
		while (cap - o->len < n + 1)
			cap *= 2;
		char *b = realloc(o->buf, cap);
		if (!b) {
			o->oom = true;
			return NULL;
		}
		o->buf = b;
		o->cap = cap;
	}
	return o->buf + o->len;
}

static void put(struct jout *o, const char *s, size_t n)
{
	char *p = room(o, n);
	if (!p)
		return;
	memcpy(p, s, n);
	o->len += n;
}

static void tabs(struct jout *o, size_t n)
{
	char *p = room(o, n);
	if (!p)
		return;
	memset(p, '\t', n);
	o->len += n;
}

static void put_string(struct jout *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u);
	char *p = room(o, 6 * n + 2); /* every byte escaped as \u00XX at worst */
	if (!p)
		return;
	char *q = p;
	*q++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = u[i];
		if (c > 31 && c != '"' && c != '\\') {
			*q++ = (char)c;
			continue;
		}
		*q++ = '\\';
		switch (c) {
		case '\\':
			*q++ = '\\';
			break;
		case '"':
			*q++ = '"';
			break;
		case '\b':
			*q++ = 'b';
			break;
		case '\f':
			*q++ = 'f';
			break;
		case '\n':
			*q++ = 'n';
			break;
		case '\r':
			*q++ = 'r';
			break;
		case '\t':
			*q++ = 't';
			break;
		default:
			*q++ = 'u';
			*q++ = '0';
			*q++ = '0';
			*q++ = hex[c >> 4];
			*q++ = hex[c & 15];
			break;
		}
	}
	*q++ = '"';
	o->len += (size_t)(q - p);
}

static void put_number(struct jout *o, double d)
{
	char nb[32];
	int len;

	if (isnan(d) || isinf(d)) {
		put(o, "null", 4);
		return;
	}
	if (d == floor(d) && fabs(d) < 1e15 && !(d == 0 && signbit(d))) {
		/* what "%1.15g" writes for an integer with at most 15 digits */
		unsigned long long v = (unsigned long long)(d < 0 ? -d : d);
		char *e = nb + sizeof(nb), *p = e;
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		if (d < 0)
			*--p = '-';
		put(o, p, (size_t)(e - p));
		return;
	}
	/* cJSON print_number: 15 significant digits if they read back, else 17 */
	len = snprintf(nb, sizeof(nb), "%1.15g", d);
	double test = strtod(nb, NULL);
	if (!(fabs(test - d) <= fmax(fabs(test), fabs(d)) * DBL_EPSILON))
		len = snprintf(nb, sizeof(nb), "%1.17g", d);
	if (len < 0 || (size_t)len >= sizeof(nb)) {
		o->oom = true; /* cannot happen for a double; fail rather than cut */
		return;
	}
	char dp = localeconv()->decimal_point[0];
	for (int i = 0; i < len; i++)
		if (nb[i] == dp)
			nb[i] = '.';
	put(o, nb, (size_t)len);
}

static void put_value(struct jout *o, const cJSON *v, size_t depth)
{
	const cJSON *c;

	switch (v->type & 0xff) {
	case cJSON_NULL:
		put(o, "null", 4);
		break;
	case cJSON_False:
		put(o, "false", 5);
		break;
	case cJSON_True:
		put(o, "true", 4);
		break;
	case cJSON_Number:
		put_number(o, v->valuedouble);
		break;
	case cJSON_String:
		put_string(o, v->valuestring);
		break;
	case cJSON_Raw:
		if (!v->valuestring)
			o->oom = true; /* cJSON_Print fails on it too */
		else
			put(o, v->valuestring, strlen(v->valuestring));
		break;
	case cJSON_Array:
		put(o, "[", 1);
		for (c = v->child; c; c = c->next) {
			put_value(o, c, depth + 1);
			if (c->next)
				put(o, ", ", 2);
		}
		put(o, "]", 1);
		break;
	case cJSON_Object:
		put(o, "{\n", 2);
		for (c = v->child; c; c = c->next) {
			/* the walk waits for memory at each member: ask for the next one (and this
			 * one's string) before printing this one */
			__builtin_prefetch(c->next);
			__builtin_prefetch(c->valuestring);
			tabs(o, depth + 1);
			put_string(o, c->string);
			put(o, ":\t", 2);
			put_value(o, c, depth + 1);
			put(o, c->next ? ",\n" : "\n", c->next ? 2 : 1);
		}
		tabs(o, depth);
		put(o, "}", 1);
		break;
	default:
		o->oom = true; /* an invalid item: cJSON_Print fails too */
		break;
	}
}

int cap_json_print(const cJSON *item, char **ret_text)
{
	struct jout o = { 0 };

	put_value(&o, item, 0);
	if (!o.oom && !room(&o, 0))
		o.oom = true;
	if (o.oom) {
		free(o.buf);
		return -ENOMEM;
	}
	o.buf[o.len] = '\0';
	*ret_text = o.buf;
	return 0;
}
