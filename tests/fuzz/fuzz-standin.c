/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the broker and ZooKeeper stand-ins as a client
 * meets them (lab/standin.c framing, standin_kafka.c, standin_sasl.c,
 * standin_zk.c): their state machines run on the server's own thread, so
 * the harness goes through the one public entry point, a connection: one
 * server on 127.0.0.1 with a listener per kind below, started once. The
 * request parser alone has a direct target, fuzz-standin-req.c.
 *
 * Input: byte 0 picks the listener (mod 8), the rest is what a client
 * sends on one connection (any number of frames); then the client shuts
 * its side and reads until the stand-in closes:
 *   0 Kafka 3.9 KRaft   1 Kafka 3.9 KRaft, SASL   2 Kafka 2.2 ZooKeeper mode
 *   3 Kafka 0.11.0 answering half and closing      4 Kafka 2.4, 2 GiB frame lie
 *   5 ZooKeeper, getChildren lists a tree          6 ZooKeeper, NOAUTH, srvr refused
 *   7 Kafka 3.9 silent (reads, never answers)
 *
 * Beyond "never crash": the stand-in closes every connection after the
 * client's EOF (no hang: the harness aborts after EOF_WAIT_S without EOF,
 * saying what the socket and the server saw), and never sends more than
 * ANSWER_MAX in all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "standin.h"

#define N_LISTENERS 8
#define ANSWER_MAX  (1024u * 1024u) /* far above any stand-in answer to 4 KiB of requests */
#define EOF_WAIT_S  5		    /* idle timeout 2 s: the stand-in closes well before */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct standin_server *srv;
static struct fp_table *table;
static uint16_t ports[N_LISTENERS];

static const struct fp_row *row(const char *release, enum fp_mode mode)
{
	const struct fp_row *r = fp_table_find(table, release, mode);
	if (!r) {
		fprintf(stderr, "fuzz-standin: no %s row\n", release);
		abort();
	}
	return r;
}

static void setup(void)
{
	char err[256];
	struct standin_opts o[N_LISTENERS];

	if (fp_table_builtin(&table, err, sizeof(err)) ||
	    standin_server_new(&srv, err, sizeof(err))) {
		fprintf(stderr, "fuzz-standin: %s\n", err);
		abort();
	}
	memset(o, 0, sizeof(o));
	for (size_t i = 0; i < N_LISTENERS; i++)
		o[i].idle_timeout_ms = 2000;
	o[0].row = row("3.9", FP_MODE_KRAFT);
	o[1].row = row("3.9", FP_MODE_KRAFT);
	o[1].sasl = true;
	o[1].sasl_mechanisms = "PLAIN,SCRAM-SHA-512";
	o[2].row = row("2.2", FP_MODE_ZK);
	o[3].row = row("0.11.0", FP_MODE_ZK);
	o[3].behaviour = STANDIN_CLOSE_MID;
	o[4].row = row("2.4", FP_MODE_ZK);
	o[4].behaviour = STANDIN_HUGE_FRAME;
	o[5].behaviour = STANDIN_ZOOKEEPER;
	o[5].zk_list = true;
	o[6].behaviour = STANDIN_ZOOKEEPER;
	o[6].zk_4lw_refused = true;
	o[7].behaviour = STANDIN_SILENT;
	for (size_t i = 0; i < N_LISTENERS; i++)
		if (standin_add(srv, &o[i], &ports[i], err, sizeof(err))) {
			fprintf(stderr, "fuzz-standin: listener %zu: %s\n", i, err);
			abort();
		}
	if (standin_server_start(srv, err, sizeof(err))) {
		fprintf(stderr, "fuzz-standin: %s\n", err);
		abort();
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = EOF_WAIT_S };
	/* close with a reset: no TIME_WAIT left behind by 10k connections a second */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The stand-in neither answered nor closed in time: what the socket and the server saw. */
static void no_eof(int fd, unsigned listener, size_t sent, size_t got)
{
	struct tcp_info ti = { 0 };
	socklen_t tl = sizeof(ti);
	struct sockaddr_in me = { 0 };
	socklen_t ml = sizeof(me);
	struct standin_stats st;

	(void)getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
	(void)getsockname(fd, (struct sockaddr *)&me, &ml);
	standin_stats(srv, &st);
	fprintf(stderr,
		"fuzz-standin: no EOF from the stand-in within %d s: listener %u, %zu bytes sent, "
		"%zu received; client port %u, tcp state %u, unacked %u, retransmits %u; "
		"stand-in accepted %llu, requests %llu, answers %llu, dropped %llu\n",
		EOF_WAIT_S, listener, sent, got, ntohs(me.sin_port), ti.tcpi_state, ti.tcpi_unacked,
		ti.tcpi_total_retrans, (unsigned long long)st.accepted,
		(unsigned long long)st.requests, (unsigned long long)st.answers,
		(unsigned long long)st.dropped);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[4096];
	size_t got = 0;

	if (!srv)
		setup();
	if (size < 1)
		return 0;
	int fd = dial(ports[data[0] % N_LISTENERS]);
	if (fd < 0)
		return 0; /* out of descriptors or ports: not the stand-in's fault */
	/*
	 * The stand-in may close before reading everything: that is fine.
	 * libFuzzer's SIGALRM watchdog interrupts socket calls (EINTR even
	 * with SA_RESTART when a timeout is set): retry those.
	 */
	for (size_t off = 1; off < size;) {
		ssize_t w = send(fd, data + off, size - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	(void)shutdown(fd, SHUT_WR);
	int64_t deadline = now_ms() + EOF_WAIT_S * 1000;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		if (left <= 0)
			no_eof(fd, data[0] % N_LISTENERS, size - 1, got);
		int pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue; /* the deadline check above decides */
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == 0)
			break; /* closed: what we want */
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (errno == ECONNRESET)
				break; /* closed with our bytes unread */
			fprintf(stderr, "fuzz-standin: recv: %s\n", strerror(errno));
			abort();
		}
		got += (size_t)r;
		if (got > ANSWER_MAX) {
			fprintf(stderr, "fuzz-standin: more than %u bytes of answers\n",
				ANSWER_MAX);
			abort();
		}
	}
	close(fd);
	return 0;
}
