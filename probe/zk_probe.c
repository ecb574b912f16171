/* SPDX-License-Identifier: Apache-2.0 */
#include "zk_probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "util.h"
#include "zk_wire.h"

#define SESSION_TIMEOUT_MS 10000 /* asked for; the server clamps it to [2, 20] ticks */
#define NOTE_MAX	   200u

/* Rounds of one ZooKeeper session, in order; listings only when asked. */
enum round { R_CONNECT = 0, R_PING, R_LIST0, R_LIST1, R_LIST2, R_CLOSE, R_END };

static const char *const list_paths[] = { "/", "/brokers/ids", "/kafka-acl" };
#define N_LISTS (sizeof(list_paths) / sizeof(list_paths[0]))

enum list_state { L_UNTRIED = 0, L_OK, L_TOO_BIG, L_ERR, L_FAILED };

struct listing {
	enum list_state state;
	int32_t err; /* L_ERR: ZooKeeper's error code */
	struct zk_reply reply;
};

struct zprobe {
	struct zk_probe_env env;
	struct mp_zk_endpoint *z;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct tls_probe_set *own_set; /* built for this endpoint when env has none */
	unsigned pending;	       /* exchanges and sub-probes in flight */
	bool use_tls;		       /* the session runs inside TLS */
	struct tls_watch watch;	       /* of the session's handshake */
	enum round round;
	int32_t xid;
	uint8_t *connect_req; /* framed ConnectRequest, reused by the no-certificate probe */
	size_t connect_req_len;
	char tls_note[NOTE_MAX];  /* why the port was judged not TLS */
	char sess_note[NOTE_MAX]; /* why no ZooKeeper session came about */
	struct listing lists[N_LISTS];
	int64_t started; /* the whole session gets 4 timeouts, whatever its rounds */
	int64_t used_ms; /* spent by the TLS attempt before a plaintext session */
	int64_t cut_ms;	 /* > 0: the session's budget ran out after this long */
};

static void main_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud);
static void srvr_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud);

static int timeout_ms(const struct zprobe *p)
{
	return p->env.timeout_ms > 0 ? p->env.timeout_ms : 5000;
}

/* What is left of the four timeouts, TLS attempt included (time queued aside). */
static int budget_left(const struct zprobe *p)
{
	int64_t left = 4 * (int64_t)timeout_ms(p) - p->used_ms;
	return left > 0 ? (int)left : 1;
}

/* ---- endpoint summary ---------------------------------------------------- */

static void describe_lists(struct zprobe *p)
{
	struct mp_zk_endpoint *z = p->z;
	char *d = z->anonymous_detail;
	size_t n = sizeof(z->anonymous_detail), o = 0;
	bool any_tried = false, any_ok = false;

	d[0] = '\0';
	for (size_t i = 0; i < N_LISTS; i++) {
		const struct listing *l = &p->lists[i];
		char one[160];
		switch (l->state) {
		case L_UNTRIED:
			if (!p->cut_ms)
				continue;
			mp_fmt(one, sizeof(one), "%s: not done", list_paths[i]);
			break;
		case L_OK:
			mp_fmt(one, sizeof(one), "%s: %d %s", list_paths[i],
			       (int)l->reply.n_children,
			       l->reply.n_children == 1 ? "child" : "children");
			if (i == 1 && l->reply.n_names) { /* broker ids, never other names */
				size_t ol = strlen(one);
				for (uint32_t k = 0; k < l->reply.n_names && ol + 4 < sizeof(one);
				     k++)
					ol += (size_t)snprintf(one + ol, sizeof(one) - ol, "%s%s",
							       k ? ", " : " (", l->reply.names[k]);
				if (ol + 2 < sizeof(one))
					mp_strlcpy(one + ol,
						   l->reply.n_children > (int32_t)l->reply.n_names
							   ? ", ...)"
							   : ")",
						   sizeof(one) - ol);
			}
			any_ok = true;
			break;
		case L_TOO_BIG:
			mp_fmt(one, sizeof(one), "%s: listed (more than %u bytes)", list_paths[i],
			       ZK_FRAME_MAX);
			any_ok = true;
			break;
		case L_ERR:
			mp_fmt(one, sizeof(one), "%s: %s", list_paths[i],
			       l->err == ZK_ERR_NONODE	 ? "no such node"
			       : l->err == ZK_ERR_NOAUTH ? "denied (NOAUTH)"
							 : zk_err_name(l->err));
			break;
		case L_FAILED:
			mp_fmt(one, sizeof(one), "%s: no valid answer", list_paths[i]);
			break;
		}
		any_tried |= l->state != L_UNTRIED;
		if (o + strlen(one) + 3 < n)
			o += (size_t)snprintf(d + o, n - o, "%s%s", o ? "; " : "", one);
	}
	if (p->cut_ms && o)
		mp_fmt(d + o, n - o,
		       " (the session's budget of %d ms, 4 x --timeout-ms, ran out after %lld ms)",
		       4 * timeout_ms(p), (long long)p->cut_ms);
	if (any_tried)
		z->anonymous_read = any_ok ? 1 : 0;
	else if (!o)
		mp_fmt(d, n, "not tried: no ZooKeeper session (%s)",
		       p->sess_note[0] ? p->sess_note : "see error");
}

