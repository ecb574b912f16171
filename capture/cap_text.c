/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --format text: a terminal rendering of the capture object. Rendered from
 * the JSON (never from the structs) so a saved report renders the same.
 * Every string printed came from the JSON, which holds only sanitised text.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "compat.h"
#include "util.h"

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "-";
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void text_header(FILE *f, const cJSON *c)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(c, "source");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "stats");
	fprintf(f, "capture: %s %s (%s)\n", jstr(src, "kind"), jstr(src, "name"),
		jstr(src, "linktype"));
	fprintf(f,
		"  %.0f packets, %.0f bytes, %.3f s, %.0f dropped, %.0f flows (%.0f over the "
		"cap)\n",
		jnum(st, "packets"), jnum(st, "bytes"), jnum(st, "seconds"), jnum(st, "dropped"),
		jnum(st, "flows"), jnum(st, "flows_over_cap"));
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(st, "error")))
		fprintf(f, "  error: %s\n", jstr(st, "error"));
}

static void text_flows(FILE *f, const cJSON *c)
{
	const cJSON *fl, *flows = cJSON_GetObjectItemCaseSensitive(c, "flows");
	fprintf(f, "\nflows (%d listed):\n", cJSON_GetArraySize(flows));
	cJSON_ArrayForEach (fl, flows) {
		const cJSON *vni = cJSON_GetObjectItemCaseSensitive(fl, "vni");
		char v[32] = "";
		if (cJSON_IsNumber(vni))
			mp_fmt(v, sizeof(v), " vni %.0f", vni->valuedouble);
		fprintf(f, "  %s -> %s%s  %s (%s)  %.0f pkts %.0f bytes\n      %s\n",
			jstr(fl, "client"), jstr(fl, "server"), v, jstr(fl, "class"),
			jstr(fl, "confidence"), jnum(fl, "packets"), jnum(fl, "bytes"),
			jstr(fl, "reason"));
	}
}

static void text_clients(FILE *f, const cJSON *c)
{
	const cJSON *x, *clients = cJSON_GetObjectItemCaseSensitive(c, "clients");
	const cJSON *inv = cJSON_GetObjectItemCaseSensitive(c, "client_inventory");
	if (!cJSON_IsArray(clients))
		return;
	fprintf(f, "\nclients (%d, from their plaintext requests; judged against %s):\n",
		cJSON_GetArraySize(clients), jstr(inv, "target_version"));
	cJSON_ArrayForEach (x, clients) {
		struct mp_client_row row;
		mp_client_row(x, &row);
		fprintf(f, "  %s  [%s]\n      uses: %s\n      %s\n", row.who, row.library,
			row.versions, row.verdict);
	}
	cJSON_ArrayForEach (x, cJSON_GetObjectItemCaseSensitive(inv, "tls_flows_not_inventoried"))
		fprintf(f, "  %.0f TLS client flows to %s could not be read\n", jnum(x, "flows"),
			jstr(x, "server"));
}

static void text_findings(FILE *f, const cJSON *c)
{
	const cJSON *x;
	fprintf(f, "\nfindings:\n");
	cJSON_ArrayForEach (x, cJSON_GetObjectItemCaseSensitive(c, "findings"))
		fprintf(f, "  [%s] %s: %s\n", jstr(x, "severity"), jstr(x, "id"), jstr(x, "title"));
}

int cap_render_text(const cJSON *capture, char **ret_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	text_header(f, capture);
	text_flows(f, capture);
	text_clients(f, capture);
	text_findings(f, capture);
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(capture, "evidence");
	if (ev)
		fprintf(f, "\nevidence: %s (sha256 %s, %.0f packets)\n", jstr(ev, "file"),
			jstr(ev, "sha256"), jnum(ev, "packets"));
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*ret_text = buf;
	return 0;
}
