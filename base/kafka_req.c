/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka request headers and ApiVersions request bodies, read (kafka_req.h). */
#include "kafka_req.h"

int kafka_tags_skip(struct mp_rd *r)
{
	uint32_t n = mp_rd_uvarint(r);
	if (n > KAFKA_TAGGED_FIELDS_MAX)
		r->bad = true;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		(void)mp_rd_uvarint(r);
		mp_rd_skip(r, mp_rd_uvarint(r));
	}
	return r->bad ? KAFKA_EMALFORMED : 0;
}

struct mp_rd kafka_compact_str(struct mp_rd *r)
{
	uint32_t n1 = mp_rd_uvarint(r);
	if (n1 == 0)
		r->bad = true; /* null (or truncated) */
	return mp_rd_sub(r, r->bad ? 0 : n1 - 1);
}

bool kafka_req_header_flexible(int16_t api_key, int16_t api_version)
{
	return api_key == KAFKA_API_VERSIONS && api_version >= 3;
}

int kafka_req_header_parse(struct mp_rd *r, struct kafka_req_header *ret)
{
	struct kafka_req_header h = { 0 };
	int16_t cid;

	h.api_key = (int16_t)mp_rd_be16(r);
	h.api_version = (int16_t)mp_rd_be16(r);
	h.correlation_id = (int32_t)mp_rd_be32(r);
	cid = (int16_t)mp_rd_be16(r);
	if (cid < -1)
		r->bad = true;
	h.client_id_null = cid == -1;
	h.client_id = mp_rd_sub(r, cid > 0 ? (size_t)cid : 0);
	h.flexible = kafka_req_header_flexible(h.api_key, h.api_version);
	if (r->bad || (h.flexible && kafka_tags_skip(r)))
		return KAFKA_EMALFORMED;
	*ret = h;
	return 0;
}

int kafka_apiv_request_parse(struct mp_rd *r, int16_t version, struct kafka_apiv_req *ret)
{
	struct kafka_apiv_req q = { 0 };

	if (version >= 3) {
		q.sw_name = kafka_compact_str(r);
		q.sw_version = kafka_compact_str(r);
		if (r->bad || kafka_tags_skip(r))
			return KAFKA_EMALFORMED;
	}
	*ret = q;
	return 0;
}

bool kafka_sw_field_valid(struct mp_rd s)
{
	if (s.bad || s.left == 0)
		return false;
	for (size_t i = 0; i < s.left; i++) {
		uint8_t ch = s.p[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		bool inner = ch == '-' || ch == '.';
		if (!alnum && (!inner || i == 0 || i + 1 == s.left))
			return false;
	}
	return true;
}

static const char *const api_names[] = {
	[0] = "Produce",
	[1] = "Fetch",
	[2] = "ListOffsets",
	[3] = "Metadata",
	[4] = "LeaderAndIsr",
	[5] = "StopReplica",
	[6] = "UpdateMetadata",
	[7] = "ControlledShutdown",
	[8] = "OffsetCommit",
	[9] = "OffsetFetch",
	[10] = "FindCoordinator",
	[11] = "JoinGroup",
	[12] = "Heartbeat",
	[13] = "LeaveGroup",
	[14] = "SyncGroup",
	[15] = "DescribeGroups",
	[16] = "ListGroups",
	[17] = "SaslHandshake",
	[18] = "ApiVersions",
	[19] = "CreateTopics",
	[20] = "DeleteTopics",
	[21] = "DeleteRecords",
	[22] = "InitProducerId",
	[23] = "OffsetForLeaderEpoch",
	[24] = "AddPartitionsToTxn",
	[25] = "AddOffsetsToTxn",
	[26] = "EndTxn",
	[27] = "WriteTxnMarkers",
	[28] = "TxnOffsetCommit",
	[29] = "DescribeAcls",
	[30] = "CreateAcls",
	[31] = "DeleteAcls",
	[32] = "DescribeConfigs",
	[33] = "AlterConfigs",
	[34] = "AlterReplicaLogDirs",
	[35] = "DescribeLogDirs",
	[36] = "SaslAuthenticate",
	[37] = "CreatePartitions",
	[38] = "CreateDelegationToken",
	[39] = "RenewDelegationToken",
	[40] = "ExpireDelegationToken",
	[41] = "DescribeDelegationToken",
	[42] = "DeleteGroups",
	[43] = "ElectLeaders",
	[44] = "IncrementalAlterConfigs",
	[45] = "AlterPartitionReassignments",
	[46] = "ListPartitionReassignments",
	[47] = "OffsetDelete",
	[48] = "DescribeClientQuotas",
	[49] = "AlterClientQuotas",
	[50] = "DescribeUserScramCredentials",
	[51] = "AlterUserScramCredentials",
	[52] = "Vote",
	[53] = "BeginQuorumEpoch",
	[54] = "EndQuorumEpoch",
	[55] = "DescribeQuorum",
	[56] = "AlterPartition",
	[57] = "UpdateFeatures",
	[58] = "Envelope",
	[59] = "FetchSnapshot",
	[60] = "DescribeCluster",
	[61] = "DescribeProducers",
	[62] = "BrokerRegistration",
	[63] = "BrokerHeartbeat",
	[64] = "UnregisterBroker",
	[65] = "DescribeTransactions",
	[66] = "ListTransactions",
	[67] = "AllocateProducerIds",
	[68] = "ConsumerGroupHeartbeat",
	[69] = "ConsumerGroupDescribe",
	[70] = "ControllerRegistration",
	[71] = "GetTelemetrySubscriptions",
	[72] = "PushTelemetry",
	[73] = "AssignReplicasToDirs",
	[74] = "ListClientMetricsResources",
	[75] = "DescribeTopicPartitions",
	[76] = "ShareGroupHeartbeat",
	[77] = "ShareGroupDescribe",
	[78] = "ShareFetch",
	[79] = "ShareAcknowledge",
	[80] = "AddRaftVoter",
	[81] = "RemoveRaftVoter",
	[82] = "UpdateRaftVoter",
	[83] = "InitializeShareGroupState",
	[84] = "ReadShareGroupState",
	[85] = "WriteShareGroupState",
	[86] = "DeleteShareGroupState",
	[87] = "ReadShareGroupStateSummary",
};

const char *mp_kafka_api_name(int api_key)
{
	if (api_key < 0 || (size_t)api_key >= sizeof(api_names) / sizeof(api_names[0]))
		return NULL;
	return api_names[api_key];
}

bool mp_kafka_api_inter_broker(int api_key)
{
	switch (api_key) {
	case 4:
	case 5:
	case 6:
	case 7:
	case 52:
	case 53:
	case 54:
	case 56:
	case 58:
	case 59:
	case 62:
	case 63:
	case 67:
	case 70:
	case 73:
	case 82:
		return true;
	default:
		return false;
	}
}