/* Everything ended: say what the endpoint is, in one line where it failed. */
static void finish(struct zprobe *p)
{
	struct mp_zk_endpoint *z = p->z;
	struct mp_tls_info *t = z->tls;

	if (z->error[0] || !z->reachable) {
		/* connect failure, already said */
	} else if (t && strcmp(t->handshake, "ok") != 0) {
		mp_fmt(z->error, sizeof(z->error), "TLS handshake failed: %s", t->error);
	} else if (t && t->speaks_zookeeper == 0) {
		mp_fmt(z->error, sizeof(z->error),
		       "TLS works but ZooKeeper does not answer inside it: %s", p->sess_note);
	} else if (!t && z->speaks_zookeeper == 0) {
		mp_fmt(z->error, sizeof(z->error),
		       "neither TLS nor ZooKeeper: TLS ClientHello: %s; "
		       "ZooKeeper ConnectRequest: %s",
		       p->tls_note, p->sess_note);
	}
	if (p->env.anonymous_read)
		describe_lists(p);
	else
		mp_strlcpy(z->anonymous_detail, "not tried (opt-in)", sizeof(z->anonymous_detail));
	if (p->env.done)
		p->env.done(z, p->env.ud);
	tls_probe_set_free(p->own_set);
	free(p->connect_req);
	free(p);
}

static void release(struct zprobe *p)
{
	if (--p->pending == 0)
		finish(p);
}

/* ---- requests ------------------------------------------------------------ */

static void main_setup(SSL *ssl, void *ud)
{
	struct zprobe *p = ud;
	tls_watch_attach(ssl, &p->watch);
}

static int submit(struct zprobe *p, bool tls, const uint8_t *req, size_t len, enum mp_frame frame,
		  size_t max_read, mp_xchg_done_fn done)
{
	struct mp_xchg_spec s = { 0 };
	int rc;

	s.addr = p->addr;
	s.addrlen = p->addrlen;
	s.tls = tls ? p->env.tls : NULL;
	s.sni = p->z->host;
	s.req = req;
	s.req_len = len;
	s.frame = frame;
	s.max_read = max_read;
	s.timeout_ms = timeout_ms(p);
	s.done = done;
	s.ud = p;
	if (done == main_done) /* the session: four timeouts in all, every round included */
		s.budget_ms = budget_left(p);
	if (done == main_done && tls)
		s.tls_setup = main_setup;
	rc = mp_loop_submit(p->env.loop, &s);
	if (rc == 0)
		p->pending++;
	return rc;
}

/* The session's first exchange: TLS or not, ConnectRequest, then rounds. */
static int submit_session(struct zprobe *p, bool tls)
{
	p->use_tls = tls;
	p->round = R_CONNECT;
	p->xid = 0;
	tls_watch_init(&p->watch);
	if (tls) {
		p->watch.early = p->z->tls;
		p->watch.host = p->z->host;
	}
	return submit(p, tls, p->connect_req, p->connect_req_len, MP_FRAME_I32, ZK_FRAME_MAX,
		      main_done);
}

static int submit_srvr(struct zprobe *p, bool tls)
{
	static const uint8_t srvr[] = { 's', 'r', 'v', 'r' };
	return submit(p, tls, srvr, sizeof(srvr), MP_FRAME_CLOSE, ZK_SRVR_READ_MAX, srvr_done);
}

