/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Release table parser and matcher. The table's rows and their sources are
 * documented at the top of probe/data/kafka-apiversions.tsv and in
 * docs/fingerprint-sources.md.
 */
#include "fp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_apiv.h"
#include "util.h"

struct fp_table {
	size_t n;
	struct fp_row *rows;
};

/* Above this many differing keys a row says nothing about the broker. */
#define FP_DISTANCE_MAX 12u

int fp_key_is_noise(int16_t key)
{
	/* GetTelemetrySubscriptions / PushTelemetry (KIP-714) are advertised
	 * only when a metrics reporter is configured (docs/facts.md). */
	return key == 71 || key == 72;
}

const char *fp_mode_name(enum fp_mode m)
{
	return m == FP_MODE_KRAFT ? "kraft" : "zookeeper";
}

void fp_table_free(struct fp_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t);
}

size_t fp_table_rows(const struct fp_table *t)
{
	return t ? t->n : 0;
}

const struct fp_row *fp_table_row(const struct fp_table *t, size_t i)
{
	return t && i < t->n ? &t->rows[i] : NULL;
}

const struct fp_row *fp_table_find(const struct fp_table *t, const char *release, enum fp_mode mode)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].mode == mode && strcmp(t->rows[i].release, release) == 0)
			return &t->rows[i];
	return NULL;
}

/* Parse a decimal int16 in [0, 32767] from [*p, end), advancing *p. */
static int parse_i16(const char **p, const char *end, int16_t *ret)
{
	long v = 0;
	int digits = 0;
	while (*p < end && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		if (++digits > 5 || v > 32767)
			return -EINVAL;
		(*p)++;
	}
	if (!digits)
		return -EINVAL;
	*ret = (int16_t)v;
	return 0;
}

static int parse_apis(struct fp_row *row, const char *s, const char *end, char *why, size_t wl)
{
	const char *p = s;
	while (p < end) {
		int16_t key, min, max;
		if (*p == ' ') {
			p++;
			continue;
		}
		if (parse_i16(&p, end, &key) || p >= end || *p++ != ':' ||
		    parse_i16(&p, end, &min) || p >= end || *p++ != '-' ||
		    parse_i16(&p, end, &max) || (p < end && *p != ' ')) {
			int shown = end - p < 20 ? (int)(end - p) : 20;
			mp_fmt(why, wl, "bad api entry near '%.*s' (want key:min-max)", shown, p);
			return -EINVAL;
		}
		if (key >= MP_API_KEY_LIMIT || min > max) {
			mp_fmt(why, wl, "api key %d: impossible entry %d-%d", key, min, max);
			return -EINVAL;
		}
		if (row->table.n && row->table.r[row->table.n - 1].key >= key) {
			mp_fmt(why, wl, "api key %d out of order or repeated", key);
			return -EINVAL;
		}
		if (row->table.n >= MP_API_KEYS_MAX) {
			mp_fmt(why, wl, "more than %u api keys", MP_API_KEYS_MAX);
			return -EINVAL;
		}
		row->table.r[row->table.n++] = (struct mp_api_range){ key, min, max };
	}
	if (!row->table.n) {
		mp_fmt(why, wl, "no api entries");
		return -EINVAL;
	}
	return 0;
}

static int parse_patches(struct fp_row *row, const char *s, const char *end, char *why, size_t wl)
{
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma ? comma : end;
		char tmp[16];
		struct mp_ver v;
		if (e - s <= 0 || (size_t)(e - s) >= sizeof(tmp) ||
		    row->n_patches >= FP_PATCHES_MAX) {
			mp_fmt(why, wl, "bad patch list");
			return -EINVAL;
		}
		memcpy(tmp, s, (size_t)(e - s));
		tmp[e - s] = '\0';
		if (mp_ver_parse(tmp, &v) < 0 || v.label[0]) {
			mp_fmt(why, wl, "bad patch version '%s'", tmp);
			return -EINVAL;
		}
		mp_strlcpy(row->patches[row->n_patches++], tmp, sizeof(row->patches[0]));
		s = comma ? comma + 1 : end;
	}
	if (!row->n_patches) {
		mp_fmt(why, wl, "no patch versions");
		return -EINVAL;
	}
	return 0;
}

/* Split a line into exactly 4 tab-separated fields. */
static int split4(const char *line, const char *end, const char *f[4], const char *fe[4])
{
	const char *p = line;
	for (int i = 0; i < 4; i++) {
		const char *tab = i < 3 ? memchr(p, '\t', (size_t)(end - p)) : NULL;
		if (i < 3 && !tab)
			return -EINVAL;
		f[i] = p;
		fe[i] = i < 3 ? tab : end;
		p = i < 3 ? tab + 1 : end;
	}
	return memchr(f[3], '\t', (size_t)(end - f[3])) ? -EINVAL : 0;
}

