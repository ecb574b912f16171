/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client judgement against a target release (base/compat.c): target
 * resolution, request-version verdicts with the real clients' request sets
 * (docs/interop.md: kafka-node 5.0.0, the Java client 2.0.1, a ZooKeeper-mode
 * broker's controller), library verdicts from KIP-511 names, and the three
 * client findings.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "js.h"
#include "tap.h"

static cJSON *reqs(const int (*kv)[2], size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "api_key", kv[i][0]);
		cJSON *v = cJSON_AddArrayToObject(o, "versions");
		cJSON_AddItemToArray(v, cJSON_CreateNumber(kv[i][1]));
		cJSON_AddNumberToObject(o, "count", 1);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* -1 null, 0 false, 1 true */
static int verdict(const cJSON *t)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(t, "compatible");
	return cJSON_IsNull(c) ? -1 : cJSON_IsTrue(c) ? 1 : cJSON_IsFalse(c) ? 0 : -2;
}

static bool rejected_has(const cJSON *t, int key, int version, int min)
{
	const cJSON *it;
	cJSON_ArrayForEach (it, js_arr(t, "rejected"))
		if ((int)js_num(it, "api_key", -1) == key &&
		    (int)js_num(it, "version", -1) == version &&
		    (int)js_num(it, "min_accepted", -1) == min)
			return true;
	return false;
}

static void test_resolve(void)
{
	char out[24], err[256];
	char tbl_err[128];
	TAP_EQ_INT(mp_compat_check_tables(tbl_err, sizeof(tbl_err)), 0, "both tables parse");
	TAP_OK(mp_compat_resolve_target("4.1", out, sizeof(out), err, sizeof(err)) == 0 &&
		       strcmp(out, "4.1.2") == 0,
	       "4.1 means its newest listed patch, 4.1.2");
	TAP_OK(mp_compat_resolve_target("4.0", out, sizeof(out), err, sizeof(err)) == 0 &&
		       strcmp(out, "4.0.2") == 0,
	       "4.0 means 4.0.2");
	TAP_OK(mp_compat_resolve_target("4.0.0", out, sizeof(out), err, sizeof(err)) == 0 &&
		       strcmp(out, "4.0.0") == 0,
	       "4.0.0 is exact");
	TAP_OK(mp_compat_resolve_target("3.9", out, sizeof(out), err, sizeof(err)) == 0 &&
		       strcmp(out, "3.9.0") == 0,
	       "a release before 4.0 is accepted (it rejects nothing)");
	TAP_EQ_INT(mp_compat_resolve_target("4.1.1", out, sizeof(out), err, sizeof(err)), -EINVAL,
		   "a 4.x patch the table does not list is refused, not guessed");
	TAP_OK(strstr(err, "4.1.1") != NULL, "the refusal names the version: %s", err);
	TAP_EQ_INT(mp_compat_resolve_target("9.0", out, sizeof(out), err, sizeof(err)), -EINVAL,
		   "an unknown future release is refused");
	TAP_EQ_INT(mp_compat_resolve_target("4.x", out, sizeof(out), err, sizeof(err)), -EINVAL,
		   "a wildcard is refused");
	TAP_EQ_INT(mp_compat_resolve_target("4", out, sizeof(out), err, sizeof(err)), -EINVAL,
		   "a major version alone is refused");
	TAP_EQ_INT(mp_compat_resolve_target("4.1.2.kraft", out, sizeof(out), err, sizeof(err)),
		   -EINVAL, "a label is refused");
}

static void test_accepted(void)
{
	int lo = -1, hi = -1;
	TAP_OK(mp_compat_accepted("4.0.0", 0, &lo, &hi) == 1 && lo == 3,
	       "4.0.0 accepts Produce from v3 although it advertises v0 (KAFKA-18659)");
	TAP_OK(mp_compat_accepted("4.0.0", 11, &lo, &hi) == 1 && lo == 2,
	       "4.0.0: JoinGroup from v2");
	TAP_OK(mp_compat_accepted("4.0.1", 11, &lo, &hi) == 1 && lo == 0,
	       "4.0.1: JoinGroup v0 again (KAFKA-19444)");
	TAP_EQ_INT(mp_compat_accepted("4.1.2", 4, &lo, &hi), 0, "4.1.2 serves no LeaderAndIsr");
	TAP_EQ_INT(mp_compat_accepted("3.9.0", 0, &lo, &hi), 2, "3.9.0 accepts every version");
}

