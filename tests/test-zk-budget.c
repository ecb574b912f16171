/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ZooKeeper endpoint probe's time bound (probe/zk_probe.c, README
 * "Architecture"): four timeouts in all for the session, TLS attempt
 * included, however the peer paces its answers. The ZooKeeper stand-in
 * (lab/standin.h, STANDIN_ZOOKEEPER, with a tree to list), plaintext and
 * TLS, sits behind a delaying link (tests/delay-link.h) that delivers
 * every byte it sends 750 ms late, with --timeout-ms 1000: every step of
 * every round is in time, and only the budget stops the session. Each
 * round takes 750 ms, so a session of ConnectRequest, ping and three
 * listings cannot end before 4 x 1000 ms. Assertions are on the probe's
 * report (the measured time the budget text gives, what was and was not
 * done); the whole endpoint (srvr and TLS version probes on their own
 * connections too) is also checked against the same bound.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delay-link.h"
#include "loop.h"
#include "model.h"
#include "pki.h"
#include "standin.h"
#include "tap.h"
#include "tls.h"
#include "util.h"
#include "zk_probe.h"

#define TIMEOUT_MS 1000
#define DELAY_MS   750 /* just under the step timeout */
#define BUDGET_MS  (4 * TIMEOUT_MS)
#define SLACK_MS   250 /* the event loop's lateness on a loaded sanitizer build */
/* the other connections' handshakes cost CPU on the loop's thread: more lateness */
#define WALL_SLACK_MS 1000

static struct standin_server *srv;
static struct pki_paths pki;
static SSL_CTX *server_tls, *client_tls;

static void on_done(struct mp_zk_endpoint *z, void *ud)
{
	(void)z;
	(*(int *)ud)++;
}

/* Probe a ZooKeeper stand-in (TLS or not) behind the link; returns the endpoint. */
static struct mp_zk_endpoint *probe(struct mp_cluster *c, bool tls, int64_t *ret_wall_ms)
{
	char err[256];
	uint16_t port = 0;
	struct standin_opts o = { .behaviour = STANDIN_ZOOKEEPER,
				  .zk_list = true,
				  .tls = tls ? server_tls : NULL };
	struct link *k = NULL;
	struct mp_loop *l = NULL;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	int done = 0, rc = -1;

	if (standin_add(srv, &o, &port, err, sizeof(err)) < 0)
		printf("# standin_add: %s\n", err);
	k = port ? link_start(port, DELAY_MS) : NULL;
	TAP_OK(k && mp_loop_new(&l, 16) == 0, "%s ZooKeeper stand-in behind a %d ms link",
	       tls ? "TLS" : "plaintext", DELAY_MS);
	if (!k || !l) {
		link_stop(k);
		mp_loop_free(l);
		return NULL;
	}
	struct mp_zk_endpoint *z = mp_cluster_add_zk(c, "localhost", k->port);
	struct zk_probe_env env = { .loop = l,
				    .tls = client_tls,
				    .ca_file = pki.ca_cert,
				    .timeout_ms = TIMEOUT_MS,
				    .anonymous_read = true,
				    .done = on_done,
				    .ud = &done };
	a->sin_family = AF_INET;
	a->sin_port = htons(k->port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int64_t t0 = mp_now_ms();
	if (z)
		rc = zk_probe_start(&env, z, &ss, sizeof(*a));
	if (rc == 0)
		mp_loop_run(l);
	*ret_wall_ms = mp_now_ms() - t0;
	mp_loop_free(l);
	link_stop(k);
	TAP_OK(rc == 0 && done == 1, "the probe ran and ended once");
	if (z)
		printf("# error '%s'; srvr_status '%s'; anonymous_read %d: %s\n", z->error,
		       z->srvr_status, z->anonymous_read, z->anonymous_detail);
	return rc == 0 ? z : NULL;
}

static void test_budget(bool tls)
{
	static const char cut[] =
		"(the session's budget of 4000 ms, 4 x --timeout-ms, ran out after ";
	struct mp_report *rep = mp_report_new();
	struct mp_cluster *c = rep ? mp_report_add_cluster(rep, "zk-budget") : NULL;
	int64_t wall = 0, after = -1;
	struct mp_zk_endpoint *z = c ? probe(c, tls, &wall) : NULL;

	if (!z) {
		mp_report_free(rep);
		return;
	}
	if (tls)
		TAP_OK(z->tls && strcmp(z->tls->handshake, "ok") == 0 &&
			       z->tls->speaks_zookeeper == 1,
		       "a TLS port, and a ZooKeeper session inside TLS: every step was in time");
	else
		TAP_OK(!z->tls && z->speaks_zookeeper == 1,
		       "no TLS, a plaintext ZooKeeper session: every step was in time");
	TAP_EQ_STR(z->error, "", "no error: the endpoint answered");
	TAP_OK(strstr(z->anonymous_detail, "/kafka-acl: not done") != NULL,
	       "the last listing did not fit: reported as not done");
	TAP_OK(!strstr(z->anonymous_detail, "no valid answer") && z->anonymous_read != 0,
	       "what the budget cut off is neither failed nor denied (anonymous_read %d)",
	       z->anonymous_read);
	const char *s = strstr(z->anonymous_detail, cut);
	if (s)
		after = strtoll(s + sizeof(cut) - 1, NULL, 10);
	TAP_OK(s != NULL, "the detail says the session's budget ran out");
	TAP_OK(after >= BUDGET_MS && after <= BUDGET_MS + SLACK_MS,
	       "it ran out after %lld ms: the budget stopped it, within %d ms + %d ms slack",
	       (long long)after, BUDGET_MS, SLACK_MS);
	TAP_EQ_STR(z->srvr_status, "ok", "srvr (its own connection) fitted and answered");
	TAP_OK(wall <= BUDGET_MS + WALL_SLACK_MS,
	       "the whole endpoint, every connection included, took %lld ms <= %d + %d",
	       (long long)wall, BUDGET_MS, WALL_SLACK_MS);
	mp_report_free(rep);
}

int main(void)
{
	char err[256], dir[] = "/tmp/mskprobe-test-zk-budget-XXXXXX";
	const char *dns[] = { "localhost" };
	const char *ips[] = { "127.0.0.1" };

	if (!mkdtemp(dir) || standin_server_new(&srv, err, sizeof(err)) < 0) {
		printf("Bail out! setup\n");
		return 1;
	}
	struct pki_opts po = { .dir = dir, .dns = dns, .n_dns = 1, .ips = ips, .n_ips = 1 };
	if (pki_generate(&po, &pki, err, sizeof(err)) < 0 ||
	    pki_server_ctx(&server_tls, &pki, false, err, sizeof(err)) < 0 ||
	    tls_client_ctx(&client_tls, &(struct tls_ctx_opts){ .ca_file = pki.ca_cert }, err,
			   sizeof(err)) < 0 ||
	    standin_server_start(srv, err, sizeof(err)) < 0) {
		printf("Bail out! setup: %s\n", err);
		return 1;
	}
	test_budget(false);
	test_budget(true);
	standin_server_free(srv);
	SSL_CTX_free(server_tls);
	SSL_CTX_free(client_tls);
	unlink(pki.ca_cert);
	unlink(pki.server_cert);
	unlink(pki.server_key);
	rmdir(dir);
	return tap_done();
}
