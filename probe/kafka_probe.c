/* SPDX-License-Identifier: Apache-2.0 */
#include "kafka_probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_apiv.h"
#include "tls.h"
#include "util.h"

/* KIP-511 client software fields: must match [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
#define SW_NAME	      "mskprobe"
#define SW_VERSION    "0.1.0"
#define CLIENT_ID     "mskprobe"
#define FIRST_VERSION 3

struct kprobe {
	struct kafka_probe_env env;
	struct mp_broker *b;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool use_tls;
	bool tls_fallback_done; /* auto mode tried TLS and fell back to plain */
	bool v0_retry_done;	/* a closed connection at vN was retried at v0 */
	int16_t version;
	int32_t corr;
	int64_t budget_ms; /* KAFKA_PROBE_BUDGET_STEPS x timeout_ms over all attempts */
	int64_t used_ms;   /* time the attempts' connections took so far */
};

bool kafka_port_is_tls(uint16_t port)
{
	return port == 9094 || port == 9096 || port == 9098 || port == 9194 || port == 9196 ||
	       port == 9198;
}

static void attempt_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud);

static void log_attempt(struct kprobe *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_attempt(struct kprobe *p, const char *fmt, ...)
{
	struct mp_broker *b = p->b;
	va_list ap;
	struct mp_attempt *a = mp_broker_add_attempt(b);
	if (!a)
		return;
	a->version = p->version;
	va_start(ap, fmt);
	vsnprintf(a->outcome, sizeof(a->outcome), fmt, ap);
	va_end(ap);
}

static void end(struct kprobe *p)
{
	p->b->elapsed_ms = p->used_ms;
	if (p->env.done)
		p->env.done(p->b, p->env.ud);
	free(p);
}

static int submit(struct kprobe *p)
{
	struct mp_xchg_spec s = { 0 };
	uint8_t *req = NULL;
	size_t len = 0;
	int rc;

	if (p->b->n_attempts >= MP_APIV_ATTEMPTS_MAX) {
		mp_fmt(p->b->error, sizeof(p->b->error), "gave up after %u attempts",
		       MP_APIV_ATTEMPTS_MAX);
		return -ELOOP;
	}
	/* a slow peer answering every step in time must not keep us busy for
	 * 8 connections x 2 timeouts: the attempts share one budget, and each
	 * gets what is left of it as its hard deadline */
	if (p->used_ms >= p->budget_ms) {
		mp_fmt(p->b->error, sizeof(p->b->error),
		       "gave up after %lld ms over %u attempts: the probe's budget is %lld ms "
		       "(%d x --timeout-ms)",
		       (long long)p->used_ms, p->b->n_attempts, (long long)p->budget_ms,
		       KAFKA_PROBE_BUDGET_STEPS);
		return -ETIMEDOUT;
	}
	p->corr++;
	rc = kafka_apiv_encode_request(p->version, p->corr, CLIENT_ID, SW_NAME, SW_VERSION, &req,
				       &len);
	if (rc < 0) {
		mp_fmt(p->b->error, sizeof(p->b->error), "cannot encode request: %s",
		       strerror(-rc));
		return rc;
	}
	s.addr = p->addr;
	s.addrlen = p->addrlen;
	s.tls = p->use_tls ? p->env.tls : NULL;
	s.sni = p->b->host;
	s.req = req;
	s.req_len = len;
	s.frame = MP_FRAME_I32;
	s.max_read = MP_APIV_FRAME_MAX;
	s.timeout_ms = p->env.timeout_ms;
	s.budget_ms = (int)(p->budget_ms - p->used_ms);
	s.done = attempt_done;
	s.ud = p;
	rc = mp_loop_submit(p->env.loop, &s);
	free(req);
	if (rc < 0)
		mp_fmt(p->b->error, sizeof(p->b->error), "cannot queue the probe: %s",
		       strerror(-rc));
	return rc;
}

/* Record the TLS session once: the first handshake that completed. */
/* The alerts a server sends for a missing client certificate, as OpenSSL
 * words them: 40 handshake_failure, 42 bad_certificate (Kafka 3.x/4.x with
 * ssl.client.auth=required, in the handshake or, with TLS 1.3, on the first
 * read after it), 116 certificate_required. */
static bool cert_alert(const char *msg)
{
	return strstr(msg, "handshake failure") || strstr(msg, "bad certificate") ||
	       strstr(msg, "certificate required");
}

static void note_tls(struct kprobe *p, const struct mp_xchg_result *res)
{
	struct mp_broker *b = p->b;
	if (!p->use_tls || b->tls_info)
		return;
	b->tls_info = calloc(1, sizeof(*b->tls_info));
	if (!b->tls_info)
		return;
	b->tls_info->hostname_match = -1;
	b->tls_info->speaks_zookeeper = -1;
	b->tls_info->speaks_kafka = -1;
	if (res->ssl) {
		b->tls = true;
		(void)tls_inspect(res->ssl, b->host, b->tls_info);
		/* a TLS 1.3 server that requires a certificate fails the first read */
		if (res->err == MP_X_TLS && cert_alert(res->errmsg))
			mp_strlcpy(b->tls_info->client_cert, "required",
				   sizeof(b->tls_info->client_cert));
	} else {
		mp_strlcpy(b->tls_info->handshake, "failed", sizeof(b->tls_info->handshake));
		mp_strlcpy(b->tls_info->error, res->errmsg, sizeof(b->tls_info->error));
		if (cert_alert(res->errmsg))
			mp_strlcpy(b->tls_info->client_cert, "required",
				   sizeof(b->tls_info->client_cert));
	}
}

/* Auto mode: TLS failed fast (not a timeout), so the port may be plain Kafka. */
static bool try_plain(struct kprobe *p, const struct mp_xchg_result *res)
{
	if (p->env.tls_mode != KAFKA_TLS_AUTO || !p->use_tls || p->tls_fallback_done ||
	    kafka_port_is_tls(p->b->port))
		return false;
	if (res->step != MP_XS_TLS || res->err == MP_X_TIMEOUT || res->err == MP_X_ABORTED)
		return false;
	log_attempt(p, "TLS failed (%s); retrying without TLS", res->errmsg);
	mp_tls_info_free(p->b->tls_info);
	p->b->tls_info = NULL;
	p->use_tls = false;
	p->b->tls = false;
	p->tls_fallback_done = true;
	return true;
}

static void on_answer(struct kprobe *p, const struct mp_xchg_result *res, bool *again)
{
	struct mp_broker *b = p->b;
	struct mp_apiv a;
	char why[160] = "";
	int rc = kafka_apiv_decode_response(res->data, res->len, p->version, p->corr, &a, why,
					    sizeof(why));
	if (rc) {
		log_attempt(p, "not a Kafka answer: %s", why);
		mp_fmt(b->error, sizeof(b->error), "answer to ApiVersions v%d is not Kafka: %s",
		       p->version, why);
		return;
	}
	if (a.error_code == KAFKA_ERR_NONE) {
		log_attempt(p, "ok: %u api keys", a.table.n);
		if (mp_broker_set_apiv(b, &a) < 0) {
			mp_fmt(b->error, sizeof(b->error), "out of memory keeping the answer");
			return;
		}
		b->answered = true;
		return;
	}
	const struct mp_api_range *k18 = mp_api_table_find(&a.table, KAFKA_API_VERSIONS);
	log_attempt(p, "error %d %s%s", a.error_code, kafka_error_name(a.error_code),
		    k18 ? " (broker lists its ApiVersions range)" : "");
	if ((a.error_code == KAFKA_ERR_UNSUPPORTED_VERSION ||
	     a.error_code == KAFKA_ERR_INVALID_REQUEST) &&
	    p->version > 0) {
		int16_t next = (int16_t)(p->version - 1);
		if (k18 && k18->max < next)
			next = k18->max;
		p->version = next;
		*again = true;
		return;
	}
	mp_fmt(b->error, sizeof(b->error), "broker answered ApiVersions v%d with error %d %s",
	       p->version, a.error_code, kafka_error_name(a.error_code));
}

/* A Kafka frame length never starts with printable ASCII (it would announce
 * hundreds of megabytes): such an answer is some other protocol's text. */
static bool looks_like_text(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static void on_failure(struct kprobe *p, const struct mp_xchg_result *res, bool *again)
{
	struct mp_broker *b = p->b;
	/* the pre-0.10 signal: a clean close once the peer had our request; a
	 * reset (a peer that closes at once, unread data) is not it */
	bool closed_silently = res->err == MP_X_CLOSED && res->step == MP_XS_RECV &&
			       res->bytes_read == 0 && res->delivered;

	log_attempt(p, "%s: %s", mp_xerr_name(res->err), res->errmsg);
	if (closed_silently && p->version > 0 && !p->v0_retry_done) {
		/* brokers that do not know this version may just close: ask v0 */
		p->v0_retry_done = true;
		p->version = 0;
		*again = true;
		return;
	}
	if (closed_silently && p->version == 0) {
		b->closed_on_apiv = true;
		mp_fmt(b->error, sizeof(b->error),
		       "connection closed on ApiVersions v0 (brokers older than 0.10.0 do this)");
		return;
	}
	if (res->err == MP_X_TIMEOUT && p->used_ms >= p->budget_ms) {
		mp_fmt(b->error, sizeof(b->error),
		       "gave up after %lld ms over %u attempts: the probe's budget of %lld ms "
		       "(%d x --timeout-ms) ran out (%s)",
		       (long long)p->used_ms, b->n_attempts, (long long)p->budget_ms,
		       KAFKA_PROBE_BUDGET_STEPS, res->errmsg);
		return;
	}
	if (res->err == MP_X_TOO_BIG && res->bytes_read >= 4 && looks_like_text(res->data, 4)) {
		char head[40];
		mp_sanitize(head, sizeof(head), res->data,
			    res->bytes_read < 8 ? res->bytes_read : 8);
		mp_fmt(b->error, sizeof(b->error),
		       "answer is not Kafka: it starts with text '%s' (too_big during receive)",
		       head);
		return;
	}
	mp_fmt(b->error, sizeof(b->error), "%s (%s during %s)", res->errmsg, mp_xerr_name(res->err),
	       mp_xstep_name(res->step));
}

static void attempt_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud)
{
	struct kprobe *p = ud;
	bool again = false;
	(void)x;

	p->used_ms += res->elapsed_ms;
	if (res->step > MP_XS_CONNECT) /* TCP connected: record where */
		(void)mp_addr_from_sockaddr((const struct sockaddr *)&p->addr,
					    &p->b->addrs.connected, NULL);
	/* an interrupted or timed-out handshake says nothing about the
	 * listener's TLS: a silent port is a timeout, not a TLS finding; a TLS
	 * error after the handshake (TLS 1.3: the server's alert for a missing
	 * client certificate arrives on the first read) does */
	if (p->use_tls &&
	    (res->ssl || (res->step == MP_XS_TLS && res->err != MP_X_TIMEOUT) ||
	     res->err == MP_X_TLS) &&
	    res->err != MP_X_ABORTED)
		note_tls(p, res);
	if (try_plain(p, res))
		again = true;
	else if (res->err == MP_X_OK)
		on_answer(p, res, &again);
	else
		on_failure(p, res, &again);
	if (again) {
		p->b->error[0] = '\0';
		if (submit(p) == 0)
			return;
	}
	end(p);
}

int kafka_probe_start(const struct kafka_probe_env *env, struct mp_broker *b,
		      const struct sockaddr_storage *addr, socklen_t addrlen)
{
	struct kprobe *p = calloc(1, sizeof(*p));
	int rc;
	if (!p) {
		mp_fmt(b->error, sizeof(b->error), "out of memory");
		return -ENOMEM;
	}
	p->env = *env;
	p->b = b;
	p->addr = *addr;
	p->addrlen = addrlen;
	p->version = FIRST_VERSION;
	p->budget_ms =
		KAFKA_PROBE_BUDGET_STEPS * (int64_t)(env->timeout_ms > 0 ? env->timeout_ms : 5000);
	switch (env->tls_mode) {
	case KAFKA_TLS_ON:
		p->use_tls = true;
		break;
	case KAFKA_TLS_OFF:
		p->use_tls = false;
		break;
	case KAFKA_TLS_AUTO:
		p->use_tls = b->port != 9092;
		break;
	}
	b->tls = p->use_tls;
	rc = submit(p);
	if (rc < 0)
		free(p);
	return rc;
}
