/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exchange loop (probe/loop.c) on 127.0.0.1: mp_loop_abort() called
 * from inside a done() callback, as the scan's interrupt and any caller may
 * do. Every exchange must get done() exactly once per round and none may
 * be touched after it was freed (the sanitizer build turns that into a
 * failure). And the error texts against scripted peers: what had arrived
 * when a deadline passed, frame lengths as sent.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "loop.h"
#include "tap.h"

/* A listener nobody accepts from: connect and send succeed (backlog), no answer comes. */
static int listener(struct sockaddr_storage *ret, socklen_t *ret_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		return -1;
	memset(ret, 0, sizeof(*ret));
	memcpy(ret, &a, sizeof(a));
	*ret_len = sizeof(a);
	return fd;
}

struct rec {
	struct mp_loop *loop;
	int calls;
	enum mp_xerr errs[4];
	char msg[MP_ERR_MAX]; /* the first round's errmsg */
	bool abort_first;     /* abort from the first done() */
	bool next_first;      /* ask for another round before aborting */
};

static void rec_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud)
{
	struct rec *r = ud;
	if (r->calls < 4)
		r->errs[r->calls] = res->err;
	if (r->calls == 0)
		snprintf(r->msg, sizeof(r->msg), "%s", res->errmsg);
	r->calls++;
	if (r->calls == 1 && r->next_first) {
		static const uint8_t req[] = { 'p' };
		(void)mp_xchg_next(x, req, sizeof(req), MP_FRAME_NONE);
	}
	if (r->calls == 1 && r->abort_first)
		mp_loop_abort(r->loop);
}

static void submit(struct mp_loop *l, const struct sockaddr_storage *a, socklen_t alen,
		   enum mp_frame frame, int timeout_ms, struct rec *r)
{
	static const uint8_t req[] = { 'q' };
	struct mp_xchg_spec s = { 0 };
	s.addr = *a;
	s.addrlen = alen;
	s.req = req;
	s.req_len = sizeof(req);
	s.frame = frame;
	s.timeout_ms = timeout_ms;
	s.done = rec_done;
	s.ud = r;
	TAP_EQ_INT(mp_loop_submit(l, &s), 0, "submit");
}

/* The first exchange to finish aborts the loop from its done(). */
static void abort_from_done(bool next_round)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int lfd = listener(&a, &alen);
	struct mp_loop *l = NULL;
	struct rec r1 = { .abort_first = true, .next_first = next_round };
	struct rec r2 = { .abort_first = true, .next_first = next_round };
	struct rec r3 = { 0 };

	TAP_OK(lfd >= 0, "listener");
	TAP_EQ_INT(mp_loop_new(&l, 2), 0, "loop");
	r1.loop = r2.loop = r3.loop = l;
	/* two run at once and end after their send; the third waits in the queue */
	submit(l, &a, alen, MP_FRAME_NONE, 2000, &r1);
	submit(l, &a, alen, MP_FRAME_NONE, 2000, &r2);
	submit(l, &a, alen, MP_FRAME_NONE, 2000, &r3);
	TAP_EQ_INT(mp_loop_run(l), 0, "run");
	TAP_OK(mp_loop_aborted(l), "aborted");
	struct rec *first = r1.calls && r1.errs[0] == MP_X_OK ? &r1 : &r2;
	struct rec *other = first == &r1 ? &r2 : &r1;
	TAP_EQ_INT(first->errs[0], MP_X_OK, "the exchange that aborted finished its round");
	if (next_round) {
		TAP_EQ_INT(first->calls, 2, "its next round still gets one done()");
		TAP_EQ_INT(first->errs[1], MP_X_ABORTED, "... saying aborted");
	} else {
		TAP_EQ_INT(first->calls, 1, "done() once for the exchange that aborted");
	}
	TAP_EQ_INT(other->calls, 1, "done() once for the other running exchange");
	TAP_EQ_INT(other->errs[0], MP_X_ABORTED, "... saying aborted");
	TAP_EQ_INT(r3.calls, 1, "done() once for the queued exchange");
	TAP_EQ_INT(r3.errs[0], MP_X_ABORTED, "... saying aborted");
	mp_loop_free(l);
	close(lfd);
}

/* A deadline passes and that exchange's done() aborts while others are in flight. */
static void abort_from_expired(void)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int lfd = listener(&a, &alen);
	struct mp_loop *l = NULL;
	struct rec fast = { .abort_first = true }, slow[3] = { 0 };

	TAP_OK(lfd >= 0, "listener");
	TAP_EQ_INT(mp_loop_new(&l, 8), 0, "loop");
	fast.loop = l;
	/* the slow ones are started first: the active list holds them after the fast one */
	for (int i = 0; i < 3; i++) {
		slow[i].loop = l;
		submit(l, &a, alen, MP_FRAME_I32, 5000, &slow[i]);
	}
	submit(l, &a, alen, MP_FRAME_I32, 100, &fast);
	TAP_EQ_INT(mp_loop_run(l), 0, "run");
	TAP_EQ_INT(fast.calls, 1, "done() once for the exchange that timed out");
	TAP_EQ_INT(fast.errs[0], MP_X_TIMEOUT, "... saying timeout");
	for (int i = 0; i < 3; i++) {
		TAP_EQ_INT(slow[i].calls, 1, "done() once for waiting exchange %d", i);
		TAP_EQ_INT(slow[i].errs[0], MP_X_ABORTED, "... saying aborted");
	}
	mp_loop_free(l);
	close(lfd);
}

