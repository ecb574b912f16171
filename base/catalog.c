/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The finding catalogue and compliance map: base/data/findings.tsv (compiled
 * in by scripts/embed.py as mp_findings_builtin). The one place a finding's
 * severity, title, remediation and controls come from: code emits an id and
 * its evidence, the model takes the rest from here. Layout, one finding per
 * line, TAB separated, '#' comments:
 *
 *   id  severity  requires  title  remediation  FW|CTRL;FW|CTRL;...
 *
 * The parser keeps one copy of the text and points into it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "model.h"
#include "util.h"

extern const char mp_findings_builtin[];
extern const size_t mp_findings_builtin_len;

#define CATALOG_ROWS_MAX  256u
#define CATALOG_BYTES_MAX (256u * 1024u)

struct mp_catalog {
	char *text;
	size_t n;
	struct mp_check rows[CATALOG_ROWS_MAX];
};

static const char *const requires_names[] = { "always",	 "brokers",	"zookeeper", "tls",
					      "configs", "capture",	"inventory", "listeners",
					      "tags",	 "observation", "clients" };

static bool id_valid(const char *id)
{
	size_t n = 0;
	for (const char *p = id; *p; p++, n++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return n > 0 && n < 48;
}

static int parse_controls(struct mp_check *k, char *s, unsigned line, char *errbuf, size_t errlen)
{
	for (char *p = s; p && *p;) {
		char *semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		char *bar = strchr(p, '|');
		if (!bar || bar == p || !bar[1] || k->n_controls >= MP_CONTROLS_MAX) {
			mp_fmt(errbuf, errlen, "line %u: control '%s': want FRAMEWORK|CONTROL",
			       line, p);
			return -EINVAL;
		}
		*bar = '\0';
		k->framework[k->n_controls] = p;
		k->control[k->n_controls++] = bar + 1;
		p = semi ? semi + 1 : NULL;
	}
	return 0;
}

static int parse_row(struct mp_check *k, char *line, unsigned no, char *errbuf, size_t errlen)
{
	enum mp_severity sev;
	char *f[6];
	size_t n = 0;
	for (char *p = line; p && n < 6;) {
		char *tab = strchr(p, '\t');
		if (tab)
			*tab = '\0';
		f[n++] = p;
		p = tab ? tab + 1 : NULL;
		if (n == 6 && tab) {
			mp_fmt(errbuf, errlen, "line %u: more than 6 columns", no);
			return -EINVAL;
		}
	}
	if (n != 6) {
		mp_fmt(errbuf, errlen, "line %u: %zu columns, want 6", no, n);
		return -EINVAL;
	}
	if (!id_valid(f[0])) {
		mp_fmt(errbuf, errlen, "line %u: id '%s': want [A-Z0-9_], at most 47", no, f[0]);
		return -EINVAL;
	}
	if (mp_severity_parse(f[1], &sev) < 0) {
		mp_fmt(errbuf, errlen, "line %u: severity '%s'", no, f[1]);
		return -EINVAL;
	}
	bool req = false;
	for (size_t i = 0; i < sizeof(requires_names) / sizeof(requires_names[0]); i++)
		req = req || strcmp(f[2], requires_names[i]) == 0;
	if (!req || !f[3][0] || strlen(f[3]) > 200 || !f[4][0] || strlen(f[4]) > 500) {
		mp_fmt(errbuf, errlen, "line %u: bad requires, title or remediation", no);
		return -EINVAL;
	}
	k->id = f[0];
	k->severity = f[1];
	k->sev = sev;
	k->requires = f[2];
	k->observation = strcmp(f[2], "observation") == 0;
	k->title = f[3];
	k->remediation = f[4];
	return parse_controls(k, f[5], no, errbuf, errlen);
}

int mp_catalog_parse(struct mp_catalog **ret, const char *text, size_t len, char *errbuf,
		     size_t errlen)
{
	struct mp_catalog *c = NULL;
	unsigned no = 0;
	int rc = -EINVAL;

	if (len > CATALOG_BYTES_MAX || memchr(text, '\0', len) || !mp_utf8_valid(text, len)) {
		mp_fmt(errbuf, errlen, "catalogue: too large, or not UTF-8 text");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->text = malloc(len + 1))) {
		rc = -ENOMEM;
		goto fail;
	}
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	for (char *p = c->text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		no++;
		if (*p && *p != '#') {
			if (c->n >= CATALOG_ROWS_MAX) {
				mp_fmt(errbuf, errlen, "line %u: more than %u rows", no,
				       CATALOG_ROWS_MAX);
				goto fail;
			}
			if (parse_row(&c->rows[c->n], p, no, errbuf, errlen) < 0)
				goto fail;
			if (mp_catalog_find(c, c->rows[c->n].id)) {
				mp_fmt(errbuf, errlen, "line %u: id %s listed twice", no,
				       c->rows[c->n].id);
				goto fail;
			}
			c->n++;
		}
		p = nl ? nl + 1 : NULL;
	}
	*ret = c;
	return 0;
fail:
	mp_catalog_free(c);
	return rc;
}

int mp_catalog_builtin(struct mp_catalog **ret, char *errbuf, size_t errlen)
{
	return mp_catalog_parse(ret, mp_findings_builtin, mp_findings_builtin_len, errbuf, errlen);
}

void mp_catalog_free(struct mp_catalog *c)
{
	if (!c)
		return;
	free(c->text);
	free(c);
}

size_t mp_catalog_size(const struct mp_catalog *c)
{
	return c->n;
}

const struct mp_check *mp_catalog_at(const struct mp_catalog *c, size_t i)
{
	return i < c->n ? &c->rows[i] : NULL;
}

const struct mp_check *mp_catalog_find(const struct mp_catalog *c, const char *id)
{
	for (size_t i = 0; id && i < c->n; i++)
		if (strcmp(c->rows[i].id, id) == 0)
			return &c->rows[i];
	return NULL;
}

static struct mp_catalog *builtin;
static char builtin_err[MP_ERR_MAX];

static void builtin_init(void)
{
	if (mp_catalog_builtin(&builtin, builtin_err, sizeof(builtin_err)) < 0)
		builtin = NULL;
}

const struct mp_catalog *mp_catalog(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, builtin_init);
	return builtin;
}
