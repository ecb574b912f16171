/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MSK's published release and end-of-support dates, read from the MSK
 * catalogue (probe/data/msk-versions.tsv, which names its sources) compiled
 * into this library too: reports renders saved reports, and a report holds
 * the candidate versions, not their dates. Fields: version, release, mode,
 * MSK release date, end of support date (the dates may be empty).
 */
#include <errno.h>
#include <string.h>

#include "rep-internal.h"
#include "util.h"

extern const char rep_msk_builtin[];
extern const size_t rep_msk_builtin_len;

/* Field n (0-based) of a tab-separated line as "YYYY-MM-DD" seconds, 0 when empty or bad. */
static int64_t date_field(const char *line, size_t len, unsigned n)
{
	const char *p = line, *end = line + len;
	char iso[32];
	for (unsigned i = 0; i < n; i++) {
		p = memchr(p, '\t', (size_t)(end - p));
		if (!p++)
			return 0;
	}
	const char *tab = memchr(p, '\t', (size_t)(end - p));
	if ((tab ? tab : end) - p != 10)
		return 0;
	mp_fmt(iso, sizeof(iso), "%.10sT00:00:00Z", p);
	int64_t t = rep_time_parse(iso);
	return t > 0 ? t : 0;
}

int rep_msk_dates(const char *version, int64_t *ret_released, int64_t *ret_end_of_support)
{
	const char *p = rep_msk_builtin, *end = rep_msk_builtin + rep_msk_builtin_len, *line;
	size_t ll, vl = strlen(version);
	while (mp_next_line(&p, end, &line, &ll)) {
		if (!mp_line_is_data(line, ll) || ll <= vl || line[vl] != '\t' ||
		    memcmp(line, version, vl) != 0)
			continue;
		*ret_released = date_field(line, ll, 3);
		*ret_end_of_support = date_field(line, ll, 4);
		return 0;
	}
	return -ENOENT;
}
