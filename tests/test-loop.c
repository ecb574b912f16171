/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exchange loop (probe/loop.c) on 127.0.0.1: mp_loop_abort() called
 * from inside a done() callback, as the scan's interrupt and any caller may
 * do. Every exchange must get done() exactly once per round and none may
 * be touched after it was freed (the sanitizer build turns that into a
 * failure).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
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
	bool abort_first; /* abort from the first done() */
	bool next_first;  /* ask for another round before aborting */
};

static void rec_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud)
{
	struct rec *r = ud;
	if (r->calls < 4)
		r->errs[r->calls] = res->err;
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

int main(void)
{
	bounded_in_flight();
	abort_from_done(false);
	abort_from_done(true);
	abort_from_expired();
	return tap_done();
}