static void test_requests(void)
{
	/* kafka-node 5.0.0 (tests/interop/clients): Produce v2, Fetch v2, JoinGroup v0, ListOffsets v0 */
	static const int node[][2] = { { 0, 2 }, { 1, 2 }, { 11, 0 }, { 2, 0 }, { 3, 0 } };
	cJSON *r = reqs(node, 5);
	cJSON *t = mp_compat_judge_requests("4.0.0", r);
	TAP_EQ_INT(verdict(t), 0, "kafka-node's requests: incompatible with 4.0.0");
	TAP_OK(rejected_has(t, 0, 2, 3) && rejected_has(t, 1, 2, 4) && rejected_has(t, 11, 0, 2) &&
		       rejected_has(t, 2, 0, 1),
	       "4.0.0 rejects its Produce v2 (min 3), Fetch v2 (4), JoinGroup v0 (2), ListOffsets "
	       "v0 (1)");
	TAP_EQ_INT(cJSON_GetArraySize(js_arr(t, "rejected")), 4,
		   "and nothing else (Metadata v0 stays)");
	TAP_EQ_STR(js_str(t, "basis", ""), "requests", "judged by its requests");
	cJSON_Delete(t);
	t = mp_compat_judge_requests("4.1.2", r);
	TAP_OK(verdict(t) == 0 && !rejected_has(t, 11, 0, 2) &&
		       cJSON_GetArraySize(js_arr(t, "rejected")) == 3,
	       "4.1.2 takes its JoinGroup v0 again, still rejects three (as the real 4.1.2 broker "
	       "did)");
	cJSON_Delete(t);
	t = mp_compat_judge_requests("3.9.0", r);
	TAP_EQ_INT(verdict(t), 1, "3.9.0 accepts all of it");
	cJSON_Delete(t);
	cJSON_Delete(r);

	/* Java kafka-clients 2.0.1 against 4.1.2 worked (docs/interop.md) */
	static const int java[][2] = {
		{ 0, 6 }, { 1, 8 }, { 3, 6 }, { 11, 3 }, { 8, 4 }, { 2, 3 }
	};
	r = reqs(java, 6);
	t = mp_compat_judge_requests("4.1.2", r);
	TAP_EQ_INT(verdict(t), 1, "the Java client 2.0.1's requests fit 4.1.2");
	cJSON_Delete(t);
	cJSON_Delete(r);

	/* a ZooKeeper-mode controller's connection: LeaderAndIsr v5, UpdateMetadata v7 */
	static const int ctl[][2] = { { 4, 5 }, { 6, 7 } };
	r = reqs(ctl, 2);
	t = mp_compat_judge_requests("4.1.2", r);
	TAP_OK(verdict(t) == -1 && strstr(js_str(t, "reason", ""), "inter-broker"),
	       "a broker's own inter-broker connection is not judged as a client");
	cJSON_Delete(t);
	cJSON_Delete(r);

	r = cJSON_CreateArray();
	t = mp_compat_judge_requests("4.1.2", r);
	TAP_EQ_INT(verdict(t), -1, "no requests: no verdict");
	cJSON_Delete(t);
	cJSON_Delete(r);
}

static void test_software(void)
{
	struct {
		const char *target, *name, *version;
		int want;
		const char *what;
	} c[] = {
		{ "4.1.2", "librdkafka", "2.0.2", 1, "librdkafka 2.0.2 (kcat) fits" },
		{ "4.1.2", "librdkafka", "1.6.0", -1, "librdkafka 1.6.0: not analysed, unknown" },
		{ "4.1.2", "confluent-kafka-python", "2.16.1-rdkafka-2.16.0", 1,
		  "confluent-kafka-python judged by its librdkafka 2.16.0" },
		{ "4.1.2", "confluent-kafka-python", "2.16.1", -1,
		  "a wrapper that does not name its librdkafka: unknown" },
		{ "4.1.2", "apache-kafka-java", "3.9.2", 1, "Java 3.9.2 fits" },
		{ "4.0.0", "kgo", "v1.22.3", 1, "franz-go v1.22.3 (a 'v' prefix) fits" },
		{ "4.0.0", "kgo", "v1.10.0", -1, "older franz-go: unknown" },
		{ "4.1.2", "unknown", "unknown", -1, "a broker's \"unknown\" label: no verdict" },
		{ "4.1.2", NULL, NULL, -1, "no name: no verdict" },
		{ "4.1.2", "some-lib", "1.0", -1, "a library not in the table: no verdict" },
		{ "4.1.2", "librdkafka", "garbage", -1, "a version that is no number: no verdict" },
		{ "3.9.0", "some-lib", "0.1", 1, "3.9.0 accepts every client" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cJSON *t = mp_compat_judge_software(c[i].target, c[i].name, c[i].version);
		TAP_OK(verdict(t) == c[i].want && strcmp(js_str(t, "basis", ""), "software") == 0 &&
			       *js_str(t, "reason", ""),
		       "%s (%s)", c[i].what, js_str(t, "reason", "?"));
		cJSON_Delete(t);
	}
}

struct got {
	int n;
	char ids[4][48];
	cJSON *ev[4];
};

static int collect(void *ud, const char *id, cJSON *evidence)
{
	struct got *g = ud;
	if (g->n >= 4) {
		cJSON_Delete(evidence);
		return -ENOSPC;
	}
	snprintf(g->ids[g->n], sizeof(g->ids[g->n]), "%s", id);
	g->ev[g->n++] = evidence;
	return 0;
}

static cJSON *client(const char *addr, const char *sw, bool plaintext, cJSON *target)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "source", "capture");
	cJSON_AddStringToObject(c, "client", addr);
	cJSON_AddStringToObject(c, "client_id", "app");
	if (sw)
		cJSON_AddStringToObject(c, "software_name", sw);
	else
		cJSON_AddNullToObject(c, "software_name");
	cJSON_AddNullToObject(c, "software_version");
	cJSON_AddArrayToObject(c, "servers");
	cJSON_AddBoolToObject(c, "plaintext", plaintext);
	cJSON_AddItemToObject(c, "target", target);
	return c;
}

