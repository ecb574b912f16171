/* SPDX-License-Identifier: Apache-2.0 */
/* See lab_openmon.h: the lab's MSK Open Monitoring (JMX exporter) stand-in. */
#include "lab_openmon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"

#define REQUEST_MAX 4096 /* bytes of a request read before answering */
#define IO_MS	    1000

/* jmx_prometheus_javaagent 0.20.0's rendering (tests/interop/openmon/): untyped, a trailing comma. */
static const char metrics[] =
	"# HELP kafka_server_socket_server_metrics_connection_count The current number of "
	"active connections. kafka.server:name=null,type=socket-server-metrics,"
	"attribute=connection-count\n"
	"# TYPE kafka_server_socket_server_metrics_connection_count untyped\n"
	"kafka_server_socket_server_metrics_connection_count{listener=\"CLIENT_SECURE\","
	"networkProcessor=\"3\",} 5.0\n"
	"kafka_server_socket_server_metrics_connection_count{listener=\"REPLICATION_SECURE\","
	"networkProcessor=\"6\",} 2.0\n"
	"# HELP kafka_server_socket_server_metrics_connections The number of connections with "
	"this client and version. kafka.server:name=null,type=socket-server-metrics,"
	"attribute=connections\n"
	"# TYPE kafka_server_socket_server_metrics_connections untyped\n"
	"kafka_server_socket_server_metrics_connections{clientSoftwareName=\"apache-kafka-java\","
	"clientSoftwareVersion=\"3.9.2\",listener=\"CLIENT_SECURE\",networkProcessor=\"3\",} 3.0\n"
	"kafka_server_socket_server_metrics_connections{clientSoftwareName=\"librdkafka\","
	"clientSoftwareVersion=\"1.6.0\",listener=\"CLIENT_SECURE\",networkProcessor=\"3\",} 1.0\n"
	"kafka_server_socket_server_metrics_connections{clientSoftwareName=\"unknown\","
	"clientSoftwareVersion=\"unknown\",listener=\"CLIENT_SECURE\",networkProcessor=\"3\",} "
	"1.0\n"
	"kafka_server_socket_server_metrics_connections{cipher=\"TLS_AES_256_GCM_SHA384\","
	"protocol=\"TLSv1.3\",listener=\"CLIENT_SECURE\",networkProcessor=\"3\",} 5.0\n"
	"kafka_server_socket_server_metrics_connections{clientSoftwareName=\"apache-kafka-java\","
	"clientSoftwareVersion=\"3.7.2\",listener=\"REPLICATION_SECURE\",networkProcessor=\"6\",} "
	"2.0\n"
	"kafka_server_socket_server_metrics_connections{cipher=\"TLS_AES_256_GCM_SHA384\","
	"protocol=\"TLSv1.3\",listener=\"REPLICATION_SECURE\",networkProcessor=\"6\",} 2.0\n"
	"# HELP kafka_network_RequestMetrics_Count Attribute exposed for management "
	"kafka.network:name=DeprecatedRequestsPerSec,type=RequestMetrics,attribute=Count\n"
	"# TYPE kafka_network_RequestMetrics_Count untyped\n"
	"kafka_network_RequestMetrics_Count{name=\"DeprecatedRequestsPerSec\",request=\"Produce\","
	"version=\"2\",clientSoftwareName=\"unknown\",clientSoftwareVersion=\"unknown\",} 42.0\n"
	"kafka_network_RequestMetrics_Count{name=\"RequestsPerSec\",request=\"Produce\","
	"version=\"11\",} 1234.0\n";

struct lab_openmon {
	int fd;
	int stop[2];
	pthread_t th;
	bool started;
};

/* Read the request head (bounded, timed), then answer and close. */
static void serve(int c)
{
	char req[REQUEST_MAX + 1], head[256];
	size_t n = 0;
	struct pollfd p = { .fd = c, .events = POLLIN };
	while (n < REQUEST_MAX && poll(&p, 1, IO_MS) == 1) {
		ssize_t r = read(c, req + n, REQUEST_MAX - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[n] = '\0';
	bool ok = strncmp(req, "GET /metrics ", 13) == 0;
	const char *body = ok ? metrics : "not found\n";
	int hl = snprintf(head, sizeof(head),
			  "HTTP/1.1 %s\r\nContent-Type: text/plain; version=0.0.4; "
			  "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			  ok ? "200 OK" : "404 Not Found", strlen(body));
	if (hl > 0 && write(c, head, (size_t)hl) == hl)
		(void)!write(c, body, strlen(body));
}

static void *run(void *arg)
{
	struct lab_openmon *om = arg;
	struct pollfd p[2] = { { .fd = om->fd, .events = POLLIN },
			       { .fd = om->stop[0], .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			int c = accept4(om->fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				struct timeval tv = { .tv_sec = IO_MS / 1000 };
				setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
				serve(c);
				close(c);
			}
		}
	}
	return NULL;
}

int lab_openmon_start(struct lab_openmon **ret, uint16_t *ret_port, char *errbuf, size_t errlen)
{
	struct lab_openmon *om = calloc(1, sizeof(*om));
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int rc;
	if (!om)
		return -ENOMEM;
	om->stop[0] = om->stop[1] = -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	om->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (om->fd < 0 || bind(om->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(om->fd, 16) < 0 || getsockname(om->fd, (struct sockaddr *)&sa, &sl) < 0 ||
	    pipe2(om->stop, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = -pthread_create(&om->th, NULL, run, om);
	if (rc)
		goto fail;
	om->started = true;
	*ret_port = ntohs(sa.sin_port);
	*ret = om;
	return 0;
fail:
	mp_fmt(errbuf, errlen, "open monitoring stand-in: %s", strerror(-rc));
	lab_openmon_free(om);
	return rc;
}

void lab_openmon_free(struct lab_openmon *om)
{
	if (!om)
		return;
	if (om->started) {
		(void)!write(om->stop[1], "x", 1);
		pthread_join(om->th, NULL);
	}
	if (om->fd >= 0)
		close(om->fd);
	if (om->stop[0] >= 0)
		close(om->stop[0]);
	if (om->stop[1] >= 0)
		close(om->stop[1]);
	free(om);
}