/* The next round's request on the session's connection; false when none. */
static bool next_round(struct zprobe *p, struct mp_xchg *x)
{
	struct zk_request q = { 0 };
	uint8_t *req = NULL;
	size_t len = 0;
	int rc;

	/* a peer answering each round just in time must not hold us for six
	 * rounds of two timeouts: past four timeouts, no more rounds */
	if (p->round != R_CLOSE && mp_now_ms() - p->started > 4 * (int64_t)timeout_ms(p)) {
		mp_fmt(p->sess_note, sizeof(p->sess_note),
		       "stopped: the session took longer than %d ms", 4 * timeout_ms(p));
		p->cut_ms = mp_now_ms() - p->started;
		p->round = R_END;
		return false;
	}
	switch (p->round) {
	case R_CONNECT:
		p->round = R_PING;
		break;
	case R_PING:
		p->round = p->env.anonymous_read ? R_LIST0 : R_CLOSE;
		break;
	case R_LIST0:
	case R_LIST1:
		p->round++;
		break;
	case R_LIST2:
		p->round = R_CLOSE;
		break;
	default:
		p->round = R_END;
		return false;
	}
	if (p->round == R_PING) {
		q.xid = ZK_XID_PING;
		q.op = ZK_OP_PING;
	} else if (p->round == R_CLOSE) {
		q.xid = ++p->xid;
		q.op = ZK_OP_CLOSE_SESSION;
	} else {
		q.xid = ++p->xid;
		q.op = ZK_OP_GET_CHILDREN;
		mp_strlcpy(q.path, list_paths[p->round - R_LIST0], sizeof(q.path));
	}
	rc = zk_encode_request(&q, &req, &len);
	if (rc == 0)
		rc = mp_xchg_next(x, req, len, MP_FRAME_I32);
	free(req);
	if (rc < 0) {
		mp_fmt(p->sess_note, sizeof(p->sess_note), "cannot send the next request: %s",
		       strerror(-rc));
		return false;
	}
	return true;
}

/* ---- outcomes ------------------------------------------------------------ */

/* Why an answer did not come, in words, with the first bytes when there were some. */
static void answer_failure(const struct zprobe *p, const struct mp_xchg_result *res, char *buf,
			   size_t n)
{
	char head[40] = "";

	if (res->bytes_read && res->data)
		mp_sanitize(head, sizeof(head), res->data,
			    res->bytes_read < 8 ? res->bytes_read : 8);
	switch (res->err) {
	case MP_X_TOO_BIG:
		mp_fmt(buf, n, "answered \"%s\", not a ZooKeeper frame", head);
		break;
	case MP_X_CLOSED:
		if (res->bytes_read)
			mp_fmt(buf, n, "closed after %zu bytes of an answer (\"%s\")",
			       res->bytes_read, head);
		else
			mp_fmt(buf, n, "closed the connection without answering");
		break;
	case MP_X_TIMEOUT:
		if (p->cut_ms)
			mp_fmt(buf, n, "the session's budget of %d ms ran out after %lld ms",
			       4 * timeout_ms(p), (long long)p->cut_ms);
		else
			mp_fmt(buf, n, "no answer within %d ms", timeout_ms(p));
		break;
	case MP_X_RESET:
		mp_fmt(buf, n, "reset the connection");
		break;
	default:
		mp_fmt(buf, n, "%s", res->errmsg);
		break;
	}
}

static void connect_failed(struct zprobe *p, const struct mp_xchg_result *res)
{
	struct mp_zk_endpoint *z = p->z;
	z->reachable = false;
	switch (res->err) {
	case MP_X_REFUSED:
		mp_strlcpy(z->error, "connection refused", sizeof(z->error));
		break;
	case MP_X_TIMEOUT:
		mp_fmt(z->error, sizeof(z->error), "connect timed out after %d ms", timeout_ms(p));
		break;
	case MP_X_UNREACHABLE:
		mp_fmt(z->error, sizeof(z->error), "unreachable: %s", res->errmsg);
		break;
	case MP_X_ABORTED:
		/* reachability is not known: the user stopped the scan first */
		mp_fmt(z->error, sizeof(z->error), "%s", res->errmsg);
		break;
	default:
		mp_fmt(z->error, sizeof(z->error), "connect failed: %s", res->errmsg);
		break;
	}
}

