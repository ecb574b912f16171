/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads one broker's ApiVersions answer exactly as it was sent, over the
 * exchange loop: the newest request version first (v3, with the KIP-511
 * client software fields), then the version the broker asks for
 * (UNSUPPORTED_VERSION), down to v0, each attempt on a new connection
 * (a SASL listener answers one ApiVersions per connection). Needs no
 * credentials: brokers answer ApiVersions before authentication.
 *
 * Time: every step gets timeout_ms, every connection's round twice that, and
 * the whole probe, all attempts together, KAFKA_PROBE_BUDGET_STEPS times
 * that: each attempt's hard deadline (its TLS handshake included) is what is
 * left of that budget, so a peer that answers every step just in time costs
 * at most the budget (plus the event loop's lateness, a few ms). The
 * broker's elapsed_ms is the time its attempts' connections took, summed
 * (time an attempt waited in the loop's queue under --concurrency is not
 * the peer's cost and does not count).
 */
#ifndef MP_KAFKA_PROBE_H
#define MP_KAFKA_PROBE_H

#include <openssl/ssl.h>
#include <sys/socket.h>

#include "loop.h"
#include "model.h"

#define KAFKA_PROBE_BUDGET_STEPS 4 /* a broker probe's budget, in --timeout-ms */

enum kafka_tls_mode {
	KAFKA_TLS_AUTO = 0, /* MSK port conventions, else TLS then plain */
	KAFKA_TLS_ON,
	KAFKA_TLS_OFF,
};

struct kafka_probe_env {
	struct mp_loop *loop;
	SSL_CTX *tls;	/* client context for TLS listeners */
	int timeout_ms; /* per step */
	enum kafka_tls_mode tls_mode;
	/* called once per broker when its probe has ended (success or not) */
	void (*done)(struct mp_broker *b, void *ud);
	void *ud;
};

/* MSK's TLS listener ports (9094/9096/9098 and the public 9194/9196/9198). */
bool kafka_port_is_tls(uint16_t port);

/*
 * Start probing b at addr. The broker must outlive the probe. Returns 0, or
 * -errno (then b->error says why and done() is not called).
 */
int kafka_probe_start(const struct kafka_probe_env *env, struct mp_broker *b,
		      const struct sockaddr_storage *addr, socklen_t addrlen);

#endif
