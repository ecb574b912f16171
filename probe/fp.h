/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kafka release fingerprint: a table of the ApiVersions each Apache Kafka
 * feature release advertises (probe/data/kafka-apiversions.tsv, compiled in,
 * overridable with --fingerprint-table), and the matcher that turns a
 * broker's answer into the set of releases consistent with it.
 *
 * Table format (one row per release, mode and distinct table):
 *   # comment
 *   <release>\t<zk|kraft>\t<patch>[,<patch>...]\t<key>:<min>-<max> ...
 */
#ifndef MP_FP_H
#define MP_FP_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define FP_PATCHES_MAX 8u

enum fp_mode {
	FP_MODE_ZK = 0,
	FP_MODE_KRAFT,
};

struct fp_row {
	char release[12]; /* "2.4", "0.10.2" */
	enum fp_mode mode;
	uint8_t n_patches;
	char patches[FP_PATCHES_MAX][16]; /* "2.4.0", "2.4.1" */
	struct mp_api_table table;
};

struct fp_table;

/* The table compiled into the binary. */
extern const char mp_fp_builtin[];
extern const size_t mp_fp_builtin_len;

/*
 * Parse a table from text. `origin` names the input in error messages
 * ("built-in table", a file path). Returns 0, -ENOMEM, or -EINVAL with
 * "origin:line: what is wrong" in errbuf.
 */
int fp_table_parse(struct fp_table **ret, const char *text, size_t len, const char *origin,
		   char *errbuf, size_t errlen);
/* Read and parse a file (at most MP_FP_TABLE_BYTES_MAX). */
int fp_table_load_file(struct fp_table **ret, const char *path, char *errbuf, size_t errlen);
int fp_table_builtin(struct fp_table **ret, char *errbuf, size_t errlen);
void fp_table_free(struct fp_table *t);

size_t fp_table_rows(const struct fp_table *t);
const struct fp_row *fp_table_row(const struct fp_table *t, size_t i);
/* First row of a release and mode (stand-ins), NULL when absent. */
const struct fp_row *fp_table_find(const struct fp_table *t, const char *release,
				   enum fp_mode mode);

/* Keys that never take part in matching (telemetry 71/72: config-dependent). */
int fp_key_is_noise(int16_t key);

/*
 * Match one broker's answer. Fills res (rows, releases, exact, distance,
 * mode and its reason). distance = number of keys whose presence or range
 * differs from the row; rows[] are all rows at the minimum distance.
 */
void fp_match(const struct fp_table *t, const struct mp_apiv *a, struct mp_fp_result *res);

const char *fp_mode_name(enum fp_mode m); /* "zookeeper" | "kraft" */

#endif
