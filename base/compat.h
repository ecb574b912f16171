/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client compatibility with a target Kafka release (issue: which
 * applications break on the upgrade). Two tables, compiled in:
 *
 *   base/data/kafka-accepted.tsv      the request versions each Kafka 4.x
 *                                     release accepts from clients (KIP-896,
 *                                     with the releases where "accepted"
 *                                     differs from "advertised")
 *   base/data/client-libraries.tsv    per KIP-511 client software name, the
 *                                     oldest version known to fit Kafka 4.x
 *
 * A client is judged from the request versions it was seen sending (a
 * capture) when there are any, else from its KIP-511 software name and
 * version (brokers' metrics). The judgement is a "target" object:
 *
 *   {"version": "4.0.0", "basis": "requests" | "software",
 *    "compatible": true | false | null,
 *    "rejected": [{"api_key": 1, "api": "Fetch", "version": 2, "min_accepted": 4}],
 *    "reason": "..."}
 *
 * compatible is null when the evidence does not decide (an unknown library,
 * a broker's own inter-broker connection): never a guess.
 */
#ifndef MP_COMPAT_H
#define MP_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

/* The first release whose accepted table differs from "every version": 4.0.0. */
#define MP_COMPAT_FIRST_REMOVAL "4.0.0"

/*
 * Resolve a --target-version argument to an exact release: "4.0.0" (a
 * release the accepted table lists, or any version before 4.0.0, which
 * rejects nothing), "4.1" (the newest patch of that feature release the
 * table lists). 0 with out, or -EINVAL with the reason in errbuf.
 */
int mp_compat_resolve_target(const char *arg, char *out, size_t n, char *errbuf, size_t errlen);

/*
 * The versions of api_key target accepts from a client: 1 with the range,
 * 0 when target does not serve the key at all, 2 when target is before
 * 4.0.0 (every version a client of an older release sends). -EINVAL for a
 * target that is not an exact listed release.
 */
int mp_compat_accepted(const char *target, int api_key, int *ret_min, int *ret_max);

/* The "target" object for a client known by its requests ([{api_key, versions[]}, ...]). */
struct cJSON *mp_compat_judge_requests(const char *target, const struct cJSON *requests);

/* The "target" object for a client known only by its KIP-511 name and version (NULL = unknown). */
struct cJSON *mp_compat_judge_software(const char *target, const char *sw_name,
				       const char *sw_version);

/* The "target" object for a client object (requests when it has any, else software). */
struct cJSON *mp_compat_judge_client(const char *target, const struct cJSON *client);

/*
 * The client findings of one clients array (docs/schema: client objects
 * with their "target"): CLIENT_INCOMPATIBLE_WITH_TARGET (clients whose
 * target says compatible false), CLIENT_UNIDENTIFIED (clients without a
 * KIP-511 name), CLIENT_PLAINTEXT_IN_USE (clients seen on plaintext). add
 * takes ownership of evidence (an object) and returns 0 or -errno. 0 or the
 * first error.
 */
typedef int (*mp_compat_add_fn)(void *ud, const char *id, struct cJSON *evidence);
int mp_compat_findings(const struct cJSON *clients, const char *target, mp_compat_add_fn add,
		       void *ud);

/*
 * One client's row of an inventory table, for every renderer (text, HTML,
 * Markdown, capture text): who ("10.0.1.5 orders-api", "broker b-1:9092"),
 * library ("librdkafka 2.0.2", "-"), the versions used ("Produce v2, Fetch
 * v2 v4, ..."), the verdict ("incompatible with 4.0.0: Produce v2 (accepts
 * v3+)", "fits 4.0.0", "unknown for 4.0.0: ...", "not judged"). Strings
 * come from the JSON (sanitised when it was made); cut to fit.
 */
struct mp_client_row {
	char who[320], library[160], versions[512], verdict[640];
};
void mp_client_row(const struct cJSON *client, struct mp_client_row *row);

/* Parse both tables (tests, fuzzing): 0 or -EINVAL with the line in errbuf. */
int mp_compat_check_tables(char *errbuf, size_t errlen);

#endif
