/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lab's MSK Open Monitoring endpoint: a plain-HTTP server on 127.0.0.1
 * that answers GET /metrics with what the JMX exporter
 * (io.prometheus.jmx:jmx_prometheus_javaagent 0.20.0, default rules) serves
 * for a Kafka broker, in the exact shape of the real broker's scrape kept in
 * tests/interop/openmon/: the socket-server-metrics `connections` series by
 * KIP-511 client software and by TLS cipher, per listener, and
 * DeprecatedRequestsPerSec. Its story: a TLS-only cluster whose clients are
 * apache-kafka-java 3.9.2, librdkafka 1.6.0 and an unnamed client that still
 * sends Produce v2, so `scan --open-monitoring` has every verdict to show
 * without a capture.
 */
#ifndef MP_LAB_OPENMON_H
#define MP_LAB_OPENMON_H

#include <stddef.h>
#include <stdint.h>

struct lab_openmon;

/* Listen on 127.0.0.1 (an ephemeral port in *ret_port) and serve from a thread. 0 or -errno. */
int lab_openmon_start(struct lab_openmon **ret, uint16_t *ret_port, char *errbuf, size_t errlen);
/* Stop, join, free; accepts NULL. */
void lab_openmon_free(struct lab_openmon *om);

#endif
