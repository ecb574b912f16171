/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SASL listeners of the Kafka stand-in (SASL_PLAINTEXT / SASL_SSL), as
 * Kafka's SaslServerAuthenticator serves a connection before
 * authentication: ApiVersions and SaslHandshake are served; after one
 * successful ApiVersions only SaslHandshake is (a second ApiVersions
 * closes); any other request closes. An UNSUPPORTED_VERSION or
 * INVALID_REQUEST answer does not count as successful, so a client may
 * step down on one connection. After SaslHandshake the stand-in does not
 * authenticate: the next request closes the connection.
 *
 *   SaslHandshake v0-1 body: int16 len | mechanism
 *   response (header v0): int32 correlation_id | int16 error
 *   | int32 n | n x (int16 len | mechanism)
 */
#include <string.h>

#include "standin-internal.h"

#define KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM 33

bool standin_sasl_admits(const struct conn *c, int16_t api_key)
{
	if (!c->l->sasl)
		return api_key != KAFKA_SASL_HANDSHAKE;
	switch (api_key) {
	case KAFKA_API_VERSIONS:
		return c->sasl == SASL_HANDSHAKE_OR_VERSIONS;
	case KAFKA_SASL_HANDSHAKE:
		return c->sasl != SASL_AUTHENTICATE;
	default:
		return false;
	}
}

void standin_sasl_versions_done(struct conn *c)
{
	if (c->l->sasl)
		c->sasl = SASL_HANDSHAKE;
}

/* Is `mech` one of the comma-separated names in `list`? */
static bool mech_listed(const char *list, struct mp_rd mech)
{
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == mech.left && memcmp(p, mech.p, n) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* SaslHandshake v0-1 on a SASL listener. -1 closes the connection. */
int standin_sasl_handshake(struct standin_server *s, struct conn *c, const struct standin_kreq *q)
{
	struct listener *l = c->l;
	struct mp_wr w;
	size_t n_mechs = 1;

	if (q->h.api_version < 0 || q->h.api_version > 1)
		return -1;
	bool ok = mech_listed(l->mechs, q->mechanism);
	for (const char *p = l->mechs; *p; p++)
		n_mechs += *p == ',';

	mp_wr_init(&w, 4 + 4 + 2 + 4 + n_mechs * 2 + sizeof(l->mechs));
	mp_wr_be32(&w, 0);
	mp_wr_be32(&w, (uint32_t)q->h.correlation_id);
	mp_wr_be16(&w, ok ? KAFKA_ERR_NONE : KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM);
	mp_wr_be32(&w, (uint32_t)n_mechs);
	for (const char *p = l->mechs; *p;) {
		size_t n = strcspn(p, ",");
		mp_wr_be16(&w, (uint16_t)n);
		mp_wr_bytes(&w, p, n);
		p += n + (p[n] == ',');
	}
	mp_wr_put_be32(&w, 0, (uint32_t)(w.len - 4));
	if (w.bad) {
		mp_wr_free(&w);
		return -1;
	}
	size_t len;
	uint8_t *buf = mp_wr_take(&w, &len);
	standin_conn_queue(c, buf, len);
	standin_count(&s->answers);
	/* Kafka closes after refusing a mechanism; else it waits for tokens. */
	c->sasl = SASL_AUTHENTICATE;
	c->close_after_write = !ok;
	return 0;
}
