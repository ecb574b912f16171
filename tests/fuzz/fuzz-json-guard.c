/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the JSON pre-scan (reports/rep_jscan.c) that guards
 * every JSON file mskprobe reads, cross-checked against cJSON:
 *  - what the scan accepts, cJSON parses to the end, with exactly the value
 *    count and nesting depth the scan reported;
 *  - what cJSON parses and the scan calls a syntax error is only cJSON's
 *    laxness (whitespace, number forms, sloppy \u): cJSON's own rendering of
 *    it must then pass the scan;
 *  - the whole guarded loader (rep_json_parse) never accepts what the scan
 *    refuses.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct count {
	uint64_t values;
	unsigned depth;
};

static void count(const cJSON *n, unsigned depth, struct count *c)
{
	for (; n; n = n->next) {
		c->values++;
		if (cJSON_IsArray(n) || cJSON_IsObject(n)) {
			if (depth + 1 > c->depth)
				c->depth = depth + 1;
			count(n->child, depth + 1, c);
		}
	}
}

/* cJSON parsed all of text (trailing RFC whitespace allowed)? */
static cJSON *cjson_whole(const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!j)
		return NULL;
	for (; end && end < text + len; end++)
		if (!strchr(" \t\r\n", *end) || !*end) {
			cJSON_Delete(j);
			return NULL;
		}
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct rep_json_stats st;
	char err[512];
	cJSON *j = NULL;
	bool loaded = false;

	if (rep_json_parse(text, size, "fuzz", &j, err, sizeof(err)) == 0) {
		loaded = true;
		cJSON_Delete(j);
	}
	if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) { /* the loader skips a BOM */
		text += 3;
		size -= 3;
	}
	int rc = rep_json_scan(text, size, "fuzz", &st, err, sizeof(err));
	if (rc != 0 && rc != -EINVAL && rc != -E2BIG)
		abort();
	if (rc != 0 && !err[0])
		abort(); /* every refusal says why */

	cJSON *c = cjson_whole(text, size);
	if (rc == 0) {
		struct count k = { 0, 0 };
		if (!c)
			abort(); /* the scan accepted what cJSON cannot parse */
		count(c, 0, &k);
		if (k.values != st.values || k.depth != st.depth)
			abort();
	} else if (rc == -EINVAL && c) {
		char *again = cJSON_PrintUnformatted(c);
		struct rep_json_stats st2;
		if (again) {
			int rc2 =
				rep_json_scan(again, strlen(again), "fuzz", &st2, err, sizeof(err));
			if (rc2 == -EINVAL)
				abort(); /* cJSON's own output is not JSON to the scan */
			free(again);
		}
	}
	cJSON_Delete(c);
	if (loaded && rc != 0)
		abort(); /* the loader took what the scan refused */
	return 0;
}
