/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The address join of the capture to the scan (cmd/scan_merge.c), without a
 * network: a crafted pcap goes through the real capture session
 * (cap_session_start on the file, cap_session_end), and its typed flows are
 * joined to a model of two clusters whose endpoints have names and the
 * addresses those names "resolved" to:
 *
 *   cluster a: ZooKeeper zk-1.a.example :2181 and :2182 = 10.0.2.7, fd00::7
 *   cluster b: ZooKeeper zk-1.b.example :2182 = 10.0.3.7; broker b-1.b.example :9092 = 10.0.3.9
 *
 *   flow                                  belongs to
 *   10.0.1.5 -> 10.0.2.7:2181 ZK plain    a (first address of its name)
 *   fd00::1:6 -> [fd00::7]:2182 TLS      a (second address: any address counts)
 *   10.0.1.7 -> 10.0.3.7:2182 TLS         b
 *   10.0.1.8 -> 10.0.9.9:2181 ZK plain    nobody: unattributed
 *   10.0.1.9 -> 10.0.3.7:2181 ZK plain    nobody: b's address, not b's port
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>

#include "capture/craft.h"
#include "scan-internal.h"
#include "tap.h"
#include "util.h"

static struct mp_addr ip(const char *s)
{
	struct mp_addr a = { 0 };
	if (inet_pton(AF_INET, s, a.a) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, s, a.a) == 1)
		a.family = 6;
	return a;
}

static void give(struct mp_addrs *set, const char *a, const char *b)
{
	struct mp_addr x = ip(a);
	mp_addrs_add(set, &x);
	if (b) {
		x = ip(b);
		mp_addrs_add(set, &x);
	}
}

static bool write_pcap(const char *path)
{
	struct craft_out o;
	struct craft_conv v;
	if (craft_open(&o, path, CRAFT_ETH) < 0)
		return false;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.5", 53422), craft_ep4("10.0.2.7", 2181));
	craft_zk_session(&v, true);
	craft_conv_init(&v, &o, craft_ep6("fd00::1:6", 53423), craft_ep6("fd00::7", 2182));
	craft_tls_session(&v, "zk-1.a.example", true);
	craft_conv_init(&v, &o, craft_ep4("10.0.1.7", 53424), craft_ep4("10.0.3.7", 2182));
	craft_tls_session(&v, "zk-1.b.example", true);
	craft_conv_init(&v, &o, craft_ep4("10.0.1.8", 53425), craft_ep4("10.0.9.9", 2181));
	craft_zk_session(&v, true);
	craft_conv_init(&v, &o, craft_ep4("10.0.1.9", 53426), craft_ep4("10.0.3.7", 2181));
	craft_zk_session(&v, true);
	craft_close(&o);
	return true;
}

/* Cluster b's ZooKeeper: one TLS session (listed), then more finished TLS
 * flows to other servers than the report lists, then a plaintext session
 * to it that is past the list. (Unclassified flows on ports nobody hinted
 * are never listed, so they could not fill the list.) */
static bool write_flood_pcap(const char *path)
{
	struct craft_out o;
	struct craft_conv v;
	char cl[32];
	if (craft_open(&o, path, CRAFT_ETH) < 0)
		return false;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.7", 53424), craft_ep4("10.0.3.7", 2182));
	craft_tls_session(&v, "zk-1.b.example", true);
	for (unsigned i = 0; i < CAP_REPORT_FLOWS_MAX; i++) {
		snprintf(cl, sizeof(cl), "10.1.%u.%u", i / 250, i % 250 + 1);
		craft_conv_init(&v, &o, craft_ep4(cl, 40000), craft_ep4("10.0.8.8", 9999));
		craft_tls_session(&v, "other.example", true);
	}
	craft_conv_init(&v, &o, craft_ep4("10.0.1.9", 53426), craft_ep4("10.0.3.7", 2182));
	craft_zk_session(&v, true);
	craft_close(&o);
	return true;
}

/* Cluster b's ZooKeeper over TLS, and traffic nobody can classify on a port
 * nobody hinted (another service on the mirrored link). */
static bool write_noise_pcap(const char *path)
{
	struct craft_out o;
	struct craft_conv v;
	if (craft_open(&o, path, CRAFT_ETH) < 0)
		return false;
	craft_conv_init(&v, &o, craft_ep4("10.0.1.7", 53424), craft_ep4("10.0.3.7", 2182));
	craft_tls_session(&v, "zk-1.b.example", true);
	craft_conv_init(&v, &o, craft_ep4("10.0.1.20", 40000), craft_ep4("10.0.8.8", 9999));
	craft_handshake(&v);
	craft_send(&v, true, "hello", 5);
	craft_fin(&v);
	craft_close(&o);
	return true;
}

static const cJSON *finding(const struct mp_cluster *c, const char *id)
{
	for (size_t i = 0; i < c->n_findings; i++)
		if (strcmp(c->findings[i].id, id) == 0)
			return c->findings[i].evidence;
	return NULL;
}