/* A ConnectResponse (or not). Returns true when a session exists to continue. */
static bool on_connect_answer(struct zprobe *p, const struct mp_xchg_result *res, int *speaks)
{
	struct zk_connect_resp cr;
	int rc;

	if (res->err != MP_X_OK) {
		*speaks = 0;
		answer_failure(p, res, p->sess_note, sizeof(p->sess_note));
		return false;
	}
	rc = zk_decode_connect_resp(res->data, res->len, &cr);
	if (rc) {
		char head[40];
		mp_sanitize(head, sizeof(head), res->data, res->len < 8 ? res->len : 8);
		*speaks = 0;
		mp_fmt(p->sess_note, sizeof(p->sess_note),
		       "answered a %zu-byte frame that is not a ConnectResponse (%s; \"%s\")",
		       res->len, zk_wire_strerror(rc), head);
		return false;
	}
	*speaks = 1;
	if (cr.session_id == 0) {
		/* ZooKeeper's answer when it will not open the session (e.g. a
		 * server without quorum refusing read-only clients); it closes */
		mp_strlcpy(p->sess_note, "the server answered but refused to open a session",
			   sizeof(p->sess_note));
		return false;
	}
	return true;
}

/* A later round of the session. Returns true to go on. */
static bool on_session_round(struct zprobe *p, const struct mp_xchg_result *res)
{
	struct zk_reply r;
	struct listing *l = NULL;
	int rc;

	if (p->round >= R_LIST0 && p->round <= R_LIST2)
		l = &p->lists[p->round - R_LIST0];
	if (res->err != MP_X_OK) {
		if (l) /* one cut by the budget was not done, not failed */
			l->state = res->err == MP_X_TOO_BIG ? L_TOO_BIG
				   : p->cut_ms		    ? L_UNTRIED
							    : L_FAILED;
		/* a server may close right after answering closeSession */
		if (p->round != R_CLOSE)
			answer_failure(p, res, p->sess_note, sizeof(p->sess_note));
		return false;
	}
	switch (p->round) {
	case R_PING:
		rc = zk_decode_reply(res->data, res->len, ZK_OP_PING, ZK_XID_PING, &r);
		break;
	case R_CLOSE:
		rc = zk_decode_reply(res->data, res->len, ZK_OP_CLOSE_SESSION, p->xid, &r);
		return false; /* the server closes the connection now */
	default:
		rc = zk_decode_reply(res->data, res->len, ZK_OP_GET_CHILDREN, p->xid, &r);
		if (rc) {
			l->state = L_FAILED;
		} else if (r.err != ZK_ERR_OK) {
			l->state = L_ERR;
			l->err = r.err;
		} else {
			l->state = L_OK;
			l->reply = r;
		}
		break;
	}
	if (rc) {
		mp_fmt(p->sess_note, sizeof(p->sess_note), "invalid reply in the session: %s",
		       zk_wire_strerror(rc));
		return false;
	}
	return true;
}

/* Handshake failure text for tls->error. */
static void tls_failure(struct zprobe *p, const struct mp_xchg_result *res, bool cert_refused,
			char *buf, size_t n)
{
	char alert[80];

	if (res->err == MP_X_TIMEOUT)
		mp_fmt(buf, n, "%s%s",
		       p->watch.server_hello ? "stalled after the ServerHello: " : "", res->errmsg);
	else if (p->watch.alert >= 0 && cert_refused) {
		tls_alert_text(alert, sizeof(alert), p->watch.alert);
		mp_fmt(buf, n, "the server sent %s%s: it requires a client certificate%s", alert,
		       res->ssl ? " after the handshake" : "",
		       p->env.cert_file ? " and did not accept ours" : " (give --cert/--key)");
	} else if (p->watch.alert >= 0) {
		tls_alert_text(alert, sizeof(alert), p->watch.alert);
		mp_fmt(buf, n, "the server sent %s", alert);
	} else {
		mp_fmt(buf, n, "%s", res->errmsg);
	}
}

static void protos_done(void *ud)
{
	release(ud);
}

