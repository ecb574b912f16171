/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Turns measured evidence into the fingerprint summary, findings and the
 * verdict of each cluster. A verdict is derived from evidence, never stored
 * as an independent opinion: "compliant" only when every version consistent
 * with the evidence is at or above the minimum (and, in ZooKeeper mode, a
 * TLS ZooKeeper endpoint verified); "non_compliant" when the evidence proves
 * a gap; otherwise "unverified" with the reason.
 */
#ifndef MP_POLICY_H
#define MP_POLICY_H

#include "mp_exit.h"
#include "fp.h"
#include "model.h"
#include "msk.h"

/* Fingerprint every broker, then judge the cluster. Returns 0 or -ENOMEM. */
int policy_apply(struct mp_cluster *c, const struct mp_policy *p, const struct fp_table *fp,
		 const struct msk_catalog *msk);

/* Exit code of a whole report (README contract). */
enum mp_exit policy_exit_code(const struct mp_report *r);

#endif
