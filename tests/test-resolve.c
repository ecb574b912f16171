/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name resolution on the event loop (probe/resolve.c), in a private mount
 * namespace whose /etc/hosts and /etc/resolv.conf the test writes (root;
 * skipped with 77 without the privilege):
 *
 *   - literals complete on the loop, never inside mp_resolve();
 *   - a name with an IPv4 and an IPv6 line keeps both addresses;
 *   - a name only DNS could answer goes to a "name server" of our own on
 *     127.0.0.9:53 that never answers: while that lookup hangs, an exchange
 *     on the same loop completes (the loop is not blocked), and the lookup
 *     ends with a timeout after the resolver's timeout, not glibc's;
 *   - a resolver freed with a lookup still in glibc never calls it back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "resolve.h"
#include "tap.h"
#include "util.h"

#define TIMEOUT_MS 1000

struct got {
	bool called;
	int order; /* when, among the callbacks */
	struct mp_resolved res;
};

static int seq;

static void done(const struct mp_resolved *res, void *ud)
{
	struct got *g = ud;
	g->called = true;
	g->order = ++seq;
	g->res = *res;
}

static int xchg_order;

static void xchg_done(struct mp_xchg *x, const struct mp_xchg_result *res, void *ud)
{
	(void)x;
	(void)res;
	(void)ud;
	xchg_order = ++seq;
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(text, f) >= 0;
	if (f)
		ok = fclose(f) == 0 && ok;
	return ok;
}

/* /etc/hosts and /etc/resolv.conf of our own, seen by this process only. */
static int private_etc(char *dir)
{
	char hosts[256], resolv[256];
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(dir))
		return -errno;
	mp_fmt(hosts, sizeof(hosts), "%s/hosts", dir);
	mp_fmt(resolv, sizeof(resolv), "%s/resolv.conf", dir);
	if (!write_file(hosts, "127.0.0.1 localhost\n"
			       "127.0.0.1 zk-multi.test.internal\n"
			       "::1 zk-multi.test.internal\n") ||
	    !write_file(resolv, "nameserver 127.0.0.9\noptions timeout:30 attempts:1\n"))
		return -EIO;
	if (mount(hosts, "/etc/hosts", NULL, MS_BIND, NULL) < 0 ||
	    mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

/* A DNS server that receives and never answers. */
static int silent_dns(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "127.0.0.9", &sa.sin_addr);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A listener that completes connects (backlog) and never answers. */
static int listener(struct sockaddr_storage *ret, socklen_t *ret_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		return -1;
	memcpy(ret, &a, sizeof(a));
	*ret_len = sizeof(a);
	return fd;
}

static bool has(const struct mp_addrs *s, const char *ip)
{
	struct mp_addr a = { 0 };
	if (inet_pton(AF_INET, ip, a.a) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, ip, a.a) == 1)
		a.family = 6;
	return mp_addrs_has(s, &a);
}

int main(void)
{
	char dir[] = "/tmp/mskprobe-resolve-XXXXXX";
	struct mp_loop *loop = NULL;
	struct mp_resolver *rv = NULL;
	struct got lit4 = { 0 }, lit6 = { 0 }, multi = { 0 }, slow = { 0 }, never = { 0 };
	int rc = private_etc(dir);

	if (rc == -EPERM || rc == -EACCES) {
		printf("1..0 # SKIP no privilege for a private mount namespace (%s)\n",
		       strerror(-rc));
		return 77;
	}
	TAP_EQ_INT(rc, 0, "private /etc/hosts and /etc/resolv.conf");
	int dns = silent_dns();
	TAP_OK(dns >= 0, "a silent name server on 127.0.0.9:53");
	TAP_EQ_INT(mp_loop_new(&loop, 8), 0, "loop");
	TAP_EQ_INT(mp_resolver_new(&rv, loop, TIMEOUT_MS), 0, "resolver");
	if (rc < 0 || dns < 0 || !rv)
		return tap_done();

	TAP_EQ_INT(mp_resolve(rv, "127.0.0.1", done, &lit4), 0, "queue 127.0.0.1");
	TAP_EQ_INT(mp_resolve(rv, "::1", done, &lit6), 0, "queue ::1");
	TAP_OK(!lit4.called && !lit6.called,
	       "literals are answered on the loop, not inside mp_resolve");
	TAP_EQ_INT(mp_resolve(rv, "zk-multi.test.internal", done, &multi), 0, "queue a name");
	TAP_EQ_INT(mp_resolve(rv, "slow.test.internal", done, &slow), 0,
		   "queue a name only DNS knows");
	TAP_EQ_INT((int)mp_resolver_pending(rv), 4, "four lookups pending");

	/* an exchange on the same loop while the DNS lookup hangs */
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	int lfd = listener(&sa, &salen);
	struct mp_xchg_spec x = { .addr = sa,
				  .addrlen = salen,
				  .req = (const uint8_t *)"hi",
				  .req_len = 2,
				  .frame = MP_FRAME_NONE,
				  .timeout_ms = TIMEOUT_MS,
				  .done = xchg_done };
	TAP_OK(lfd >= 0 && mp_loop_submit(loop, &x) == 0, "an exchange queued beside them");

	TAP_EQ_INT(mp_loop_run(loop), 0, "loop ran");

	TAP_OK(lit4.called && lit4.res.addrs.n == 1 && has(&lit4.res.addrs, "127.0.0.1"),
	       "127.0.0.1 resolved to itself");
	TAP_OK(lit6.called && lit6.res.addrs.n == 1 && has(&lit6.res.addrs, "::1"),
	       "::1 resolved to itself");
	TAP_OK(multi.called && multi.res.addrs.n == 2 && has(&multi.res.addrs, "127.0.0.1") &&
		       has(&multi.res.addrs, "::1"),
	       "a name keeps every address: IPv4 and IPv6 (%u)", multi.res.addrs.n);
	TAP_OK(slow.called && slow.res.addrs.n == 0 &&
		       strstr(slow.res.error, "timed out after 1000 ms"),
	       "the silent name server: a timeout of ours: %s", slow.res.error);
	TAP_OK(xchg_order && xchg_order < slow.order,
	       "the exchange finished while the lookup hung: the loop was not blocked");
	TAP_EQ_INT((int)mp_resolver_pending(rv), 0, "nothing pending");

	/* freed with a lookup in glibc: never called back */
	TAP_EQ_INT(mp_resolve(rv, "never.test.internal", done, &never), 0, "queue one more");
	mp_resolver_free(rv);
	TAP_OK(!never.called, "a lookup pending at free is dropped without a callback");
	mp_loop_free(loop);
	close(lfd);
	close(dns);
	return tap_done();
}
