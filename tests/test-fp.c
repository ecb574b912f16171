/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fingerprint over the whole built-in table: every release row, as a
 * broker would answer it, matches exactly and names its release and mode;
 * a changed range matches nearest with the distance reported; MSK
 * candidates; and the table parser's error messages on bad input.
 */
#include <string.h>

#include "fp.h"
#include "kafka_apiv.h"
#include "msk.h"
#include "tap.h"
#include "util.h"

static struct mp_apiv answer_of(const struct fp_row *row)
{
	struct mp_apiv a;
	memset(&a, 0, sizeof(a));
	a.finalized_epoch = -1;
	a.zk_migration_ready = -1;
	a.table = row->table;
	return a;
}

static bool has_release(const struct mp_fp_result *f, const char *rel)
{
	for (uint16_t i = 0; i < f->n_releases; i++)
		if (strcmp(f->releases[i], rel) == 0)
			return true;
	return false;
}

static void test_every_row(const struct fp_table *t)
{
	for (size_t i = 0; i < fp_table_rows(t); i++) {
		const struct fp_row *row = fp_table_row(t, i);
		struct mp_apiv a = answer_of(row);
		struct mp_fp_result f;
		fp_match(t, &a, &f);
		TAP_OK(f.exact && f.distance == 0 && has_release(&f, row->release),
		       "%s %s (%s) matches exactly", row->release, fp_mode_name(row->mode),
		       row->patches[0]);
		/* ZooKeeper rows carry keys 4-7; KRaft rows are told by their table */
		if (row->mode == FP_MODE_ZK)
			TAP_EQ_STR(f.mode, "zookeeper", "%s zk row: mode from keys 4-7",
				   row->release);
		else
			TAP_OK(strcmp(f.mode, "kraft") == 0 || f.n_releases > 1,
			       "%s kraft row: mode kraft (or shared table)", row->release);
	}
}

static void test_nearest(const struct fp_table *t)
{
	const struct fp_row *row = fp_table_find(t, "2.4", FP_MODE_ZK);
	struct mp_apiv a = answer_of(row);
	struct mp_fp_result f;
	TAP_OK(row != NULL, "2.4 zk row exists");
	/* a broker with one range changed: nearest 2.4 at distance 1, said so */
	for (uint16_t i = 0; i < a.table.n; i++)
		if (a.table.r[i].key == 0)
			a.table.r[i].max = 99;
	fp_match(t, &a, &f);
	TAP_OK(!f.exact && f.matched && f.distance == 1 && has_release(&f, "2.4"),
	       "one changed range: nearest 2.4 at distance 1");
	TAP_OK(strstr(f.diff, "key 0") != NULL, "the difference is named: %s", f.diff);
	/* noise keys never count */
	a = answer_of(row);
	a.table.r[a.table.n++] = (struct mp_api_range){ 71, 0, 0 };
	fp_match(t, &a, &f);
	TAP_OK(f.exact, "telemetry key 71 is noise");
	/* garbage: nothing near */
	memset(&a.table, 0, sizeof(a.table));
	a.table.r[0] = (struct mp_api_range){ 900, 0, 1 };
	a.table.n = 1;
	fp_match(t, &a, &f);
	TAP_OK(!f.matched && !f.exact, "an alien table matches nothing");
}

static void test_kraft_features(const struct fp_table *t)
{
	const struct fp_row *row = fp_table_find(t, "3.7", FP_MODE_KRAFT);
	struct mp_apiv a = answer_of(row);
	struct mp_fp_result f;
	mp_strlcpy(a.finalized[0].name, "metadata.version", sizeof(a.finalized[0].name));
	a.finalized[0].min = a.finalized[0].max = 19;
	a.n_finalized = 1;
	fp_match(t, &a, &f);
	TAP_EQ_STR(f.mode, "kraft", "FinalizedFeatures metadata.version says KRaft");
	TAP_OK(strstr(f.mode_reason, "metadata.version") != NULL, "and says why");
}

static void test_msk(const struct fp_table *t)
{
	struct msk_catalog *c = NULL;
	char err[256];
	char out[16][24];
	size_t n = 0;
	bool not_msk = false;
	TAP_OK(msk_catalog_builtin(&c, err, sizeof(err)) == 0, "built-in MSK catalogue parses");
	msk_candidates(c, fp_table_find(t, "2.5", FP_MODE_ZK), true, out, 16, &n, &not_msk);
	TAP_OK(n == 1 && strcmp(out[0], "2.5.1") == 0 && !not_msk, "MSK release 2.5 is 2.5.1 only");
	n = 0;
	msk_candidates(c, fp_table_find(t, "2.5", FP_MODE_ZK), false, out, 16, &n, &not_msk);
	TAP_OK(n == 2, "Apache release 2.5 is 2.5.0 and 2.5.1");
	n = 0;
	msk_candidates(c, fp_table_find(t, "2.0", FP_MODE_ZK), true, out, 16, &n, &not_msk);
	TAP_OK(not_msk && n == 2 && strcmp(out[0], "2.0.0") == 0,
	       "2.0 was never on MSK: Apache versions, flagged");
	n = 0;
	not_msk = false;
	msk_candidates(c, fp_table_find(t, "3.7", FP_MODE_KRAFT), true, out, 16, &n, &not_msk);
	TAP_OK(n == 1 && strcmp(out[0], "3.7.x.kraft") == 0, "3.7 KRaft on MSK is 3.7.x.kraft");
	msk_catalog_free(c);
}

static void test_parser_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "2.4\tzk\t2.4.0\t0:0-8 0:0-9\n", "out of order or repeated" },
		{ "2.4\tzk\t2.4.0\t0:5-3\n", "impossible" },
		{ "2.4\tzk\t2.4.0\n", "4 tab-separated" },
		{ "2.4\tzoo\t2.4.0\t0:0-1\n", "mode must be" },
		{ "2.4\tzk\t2.x.;\t0:0-1\n", "bad patch" },
		{ "# only comments\n", "no rows" },
		{ "2.4\tzk\t2.4.0\t0:0-99999\n", "bad api entry" },
		{ "2.4\tzk\t2.4.0\t0:0-1\n2\tzk\t2.0.0\t0:0-1\n", "test:2: bad release" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fp_table *t = NULL;
		char err[256] = "";
		int rc = fp_table_parse(&t, cases[i].text, strlen(cases[i].text), "test", err,
					sizeof(err));
		TAP_OK(rc < 0 && strstr(err, cases[i].want) && strncmp(err, "test:", 5) == 0,
		       "bad table rejected naming input and line: %s", err);
		fp_table_free(t);
	}
}

int main(void)
{
	struct fp_table *t = NULL;
	char err[256];
	if (fp_table_builtin(&t, err, sizeof(err)) < 0) {
		printf("not ok 1 - built-in table: %s\n", err);
		return 1;
	}
	TAP_OK(fp_table_rows(t) >= 30, "built-in table has %zu rows", fp_table_rows(t));
	TAP_OK(fp_table_find(t, "0.10.0", FP_MODE_ZK) && fp_table_find(t, "4.0", FP_MODE_KRAFT),
	       "table spans 0.10.0 to 4.x");
	test_every_row(t);
	test_nearest(t);
	test_kraft_features(t);
	test_msk(t);
	test_parser_errors();
	fp_table_free(t);
	return tap_done();
}
