/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What one broker of the report model costs (base/model.h): a scan keeps
 * one struct mp_broker per endpoint (10,000 in bench/scan/run.sh's scale
 * case, docs/bench-scan.md), so the struct stays small and a broker that
 * never answered owns nothing out of line but its attempts. A guard on
 * sizes and allocations, not on time: the bench measures the peak.
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"
#include "kafka_probe.h"
#include "loopback.h"
#include "model.h"
#include "tap.h"
#include "util.h"

/*
 * host and error (MP_HOST_MAX + MP_ERR_MAX) and the fingerprint summary are
 * inline; everything of variable size is not. Was 17,224 bytes with the
 * answer, attempts and configs inline.
 */
#define BROKER_BYTES_MAX 1536u

static void probe_done(struct mp_broker *b, void *ud)
{
	(void)b;
	(*(int *)ud)++;
}

/* A broker probed at a refused loopback port: what it owns afterwards. */
static void test_never_answered(void)
{
	struct mp_report *r = mp_report_new();
	struct mp_cluster *c = r ? mp_report_add_cluster(r, "t") : NULL;
	uint16_t port = dead_port();
	struct mp_broker *b = c ? mp_cluster_add_broker(c, "127.0.0.1", port) : NULL;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;
	struct mp_loop *l = NULL;
	int done = 0;

	if (!b || mp_loop_new(&l, 4) < 0) {
		TAP_OK(0, "set up");
		mp_report_free(r);
		return;
	}
	TAP_OK(!b->apiv.keys && !b->attempts && !b->configs && !b->tls_info,
	       "a new broker owns nothing out of line");
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct kafka_probe_env env = { .loop = l,
				       .timeout_ms = 2000,
				       .tls_mode = KAFKA_TLS_OFF,
				       .done = probe_done,
				       .ud = &done };
	int rc = kafka_probe_start(&env, b, &ss, sizeof(*a));
	if (rc == 0)
		mp_loop_run(l);
	mp_loop_free(l);
	TAP_OK(rc == 0 && done == 1 && !b->answered && b->error[0],
	       "the refused port did not answer: %s", b->error);
	TAP_OK(!b->apiv.keys && b->apiv.n_keys == 0 && !b->configs && !b->tls_info,
	       "it owns no answer, no configs, no TLS record");
	TAP_OK(b->n_attempts == 1 && b->attempts &&
		       malloc_usable_size(b->attempts) < 2 * sizeof(struct mp_attempt),
	       "its one attempt is one entry (%u attempts, %zu bytes)", b->n_attempts,
	       b->attempts ? malloc_usable_size(b->attempts) : 0);
	mp_report_free(r);
}

/* An answer as a 4.x broker sends it: the built-in table's row plus features. */
static void answer_of(struct mp_apiv *a, const struct fp_row *row)
{
	memset(a, 0, sizeof(*a));
	a->request_version = 3;
	a->throttle_ms = 7;
	a->finalized_epoch = 42;
	a->zk_migration_ready = 0;
	a->table = row->table;
	mp_strlcpy(a->supported[0].name, "metadata.version", sizeof(a->supported[0].name));
	a->supported[0].min = 1;
	a->supported[0].max = 25;
	mp_strlcpy(a->supported[1].name, "kraft.version", sizeof(a->supported[1].name));
	a->supported[1].max = 1;
	a->n_supported = 2;
	a->finalized[0] = a->supported[0];
	a->finalized[0].min = 25;
	a->n_finalized = 1;
}

static bool same_apiv(const struct mp_apiv *x, const struct mp_apiv *y)
{
	return x->request_version == y->request_version && x->error_code == y->error_code &&
	       x->throttle_ms == y->throttle_ms && x->finalized_epoch == y->finalized_epoch &&
	       x->zk_migration_ready == y->zk_migration_ready && x->table.n == y->table.n &&
	       memcmp(x->table.r, y->table.r, x->table.n * sizeof(x->table.r[0])) == 0 &&
	       x->n_supported == y->n_supported && x->n_finalized == y->n_finalized &&
	       memcmp(x->supported, y->supported, x->n_supported * sizeof(x->supported[0])) == 0 &&
	       memcmp(x->finalized, y->finalized, x->n_finalized * sizeof(x->finalized[0])) == 0;
}