/* The "server" of every element of arr, joined with ",". */
static void servers(const cJSON *arr, char *out, size_t n)
{
	const cJSON *e;
	size_t len = 0;
	out[0] = '\0';
	cJSON_ArrayForEach (e, arr) {
		const cJSON *s =
			cJSON_IsString(e) ? e : cJSON_GetObjectItemCaseSensitive(e, "server");
		if (cJSON_IsString(s) && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
						s->valuestring);
	}
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

int main(void)
{
	char path[] = "/tmp/mskprobe-join-XXXXXX", err[256] = "", got[512];
	struct cap_session *cs = NULL;
	const struct cap_result *res = NULL;
	struct mp_report *r = mp_report_new();
	struct cap_opts co;
	int fd = mkstemp(path);

	if (fd < 0 || !r || !write_pcap(path)) {
		printf("Bail out! cannot write the test pcap\n");
		return 1;
	}
	close(fd);

	/* the model: names as written, the addresses they resolved to */
	struct mp_cluster *a = mp_report_add_cluster(r, "a"), *b = mp_report_add_cluster(r, "b");
	struct mp_zk_endpoint *a1 = mp_cluster_add_zk(a, "zk-1.a.example", 2181);
	struct mp_zk_endpoint *a2 = mp_cluster_add_zk(a, "zk-1.a.example", 2182);
	struct mp_zk_endpoint *b1 = mp_cluster_add_zk(b, "zk-1.b.example", 2182);
	struct mp_broker *bb = mp_cluster_add_broker(b, "b-1.b.example", 9092);
	give(&a1->addrs, "10.0.2.7", "fd00::7");
	give(&a2->addrs, "10.0.2.7", "fd00::7");
	give(&b1->addrs, "10.0.3.7", NULL);
	give(&bb->addrs, "10.0.3.9", NULL);

	/* the join's predicates */
	struct mp_addr v4 = ip("10.0.2.7"), v6 = ip("fd00::7"), other = ip("10.0.2.8");
	struct mp_addr b_zk = ip("10.0.3.7"), b_broker = ip("10.0.3.9");
	TAP_OK(scan_ep_serves(&a1->addrs, 2181, &v4, 2181) &&
		       scan_ep_serves(&a1->addrs, 2181, &v6, 2181),
	       "an endpoint serves at every address its name resolved to");
	TAP_OK(!scan_ep_serves(&a1->addrs, 2181, &other, 2181), "not at another address");
	TAP_OK(!scan_ep_serves(&a1->addrs, 2181, &v4, 2182), "not at another port");
	TAP_OK(scan_cluster_zk_serves(a, &v6, 2182) && !scan_cluster_zk_serves(b, &v6, 2182),
	       "[fd00::7]:2182 is a's ZooKeeper, not b's");
	TAP_OK(scan_cluster_serves(b, &b_broker, 9092) &&
		       !scan_cluster_zk_serves(b, &b_broker, 9092),
	       "a broker is an endpoint of its cluster, not a ZooKeeper one");
	TAP_OK(!scan_cluster_serves(b, &b_zk, 2181) && !scan_cluster_serves(a, &b_zk, 2181),
	       "10.0.3.7:2181 is nobody's: the port counts too");
	struct mp_addrs none = { 0 };
	struct mp_addr zero = { 0 };
	TAP_OK(!scan_ep_serves(&none, 2181, &zero, 2181),
	       "an endpoint that did not resolve serves nothing, not even address 'none'");

	/* the capture, typed */
	cap_opts_init(&co);
	co.file = path;
	TAP_EQ_INT(cap_session_start(&cs, &co, err, sizeof(err)), 0,
		   "capture session on the file: %s", err);
	if (cs) { /* a file is read to its end before it is finished */
		struct pollfd pfd = { .fd = cap_session_wait_fd(cs), .events = POLLIN };
		TAP_OK(poll(&pfd, 1, 30000) == 1 && cap_session_done(cs), "the file was read");
	}
	TAP_EQ_INT(cs ? cap_session_end(cs, &res, err, sizeof(err)) : -1, 0, "capture ended: %s",
		   err);
	size_t n = 0;
	const struct cap_flow_info *fl = cap_result_flows(res, &n);
	TAP_EQ_INT((int)n, 5, "five flows listed");
	bool typed = n == 5 && fl[0].server.family == 4 && fl[0].sport == 2181 &&
		     fl[0].cls == CAP_CLASS_ZK && fl[1].server.family == 6 &&
		     fl[1].cls == CAP_CLASS_TLS && mp_addr_eq(&fl[1].server, &v6);
	TAP_OK(typed, "flows carry addresses as bytes, ports and class");
	if (!res)
		goto out;

	TAP_EQ_INT(scan_merge_result(r, res), 0, "merged");
	TAP_OK(a->capture && b->capture, "both clusters have a capture section");
	if (!a->capture || !b->capture)
		goto out;
	servers(cJSON_GetObjectItemCaseSensitive(a->capture, "flows"), got, sizeof(got));
	TAP_EQ_STR(got, "10.0.2.7:2181,[fd00::7]:2182", "a lists the flows to both its addresses");
	servers(cJSON_GetObjectItemCaseSensitive(b->capture, "flows"), got, sizeof(got));
	TAP_EQ_STR(got, "10.0.3.7:2182", "b lists its flow only");

	const cJSON *pa = finding(a, "ZK_PLAINTEXT_TRAFFIC_OBSERVED");
	servers(cJSON_GetObjectItemCaseSensitive(pa, "pairs"), got, sizeof(got));
	TAP_EQ_STR(got, "10.0.2.7:2181", "a: ZK_PLAINTEXT_TRAFFIC_OBSERVED names its pair only");
	TAP_OK(num(pa, "flows") == 1, "a: one plaintext flow counted");
	TAP_OK(!finding(b, "ZK_PLAINTEXT_TRAFFIC_OBSERVED") &&
		       finding(b, "CAPTURE_NO_PLAINTEXT_OBSERVED"),
	       "b: no plaintext finding, the plaintext flow to its address on another port is not "
	       "b's");
	TAP_OK(!a->proven_traffic, "a: traffic not encrypted (plaintext to its ZooKeeper)");
	TAP_OK(b->proven_traffic, "b: traffic_encrypted proven (TLS only to its ZooKeeper)");

	const cJSON *ua = cJSON_GetObjectItemCaseSensitive(a->capture, "unattributed");
	const cJSON *ub = cJSON_GetObjectItemCaseSensitive(b->capture, "unattributed");
	servers(cJSON_GetObjectItemCaseSensitive(ua, "servers"), got, sizeof(got));
	TAP_EQ_STR(got, "10.0.9.9:2181,10.0.3.7:2181", "unattributed: the servers no endpoint has");
	TAP_OK(num(ua, "flows") == 2 && num(ub, "flows") == 2,
	       "unattributed: two flows, in every cluster's section");
	TAP_OK(num(cJSON_GetObjectItemCaseSensitive(ua, "classes"), "zookeeper-plaintext") == 2,
	       "unattributed: counted by class");
	TAP_OK(num(cJSON_GetObjectItemCaseSensitive(a->capture, "stats"), "cluster_flows") == 2,
	       "a: stats.cluster_flows");

	/* unclassified traffic on a port nobody hinted is no flow of any endpoint:
	 * it is not "unlisted" and does not withhold the proof */
	cap_session_free(cs);
	cs = NULL;
	res = NULL;
	if (!write_noise_pcap(path)) {
		printf("Bail out! cannot write the noise pcap\n");
		return 1;
	}
	TAP_EQ_INT(cap_session_start(&cs, &co, err, sizeof(err)), 0, "noise capture: %s", err);
	if (cs) {
		struct pollfd pfd = { .fd = cap_session_wait_fd(cs), .events = POLLIN };
		TAP_OK(poll(&pfd, 1, 60000) == 1 && cap_session_done(cs),
		       "the noise file was read");
	}
	TAP_EQ_INT(cs ? cap_session_end(cs, &res, err, sizeof(err)) : -1, 0, "noise ended: %s",
		   err);
	TAP_EQ_INT((int)cap_result_unlisted(res), 0,
		   "an unclassified, unhinted flow is not unlisted");
	TAP_EQ_INT(scan_merge_result(r, res), 0, "noise merged");
	TAP_OK(b->proven_traffic, "b: traffic_encrypted proven despite the other service's flow");

	/* a capture with more flows than it lists: the overflow is counted, so
	 * the join knows its evidence is incomplete (scan_merge_result then
	 * proves no traffic_encrypted) */
	cap_session_free(cs);
	cs = NULL;
	res = NULL;
	if (!write_flood_pcap(path)) {
		printf("Bail out! cannot write the flood pcap\n");
		return 1;
	}
	TAP_EQ_INT(cap_session_start(&cs, &co, err, sizeof(err)), 0, "flood capture: %s", err);
	if (cs) {
		struct pollfd pfd = { .fd = cap_session_wait_fd(cs), .events = POLLIN };
		TAP_OK(poll(&pfd, 1, 60000) == 1 && cap_session_done(cs),
		       "the flood file was read");
	}
	TAP_EQ_INT(cs ? cap_session_end(cs, &res, err, sizeof(err)) : -1, 0, "flood ended: %s",
		   err);
	TAP_OK(cap_result_unlisted(res) > 0, "flows past the list are counted as unlisted");

	TAP_EQ_INT(scan_merge_result(r, res), 0, "flood merged");
	TAP_OK(!b->proven_traffic,
	       "b: no traffic_encrypted (a plaintext session and unlisted flows)");
out:
	cap_session_free(cs);
	mp_report_free(r);
	unlink(path);
	return tap_done();
}
