/* SPDX-License-Identifier: Apache-2.0 */
#include "cli_common.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compat.h"
#include "msk.h"
#include "report.h"
#include "util.h"

void cli_default_opts(struct scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	mp_strlcpy(o->policy.min_version, "2.5.1", sizeof(o->policy.min_version));
	mp_strlcpy(o->policy.platform, "msk", sizeof(o->policy.platform));
	o->policy.cert_warn_days = 30;
	o->timeout_ms = 5000;
	o->concurrency = 64;
	o->tls_mode = KAFKA_TLS_AUTO;
	o->discover = true;
}

int cli_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
	     unsigned long *ret)
{
	if (mp_parse_uint(s, min, max, ret) < 0) {
		fprintf(stderr, "mskprobe: %s '%s': want a whole number from %lu to %lu\n", opt, s,
			min, max);
		return -EINVAL;
	}
	return 0;
}

int cli_min_version(struct mp_policy *p, const char *s)
{
	struct mp_ver v;
	if (strlen(s) >= sizeof(p->min_version) || mp_ver_parse(s, &v) < 0 || v.label[0]) {
		fprintf(stderr, "mskprobe: --min-version '%s': want a version like 2.5.1\n", s);
		return -EINVAL;
	}
	mp_strlcpy(p->min_version, s, sizeof(p->min_version));
	return 0;
}

int cli_platform(struct mp_policy *p, const char *s)
{
	if (strcmp(s, "msk") && strcmp(s, "apache")) {
		fprintf(stderr, "mskprobe: --platform must be msk or apache\n");
		return -EINVAL;
	}
	mp_strlcpy(p->platform, s, sizeof(p->platform));
	return 0;
}

/* The newest feature release ("4.1") of the built-in MSK catalogue's rows. */
static void msk_newest_release(char *out, size_t n)
{
	const char *p = mp_msk_builtin, *end = mp_msk_builtin + mp_msk_builtin_len;
	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *tab = memchr(p, '\t', len);
		if (*p != '#' && tab) {
			char rel[16];
			const char *t2 = memchr(tab + 1, '\t', len - (size_t)(tab + 1 - p));
			size_t rl = t2 ? (size_t)(t2 - tab - 1) : 0;
			if (rl > 0 && rl < sizeof(rel)) {
				memcpy(rel, tab + 1, rl);
				rel[rl] = '\0';
				if (!out[0] || mp_ver_cmp_str(rel, out) > 0)
					mp_strlcpy(out, rel, n);
			}
		}
		p += len + 1;
	}
}

int cli_target_version(const char *arg, char *out, size_t n)
{
	char rel[16], err[320];
	if (!arg) {
		msk_newest_release(rel, sizeof(rel));
		arg = rel;
	}
	if (mp_compat_resolve_target(arg, out, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

void cli_command_line(char *dst, size_t n, int argc, char **argv)
{
	size_t o = 0;
	bool mask = false;
	dst[0] = '\0';
	o += (size_t)snprintf(dst, n, "mskprobe");
	for (int i = 0; i < argc && o + 1 < n; i++) {
		char safe[256];
		const char *a = mask ? "***" : argv[i];
		mp_sanitize(safe, sizeof(safe), (const uint8_t *)a, strlen(a));
		o += (size_t)snprintf(dst + o, n - o, " %s", safe);
		mask = strstr(argv[i], "password") && !strchr(argv[i], '=') &&
		       !strstr(argv[i], "-file");
	}
}

int cli_emit(const struct mp_report *r, const char *format, const char *output)
{
	cJSON *j = rep_to_json(r);
	char *text = NULL, err[512] = "";
	int rc = MP_EXIT_USAGE;

	if (!j) {
		fprintf(stderr, "mskprobe: out of memory building the report\n");
		return MP_EXIT_USAGE;
	}
	struct rep_render_opts ro = { .color = strcmp(format, "text") == 0 &&
					       strcmp(output, "-") == 0 && isatty(STDOUT_FILENO) &&
					       !getenv("NO_COLOR") };
	if (rep_render(format, j, &ro, &text, NULL, err, sizeof(err)) < 0)
		text = NULL;
	if (!text) {
		fprintf(stderr, "mskprobe: cannot render the report: %s\n",
			err[0] ? err : "out of memory");
		goto out;
	}
	if (rep_write_file(output, text, strlen(text), err, sizeof(err)) < 0) {
		fprintf(stderr, "mskprobe: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	free(text);
	cJSON_Delete(j);
	return rc;
}