static int parse_row(struct fp_row *row, const char *line, const char *end, char *why, size_t wl)
{
	const char *f[4], *fe[4];
	struct mp_ver v;

	memset(row, 0, sizeof(*row));
	if (split4(line, end, f, fe) < 0) {
		mp_fmt(why, wl, "want 4 tab-separated fields: release, mode, patches, apis");
		return -EINVAL;
	}
	size_t rl = (size_t)(fe[0] - f[0]);
	if (rl == 0 || rl >= sizeof(row->release)) {
		mp_fmt(why, wl, "bad release field");
		return -EINVAL;
	}
	memcpy(row->release, f[0], rl);
	if (mp_ver_parse(row->release, &v) < 0 || v.label[0]) {
		mp_fmt(why, wl, "bad release '%s'", row->release);
		return -EINVAL;
	}
	if (fe[1] - f[1] == 2 && memcmp(f[1], "zk", 2) == 0)
		row->mode = FP_MODE_ZK;
	else if (fe[1] - f[1] == 5 && memcmp(f[1], "kraft", 5) == 0)
		row->mode = FP_MODE_KRAFT;
	else {
		mp_fmt(why, wl, "mode must be zk or kraft");
		return -EINVAL;
	}
	if (parse_patches(row, f[2], fe[2], why, wl) < 0)
		return -EINVAL;
	return parse_apis(row, f[3], fe[3], why, wl);
}

int fp_table_parse(struct fp_table **ret, const char *text, size_t len, const char *origin,
		   char *errbuf, size_t errlen)
{
	struct fp_table *t = calloc(1, sizeof(*t));
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	int rc = -ENOMEM;
	char why[160];

	if (!t)
		goto fail;
	t->rows = calloc(MP_FP_ROWS_MAX, sizeof(*t->rows));
	if (!t->rows)
		goto fail;
	const char *line;
	size_t ll;
	while (mp_next_line(&p, end, &line, &ll)) {
		lineno++;
		if (!mp_line_is_data(line, ll))
			continue;
		if (t->n >= MP_FP_ROWS_MAX) {
			mp_fmt(errbuf, errlen, "%s:%u: more than %u rows", origin, lineno,
			       MP_FP_ROWS_MAX);
			rc = -EINVAL;
			goto fail;
		}
		bool nul = memchr(line, '\0', ll) != NULL;
		if (nul || parse_row(&t->rows[t->n], line, line + ll, why, sizeof(why)) < 0) {
			mp_fmt(errbuf, errlen, "%s:%u: %s", origin, lineno, nul ? "NUL byte" : why);
			rc = -EINVAL;
			goto fail;
		}
		t->n++;
	}
	if (!t->n) {
		mp_fmt(errbuf, errlen, "%s: no rows", origin);
		rc = -EINVAL;
		goto fail;
	}
	*ret = t;
	return 0;
fail:
	if (rc == -ENOMEM)
		mp_fmt(errbuf, errlen, "%s: out of memory", origin);
	fp_table_free(t);
	return rc;
}

int fp_table_builtin(struct fp_table **ret, char *errbuf, size_t errlen)
{
	return fp_table_parse(ret, mp_fp_builtin, mp_fp_builtin_len, "built-in table", errbuf,
			      errlen);
}

