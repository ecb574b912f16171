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

/*
 * File descriptors (scan_fit_fd_limit): every exchange in flight holds one
 * socket; the rest of the process is budgeted up front. librdkafka keeps a
 * wake-up descriptor per known broker and connects to bootstrap brokers as
 * it needs (measured: ~1.8 per bootstrap endpoint with 200 of them).
 */
#define MP_FD_RESERVE	       32u /* stdio, epoll, signal pipe, resolver, output files */
#define MP_FD_CAPTURE	       16u /* libpcap, its thread, the evidence file */
#define MP_FD_DISCOVERY	       16u /* per cluster discovering: librdkafka's own */
#define MP_FD_DISCOVERY_PER_EP 2u  /* and per bootstrap endpoint it is given */

/* Fingerprint table. */
#define MP_FP_ROWS_MAX	      256u
#define MP_FP_TABLE_BYTES_MAX (1024u * 1024u)
#define MP_FP_CANDIDATES_MAX  64u

/* Generic exchange (probe/loop.h). */
#define MP_XCHG_READ_MAX (256u * 1024u)

/*
 * JSON read from files: saved reports, inventories, policies, manifests
 * (reports/rep_jscan.c, docs/reports.md). A pre-scan counts these before
 * cJSON builds a tree, so a file over a cap costs one pass and no memory.
 * The cost model: a cJSON node is 64 bytes, 80 with the allocator's
 * header; a string or member name costs its bytes plus 16. A million
 * values is ~80 MB of nodes; the fleet fixture averages ~600 values per
 * cluster, so a report of MP_CLUSTERS_MAX clusters (~620k) fits.
 */
#define MP_JSON_DEPTH_MAX	 64u	  /* containers nested in one another */
#define MP_JSON_VALUES_MAX	 1000000u /* values of one file (every scalar, array, object) */
#define MP_JSON_MEMBERS_MAX	 4096u	  /* members of one object */
#define MP_JSON_STRING_MAX	 (256u * 1024u) /* bytes of one string or name as written */
#define MP_JSON_NUMBER_MAX	 63u		/* characters of a number (cJSON reads no more) */
#define MP_JSON_NODE_COST	 80u		/* bytes of one cJSON node with its malloc header */
#define MP_JSON_TREE_BYTES_MAX	 (128u << 20)	/* estimated tree of one file */
#define MP_JSON_SERIES_BYTES_MAX (512u << 20)	/* trees of all the reports of one trend */
#define MP_TREND_REPORTS_MAX	 1000u		/* reports of one trend */
#define MP_REP_FINDINGS_MAX	 4096u		/* findings of one cluster of a report read */

#endif
