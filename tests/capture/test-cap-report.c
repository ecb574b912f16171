/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report built while the capture runs (cap_report_prebuild: the flows'
 * objects made on the report's own thread as they are listed) against the one
 * built after: the same text, whatever the order flows are listed in, and for
 * a second rendering of the same result.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "cap-internal.h"
#include "capture.h"

static const struct cap_ports ports = {
	.zk = { 2181 }, .n_zk = 1, .kafka = { 9092 }, .n_kafka = 1
};

/* Flow i of n: every class, IPv4 and IPv6, tunnels, TLS with and without SNI, times out of order. */
static void flow_i(struct cap_flow_result *f, unsigned i)
{
	memset(f, 0, sizeof(*f));
	f->client.family = f->server.family = i % 5 == 0 ? 6 : 4;
	f->client.a[0] = 10;
	f->client.a[1] = (uint8_t)(i >> 8);
	f->client.a[2] = (uint8_t)i;
	f->client.a[15] = (uint8_t)(i * 7);
	f->server.a[0] = 10;
	f->server.a[3] = (uint8_t)(i % 3);
	f->cport = (uint16_t)(30000 + i);
	f->sport = i % 4 == 0 ? 9092 : 2181;
	f->vni = i % 6 == 0 ? (int64_t)(i % 100) : -1;
	f->tunnel = f->vni >= 0 ? (uint8_t)(1 + i % 2) : 0;
	f->cls = (uint8_t)(i % CAP_CLASS_COUNT);
	f->conf = (uint8_t)(i % 4);
	f->reason = (uint8_t)(i % 6);
	f->arg = (uint16_t)(i % 3);
	f->client_basis = (uint8_t)(i % 4);
	f->port_hint = i % 3 == 0;
	f->mid_session = i % 7 == 0;
	f->has_payload = i % 11 != 0;
	f->tls_version = (uint16_t)(0x0301 + i % 5);
	if (i % 2)
		snprintf(f->sni, sizeof(f->sni), "b-%u.kafka.example", i);
	/* listed in one order, sorted into another (ties broken by id) */
	f->first_us = 1700000000000000ull + (uint64_t)((i * 7919u) % 1000u) * 1000u;
	f->last_us = f->first_us + i;
	f->id = i;
	f->pkts[0] = i;
	f->pkts[1] = 2 * i;
	f->bytes[0] = 100u * i;
	f->bytes[1] = 3u * i;
}

static const struct cap_run_info info = {
	.kind = "file",
	.name = "test.pcap",
	.linktype = "EN10MB",
	.filter = "tcp",
	.seconds = 1.5,
	.packets = 1000,
	.bytes = 100000,
};

/* A report of n flows, its objects built while they come (pre) or after; its text. */
static char *report_text(unsigned n, bool pre, int *ret_prebuild)
{
	struct cap_report *r = NULL;
	struct cap_flow_result f;
	cJSON *cap = NULL, *fin = NULL;
	char *text = NULL;

	if (cap_report_new(&r) < 0)
		return NULL;
	cap_report_set_ports(r, &ports);
	if (pre)
		*ret_prebuild = cap_report_prebuild(r);
	for (unsigned i = 0; i < n; i++) {
		flow_i(&f, i);
		cap_report_flow(r, &f);
	}
	if (cap_report_build(r, &info, &cap, &fin) == 0)
		(void)cap_json_print(cap, &text);
	cJSON_Delete(cap);
	cJSON_Delete(fin);
	cap_report_free(r);
	return text;
}

static void test_same_text(unsigned n)
{
	int pre = -1;
	char *after = report_text(n, false, &pre), *during = report_text(n, true, &pre);
	TAP_EQ_INT(pre, 0, "%u flows: the builder started", n);
	TAP_OK(after && during && strcmp(after, during) == 0,
	       "%u flows: the report built while they came is the one built after", n);
	TAP_OK(after && (n == 0 || strstr(after, "\"first_seen\"")) &&
		       (n < 64 || strstr(after, ".kafka.example")),
	       "%u flows: the flows are in it", n);
	free(after);
	free(during);
}

/* Through the typed result: rendered twice (the second time nothing is left prebuilt). */
static void test_result_twice(void)
{
	struct cap_report *r = NULL;
	struct cap_result *res = NULL;
	struct cap_flow_result f;
	cJSON *c1 = NULL, *f1 = NULL, *c2 = NULL, *f2 = NULL;
	char *t1 = NULL, *t2 = NULL;

	TAP_EQ_INT(cap_report_new(&r), 0, "report");
	cap_report_set_ports(r, &ports);
	TAP_EQ_INT(cap_report_prebuild(r), 0, "builder");
	TAP_OK(cap_report_prebuild(r) < 0, "only once");
	for (unsigned i = 0; i < 500; i++) {
		flow_i(&f, i);
		cap_report_flow(r, &f);
	}
	TAP_EQ_INT(cap_result_new(&res, r, &info), 0, "result");
	TAP_EQ_INT(cap_result_json(res, NULL, NULL, &c1, &f1), 0, "first rendering");
	TAP_EQ_INT(cap_result_json(res, NULL, NULL, &c2, &f2), 0, "second rendering");
	TAP_OK(c1 && c2 && cap_json_print(c1, &t1) == 0 && cap_json_print(c2, &t2) == 0 &&
		       strcmp(t1, t2) == 0,
	       "both renderings agree");
	free(t1);
	free(t2);
	cJSON_Delete(c1);
	cJSON_Delete(f1);
	cJSON_Delete(c2);
	cJSON_Delete(f2);
	cap_result_free(res);
	cap_report_free(r);
}

/* Freed with objects built and never used, or with flows still queued: nothing leaks (ASan). */
static void test_free_unbuilt(void)
{
	struct cap_flow_result f;
	for (unsigned n = 0; n < 300; n += 100) {
		struct cap_report *r = NULL;
		TAP_EQ_INT(cap_report_new(&r), 0, "report");
		TAP_EQ_INT(cap_report_prebuild(r), 0, "builder");
		for (unsigned i = 0; i < n; i++) {
			flow_i(&f, i);
			cap_report_flow(r, &f);
		}
		cap_report_free(r);
	}
}

int main(void)
{
	test_same_text(0);
	test_same_text(1);
	test_same_text(63);
	test_same_text(64);
	test_same_text(3001);
	test_same_text(CAP_REPORT_FLOWS_MAX + 100); /* beyond the listing cap */
	test_result_twice();
	test_free_unbuilt();
	return tap_done();
}