/* TLS port: accepted versions, the client-certificate demand, srvr inside TLS. */
static void tls_extras(struct zprobe *p, const struct mp_xchg_result *res, bool cert_refused)
{
	struct mp_tls_info *t = p->z->tls;
	struct tls_probe_req r = { 0 };
	const struct tls_probe_set *set = p->env.protos;
	char why[MP_ERR_MAX];

	if (!set) {
		if (tls_probe_set_new(&p->own_set, p->env.cert_file, p->env.key_file, why,
				      sizeof(why)) == 0)
			set = p->own_set;
		else if (!t->error[0])
			mp_fmt(t->error, sizeof(t->error), "versions not probed: %s", why);
	}
	if (set) {
		r.loop = p->env.loop;
		r.set = set;
		r.addr = p->addr;
		r.addrlen = p->addrlen;
		r.sni = p->z->host;
		r.timeout_ms = timeout_ms(p);
		r.protocols = true;
		/* we presented a certificate: would the server have let us in without? */
		if (res->ssl && p->watch.cert_requested && p->env.cert_file && !cert_refused) {
			r.nocert_req = p->connect_req;
			r.nocert_req_len = p->connect_req_len;
		}
		r.ti = t;
		r.done = protos_done;
		r.ud = p;
		if (tls_probe_protocols(&r) == 0)
			p->pending++;
	}
	if (res->ssl && !cert_refused)
		(void)submit_srvr(p, true);
	else
		mp_strlcpy(p->z->srvr_status, "not tried: no usable TLS session",
			   sizeof(p->z->srvr_status));
}

/* Why a ClientHello got nothing TLS back, short: it goes into z->error. */
static void not_tls_note(struct zprobe *p, const struct mp_xchg_result *res)
{
	const char *why = strrchr(res->errmsg, ':'); /* OpenSSL's reason ends the message */
	why = why ? why + 1 : res->errmsg;
	if (res->err == MP_X_TIMEOUT)
		mp_fmt(p->tls_note, sizeof(p->tls_note), "no answer within %d ms", timeout_ms(p));
	else if (res->err == MP_X_RESET || res->err == MP_X_CLOSED || strstr(why, "eof") ||
		 strstr(why, "closed"))
		mp_strlcpy(p->tls_note, "closed without a TLS answer", sizeof(p->tls_note));
	else
		mp_fmt(p->tls_note, sizeof(p->tls_note), "answered with non-TLS bytes (%s)", why);
}

/* The first answer on the TLS attempt decides what the port is. */
static bool tls_first(struct zprobe *p, const struct mp_xchg_result *res)
{
	struct mp_zk_endpoint *z = p->z;
	struct mp_tls_info *t = z->tls;
	bool cert_refused, go_on = false;

	if (res->step == MP_XS_CONNECT || res->err == MP_X_ABORTED) {
		connect_failed(p, res);
		mp_tls_info_free(z->tls);
		z->tls = NULL;
		return false;
	}
	z->reachable = true;
	(void)mp_addr_from_sockaddr((const struct sockaddr *)&p->addr, &z->addrs.connected, NULL);
	if (!res->ssl && !p->watch.server_hello && p->watch.alert < 0) {
		/* nothing TLS came back: try ZooKeeper in the clear */
		not_tls_note(p, res);
		mp_tls_info_free(z->tls);
		z->tls = NULL;
		p->used_ms = res->elapsed_ms; /* the session gets what is left */
		if (submit_session(p, false) < 0)
			mp_strlcpy(p->sess_note, "cannot queue the probe", sizeof(p->sess_note));
		if (submit_srvr(p, false) < 0)
			mp_strlcpy(z->srvr_status, "cannot queue the probe",
				   sizeof(z->srvr_status));
		return false;
	}
	cert_refused = p->watch.cert_requested && tls_alert_wants_cert(p->watch.alert);
	if (res->ssl && t->n_chain == 0)
		(void)tls_inspect(res->ssl, z->host, t);
	if (cert_refused)
		mp_strlcpy(t->client_cert, "required", sizeof(t->client_cert));
	if (!res->ssl || cert_refused) {
		mp_strlcpy(t->handshake, "failed", sizeof(t->handshake));
		tls_failure(p, res, cert_refused, t->error, sizeof(t->error));
	} else {
		mp_strlcpy(t->handshake, "ok", sizeof(t->handshake));
		go_on = on_connect_answer(p, res, &t->speaks_zookeeper);
	}
	/* a stalled handshake would stall every further one: stop here */
	if (!(res->err == MP_X_TIMEOUT && !res->ssl))
		tls_extras(p, res, cert_refused);
	else
		mp_strlcpy(z->srvr_status, "not tried: no usable TLS session",
			   sizeof(z->srvr_status));
	return go_on;
}

