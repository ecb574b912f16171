/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A broker probe's budget (KAFKA_PROBE_BUDGET_STEPS x --timeout-ms,
 * probe/kafka_probe.h) runs from when its exchange starts connecting, not
 * from when it was queued: at 10,000 endpoints and --concurrency 256 a probe
 * waits behind many silent endpoints, and an answering broker must still
 * answer (bench/scan/run.sh's scale case, docs/bench-scan.md). Here one
 * exchange at a time, five silent stand-ins queued first: the answering one
 * waits five step timeouts, more than its whole budget, and still answers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"
#include "kafka_probe.h"
#include "model.h"
#include "standin.h"
#include "tap.h"
#include "util.h"

#define SILENT	   5
#define TIMEOUT_MS 300

static void probe_done(struct mp_broker *b, void *ud)
{
	(void)b;
	(*(int *)ud)++;
}

static int start(struct mp_loop *l, struct mp_broker *b, int *done)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	struct kafka_probe_env env = { .loop = l,
				       .timeout_ms = TIMEOUT_MS,
				       .tls_mode = KAFKA_TLS_OFF,
				       .done = probe_done,
				       .ud = done };
	a->sin_family = AF_INET;
	a->sin_port = htons(b->port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return kafka_probe_start(&env, b, &ss, sizeof(*a));
}

int main(void)
{
	struct fp_table *table = NULL;
	struct standin_server *srv = NULL;
	struct mp_report *r = mp_report_new();
	struct mp_cluster *c = r ? mp_report_add_cluster(r, "queue") : NULL;
	struct mp_loop *l = NULL;
	uint16_t silent = 0, answering = 0;
	char err[256] = "";
	int done = 0, rc = 0;

	if (!c || fp_table_builtin(&table, err, sizeof(err)) < 0 ||
	    standin_server_new(&srv, err, sizeof(err)) < 0 ||
	    standin_add(srv, &(struct standin_opts){ .behaviour = STANDIN_SILENT }, &silent, err,
			sizeof(err)) < 0 ||
	    standin_add(
		    srv,
		    &(struct standin_opts){ .row = fp_table_row(table, fp_table_rows(table) - 1) },
		    &answering, err, sizeof(err)) < 0 ||
	    standin_server_start(srv, err, sizeof(err)) < 0 || mp_loop_new(&l, 1) < 0) {
		printf("Bail out! setup: %s\n", err);
		return 1;
	}
	/* one in flight: the answering broker's probe is queued behind the silent ones */
	for (int i = 0; i < SILENT; i++) {
		struct mp_broker *b = mp_cluster_add_broker(c, "127.0.0.1", silent);
		rc |= b ? start(l, b, &done) : -1;
	}
	struct mp_broker *ans = mp_cluster_add_broker(c, "127.0.0.1", answering);
	rc |= ans ? start(l, ans, &done) : -1;
	TAP_OK(rc == 0, "%d probes queued on a loop of concurrency 1", SILENT + 1);
	TAP_EQ_INT(mp_loop_run(l), 0, "the loop ran");
	TAP_EQ_INT(done, SILENT + 1, "every probe ended once");
	for (size_t i = 0; i < SILENT && i < c->n_brokers; i++)
		TAP_OK(!c->brokers[i]->answered && strstr(c->brokers[i]->error, "timeout"),
		       "silent %zu timed out: %s", i, c->brokers[i]->error);
	/* it waited SILENT x TIMEOUT_MS, more than its budget, before it started */
	TAP_OK(ans && ans->answered && !ans->error[0],
	       "queued %d ms behind silent peers (its budget is %d ms), the answering broker "
	       "answered: %s",
	       SILENT * TIMEOUT_MS, KAFKA_PROBE_BUDGET_STEPS * TIMEOUT_MS,
	       ans && ans->error[0] ? ans->error : "ok");
	TAP_OK(ans && ans->elapsed_ms < KAFKA_PROBE_BUDGET_STEPS * TIMEOUT_MS,
	       "its elapsed_ms (%lld) counts its connection, not the queue",
	       ans ? (long long)ans->elapsed_ms : -1LL);
	mp_loop_free(l);
	standin_server_free(srv);
	fp_table_free(table);
	mp_report_free(r);
	return tap_done();
}
