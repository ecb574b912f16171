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
#define MP_ADDRS_MAX	    8u	  /* addresses kept per endpoint name (IPv4 and IPv6) */
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

/* ---- capture/: what a hostile pcap, a flood of random tuples or a peer on a
 * mirrored link can cost ------------------------------------------------- */

/* Flow table. */
#define CAP_FLOWS_DEFAULT 100000u    /* --max-flows default */
#define CAP_FLOWS_MAX	  10000000u  /* --max-flows upper bound */
#define CAP_FLOW_IDLE_S	  120u	     /* a flow idle this long (packet time) is finished */
#define CAP_OVERCAP_BITS  (1u << 23) /* 1 MiB bitmap estimating distinct refused tuples */

/* Classifier. */
#define CAP_CLF_BYTES	      512u	   /* first payload bytes kept per direction */
#define CAP_CLF_SEGMENTS      16u	   /* data segments per direction looked at */
#define CAP_CLF_POOL_MAX      (64u << 20)  /* all classifier buffers together */
#define CAP_ZK_FRAME_MAX      (1u << 20)   /* jute.maxbuffer default: larger is not ZooKeeper */
#define CAP_KAFKA_FRAME_MAX   (100u << 20) /* socket.request.max.bytes default */
#define CAP_KAFKA_API_KEY_MAX 90	   /* highest Kafka API key we accept as plausible */
#define CAP_KAFKA_API_VER_MAX 20
#define CAP_TLS_RECORD_MAX    (16384u + 2048u) /* RFC 5246 6.2.3 TLSCiphertext */
#define CAP_SNI_MAX	      253u	       /* RFC 1035 host name */
#define CAP_TLS_EXT_MAX	      64u	       /* extensions walked in one ClientHello */

/* Client inventory (capture/cap_kreq.c): Kafka request headers read per client. */
#define CAP_KREQ_HDR_MAX \
	512u /* request bytes buffered at each boundary (size, header, ApiVersions body) */
#define CAP_KREQ_POOL_MAX	(32u << 20) /* all request streams' state together */
#define CAP_KCLIENTS_MAX	4096u	    /* client keys (address, client id, software) kept */
#define CAP_KCLIENT_SERVERS_MAX 16u	    /* servers listed per client key */
#define CAP_CLIENT_ID_MAX	255u	    /* bytes of a client id kept */
#define CAP_SW_FIELD_MAX	64u	    /* bytes of a KIP-511 name or version kept */

/* Decapsulation. */
#define CAP_VLAN_TAGS_MAX    4u /* 802.1Q/QinQ tags peeled */
#define CAP_IPV6_EXT_MAX     8u /* IPv6 extension headers walked */
#define CAP_TUNNEL_DEPTH_MAX 2u /* VXLAN/GENEVE nesting */

/* Output. */
#define CAP_REPORT_FLOWS_MAX	   10000u /* flows listed in the report; the rest counted */
#define CAP_FINDING_PAIRS_MAX	   32u	  /* client/server pairs named in one finding */
#define CAP_PORTS_MAX		   32u	  /* ports in --zk-ports / --kafka-ports */
#define CAP_SNAPLEN_DEFAULT	   262144u
#define CAP_SNAPLEN_MIN		   64u
#define CAP_EVIDENCE_BYTES_DEFAULT 16u /* payload bytes kept per packet in --save-evidence */
#define CAP_EVIDENCE_BYTES_MAX	   256u
#define CAP_DURATION_MAX	   (7u * 86400u)
#define CAP_PCAP_MAX_CAPLEN	   262144u /* libpcap's MAXIMUM_SNAPLEN: a larger record is damage */
#define CAP_MAP_RELEASE		   (4u << 20) /* mapped file bytes read before they are unmapped (flat RSS) */
#define CAP_MAP_AHEAD		   (1u << 20) /* mapped file bytes populated ahead of the reader in one call */
#define CAP_MAP_WINDOW		   (2u << 20) /* the mapping thread's step: populated, published, unmapped */
/* mapped ahead of the reader by the mapping thread, at most */
#define CAP_MAP_LOOKAHEAD (8u * CAP_MAP_WINDOW)
/* read and still mapped: past this the reader unmaps it itself */
#define CAP_MAP_BEHIND_MAX (4u * CAP_MAP_RELEASE)
/* the reader asks for the file's cache lines this far ahead */
#define CAP_MAP_PREFETCH (16u << 10)
#define CAP_FILE_BUFFER \
	(64u *          \
	 1024u) /* stdio buffer for offline reads (docs/facts.md; 256 KiB+ is slower: leaves L2) */

/* MSK Open Monitoring scrapes (probe/om*.c; docs/open-monitoring.md): the answer is untrusted */
#define MP_OM_PORT_DEFAULT	    11001u	  /* MSK's JMX exporter port */
#define MP_OM_HEAD_MAX		    (16u * 1024u) /* status line and headers, together */
#define MP_OM_HEADERS_MAX	    64u		  /* header lines */
#define MP_OM_BODY_MAX		    (64u << 20) /* body bytes (a broker of many partitions: tens of MB) */
#define MP_OM_LINE_MAX		    (64u * 1024u) /* bytes of one exposition line */
#define MP_OM_LABELS_MAX	    32u		  /* labels of one sample */
#define MP_OM_NAME_MAX		    96u	   /* a listener, software name or version, request name */
#define MP_OM_SERIES_MAX	    10000u /* client/listener/request series kept per broker */
#define MP_OM_SCRAPE_TIMEOUT_FACTOR 4u	   /* a whole scrape: at most this many --timeout-ms */
#define MP_OM_CHUNK_LINE_MAX	    64u	   /* a chunk-size line */

#endif