/*
 * --concurrency: 20 exchanges to a peer that never answers, at most 8 in
 * flight. Every one ends in a receive timeout, and never more than 8 ran at
 * once (the rest waited in the queue).
 */
static void bounded_in_flight(void)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int lfd = listener(&a, &alen);
	struct mp_loop *l = NULL;
	struct rec r[20];
	int timeouts = 0;

	TAP_OK(lfd >= 0 && mp_loop_new(&l, 8) == 0, "listener and loop of concurrency 8");
	if (lfd < 0 || !l)
		return;
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 20; i++) {
		r[i].loop = l;
		submit(l, &a, alen, MP_FRAME_I32, 150, &r[i]);
	}
	TAP_EQ_INT(mp_loop_run(l), 0, "the loop ran to the end");
	for (int i = 0; i < 20; i++)
		timeouts += r[i].calls == 1 && r[i].errs[0] == MP_X_TIMEOUT;
	TAP_EQ_INT(timeouts, 20, "every exchange ended once, in a timeout");
	TAP_EQ_INT(mp_loop_peak(l), 8, "never more than 8 in flight");
	mp_loop_free(l);
	close(lfd);
}

/*
 * A scripted peer on its own thread: accepts one connection, reads the
 * request, writes `say`, then holds the connection open until the client
 * closes it (or 5 s pass).
 */
struct peer {
	int lfd;
	const uint8_t *say;
	size_t say_len;
	pthread_t t;
};

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	struct timeval tv = { .tv_sec = 5 };
	uint8_t buf[256];
	int fd = accept(p->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (recv(fd, buf, sizeof(buf), 0) > 0 && p->say_len)
		(void)send(fd, p->say, p->say_len, MSG_NOSIGNAL);
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	close(fd);
	return NULL;
}

/* One I32 exchange against a peer that says `say` and then nothing. */
static void scripted(const uint8_t *say, size_t say_len, int timeout_ms, struct rec *r)
{
	struct sockaddr_storage a;
	socklen_t alen;
	struct peer p = { .say = say, .say_len = say_len };
	struct mp_loop *l = NULL;

	memset(r, 0, sizeof(*r));
	p.lfd = listener(&a, &alen);
	TAP_OK(p.lfd >= 0 && pthread_create(&p.t, NULL, peer_main, &p) == 0 &&
		       mp_loop_new(&l, 1) == 0,
	       "scripted peer and loop");
	if (!l)
		return;
	r->loop = l;
	submit(l, &a, alen, MP_FRAME_I32, timeout_ms, r);
	TAP_EQ_INT(mp_loop_run(l), 0, "run");
	mp_loop_free(l); /* closes the connection: the peer thread ends */
	pthread_join(p.t, NULL);
	close(p.lfd);
}

/*
 * Timeout texts say what had arrived: a silent peer sent "no bytes", a
 * stalled one "a partial answer of N bytes", never "no progress" while
 * bytes were coming; frame lengths are never printed as negative numbers.
 */
static void error_texts(void)
{
	static const uint8_t partial[] = { 0, 0, 0, 10, 'a', 'b' };
	static const uint8_t negative[] = { 0xff, 0xff, 0xff, 0xfe };
	static const uint8_t huge[] = { 0x7f, 0xff, 0xff, 0xff };
	struct rec r;

	scripted(NULL, 0, 200, &r);
	TAP_OK(r.calls == 1 && r.errs[0] == MP_X_TIMEOUT, "silent peer: timeout");
	TAP_OK(strstr(r.msg, "receive: no bytes within the step limit of 200 ms (") != NULL,
	       "silent peer: 'no bytes' and the limit: %s", r.msg);

	scripted(partial, sizeof(partial), 200, &r);
	TAP_OK(r.calls == 1 && r.errs[0] == MP_X_TIMEOUT, "stalled peer: timeout");
	TAP_OK(strstr(r.msg, "a partial answer of 6 bytes") && !strstr(r.msg, "no progress") &&
		       !strstr(r.msg, "no bytes"),
	       "stalled peer: a partial answer of 6 bytes: %s", r.msg);

	scripted(negative, sizeof(negative), 2000, &r);
	TAP_OK(r.calls == 1 && r.errs[0] == MP_X_TOO_BIG, "length 0xfffffffe: too_big");
	TAP_OK(strstr(r.msg, "invalid frame length 0xfffffffe") && !strstr(r.msg, "-2"),
	       "length 0xfffffffe is not printed as -2: %s", r.msg);

	scripted(huge, sizeof(huge), 2000, &r);
	TAP_OK(r.calls == 1 && r.errs[0] == MP_X_TOO_BIG, "length 0x7fffffff: too_big");
	TAP_OK(strstr(r.msg, "2147483647-byte frame") != NULL, "its length as announced: %s",
	       r.msg);
}

int main(void)
{
	error_texts();
	bounded_in_flight();
	abort_from_done(false);
	abort_from_done(true);
	abort_from_expired();
	return tap_done();
}
