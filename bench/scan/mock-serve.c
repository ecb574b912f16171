/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mock-serve: N single-broker librdkafka mock clusters (rdkafka_mock.h) on
 * loopback, for the scan benchmark (bench/scan/run.sh). Unlike the broker
 * stand-ins, a mock broker answers Metadata, so `kcat -L` can finish its
 * whole job there; its ApiVersions table is librdkafka's own, no real
 * Kafka release.
 *
 * Writes the manifest (ENDPOINT TAB "mock" TAB "-", one a line) atomically
 * once every cluster is up, then serves until SIGTERM or SIGINT. One
 * rd_kafka_t owns every cluster; each cluster runs its own thread.
 *
 * Not a test and not installed: a benchmark fixture.
 */
#include <errno.h>
#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"

#define MOCK_CLUSTERS_MAX 2000u

static void quiet_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mock-serve --manifest FILE [--clusters N]\n\n"
		   "Serves N single-broker librdkafka mock clusters (default 400) on loopback\n"
		   "until SIGTERM; writes their endpoints into FILE once all are up.\n");
}

static void *destroy_one(void *mc)
{
	rd_kafka_mock_cluster_destroy(mc);
	return NULL;
}

/*
 * Destroy the clusters in parallel: each rd_kafka_mock_cluster_destroy()
 * waits most of a second for its cluster's thread, so 400 in a row would
 * take minutes. A cluster whose thread can not be started is destroyed
 * inline.
 */
static void destroy_all(rd_kafka_mock_cluster_t **mc, unsigned long n)
{
	pthread_t *th = calloc(n, sizeof(*th));
	bool *started = calloc(n, sizeof(*started));
	for (unsigned long i = 0; i < n; i++) {
		if (!mc[i])
			continue;
		if (th && started && pthread_create(&th[i], NULL, destroy_one, mc[i]) == 0)
			started[i] = true;
		else
			rd_kafka_mock_cluster_destroy(mc[i]);
	}
	for (unsigned long i = 0; th && started && i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	free(started);
	free(th);
}

/* Raise the soft RLIMIT_NOFILE towards `want`, within the hard limit. */
static void raise_nofile(rlim_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		fprintf(stderr, "mock-serve: setrlimit: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "clusters", required_argument, NULL, 'c' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long n = 400;
	const char *manifest = NULL;
	rd_kafka_t *rk = NULL;
	rd_kafka_mock_cluster_t **mc = NULL;
	rd_kafka_conf_t *conf = NULL;
	FILE *f = NULL;
	char err[512] = "", tmp[4200] = "";
	sigset_t stop;
	int c, sig, ret = 1;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'c') {
			if (mp_parse_uint(optarg, 1, MOCK_CLUSTERS_MAX, &n) < 0) {
				fprintf(stderr, "mock-serve: --clusters: expected 1..%u, got '%s'\n",
					MOCK_CLUSTERS_MAX, optarg);
				return 2;
			}
		} else if (c == 'm') {
			manifest = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "mock-serve: see 'mock-serve --help'\n");
			return 2;
		}
	}
	if (optind < argc || !manifest) {
		fprintf(stderr, "mock-serve: --manifest FILE is required, nothing else\n");
		return 2;
	}
	mc = calloc(n, sizeof(*mc));
	if (!mc) {
		mp_fmt(err, sizeof(err), "out of memory");
		goto out;
	}
	raise_nofile((rlim_t)n * 8 + 4096);

	/* Block the stop signals before any librdkafka thread exists. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0) {
		mp_fmt(err, sizeof(err), "pthread_sigmask failed");
		goto out;
	}

	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_log_cb(conf, quiet_log);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!rk)
		goto out;
	conf = NULL; /* rd_kafka_new took it */

	mp_fmt(tmp, sizeof(tmp), "%s.tmp", manifest);
	if (!(f = fopen(tmp, "w"))) {
		mp_fmt(err, sizeof(err), "%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (!(mc[i] = rd_kafka_mock_cluster_new(rk, 1))) {
			mp_fmt(err, sizeof(err), "mock cluster %lu did not start", i);
			goto out;
		}
		fprintf(f, "%s\tmock\t-\n", rd_kafka_mock_cluster_bootstraps(mc[i]));
	}
	if (fclose(f) != 0) {
		f = NULL;
		mp_fmt(err, sizeof(err), "%s: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, manifest) < 0) {
		mp_fmt(err, sizeof(err), "%s: %s", manifest, strerror(errno));
		goto out;
	}
	fprintf(stderr, "mock-serve: %lu mock clusters in %s\n", n, manifest);
	if (sigwait(&stop, &sig) != 0) {
		mp_fmt(err, sizeof(err), "sigwait failed");
		goto out;
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "mock-serve: %s\n", err);
	if (f)
		fclose(f);
	if (ret && tmp[0])
		unlink(tmp);
	if (mc)
		destroy_all(mc, n);
	if (conf)
		rd_kafka_conf_destroy(conf);
	if (rk)
		rd_kafka_destroy(rk);
	free(mc);
	return ret;
}