static void test_findings(void)
{
	static const int node[][2] = { { 0, 2 } };
	static const int ok[][2] = { { 0, 9 } };
	cJSON *r1 = reqs(node, 1), *r2 = reqs(ok, 1);
	cJSON *cl = cJSON_CreateArray();
	cJSON_AddItemToArray(cl,
			     client("10.0.0.1", NULL, true, mp_compat_judge_requests("4.0.0", r1)));
	cJSON_AddItemToArray(
		cl, client("10.0.0.2", "librdkafka", true, mp_compat_judge_requests("4.0.0", r2)));
	cJSON_AddItemToArray(
		cl, client("10.0.0.3", "librdkafka", false, mp_compat_judge_requests("4.0.0", r2)));
	struct got g = { 0 };
	TAP_EQ_INT(mp_compat_findings(cl, "4.0.0", collect, &g), 0, "findings built");
	TAP_EQ_INT(g.n, 3, "three findings");
	TAP_OK(g.n == 3 && strcmp(g.ids[0], "CLIENT_INCOMPATIBLE_WITH_TARGET") == 0 &&
		       js_num(g.ev[0], "count", 0) == 1 &&
		       strcmp(js_str(cJSON_GetArrayItem(js_arr(g.ev[0], "clients"), 0), "client",
				     ""),
			      "10.0.0.1") == 0 &&
		       strcmp(js_str(g.ev[0], "target_version", ""), "4.0.0") == 0,
	       "the incompatible client is named, with the target");
	TAP_OK(g.n == 3 && strcmp(g.ids[1], "CLIENT_UNIDENTIFIED") == 0 &&
		       js_num(g.ev[1], "count", 0) == 1,
	       "one client sent no name");
	TAP_OK(g.n == 3 && strcmp(g.ids[2], "CLIENT_PLAINTEXT_IN_USE") == 0 &&
		       js_num(g.ev[2], "count", 0) == 2,
	       "two clients on plaintext");
	for (int i = 0; i < g.n; i++)
		cJSON_Delete(g.ev[i]);
	memset(&g, 0, sizeof(g));
	TAP_EQ_INT(mp_compat_findings(NULL, "4.0.0", collect, &g), 0, "no clients");
	TAP_EQ_INT(g.n, 0, "no findings without clients");

	/* 40 incompatible clients: 32 named, the rest counted */
	cJSON *many = cJSON_CreateArray();
	for (int i = 0; i < 40; i++)
		cJSON_AddItemToArray(many, client("10.0.1.1", "librdkafka", false,
						  mp_compat_judge_requests("4.0.0", r1)));
	memset(&g, 0, sizeof(g));
	mp_compat_findings(many, "4.0.0", collect, &g);
	TAP_OK(g.n == 1 && js_num(g.ev[0], "count", 0) == 40 &&
		       cJSON_GetArraySize(js_arr(g.ev[0], "clients")) == 32 &&
		       js_num(g.ev[0], "clients_not_listed", 0) == 8,
	       "evidence is bounded: 32 named, 8 counted");
	for (int i = 0; i < g.n; i++)
		cJSON_Delete(g.ev[i]);
	cJSON_Delete(many);
	cJSON_Delete(cl);
	cJSON_Delete(r1);
	cJSON_Delete(r2);
}

int main(void)
{
	test_resolve();
	test_accepted();
	test_requests();
	test_software();
	test_findings();
	return tap_done();
}