int fp_table_load_file(struct fp_table **ret, const char *path, char *errbuf, size_t errlen)
{
	int fd = mp_open_regular(path, NULL, errbuf, errlen);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	char *buf = NULL;
	size_t n;
	int rc;

	if (fd < 0)
		return fd;
	if (!f) {
		rc = -errno;
		mp_fmt(errbuf, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	buf = malloc(MP_FP_TABLE_BYTES_MAX + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = fread(buf, 1, MP_FP_TABLE_BYTES_MAX + 1, f);
	if (ferror(f)) {
		mp_fmt(errbuf, errlen, "%s: read error", path);
		rc = -EIO;
		goto out;
	}
	if (n > MP_FP_TABLE_BYTES_MAX) {
		mp_fmt(errbuf, errlen, "%s: larger than %u bytes", path, MP_FP_TABLE_BYTES_MAX);
		rc = -EFBIG;
		goto out;
	}
	rc = fp_table_parse(ret, buf, n, path, errbuf, errlen);
out:
	free(buf);
	fclose(f);
	return rc;
}

/* Keys whose presence or range differ, noise keys left out; the first few
 * differences are described in diff. */
static unsigned table_distance(const struct mp_api_table *a, const struct mp_api_table *b,
			       char *diff, size_t difflen)
{
	unsigned d = 0;
	size_t i = 0, j = 0, o = 0;
	if (diff && difflen)
		diff[0] = '\0';
	while (i < a->n || j < b->n) {
		const struct mp_api_range *x = i < a->n ? &a->r[i] : NULL;
		const struct mp_api_range *y = j < b->n ? &b->r[j] : NULL;
		char one[48] = "";
		if (x && (!y || x->key < y->key)) {
			if (!fp_key_is_noise(x->key))
				mp_fmt(one, sizeof(one), "key %d extra", x->key);
			i++;
		} else if (y && (!x || y->key < x->key)) {
			if (!fp_key_is_noise(y->key))
				mp_fmt(one, sizeof(one), "key %d missing", y->key);
			j++;
		} else {
			if (!fp_key_is_noise(x->key) && (x->min != y->min || x->max != y->max))
				mp_fmt(one, sizeof(one), "key %d %d-%d vs %d-%d", x->key, x->min,
				       x->max, y->min, y->max);
			i++;
			j++;
		}
		if (!one[0])
			continue;
		d++;
		if (diff && o + strlen(one) + 3 < difflen) {
			o += (size_t)snprintf(diff + o, difflen - o, "%s%s", o ? "; " : "", one);
		}
	}
	return d;
}

static const struct mp_feature *feature_find(const struct mp_feature *f, uint16_t n,
					     const char *name)
{
	for (uint16_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

/* Mode from evidence only the broker's answer holds (docs/facts.md). */
static void detect_mode(const struct mp_apiv *a, struct mp_fp_result *res)
{
	const struct mp_feature *mv =
		feature_find(a->finalized, a->n_finalized, "metadata.version");
	bool zk_keys = mp_api_table_find(&a->table, 4) && mp_api_table_find(&a->table, 5) &&
		       mp_api_table_find(&a->table, 6) && mp_api_table_find(&a->table, 7);

	if (mv) {
		mp_strlcpy(res->mode, "kraft", sizeof(res->mode));
		mp_fmt(res->mode_reason, sizeof(res->mode_reason),
		       "FinalizedFeatures metadata.version level %d", mv->max);
	} else if (zk_keys) {
		mp_strlcpy(res->mode, "zookeeper", sizeof(res->mode));
		mp_fmt(res->mode_reason, sizeof(res->mode_reason),
		       "advertises ZooKeeper-mode inter-broker keys 4-7");
	} else {
		mp_strlcpy(res->mode, "unknown", sizeof(res->mode));
		mp_fmt(res->mode_reason, sizeof(res->mode_reason),
		       "no metadata.version feature and no keys 4-7");
	}
}

static int rel_cmp(const void *a, const void *b)
{
	return mp_ver_cmp_str(a, b);
}

/* Wrapper callable from detect_mode's successor: mode from rows when the
 * answer itself says nothing (e.g. a KRaft 3.0-3.2 broker). */
static void mode_from_rows(const struct fp_table *t, struct mp_fp_result *res)
{
	if (strcmp(res->mode, "unknown") != 0 || !res->n_rows || !res->exact)
		return;
	enum fp_mode m = t->rows[res->rows[0]].mode;
	for (uint16_t i = 1; i < res->n_rows; i++)
		if (t->rows[res->rows[i]].mode != m)
			return;
	mp_strlcpy(res->mode, fp_mode_name(m), sizeof(res->mode));
	mp_fmt(res->mode_reason, sizeof(res->mode_reason), "the table matches %s rows only",
	       fp_mode_name(m));
}

void fp_match(const struct fp_table *t, const struct mp_apiv *a, struct mp_fp_result *res)
{
	unsigned best = UINT32_MAX;

	memset(res, 0, sizeof(*res));
	detect_mode(a, res);
	for (size_t i = 0; i < t->n; i++) {
		unsigned d = table_distance(&a->table, &t->rows[i].table, NULL, 0);
		if (d < best) {
			best = d;
			res->n_rows = 0;
		}
		if (d == best && res->n_rows < MP_FP_CANDIDATES_MAX)
			res->rows[res->n_rows++] = (uint16_t)i;
	}
	if (!t->n)
		return;
	/* the nearest rows are always reported, with their distance; only a
	 * row within FP_DISTANCE_MAX counts as a match at all */
	res->matched = best <= FP_DISTANCE_MAX;
	res->distance = best;
	res->exact = best == 0;
	if (!res->exact)
		(void)table_distance(&a->table, &t->rows[res->rows[0]].table, res->diff,
				     sizeof(res->diff));
	for (uint16_t i = 0; i < res->n_rows; i++) {
		const char *rel = t->rows[res->rows[i]].release;
		bool seen = false;
		for (uint16_t j = 0; j < res->n_releases; j++)
			seen |= strcmp(res->releases[j], rel) == 0;
		if (!seen && res->n_releases < 16)
			mp_strlcpy(res->releases[res->n_releases++], rel, sizeof(res->releases[0]));
	}
	qsort(res->releases, res->n_releases, sizeof(res->releases[0]), rel_cmp);
	mode_from_rows(t, res);
}
