/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The finding catalogue (base/data/findings.tsv): for every finding id its
 * default severity, title, remediation, what it needs to be evaluated and the
 * compliance controls it evidences. Code emits an id and its evidence; every
 * other attribute of a finding comes from here, so no two places can
 * disagree on a finding's severity.
 */
#ifndef MP_CATALOG_H
#define MP_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define MP_CONTROLS_MAX 24u

/* The catalogue row that is the cluster verdict as a check, not a finding. */
#define MP_VERDICT_CHECK "CONTROL_PLANE_ENCRYPTION"

struct mp_check {
	const char *id, *severity, *requires, *title, *remediation;
	enum mp_severity sev;
	/* requires "observation": a statement of what was seen, listed with the
	 * findings but never a check (ASFF, OCSF, JUnit leave it out) */
	bool observation;
	size_t n_controls;
	const char *framework[MP_CONTROLS_MAX]; /* "PCI DSS v4.0" */
	const char *control[MP_CONTROLS_MAX];	/* "4.2.1" */
};

struct mp_catalog;
/* Parse a catalogue text (bounded: size, rows, columns; UTF-8 only). */
int mp_catalog_parse(struct mp_catalog **ret, const char *text, size_t len, char *errbuf,
		     size_t errlen);
/* A fresh parse of the built-in catalogue. */
int mp_catalog_builtin(struct mp_catalog **ret, char *errbuf, size_t errlen);
void mp_catalog_free(struct mp_catalog *c);
size_t mp_catalog_size(const struct mp_catalog *c);
const struct mp_check *mp_catalog_at(const struct mp_catalog *c, size_t i);
const struct mp_check *mp_catalog_find(const struct mp_catalog *c, const char *id);

/* The built-in catalogue, parsed once per process (thread-safe); NULL only if
 * the compiled-in file is broken, which the unit tests rule out. */
const struct mp_catalog *mp_catalog(void);

/*
 * A finding as JSON, {id, severity, title, evidence}, severity and title
 * from the built-in catalogue; takes evidence (freed on failure). 0 and
 * *ret, -EINVAL for an id the catalogue lacks, -ENOMEM.
 */
struct cJSON;
int mp_catalog_finding_json(const char *id, struct cJSON *evidence, struct cJSON **ret);

#endif