static void main_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud)
{
	struct zprobe *p = ud;
	bool go_on;

	tls_watch_detach(&p->watch);
	if (res->err == MP_X_TIMEOUT && res->elapsed_ms >= budget_left(p))
		p->cut_ms = p->used_ms + res->elapsed_ms;
	if (p->round == R_CONNECT)
		go_on = p->use_tls ? tls_first(p, res)
				   : on_connect_answer(p, res, &p->z->speaks_zookeeper);
	else
		go_on = on_session_round(p, res);
	if (go_on && next_round(p, x))
		return;
	release(p);
}

static void srvr_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud)
{
	struct zprobe *p = ud;
	struct mp_zk_endpoint *z = p->z;
	struct zk_srvr_info si;
	char head[40];
	(void)x;

	/* a peer that sends text and then neither closes nor stops: judge the text */
	if (res->err == MP_X_TIMEOUT && res->bytes_read > 0 && res->data) {
		struct mp_xchg_result r = *res;
		r.err = MP_X_OK;
		r.len = res->bytes_read;
		srvr_done(x, &r, ud);
		return;
	}
	if (res->err != MP_X_OK) {
		if (res->err == MP_X_CLOSED && res->bytes_read == 0)
			mp_strlcpy(z->srvr_status, "closed without answer", sizeof(z->srvr_status));
		else if (res->err == MP_X_TIMEOUT)
			mp_fmt(z->srvr_status, sizeof(z->srvr_status), "no answer within %d ms",
			       timeout_ms(p));
		else
			mp_fmt(z->srvr_status, sizeof(z->srvr_status), "failed: %s",
			       mp_xerr_name(res->err));
		release(p);
		return;
	}
	(void)zk_srvr_parse(res->data, res->len, &si);
	switch (si.kind) {
	case ZK_SRVR_ANSWER:
		zk_text_sanitize(z->srvr, sizeof(z->srvr), res->data, res->len);
		mp_strlcpy(z->srvr_status, "ok", sizeof(z->srvr_status));
		break;
	case ZK_SRVR_NOT_WHITELISTED:
		mp_strlcpy(z->srvr_status, "refused: not in the 4lw whitelist",
			   sizeof(z->srvr_status));
		break;
	case ZK_SRVR_OTHER:
		mp_sanitize(head, sizeof(head), res->data, res->len < 16 ? res->len : 16);
		mp_fmt(z->srvr_status, sizeof(z->srvr_status), "not ZooKeeper: \"%s\"", head);
		break;
	}
	release(p);
}

int zk_probe_start(const struct zk_probe_env *env, struct mp_zk_endpoint *z,
		   const struct sockaddr_storage *addr, socklen_t addrlen)
{
	struct zk_connect_req cr = { 0 };
	struct zprobe *p = NULL;
	int rc;

	if (!env->loop || !env->tls) {
		mp_strlcpy(z->error, "probe misconfigured: no loop or TLS context",
			   sizeof(z->error));
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	z->tls = calloc(1, sizeof(*z->tls));
	if (!p || !z->tls) {
		rc = -ENOMEM;
		goto fail;
	}
	p->env = *env;
	p->z = z;
	p->started = mp_now_ms();
	p->addr = *addr;
	p->addrlen = addrlen;
	z->tls->hostname_match = -1;
	z->tls->speaks_zookeeper = -1;
	z->tls->speaks_kafka = -1;
	/* ConnectRequest v0, 45 bytes with readOnly: a read-only client never
	 * needs a quorum, and a new session (id 0, zero password) */
	cr.protocol_version = ZK_PROTOCOL_VERSION;
	cr.timeout_ms = SESSION_TIMEOUT_MS;
	cr.has_read_only = true;
	cr.read_only = true;
	rc = zk_encode_connect_req(&cr, &p->connect_req, &p->connect_req_len);
	if (rc < 0)
		goto fail;
	rc = submit_session(p, true);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	mp_fmt(z->error, sizeof(z->error), "cannot start the probe: %s", strerror(-rc));
	mp_tls_info_free(z->tls);
	z->tls = NULL;
	if (p)
		free(p->connect_req);
	free(p);
	return rc;
}
