/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Findings from ZooKeeper endpoint evidence (probe/zk_probe.h) and from any
 * TLS inspection (struct mp_tls_info), so Kafka TLS listeners are judged by
 * the same rules. Evidence objects name host:port and the measured facts
 * only: never payload bytes, never keys or PEM.
 *
 * IDs and severities:
 *   ZK_PLAINTEXT_REACHABLE  high    a port speaks ZooKeeper without TLS
 *   ZK_TLS_UNAVAILABLE      high    plaintext ZooKeeper answers, no TLS port does
 *   ZK_ANONYMOUS_READ       high    an unauthenticated session could list znodes
 *   TLS_HANDSHAKE_FAILED    medium  (low when the server only wants a client certificate)
 *   TLS_CERT_EXPIRED        high    a certificate of the chain is past not_after
 *   TLS_CERT_EXPIRES_SOON   medium  fewer than policy cert_warn_days left
 *   TLS_CERT_UNTRUSTED      high    the chain does not verify (other than expiry)
 *   TLS_HOSTNAME_MISMATCH   medium  the leaf does not name the host asked for
 *   TLS_LEGACY_PROTOCOL     medium  TLSv1 or TLSv1.1 accepted
 */
#ifndef MP_ZK_POLICY_H
#define MP_ZK_POLICY_H

#include <stdint.h>

#include "model.h"

/* ZK_* and TLS_* findings for every c->zk[] endpoint. 0 or -ENOMEM. */
int zk_findings(struct mp_cluster *c, const struct mp_policy *p);

/* The TLS_* findings of one TLS endpoint (t may be NULL: nothing). 0 or -ENOMEM. */
int zk_tls_findings(struct mp_cluster *c, const char *host, uint16_t port,
		    const struct mp_tls_info *t, const struct mp_policy *p);

#endif
