/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the seed corpus of fuzz-apiv (tests/fuzz/corpus/apiv/): real
 * answers of several releases and request versions, produced by the same
 * encoder the stand-ins use from the built-in release table, plus broken
 * ones. File format: see fuzz-apiv.c (byte 0 = request version, then the
 * frame payload). Regenerate with:
 *   build/tests/fuzz/gen-apiv-corpus tests/fuzz/corpus/apiv
 * Crash inputs found later are added by hand as crash-<what>; never delete them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"
#include "kafka_apiv.h"
#include "standin.h"
#include "util.h"

#define CORR 7

static const char *out_dir;
static int failures;

static void put(const char *name, uint8_t sel, const uint8_t *payload, size_t len)
{
	char path[4096];
	FILE *f;

	mp_fmt(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wbe");
	if (!f || fwrite(&sel, 1, 1, f) != 1 || (len && fwrite(payload, 1, len, f) != len)) {
		fprintf(stderr, "gen-apiv-corpus: %s: %s\n", path, strerror(errno));
		failures++;
	}
	if (f && fclose(f) != 0)
		failures++;
}

/* The answer `a` to a request of `version`, framed; writes it and returns the payload. */
static uint8_t *answer(const char *name, const struct mp_apiv *a, int16_t version, size_t *ret_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (kafka_apiv_encode_response(a, version, CORR, &buf, &len) || len < 4) {
		failures++;
		return NULL;
	}
	put(name, (uint8_t)version, buf + 4, len - 4);
	memmove(buf, buf + 4, len - 4);
	*ret_len = len - 4;
	return buf;
}

static void from_row(const struct fp_row *row)
{
	struct mp_apiv *a = calloc(1, sizeof(*a));
	const struct mp_api_range *r18 = mp_api_table_find(&row->table, KAFKA_API_VERSIONS);
	int16_t level = standin_metadata_level(row->release);
	char name[128];
	size_t len;

	if (!a || !r18) {
		failures++;
		free(a);
		return;
	}
	a->table = row->table;
	a->finalized_epoch = -1;
	a->zk_migration_ready = -1;
	if (row->mode == FP_MODE_KRAFT && level > 0) {
		mp_strlcpy(a->supported[0].name, "metadata.version", sizeof(a->supported[0].name));
		a->supported[0].min = 1;
		a->supported[0].max = level;
		a->n_supported = 1;
		a->finalized[0] = a->supported[0];
		a->finalized[0].min = level;
		a->n_finalized = 1;
		a->finalized_epoch = 4242;
	}
	for (int16_t v = 0; v <= r18->max && v <= KAFKA_APIV_MAX_REQUEST; v++) {
		mp_fmt(name, sizeof(name), "ok-%s-%s-v%d", row->release, fp_mode_name(row->mode),
		       v);
		uint8_t *p = answer(name, a, v, &len);
		if (p && v == r18->max) {
			/* the newest answer cut in half: a broker closing mid-answer */
			mp_fmt(name, sizeof(name), "bad-half-%s-%s-v%d", row->release,
			       fp_mode_name(row->mode), v);
			put(name, (uint8_t)v, p, len / 2);
		}
		free(p);
	}
	/* UNSUPPORTED_VERSION to the next version up, as this release sends it */
	if (r18->max < KAFKA_APIV_MAX_REQUEST) {
		struct mp_apiv *e = calloc(1, sizeof(*e));
		if (e) {
			e->error_code = KAFKA_ERR_UNSUPPORTED_VERSION;
			if (mp_ver_cmp_str(row->release, "2.4") >= 0) {
				e->table.n = 1;
				e->table.r[0] = *r18;
			}
			mp_fmt(name, sizeof(name), "err35-%s-%s-v%d", row->release,
			       fp_mode_name(row->mode), r18->max + 1);
			free(answer(name, e, (int16_t)(r18->max + 1), &len));
		}
		free(e);
	}
	free(a);
}

static void broken(void)
{
	/* each payload starts with correlation id 7 */
	static const struct {
		const char *name;
		uint8_t sel;
		size_t len;
		uint8_t b[24];
	} cases[] = {
		{ "bad-negative-count", 0, 10, { 0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff } },
		{ "bad-duplicate-keys", 0, 22, { 0, 0, 0, 7, 0, 0, 0, 0, 0, 2, 0,
						 3, 0, 0, 0, 1, 0, 3, 0, 0, 0, 2 } },
		{ "bad-min-over-max", 1, 20, { 0, 0, 0, 7, 0, 0, 0, 0, 0, 1,
					       0, 3, 0, 5, 0, 1, 0, 0, 0, 0 } },
		{ "bad-varint-overflow",
		  3,
		  11,
		  { 0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x7f } },
		{ "bad-tag-overrun",
		  3,
		  14,
		  { 0, 0, 0, 7, 0, 0, 0x01, 0, 0, 0, 0, 0x01, 0x00, 0x40 } },
		{ "bad-correlation", 0x80, 10, { 0, 0, 0, 8, 0, 0, 0, 0, 0, 0 } },
		{ "bad-http",
		  0,
		  16,
		  { 'T', 'T', 'P', '/', '1', '.', '1', ' ', '4', '0', '0', ' ', 'B', 'a', 'd',
		    '\r' } },
		{ "ok-unknown-tag",
		  3,
		  16,
		  { 0, 0, 0, 7, 0, 0, 0x01, 0, 0, 0, 0, 0x01, 0x21, 0x02, 0xaa, 0xbb } },
		{ "ok-migration-ready",
		  4,
		  14,
		  { 0, 0, 0, 7, 0, 0, 0x01, 0, 0, 0, 0, 0x01, 0x03, 0x01 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		put(cases[i].name, cases[i].sel, cases[i].b, cases[i].len);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *release;
		enum fp_mode mode;
	} rows[] = {
		{ "0.10.0", FP_MODE_ZK }, { "0.11.0", FP_MODE_ZK }, { "2.2", FP_MODE_ZK },
		{ "2.4", FP_MODE_ZK },	  { "3.7", FP_MODE_KRAFT }, { "3.9", FP_MODE_KRAFT },
		{ "4.1", FP_MODE_KRAFT },
	};
	struct fp_table *t = NULL;
	char err[256];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	if (fp_table_builtin(&t, err, sizeof(err))) {
		fprintf(stderr, "gen-apiv-corpus: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct fp_row *row = fp_table_find(t, rows[i].release, rows[i].mode);
		if (!row) {
			fprintf(stderr, "gen-apiv-corpus: no row %s\n", rows[i].release);
			failures++;
			continue;
		}
		from_row(row);
	}
	broken();
	fp_table_free(t);
	return failures ? 1 : 0;
}
