/* SPDX-License-Identifier: Apache-2.0 */
#include "msk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MSK_MAX 256u

struct msk_entry {
	char version[24];
	char release[12];
	enum fp_mode mode;
};

struct msk_catalog {
	size_t n;
	struct msk_entry e[MSK_MAX];
};

void msk_catalog_free(struct msk_catalog *c)
{
	free(c);
}

/* One "<version>\t<release>\t<mode>" line into e. */
static int parse_line(struct msk_entry *e, const char *p, size_t len, char *why, size_t wl)
{
	char line[128], *f2, *f3;
	struct mp_ver v;
	if (len >= sizeof(line) || memchr(p, '\0', len)) {
		mp_fmt(why, wl, "line too long or has a NUL byte");
		return -EINVAL;
	}
	memcpy(line, p, len);
	line[len] = '\0';
	f2 = strchr(line, '\t');
	f3 = f2 ? strchr(f2 + 1, '\t') : NULL;
	if (!f3 || strchr(f3 + 1, '\t')) {
		mp_fmt(why, wl, "want 3 tab-separated fields: version, release, mode");
		return -EINVAL;
	}
	*f2++ = '\0';
	*f3++ = '\0';
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
