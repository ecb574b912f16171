/* SPDX-License-Identifier: Apache-2.0 */
/*
 * om_scrape() against stand-in HTTP peers on 127.0.0.1 (one thread each):
 * a good answer, a refused port (with and without a broker that answered),
 * a silent peer (timeout), garbage, an oversize chunked body, a 404, and a
 * peer that closes mid-body. Every target gets its status and a reason
 * naming the broker; one bad peer never stops the others.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"
#include "om.h"
#include "tap.h"

enum kind { GOOD, SILENT, GARBAGE, OVERSIZE, NOTFOUND, SHORT };

struct peer {
	enum kind kind;
	int lfd;
	uint16_t port;
	pthread_t th;
};

static void send_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

static void *serve(void *ud)
{
	struct peer *pe = ud;
	int fd = accept(pe->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	char req[4096];
	(void)!recv(fd, req, sizeof(req), 0);
	static const char body[] =
		"kafka_server_socket_server_metrics_connections{clientSoftwareName=\"librdkafka\","
		"clientSoftwareVersion=\"2.0.2\",listener=\"CLIENT\",networkProcessor=\"0\",} "
		"2.0\n";
	char a[1024];
	switch (pe->kind) {
	case GOOD:
		snprintf(a, sizeof(a), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
			 strlen(body), body);
		send_all(fd, a, strlen(a));
		break;
	case SILENT:
		sleep(3); /* past the 500 ms timeout of the scrape */
		break;
	case GARBAGE:
		send_all(fd, "\x16\x03\x01\x00\x05hello\r\n\r\n", 15);
		break;
	case OVERSIZE: {
		const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
		send_all(fd, h, strlen(h));
		snprintf(a, sizeof(a), "%x\r\n", MP_OM_BODY_MAX + 1);
		send_all(fd, a, strlen(a));
		break;
	}
	case NOTFOUND:
		snprintf(a, sizeof(a), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
		send_all(fd, a, strlen(a));
		break;
	case SHORT:
		snprintf(a, sizeof(a), "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nx 1\n");
		send_all(fd, a, strlen(a));
		break;
	}
	close(fd);
	return NULL;
}

static void peer_start(struct peer *pe, enum kind k)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	pe->kind = k;
	pe->lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(pe->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(pe->lfd, 4) < 0 ||
	    getsockname(pe->lfd, (struct sockaddr *)&sa, &l) < 0)
		abort();
	pe->port = ntohs(sa.sin_port);
	pthread_create(&pe->th, NULL, serve, pe);
}

static void target(struct om_target *t, const char *name, uint16_t port, bool answered)
{
	struct sockaddr_in *sa = (struct sockaddr_in *)&t->addr;
	memset(t, 0, sizeof(*t));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->addrlen = sizeof(*sa);
	t->broker = name;
	t->host_header = "127.0.0.1";
	t->broker_answered = answered;
}

int main(void)
{
	enum kind kinds[] = { GOOD, SILENT, GARBAGE, OVERSIZE, NOTFOUND, SHORT };
	const char *names[] = { "good:9092",	 "silent:9092", "garbage:9092", "oversize:9092",
				"notfound:9092", "short:9092",	"refused:9092", "off:9092" };
	enum om_status want[] = { OM_OK,	  OM_TIMEOUT, OM_ERROR,	  OM_ERROR,
				  OM_NOT_ENABLED, OM_ERROR,   OM_REFUSED, OM_NOT_ENABLED };
	const char *why[] = { NULL,  "timeout",	       "status line", "cap",
			      "404", "Content-Length", "refused",     "not enabled" };
	struct peer pe[6];
	struct om_target t[8];
	for (int i = 0; i < 6; i++) {
		peer_start(&pe[i], kinds[i]);
		target(&t[i], names[i], pe[i].port, true);
	}
	target(&t[6], names[6], dead_port(), false);
	target(&t[7], names[7], dead_port(), true);
	TAP_EQ_INT(om_scrape(t, 8, 3, 500, -1), 0, "om_scrape ran");
	for (int i = 0; i < 8; i++) {
		TAP_EQ_STR(om_status_name(t[i].status), om_status_name(want[i]), "%s: status",
			   names[i]);
		if (why[i])
			TAP_OK(strstr(t[i].reason, names[i]) && strstr(t[i].reason, why[i]),
			       "%s: reason names the broker and '%s': %s", names[i], why[i],
			       t[i].reason);
		else
			TAP_OK(t[i].reason[0] == '\0', "%s: no reason", names[i]);
	}
	TAP_OK(t[0].view.n_clients == 1 && t[0].view.clients[0].connections == 2.0 &&
		       strcmp(t[0].view.clients[0].sw_name, "librdkafka") == 0,
	       "the good peer's client read");
	for (int i = 0; i < 6; i++) {
		pthread_join(pe[i].th, NULL);
		close(pe[i].lfd);
	}
	for (int i = 0; i < 8; i++)
		om_view_clear(&t[i].view);

	/* an interrupt (the scan's signal pipe readable) ends a scrape that waits */
	struct peer quiet;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	int pfd[2];
	quiet.lfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(quiet.lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(quiet.lfd, 4) < 0 ||
	    getsockname(quiet.lfd, (struct sockaddr *)&sa, &l) < 0 || pipe(pfd) < 0)
		abort();
	target(&t[0], "quiet:9092", ntohs(sa.sin_port), true);
	(void)!write(pfd[1], "x", 1);
	TAP_EQ_INT(om_scrape(t, 1, 1, 60000, pfd[0]), 1, "an interrupt ends the scrapes (1)");
	TAP_OK(t[0].status == OM_ERROR && strstr(t[0].reason, "interrupted"), "quiet: %s",
	       t[0].reason);
	om_view_clear(&t[0].view);
	close(quiet.lfd);
	close(pfd[0]);
	close(pfd[1]);
	return tap_done();
}
