/* SPDX-License-Identifier: Apache-2.0 */
#include "cli_common.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
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

int cli_target_version(const char *arg, char *out, size_t n)
{
	char rel[16], err[320];
	if (!arg) { /* the newest feature release MSK offers */
		struct msk_catalog *cat = NULL;
		if (msk_catalog_builtin(&cat, err, sizeof(err)) < 0) {
			fprintf(stderr, "mskprobe: %s\n", err);
			return -EINVAL;
		}
		mp_strlcpy(rel, msk_catalog_newest_release(cat), sizeof(rel));
		msk_catalog_free(cat);
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

void cli_progress_init(struct cli_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO);
}

void cli_progress_draw(struct cli_progress *p, bool force, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int64_t now;
	int len;

	if (!p->on)
		return;
	now = mp_now_ms();
	if (!force && p->last_ms && now - p->last_ms < CLI_PROGRESS_MS)
		return;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (len >= (int)sizeof(line))
		len = (int)sizeof(line) - 1;
	/* pad over the tail of a longer previous line */
	fprintf(stderr, "\r%s%*s", line, p->width > len ? p->width - len : 0, "");
	fflush(stderr);
	if (len > p->width)
		p->width = len;
	p->last_ms = now ? now : 1;
}

void cli_progress_clear(struct cli_progress *p)
{
	if (!p->on || !p->width)
		return;
	fprintf(stderr, "\r%*s\r", p->width, "");
	fflush(stderr);
	p->width = 0;
	p->last_ms = 0;
}

void cli_bytes(char *dst, size_t n, uint64_t bytes)
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1000) {
		snprintf(dst, n, "%llu B", (unsigned long long)bytes);
		return;
	}
	v /= 1000.0;
	while (v >= 1000.0 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000.0;
		u++;
	}
	snprintf(dst, n, "%.1f %s", v, unit[u]);
}
