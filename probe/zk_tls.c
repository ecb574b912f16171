/* SPDX-License-Identifier: Apache-2.0 */
#include "zk_tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "util.h"

#define NOCERT TLS_PROBE_VERSIONS /* index of the no-certificate handshake */

static const int versions[TLS_PROBE_VERSIONS] = { TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION,
						  TLS1_3_VERSION };

struct tls_probe_set {
	SSL_CTX *ver[TLS_PROBE_VERSIONS]; /* NULL: this OpenSSL cannot offer it */
	SSL_CTX *nocert;
};

struct pprobe;

/* One handshake of a probe run. */
struct hs {
	struct pprobe *pp;
	unsigned idx;
	struct tls_watch w;
};

struct pprobe {
	struct tls_probe_req r;
	uint8_t *req; /* copy of nocert_req */
	unsigned pending;
	bool probed[TLS_PROBE_VERSIONS], accepted[TLS_PROBE_VERSIONS];
	struct hs hs[TLS_PROBE_VERSIONS + 1];
};

static int watch_idx = -1;

void tls_watch_init(struct tls_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->alert = -1;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	struct tls_watch *w = watch_idx >= 0 ? SSL_get_ex_data(ssl, watch_idx) : NULL;
	SSL *s = (SSL *)ssl; /* the accessors below take a non-const SSL */

	if (!w)
		return;
	if (SSL_get_state(ssl) == TLS_ST_CR_SRVR_HELLO)
		w->server_hello = true;
	if (tls_cert_requested(s))
		w->cert_requested = w->server_hello = true;
	/* SSL_CB_READ_ALERT shares its SSL_CB_ALERT bit with SSL_CB_WRITE_ALERT */
	if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT || (ret >> 8) != SSL3_AL_FATAL ||
	    w->alert >= 0)
		return;
	w->alert = ret & 0xff;
	if (w->early && w->early->n_chain == 0 && SSL_get0_peer_certificate(s)) {
		(void)tls_inspect(s, w->host ? w->host : "", w->early);
		mp_strlcpy(w->early->handshake, "failed", sizeof(w->early->handshake));
		if (!SSL_is_init_finished(s))
			w->early->cipher[0] = '\0'; /* no cipher was in use yet */
	}
}

void tls_watch_attach(SSL *ssl, struct tls_watch *w)
{
	if (watch_idx < 0)
		watch_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (watch_idx < 0 || SSL_set_ex_data(ssl, watch_idx, w) != 1)
		return; /* the watch stays empty: probes then say less, never wrong */
	SSL_set_info_callback(ssl, info_cb);
	w->ssl = ssl;
}

void tls_watch_detach(struct tls_watch *w)
{
	if (!w->ssl)
		return;
	SSL_set_info_callback(w->ssl, NULL);
	SSL_set_ex_data(w->ssl, watch_idx, NULL);
	w->ssl = NULL;
}

bool tls_alert_wants_cert(int alert)
{
	switch (alert) {
	case SSL_AD_HANDSHAKE_FAILURE:	  /* 40 */
	case SSL_AD_BAD_CERTIFICATE:	  /* 42: Java's answer to a missing certificate */
	case SSL_AD_CERTIFICATE_UNKNOWN:  /* 46 */
	case SSL_AD_CERTIFICATE_REQUIRED: /* 116: TLS 1.3 */
		return true;
	default:
		return false;
	}
}

void tls_alert_text(char *buf, size_t n, int alert)
{
	mp_fmt(buf, n, "alert %d (%s)", alert, SSL_alert_desc_string_long(alert));
}

void tls_probe_set_free(struct tls_probe_set *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < TLS_PROBE_VERSIONS; i++)
		SSL_CTX_free(s->ver[i]);
	SSL_CTX_free(s->nocert);
	free(s);
}

