/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reports: the model serialised once to the JSON report (the evidence), and
 * every other format rendered from that JSON, so a saved report can be
 * re-rendered, diffed and verified later by exactly the same code.
 */
#ifndef MP_REPORT_H
#define MP_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct cJSON;

#define REP_SCHEMA "mskprobe.report/1"

/* The JSON report of r; NULL when out of memory. Caller frees (cJSON_Delete). */
struct cJSON *rep_to_json(const struct mp_report *r);

/* The tls object (issue 3 contract) of one TLS session; NULL on ENOMEM. */
struct cJSON *rep_tls_json(const struct mp_tls_info *t);

/*
 * Render a JSON report as terminal text (colour only when asked). Returns 0
 * and a malloc'd string, or -EINVAL with the reason in errbuf when the JSON
 * is not a report, or -ENOMEM.
 */
int rep_render_text(const struct cJSON *report, bool color, char **ret, char *errbuf,
		    size_t errlen);

/*
 * Write data to path atomically: a temporary file in the same directory,
 * fsync, rename, mode 0600. A crash or a full disk never leaves a partial
 * file under path. "-" writes to stdout. 0 or -errno with errbuf set.
 */
int rep_write_file(const char *path, const char *data, size_t len, char *errbuf, size_t errlen);

#endif
