/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every cap on peer-controlled sizes and counts, in one place so a reviewer
 * can see what a hostile broker, ZooKeeper, pcap or JSON file can cost us.
 */
#ifndef MP_LIMITS_H
#define MP_LIMITS_H

/* Kafka ApiVersions: a 4.x broker answers ~100 keys in ~1 KiB. */
#define MP_APIV_FRAME_MAX    (64u * 1024u) /* largest response frame we read */
#define MP_API_KEYS_MAX	     256u	   /* entries kept from one answer */
#define MP_API_KEY_LIMIT     1024	   /* keys >= this are rejected as garbage */
#define MP_FEATURES_MAX	     32u	   /* feature entries kept per list */
#define MP_FEATURE_NAME_MAX  64u	   /* bytes of a feature name */
#define MP_APIV_ATTEMPTS_MAX 8u		   /* request versions tried per broker */

/* Strings that come from peers or users and end up in reports. */
#define MP_HOST_MAX 256u
#define MP_NAME_MAX 128u
#define MP_ERR_MAX  256u

/* Scan plan. */
#define MP_ENDPOINTS_MAX    4096u /* endpoints of one scan */
#define MP_BROKERS_MAX	    1024u /* brokers of one cluster (bootstrap + discovered) */
#define MP_CLUSTERS_MAX	    1024u
#define MP_CONCURRENCY_MAX  4096u
#define MP_TIMEOUT_MS_MAX   600000u
#define MP_CONFIGS_MAX	    16u /* DescribeConfigs entries kept per broker */
#define MP_CONFIG_VALUE_MAX 512u

/* Fingerprint table. */
#define MP_FP_ROWS_MAX	      256u
#define MP_FP_TABLE_BYTES_MAX (1024u * 1024u)
#define MP_FP_CANDIDATES_MAX  64u

/* Generic exchange (probe/loop.h). */
#define MP_XCHG_READ_MAX (256u * 1024u)

#endif
