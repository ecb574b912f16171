/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lab's control plane: what a Kafka broker's ZooKeeper client does
 * (ConnectRequest, a getChildren of /brokers/ids, a ping, closeSession), sent
 * from a thread to the lab's ZooKeeper stand-ins, in plaintext for the
 * clusters whose brokers cannot use TLS and over TLS for the others, so the
 * demo's capture has real broker-to-ZooKeeper traffic to judge. A target
 * may instead be a Kafka broker's plaintext listener: two applications
 * then connect to it, a legacy one that speaks the request versions
 * kafka-node 5.0.0 sends (ApiVersions v0, Produce v2, Fetch v2, JoinGroup v0,
 * ListOffsets v0: tests/interop/clients) and a current one that names
 * itself apache-kafka-java 3.9.2 (KIP-511) and sends that client's versions,
 * so the demo's client inventory has both verdicts to show.
 */
#ifndef MP_LAB_TRAFFIC_H
#define MP_LAB_TRAFFIC_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lab_traffic;

struct lab_zk_target {
	uint16_t port;	    /* on 127.0.0.1 */
	SSL_CTX *tls;	    /* NULL: plaintext; a reference is taken */
	bool kafka_clients; /* a Kafka plaintext listener: the two applications' sessions */
};

/* Start sessions every period_ms until stopped. 0 or -errno with errbuf set. */
int lab_traffic_start(struct lab_traffic **ret, const struct lab_zk_target *t, size_t n,
		      int period_ms, char *errbuf, size_t errlen);
/* Stop, join, free; accepts NULL. */
void lab_traffic_free(struct lab_traffic *lt);

#endif