static void test_answer_sized(void)
{
	struct fp_table *t = NULL;
	char err[256] = "";
	struct mp_apiv *a = calloc(1, sizeof(*a)), *back = calloc(1, sizeof(*back));
	struct mp_broker *b = calloc(1, sizeof(*b));

	if (!a || !back || !b || fp_table_builtin(&t, err, sizeof(err)) < 0) {
		TAP_OK(0, "set up: %s", err);
		goto out;
	}
	const struct fp_row *row = fp_table_row(t, fp_table_rows(t) - 1);
	answer_of(a, row);
	TAP_OK(mp_broker_set_apiv(b, a) == 0, "keeps the %s answer (%u keys)", row->release,
	       a->table.n);
	size_t want = a->table.n * sizeof(struct mp_api_range) + 3 * sizeof(struct mp_feature);
	TAP_OK(b->apiv.n_keys == a->table.n && b->apiv.n_supported == 2 &&
		       b->apiv.n_finalized == 1 && malloc_usable_size(b->apiv.keys) < want + 64,
	       "its one block is sized to what was sent (%zu bytes for %zu; the codec's form "
	       "is %zu)",
	       malloc_usable_size(b->apiv.keys), want, sizeof(struct mp_apiv));
	mp_broker_get_apiv(b, back);
	TAP_OK(same_apiv(a, back), "read back, it is the answer that was decoded");

	/* an answer without features or keys replaces the first one whole */
	memset(a, 0, sizeof(*a));
	a->finalized_epoch = -1;
	a->zk_migration_ready = -1;
	TAP_OK(mp_broker_set_apiv(b, a) == 0 && !b->apiv.keys && b->apiv.n_keys == 0 &&
		       b->apiv.finalized_epoch == -1,
	       "an empty answer owns no block");
	mp_broker_get_apiv(b, back);
	TAP_OK(same_apiv(a, back), "and reads back empty");
out:
	fp_table_free(t);
	mp_broker_free(b);
	free(a);
	free(back);
}

static void test_caps(void)
{
	struct mp_broker *b = calloc(1, sizeof(*b));
	struct mp_config_kv kv[MP_CONFIGS_MAX + 4];
	unsigned n = 0;

	if (!b) {
		TAP_OK(0, "set up");
		return;
	}
	while (mp_broker_add_attempt(b))
		n++;
	TAP_OK(n == MP_APIV_ATTEMPTS_MAX && b->n_attempts == MP_APIV_ATTEMPTS_MAX,
	       "attempts stop at MP_APIV_ATTEMPTS_MAX (%u)", n);
	memset(kv, 0, sizeof(kv));
	for (size_t i = 0; i < MP_CONFIGS_MAX + 4; i++)
		mp_fmt(kv[i].name, sizeof(kv[i].name), "c%zu", i);
	TAP_OK(mp_broker_set_configs(b, kv, 2) == 0 && b->n_configs == 2 &&
		       strcmp(b->configs[1].name, "c1") == 0,
	       "two configs kept");
	TAP_OK(mp_broker_set_configs(b, kv, MP_CONFIGS_MAX + 4) == 0 &&
		       b->n_configs == MP_CONFIGS_MAX &&
		       strcmp(b->configs[MP_CONFIGS_MAX - 1].name, "c15") == 0,
	       "configs stop at MP_CONFIGS_MAX");
	TAP_OK(mp_broker_set_configs(b, kv, 0) == 0 && b->n_configs == 0 && !b->configs,
	       "no configs, no block");
	mp_broker_free(b);
}

int main(void)
{
	TAP_OK(sizeof(struct mp_broker) <= BROKER_BYTES_MAX,
	       "struct mp_broker is %zu bytes (at most %u)", sizeof(struct mp_broker),
	       BROKER_BYTES_MAX);
	test_never_answered();
	test_answer_sized();
	test_caps();
	return tap_done();
}
