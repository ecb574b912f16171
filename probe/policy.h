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

/*
 * The scan date the end-of-support check uses: MSKPROBE_SCAN_DATE
 * ("YYYY-MM-DD", for tests and for re-evaluating an audit as of a day) when
 * set and valid, else the clock. *ret_from_env says which.
 */
int64_t policy_scan_date(bool *ret_from_env);

/*
 * KAFKA_VERSION_END_OF_SUPPORT when every candidate version of c is past
 * MSK's end of support date on now (seconds since the epoch),
 * KAFKA_VERSION_END_OF_SUPPORT_SOON when the latest of them is within 90
 * days; nothing on platform apache (Apache publishes no such dates) or when
 * a candidate has no published date. 0, or -ENOMEM / -EINVAL as
 * mp_cluster_add_finding.
 */
int policy_end_of_support(struct mp_cluster *c, const struct mp_policy *p,
			  const struct msk_catalog *msk, int64_t now, bool now_from_env);

/* Exit code of a whole report (README contract). */
enum mp_exit policy_exit_code(const struct mp_report *r);

#endif
