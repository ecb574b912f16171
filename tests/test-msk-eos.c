/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MSK's end of support: the catalogue's dates (probe/data/msk-versions.tsv,
 * AWS "Supported Apache Kafka versions") and probe/policy.c's judgement on
 * hand-written candidate sets and scan dates: past, within 90 days, beyond,
 * a candidate without a published date, platform apache; and the scan date
 * MSKPROBE_SCAN_DATE sets.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "js.h"
#include "model.h"
#include "msk.h"
#include "policy.h"
#include "tap.h"
#include "util.h"

static int64_t day(const char *s)
{
	int64_t t = -1;
	msk_date_parse(s, &t);
	return t;
}

static void catalogue(const struct msk_catalog *m)
{
	int64_t rel = -1, eos = -1;
	struct msk_catalog *x = NULL;
	char err[256] = "";

	TAP_EQ_INT(msk_support_dates(m, "3.7.x", &rel, &eos), 0, "3.7.x is catalogued");
	TAP_OK(rel == day("2024-05-29") && eos == day("2026-09-01"),
	       "3.7.x: released 2024-05-29, end of support 2026-09-01");
	TAP_EQ_INT(msk_support_dates(m, "3.7.x.kraft", &rel, &eos), 0, "3.7.x.kraft too");
	TAP_OK(eos == day("2026-09-01"), "... with its version's dates");
	TAP_EQ_INT(msk_support_dates(m, "2.8.2.tiered", &rel, &eos), 0, "2.8.2.tiered");
	TAP_OK(rel == day("2022-10-28") && eos == day("2025-01-14"),
	       "... 2022-10-28 to 2025-01-14");
	TAP_EQ_INT(msk_support_dates(m, "1.1.1", &rel, &eos), 0, "1.1.1");
	TAP_OK(rel == 0 && eos == day("2024-06-05"), "... no published release date (0)");
	TAP_EQ_INT(msk_support_dates(m, "4.2.x.kraft", &rel, &eos), 0, "4.2.x.kraft");
	TAP_OK(rel == day("2026-07-15") && eos == 0,
	       "... released 2026-07-15, no end of support published");
	TAP_EQ_INT(msk_support_dates(m, "2.5.0", &rel, &eos), -ENOENT, "2.5.0: never on MSK");

	TAP_EQ_INT(day("2026-02-30"), -1, "2026-02-30 is no day");
	TAP_EQ_INT(day("2026-13-01"), -1, "month 13 is refused");
	TAP_EQ_INT(day("2026-1-01"), -1, "a short field is refused");
	TAP_EQ_INT(day("1970-01-02"), 86400, "1970-01-02 is 86400");

	static const char three[] = "3.7.x\t3.7\tzk\n";
	TAP_EQ_INT(msk_catalog_parse(&x, three, strlen(three), "t", err, sizeof(err)), 0,
		   "a row without dates parses: %s", err);
	TAP_OK(x && msk_support_dates(x, "3.7.x", &rel, &eos) == 0 && rel == 0 && eos == 0,
	       "... and has none");
	msk_catalog_free(x);
	x = NULL;
	static const char bad[] = "3.7.x\t3.7\tzk\t2024-05-29\t2026-02-30\n";
	TAP_EQ_INT(msk_catalog_parse(&x, bad, strlen(bad), "t", err, sizeof(err)), -EINVAL,
		   "a bad end of support date is refused");
	TAP_OK(strstr(err, "t:1: bad end of support date '2026-02-30'") != NULL,
	       "... naming it: %s", err);
	static const char four[] = "3.7.x\t3.7\tzk\t2024-05-29\n";
	TAP_EQ_INT(msk_catalog_parse(&x, four, strlen(four), "t", err, sizeof(err)), -EINVAL,
		   "four fields are refused");
}

static struct mp_report *r; /* the last judged cluster's */

/* The one end-of-support finding of a fresh cluster, or NULL when none. */
static const struct mp_finding *judge(const struct msk_catalog *m, const char *platform,
				      const char *now, const char *const *cands, size_t n)
{
	struct mp_policy p = { .min_version = "2.5.1" };
	mp_strlcpy(p.platform, platform, sizeof(p.platform));
	mp_report_free(r);
	r = mp_report_new();
	struct mp_cluster *c = mp_report_add_cluster(r, "c");
	for (size_t i = 0; i < n; i++)
		mp_strlcpy(c->candidates[c->n_candidates++], cands[i], sizeof(c->candidates[0]));
	TAP_EQ_INT(policy_end_of_support(c, &p, m, day(now), false), 0, "%s on %s judged", cands[0],
		   now);
	for (size_t i = 0; i < c->n_findings; i++)
		if (strncmp(c->findings[i].id, "KAFKA_VERSION_END_OF_SUPPORT", 28) == 0)
			return &c->findings[i];
	return NULL;
}