int tls_probe_set_new(struct tls_probe_set **ret, const char *cert_file, const char *key_file,
		      char *errbuf, size_t errlen)
{
	struct tls_probe_set *s = calloc(1, sizeof(*s));
	struct tls_ctx_opts o = { .cert_file = cert_file, .key_file = key_file };
	struct tls_ctx_opts plain = { 0 };
	char why[MP_ERR_MAX];
	int rc;

	if (!s) {
		mp_fmt(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < TLS_PROBE_VERSIONS; i++) {
		o.min_proto = o.max_proto = versions[i];
		o.legacy = versions[i] < TLS1_2_VERSION;
		rc = tls_client_ctx(&s->ver[i], &o, why, sizeof(why));
		if (rc < 0 && o.cert_file && strstr(why, "protocol range") == NULL) {
			/* a bad certificate or key file is the user's error, not OpenSSL's build */
			mp_strlcpy(errbuf, why, errlen);
			goto fail;
		}
		if (rc < 0)
			s->ver[i] = NULL;
	}
	rc = tls_client_ctx(&s->nocert, &plain, errbuf, errlen);
	if (rc < 0)
		goto fail;
	*ret = s;
	return 0;
fail:
	tls_probe_set_free(s);
	return rc;
}

static void pprobe_end(struct pprobe *pp)
{
	struct mp_tls_info *ti = pp->r.ti;

	if (pp->r.protocols) {
		ti->n_accepted = 0;
		for (unsigned i = 0; i < TLS_PROBE_VERSIONS && ti->n_accepted < MP_PROTOS_MAX; i++)
			if (pp->accepted[i])
				mp_strlcpy(ti->accepted[ti->n_accepted++],
					   tls_proto_name(versions[i]), sizeof(ti->accepted[0]));
	}
	if (pp->r.done)
		pp->r.done(pp->r.ud);
	free(pp->req);
	free(pp);
}

static void nocert_result(struct hs *h, const struct mp_xchg_result *res)
{
	struct mp_tls_info *ti = h->pp->r.ti;

	if (res->err == MP_X_OK && res->len > 0)
		/* answered without a certificate: "requested" only when the server
		 * sent a CertificateRequest (ssl.client.auth=requested), else none */
		mp_strlcpy(ti->client_cert, h->w.cert_requested ? "requested" : "none",
			   sizeof(ti->client_cert));
	else if (tls_alert_wants_cert(h->w.alert))
		/* an alert in the handshake, or TLS 1.3's after it (the watch sees
		 * both): a close or reset after the request is something else, a
		 * listener that refuses the request (a pre-0.10 broker closes) */
		mp_strlcpy(ti->client_cert, "required", sizeof(ti->client_cert));
	/* a timeout proves nothing either way: keep what the main handshake saw */
}

static void hs_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud)
{
	struct hs *h = ud;
	struct pprobe *pp = h->pp;
	(void)x;

	tls_watch_detach(&h->w);
	if (h->idx == NOCERT)
		nocert_result(h, res);
	else
		/* a CertificateRequest follows a ServerHello of the pinned version */
		pp->accepted[h->idx] = res->err == MP_X_OK || h->w.cert_requested;
	if (--pp->pending == 0)
		pprobe_end(pp);
}

static void hs_setup(SSL *ssl, void *ud)
{
	struct hs *h = ud;
	tls_watch_attach(ssl, &h->w);
}

static int submit_hs(struct pprobe *pp, unsigned idx, SSL_CTX *ctx)
{
	struct hs *h = &pp->hs[idx];
	struct mp_xchg_spec s = { 0 };

	h->pp = pp;
	h->idx = idx;
	tls_watch_init(&h->w);
	s.addr = pp->r.addr;
	s.addrlen = pp->r.addrlen;
	s.tls = ctx;
	s.sni = pp->r.sni;
	s.tls_setup = hs_setup;
	if (idx == NOCERT) {
		s.req = pp->req;
		s.req_len = pp->r.nocert_req_len;
		s.frame = MP_FRAME_ANY;
	} else {
		s.frame = MP_FRAME_NONE; /* the handshake is the whole question */
	}
	s.timeout_ms = pp->r.timeout_ms;
	s.done = hs_done;
	s.ud = h;
	return mp_loop_submit(pp->r.loop, &s);
}

int tls_probe_protocols(const struct tls_probe_req *r)
{
	struct pprobe *pp;
	int rc = 0;

	if (!r->set || !r->ti || (!r->protocols && !r->nocert_req))
		return -EINVAL;
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		return -ENOMEM;
	pp->r = *r;
	if (r->nocert_req) {
		pp->req = malloc(r->nocert_req_len ? r->nocert_req_len : 1);
		if (!pp->req) {
			free(pp);
			return -ENOMEM;
		}
		memcpy(pp->req, r->nocert_req, r->nocert_req_len);
	}
	/* count everything first: a submitted handshake cannot finish before
	 * mp_loop_run(), so pending only drops once all are queued */
	for (unsigned i = 0; r->protocols && i < TLS_PROBE_VERSIONS; i++)
		if (r->set->ver[i] && (rc = submit_hs(pp, i, r->set->ver[i])) == 0)
			pp->pending++;
	if (rc == 0 && r->nocert_req && (rc = submit_hs(pp, NOCERT, r->set->nocert)) == 0)
		pp->pending++;
	if (pp->pending == 0) {
		free(pp->req);
		free(pp);
		return rc < 0 ? rc : -EINVAL;
	}
	return 0; /* a failed submit after others were queued: fewer versions probed */
}
