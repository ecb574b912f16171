/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the MSK Open Monitoring answer (probe/om.c,
 * probe/om_parse.c): the first byte picks the path, the rest is the input.
 *   even: a whole HTTP answer fed to om_http in pieces (sizes from the
 *         input), then the close
 *   odd:  an exposition body to om_parse_body
 * Beyond "never crash": the view keeps at most MP_OM_SERIES_MAX series,
 * every kept name is NUL-terminated in its alphabet, every count finite and
 * not negative, and the body bytes never pass MP_OM_BODY_MAX.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "om.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s, bool empty_ok)
{
	const char *end = memchr(s, '\0', MP_OM_NAME_MAX);
	if (!end || (!empty_ok && end == s))
		abort();
	for (; s < end; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._",
			    *s))
			abort();
}

static void check_count(double v)
{
	if (!isfinite(v) || v < 0)
		abort();
}

static void check(const struct om_view *v)
{
	if (v->n_clients + v->n_listeners + v->n_deprecated > MP_OM_SERIES_MAX)
		abort();
	for (size_t i = 0; i < v->n_clients; i++) {
		check_name(v->clients[i].listener, false);
		check_name(v->clients[i].sw_name, true);
		check_name(v->clients[i].sw_version, true);
		check_count(v->clients[i].connections);
	}
	for (size_t i = 0; i < v->n_listeners; i++) {
		check_name(v->listeners[i].name, false);
		check_count(v->listeners[i].connection_count);
		check_count(v->listeners[i].tls_connections);
	}
	for (size_t i = 0; i < v->n_deprecated; i++) {
		check_name(v->deprecated[i].request, false);
		check_name(v->deprecated[i].sw_name, true);
		check_name(v->deprecated[i].sw_version, true);
		check_count(v->deprecated[i].count);
		if (v->deprecated[i].version < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct om_view v = { 0 };
	char err[MP_ERR_MAX];
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	if (mode & 1) {
		(void)om_parse_body(data, size, &v, err, sizeof(err));
		check(&v);
		om_view_clear(&v);
		return 0;
	}
	struct om_http *h = NULL;
	if (om_http_new(&h, &v) < 0)
		return 0;
	int rc = 0;
	size_t off = 0, step = (size_t)(mode >> 1) + 1;
	while (off < size && rc == 0) {
		size_t n = size - off < step ? size - off : step;
		rc = om_http_feed(h, data + off, n, err, sizeof(err));
		off += n;
		step = step * 3 % 977 + 1;
	}
	if (rc == 0)
		rc = om_http_eof(h, err, sizeof(err));
	if (rc != 1 && (rc < OM_E_HTTP || rc > OM_E_NOMEM))
		abort();
	if (rc != 1 && !memchr(err, '\0', sizeof(err)))
		abort();
	if (om_http_body_bytes(h) > MP_OM_BODY_MAX)
		abort();
	om_http_free(h);
	check(&v);
	om_view_clear(&v);
	return 0;
}