static const char *id(const struct mp_finding *f)
{
	return f ? f->id : "none";
}

static void end_of_support(const struct msk_catalog *m)
{
	static const char *const v37[] = { "3.7.x" };
	static const char *const v36_37[] = { "3.6.0", "3.7.x" };
	static const char *const v37_38[] = { "3.7.x", "3.8.x" };
	static const char *const v22[] = { "2.2.1" };
	const struct mp_finding *f;

	f = judge(m, "msk", "2026-09-02", v37, 1);
	TAP_EQ_STR(id(f), "KAFKA_VERSION_END_OF_SUPPORT", "3.7.x the day after its end: past");
	TAP_OK(f && f->severity == MP_SEV_HIGH, "... high, from the catalogue");
	const cJSON *ev = f ? f->evidence : NULL;
	TAP_EQ_STR(js_str(ev, "end_of_support", ""), "2026-09-01", "... evidence: the date");
	TAP_EQ_STR(js_str(ev, "scan_date", ""), "2026-09-02", "... the scan date");
	TAP_EQ_INT((int)js_num(ev, "days_past_end_of_support", -1), 1, "... one day past");
	TAP_OK(strstr(js_str(ev, "msk_policy", ""), "without notification") != NULL,
	       "... and that MSK may upgrade it without asking");
	TAP_EQ_STR(js_str(cJSON_GetArrayItem(js_arr(ev, "versions"), 0), "version", ""), "3.7.x",
		   "... the version");
	TAP_EQ_STR(id(judge(m, "msk", "2026-09-01", v37, 1)), "KAFKA_VERSION_END_OF_SUPPORT",
		   "3.7.x on its end of support date: past");
	f = judge(m, "msk", "2026-06-03", v37, 1);
	TAP_EQ_STR(id(f), "KAFKA_VERSION_END_OF_SUPPORT_SOON", "3.7.x 90 days before: soon");
	TAP_OK(f && f->severity == MP_SEV_MEDIUM, "... medium");
	TAP_EQ_INT((int)js_num(f ? f->evidence : NULL, "days_to_end_of_support", -1), 90,
		   "... 90 days left");
	TAP_EQ_STR(id(judge(m, "msk", "2026-06-02", v37, 1)), "none", "91 days before: nothing");
	TAP_EQ_STR(id(judge(m, "msk", "2026-07-01", v36_37, 2)),
		   "KAFKA_VERSION_END_OF_SUPPORT_SOON",
		   "3.6.0 past but 3.7.x not yet: not past, soon (the latest date counts)");
	TAP_EQ_STR(id(judge(m, "msk", "2027-01-01", v37_38, 2)), "none",
		   "3.8.x has no published date: nothing proven");
	TAP_EQ_STR(id(judge(m, "apache", "2026-12-01", v22, 1)), "none",
		   "platform apache: no MSK dates apply");
	TAP_EQ_STR(id(judge(m, "msk", "2026-12-01", v22, 1)), "KAFKA_VERSION_END_OF_SUPPORT",
		   "2.2.1 on msk: past");
}

static void scan_date(void)
{
	bool env = true;
	setenv("MSKPROBE_SCAN_DATE", "2026-08-01", 1);
	TAP_EQ_INT(policy_scan_date(&env), day("2026-08-01"), "MSKPROBE_SCAN_DATE sets the date");
	TAP_OK(env, "... and says so");
	setenv("MSKPROBE_SCAN_DATE", "tomorrow", 1);
	int64_t t = policy_scan_date(&env);
	TAP_OK(!env && t > day("2026-01-01"), "an unreadable one is not used: the clock is");
	unsetenv("MSKPROBE_SCAN_DATE");
}

int main(void)
{
	struct msk_catalog *m = NULL;
	char err[256] = "";
	TAP_EQ_INT(msk_catalog_builtin(&m, err, sizeof(err)), 0, "built-in catalogue: %s", err);
	if (!m)
		return tap_done();
	catalogue(m);
	end_of_support(m);
	scan_date();
	msk_catalog_free(m);
	mp_report_free(r);
	return tap_done();
}
