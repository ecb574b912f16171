/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every cap of the capture subsystem, in one place: what a hostile pcap, a
 * flood of random tuples or a peer on a mirrored link can cost us.
 */
#ifndef CAP_LIMITS_H
#define CAP_LIMITS_H

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
#define CAP_MAP_PREFETCH	   (16u << 10) /* the reader asks for the file's cache lines this far ahead */
#define CAP_FILE_BUFFER \
	(64u * 1024u) /* stdio buffer for offline reads (FACTS; 256 KiB+ is slower: leaves L2) */

#endif
