/* SPDX-License-Identifier: Apache-2.0 */
#include "msk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define MSK_MAX 256u

struct msk_entry {
	char version[24];
	char release[12];
	enum fp_mode mode;
	int64_t released, end_of_support; /* 00:00 UTC of the day, seconds; 0 unknown */
};

struct msk_catalog {
	size_t n;
	struct msk_entry e[MSK_MAX];
};

void msk_catalog_free(struct msk_catalog *c)
{
	free(c);
}

int msk_date_parse(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return -EINVAL;
	if (s[10] != '\0')
		return -EINVAL;
	tm.tm_year =
		(s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -EINVAL;
	int64_t t = (int64_t)timegm(&tm);
	if (tm.tm_mday != (s[8] - '0') * 10 + (s[9] - '0'))
		return -EINVAL; /* timegm normalised a day the month lacks (02-30) */
	*ret = t;
	return 0;
}

/* An optional date field: empty is unknown (0). */
static int date_field(const char *f, int64_t *ret, const char *what, char *why, size_t wl)
{
	*ret = 0;
	if (!f || !*f)
		return 0;
	if (msk_date_parse(f, ret) < 0) {
		mp_fmt(why, wl, "bad %s '%.30s': want YYYY-MM-DD or empty", what, f);
		return -EINVAL;
	}
	return 0;
}

/* One "<version>\t<release>\t<mode>[\t<released>\t<end of support>]" line into e. */
static int parse_line(struct msk_entry *e, const char *p, size_t len, char *why, size_t wl)
{
	char line[128], *f2, *f3, *f4 = NULL, *f5 = NULL;
	struct mp_ver v;
	if (len >= sizeof(line) || memchr(p, '\0', len)) {
		mp_fmt(why, wl, "line too long or has a NUL byte");
		return -EINVAL;
	}
	memcpy(line, p, len);
	line[len] = '\0';
	f2 = strchr(line, '\t');
	f3 = f2 ? strchr(f2 + 1, '\t') : NULL;
	f4 = f3 ? strchr(f3 + 1, '\t') : NULL;
	f5 = f4 ? strchr(f4 + 1, '\t') : NULL;
	if (!f3 || (f4 && !f5) || (f5 && strchr(f5 + 1, '\t'))) {
		mp_fmt(why, wl,
		       "want 3 or 5 tab-separated fields: version, release, mode[, "
		       "released, end of support]");
		return -EINVAL;
	}
	*f2++ = '\0';
	*f3++ = '\0';
	if (f4) {
		*f4++ = '\0';
		*f5++ = '\0';
	}
	if (strlen(line) >= sizeof(e->version) || mp_ver_parse(line, &v) < 0) {
		mp_fmt(why, wl, "bad MSK version '%.30s'", line);
		return -EINVAL;
	}
	if (strlen(f2) >= sizeof(e->release) || mp_ver_parse(f2, &v) < 0) {
		mp_fmt(why, wl, "bad release '%.30s'", f2);
		return -EINVAL;
	}
	if (strcmp(f3, "zk") && strcmp(f3, "kraft")) {
		mp_fmt(why, wl, "mode must be zk or kraft");
		return -EINVAL;
	}
	if (date_field(f4, &e->released, "release date", why, wl) < 0 ||
	    date_field(f5, &e->end_of_support, "end of support date", why, wl) < 0)
		return -EINVAL;
	mp_strlcpy(e->version, line, sizeof(e->version));
	mp_strlcpy(e->release, f2, sizeof(e->release));
	e->mode = strcmp(f3, "kraft") == 0 ? FP_MODE_KRAFT : FP_MODE_ZK;
	return 0;
}

int msk_catalog_parse(struct msk_catalog **ret, const char *text, size_t len, const char *origin,
		      char *errbuf, size_t errlen)
{
	struct msk_catalog *c = calloc(1, sizeof(*c));
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	char why[128];

	if (!c)
		return -ENOMEM;
	const char *line;
	size_t ll;
	while (mp_next_line(&p, end, &line, &ll)) {
		lineno++;
		if (!mp_line_is_data(line, ll))
			continue;
		if (c->n >= MSK_MAX || parse_line(&c->e[c->n], line, ll, why, sizeof(why)) < 0) {
			mp_fmt(errbuf, errlen, "%s:%u: %s", origin, lineno,
			       c->n >= MSK_MAX ? "too many rows" : why);
			free(c);
			return -EINVAL;
		}
		c->n++;
	}
	*ret = c;
	return 0;
}

const char *msk_catalog_newest_release(const struct msk_catalog *c)
{
	const char *best = "";
	for (size_t i = 0; i < c->n; i++)
		if (!best[0] || mp_ver_cmp_str(c->e[i].release, best) > 0)
			best = c->e[i].release;
	return best;
}

int msk_catalog_builtin(struct msk_catalog **ret, char *errbuf, size_t errlen)
{
	return msk_catalog_parse(ret, mp_msk_builtin, mp_msk_builtin_len, "built-in MSK catalogue",
				 errbuf, errlen);
}

static void add(char (*out)[24], size_t cap, size_t *n, size_t *added, const char *v)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(out[i], v) == 0)
			return;
	if (*n >= cap)
		return;
	mp_strlcpy(out[(*n)++], v, 24);
	(*added)++;
}

size_t msk_candidates(const struct msk_catalog *c, const struct fp_row *row, bool msk,
		      char (*out)[24], size_t cap, size_t *n, bool *ret_not_msk)
{
	size_t added = 0;
	bool found = false;
	if (msk) {
		for (size_t i = 0; i < c->n; i++) {
			if (c->e[i].mode != row->mode || strcmp(c->e[i].release, row->release))
				continue;
			found = true;
			add(out, cap, n, &added, c->e[i].version);
		}
		if (found)
			return added;
		if (ret_not_msk)
			*ret_not_msk = true;
	}
	for (unsigned i = 0; i < row->n_patches; i++)
		add(out, cap, n, &added, row->patches[i]);
	return added;
}

int msk_support_dates(const struct msk_catalog *c, const char *version, int64_t *ret_released,
		      int64_t *ret_end_of_support)
{
	for (size_t i = 0; c && i < c->n; i++) {
		if (strcmp(c->e[i].version, version) != 0)
			continue;
		*ret_released = c->e[i].released;
		*ret_end_of_support = c->e[i].end_of_support;
		return 0;
	}
	return -ENOENT;
}
