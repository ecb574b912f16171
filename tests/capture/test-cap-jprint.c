/* SPDX-License-Identifier: Apache-2.0 */
/* cap_json_print against cJSON_Print: the same bytes for every kind of value, number and string. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../tap.h"
#include "cap-internal.h"

/* Both printers on one tree; true when they agree. */
static bool same(const cJSON *j, const char *what)
{
	char *want = cJSON_Print(j), *got = NULL;
	int r = cap_json_print(j, &got);
	bool ok = want && r == 0 && strcmp(want, got) == 0;
	if (!ok)
		printf("# %s: want <%s>\n#   got <%s>\n", what, want ? want : "(null)",
		       r == 0 ? got : "(error)");
	free(want);
	free(got);
	return ok;
}

static double numbers[] = {
	0,
	1,
	-1,
	7,
	42,
	2181,
	65535,
	2147483647.0,
	2147483648.0,
	-2147483648.0,
	4294967296.0,
	1159459661.0,
	1e14,
	999999999999999.0,
	1e15,
	1e15 + 1,
	9007199254740992.0,
	1e17,
	1e300,
	-1e15,
	0.5,
	0.1,
	-0.25,
	1.0 / 3.0,
	123.456,
	1e-7,
	2.5e-300,
	4.9e-324,
	1.7976931348623157e308,
	12.3,
	0.3 + 0.6,
};

int main(void)
{
	cJSON *o = cJSON_CreateObject(), *a, *n;
	bool all = true;

	/* numbers, one at a time and all together */
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		cJSON *x = cJSON_CreateNumber(numbers[i]);
		all &= same(x, "number");
		cJSON_Delete(x);
	}
	TAP_OK(all, "fixed numbers print as cJSON prints them");
	cJSON *nz = cJSON_CreateNumber(-0.0), *nan_ = cJSON_CreateNumber(NAN),
	      *inf = cJSON_CreateNumber(-INFINITY);
	TAP_OK(same(nz, "-0") && same(nan_, "nan") && same(inf, "inf"), "-0, NaN and infinity");
	cJSON_Delete(nz);
	cJSON_Delete(nan_);
	cJSON_Delete(inf);
	all = true;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 200000 && all; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double d;
		switch (i % 4) {
		case 0:
			d = (double)(x >> (x & 63));
			break; /* integers of every size */
		case 1:
			d = (double)(int64_t)x / (double)(1ull << (x & 31));
			break;
		case 2:
			memcpy(&d, &x, sizeof(d));
			break; /* any bit pattern */
		default:
			d = (double)(x % 1000000) / 1000.0;
			break;
		}
		cJSON *y = cJSON_CreateNumber(d);
		all &= same(y, "random number");
		cJSON_Delete(y);
	}
	TAP_OK(all, "200,000 random numbers print as cJSON prints them");

	/* strings: escapes, control bytes, high bytes, empty, NULL */
	static const char *strs[] = { "",
				      "plain",
				      "quote \" back \\ slash",
				      "\b\f\n\r\t",
				      "\x01\x1f\x7f",
				      "\xc3\xa9t\xc3\xa9 \xff",
				      "/path/with/slashes",
				      "tab\there" };
	all = true;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		cJSON *s = cJSON_CreateString(strs[i]);
		all &= same(s, strs[i]);
		cJSON_Delete(s);
	}
	TAP_OK(all, "strings escape as cJSON escapes them");

	/* structure: nesting, empty containers, arrays of objects, keys that need escaping */
	cJSON_AddStringToObject(o, "schema", "mskprobe.capture/1");
	cJSON_AddNumberToObject(o, "packets", 1912345);
	cJSON_AddNullToObject(o, "filter");
	cJSON_AddTrueToObject(o, "t");
	cJSON_AddFalseToObject(o, "f");
	cJSON_AddItemToObject(o, "empty_object", cJSON_CreateObject());
	cJSON_AddItemToObject(o, "empty_array", cJSON_CreateArray());
	cJSON_AddRawToObject(o, "raw", "[1,2]");
	cJSON_AddStringToObject(o, "key \"with\" escapes\n", "v");
	a = cJSON_AddArrayToObject(o, "flows");
	for (int i = 0; i < 3; i++) {
		n = cJSON_CreateObject();
		cJSON_AddNumberToObject(n, "bytes", 1448.0 * i);
		cJSON_AddItemToObject(n, "inner", cJSON_CreateObject());
		cJSON *arr = cJSON_AddArrayToObject(n, "list");
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(i));
		cJSON_AddItemToArray(arr, cJSON_CreateString("x"));
		cJSON_AddItemToArray(arr, cJSON_CreateArray());
		cJSON *deep = cJSON_CreateObject();
		cJSON_AddItemToObject(deep, "e", cJSON_CreateObject());
		cJSON_AddItemToArray(arr, deep);
		cJSON_AddItemToArray(a, n);
	}
	TAP_OK(same(o, "tree"), "a nested tree prints as cJSON prints it");
	cJSON *ea = cJSON_CreateArray(), *eo = cJSON_CreateObject();
	TAP_OK(same(ea, "[]") && same(eo, "{}"), "empty top-level array and object");
	cJSON_Delete(ea);
	cJSON_Delete(eo);

	cJSON_Delete(o);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
