/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan orchestration (cmd/scan-internal.h lists the parts): tables and TLS
 * contexts, the capture opened before any probe, the two phases of the
 * event loop, the capture joined to the model, the policy.
 */
#include "scan.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "scan-internal.h"

#include "cli_common.h"

#include "fp.h"
#include "loop.h"
#include "msk.h"
#include "policy.h"
#include "util.h"
#include "zk_policy.h"
#include "zk_tls.h"

/* Every connection the scan opens is its own traffic, never evidence
 * (called from the loop and from librdkafka's threads). */
void scan_exclude_own(const struct sockaddr *local, const struct sockaddr *remote, void *ud)
{
	(void)cap_session_exclude(ud, local, remote);
}

/*
 * Out of descriptors (EMFILE, ENFILE) is this machine's limit, never a fact
 * about the target: the endpoint's error says it was not probed.
 */
void scan_mark_local(char *error, size_t len)
{
	char was[MP_ERR_MAX];
	if (!strstr(error, strerror(EMFILE)) && !strstr(error, strerror(ENFILE)))
		return;
	mp_strlcpy(was, error, sizeof(was));
	mp_fmt(error, len, "%s%s", SCAN_LOCAL_ERROR, was);
}

/* Start the capture before any probe; the scan's own connections are left out of it. */
static int start_capture(struct scan *s, char *errbuf, size_t errlen)
{
	struct cap_opts co;
	const struct scan_opts *o = s->o;
	if (!o->capture_iface && !o->capture_file)
		return 0;
	cap_opts_init(&co);
	co.iface = o->capture_iface;
	co.file = o->capture_file;
	co.user = NULL; /* the scan keeps its identity: it still has to connect */
	co.drop_privileges = !o->capture_keep_privileges; /* but no capability */
	co.target_version = o->policy.target_version[0] ? o->policy.target_version : NULL;
	/* the ZooKeeper ports the user named are hints too */
	for (size_t i = 0; i < o->n_clusters; i++)
		for (size_t j = 0; j < o->clusters[i].n_zookeeper; j++) {
			char host[MP_HOST_MAX], e[64];
			uint16_t port;
			if (mp_hostport_parse(o->clusters[i].zookeeper[j], host, sizeof(host),
					      &port, 0, true, e, sizeof(e)) == 0 &&
			    port && co.n_zk_ports < CAP_PORTS_MAX)
				co.zk_ports[co.n_zk_ports++] = port;
		}
	int rc = cap_session_start(&s->cap, &co, errbuf, errlen);
	return rc < 0 ? rc : 0;
}

/* SIGINT/SIGTERM: stop waiting, keep what was measured. */
static void on_interrupt(int fd, void *ud)
{
	struct scan *s = ud;
	char buf[16];
	(void)!read(fd, buf, sizeof(buf));
	s->r->interrupted = true;
	s->interrupted = true;
	mp_loop_abort(s->loop);
}

/*
 * Live: capture at least --capture-seconds; a file is read to its end
 * (finishing earlier would stop the reader midway and report part of the
 * file). The loop no longer runs: the interrupt descriptor is watched here,
 * so SIGINT/SIGTERM cut the wait and keep what was captured.
 */
static void capture_wait(struct scan *s)
{
	if (!s->o->capture_file && !s->o->capture_seconds)
		return;
	int64_t end = s->o->capture_file ? INT64_MAX
					 : s->cap_started + (int64_t)s->o->capture_seconds * 1000;
	while (!s->interrupted && mp_now_ms() < end && !cap_session_done(s->cap)) {
		struct pollfd pfd = { .fd = s->o->interrupt_fd, .events = POLLIN };
		int64_t left = end == INT64_MAX ? 50 : end - mp_now_ms();
		if (s->o->interrupt_fd <= 0) { /* 0: none given (the convention of scan_run) */
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
		} else if (poll(&pfd, 1, (int)(left < 50 ? (left > 0 ? left : 0) : 50)) > 0) {
			on_interrupt(pfd.fd, s);
		}
	}
}

/* The capture, joined to the clusters by address (scan_merge.c). */
static int merge_capture(struct scan *s, char *errbuf, size_t errlen)
{
	const struct cap_result *res = NULL;
	if (!s->cap)
		return 0;
	capture_wait(s);
	int rc = cap_session_end(s->cap, &res, errbuf, errlen);
	if (rc < 0)
		return rc;
	if (cap_session_input_error(s->cap))
		mp_fmt(s->r->input_error, sizeof(s->r->input_error), "--capture-file %s",
		       cap_session_input_error(s->cap));
	return scan_merge_result(s->r, res);
}

/*
 * The progress line of a scan on a terminal (cli_progress): endpoints done
 * (answered or given up on) of those known so far, which discovery grows.
 * A timerfd on the loop draws it; watches do not keep the loop running.
 */
struct scan_progress {
	struct cli_progress line;
	const struct mp_report *r;
	int tfd;
};

static void scan_progress_draw(struct scan_progress *p, bool force)
{
	size_t done = 0, total = 0;
	for (size_t i = 0; i < p->r->n_clusters; i++) {
		const struct mp_cluster *c = p->r->clusters[i];
		for (size_t j = 0; j < c->n_brokers; j++)
			done += c->brokers[j]->answered || c->brokers[j]->error[0];
		for (size_t j = 0; j < c->n_listeners; j++)
			done += c->listeners[j]->answered || c->listeners[j]->error[0];
		for (size_t j = 0; j < c->n_zk; j++)
			done += c->zk[j]->reachable || c->zk[j]->error[0];
		total += c->n_brokers + c->n_listeners + c->n_zk;
	}
	cli_progress_draw(&p->line, force, "scan: %zu of %zu endpoints done, %zu cluster(s)", done,
			  total, p->r->n_clusters);
}

static void scan_progress_tick(int fd, void *ud)
{
	uint64_t n;
	(void)!read(fd, &n, sizeof(n));
	scan_progress_draw(ud, false);
}

static void scan_progress_start(struct scan_progress *p, struct scan *s)
{
	struct itimerspec every = { .it_interval = { 0, CLI_PROGRESS_MS * 1000000L },
				    .it_value = { 0, CLI_PROGRESS_MS * 1000000L } };
	cli_progress_init(&p->line);
	p->r = s->r;
	p->tfd = -1;
	if (!p->line.on)
		return;
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (p->tfd < 0 || timerfd_settime(p->tfd, 0, &every, NULL) < 0 ||
	    mp_loop_watch(s->loop, p->tfd, scan_progress_tick, p) < 0)
		p->line.on = false; /* no line is better than a wrong one */
}

/* The final count, then the line wiped (before the loop is freed). */
static void scan_progress_end(struct scan_progress *p, struct scan *s)
{
	if (p->tfd < 0)
		return;
	if (p->r)
		scan_progress_draw(p, true);
	cli_progress_clear(&p->line);
	mp_loop_unwatch(s->loop, p->tfd);
	close(p->tfd);
	p->tfd = -1;
}

static int load_tables(struct scan *s, char *errbuf, size_t errlen)
{
	int rc = s->o->fp_table_file
			 ? fp_table_load_file(&s->fp, s->o->fp_table_file, errbuf, errlen)
			 : fp_table_builtin(&s->fp, errbuf, errlen);
	if (rc < 0)
		return rc;
	return msk_catalog_builtin(&s->msk, errbuf, errlen);
}

static void scan_cleanup(struct scan *s)
{
	/* before the discs: a discovered batch borrows their results */
	mp_resolver_free(s->rv);
	scan_pends_free(s);
	for (size_t i = 0; s->cs && i < s->o->n_clusters; i++) {
		if (s->interrupted)
			disc_abandon(s->cs[i].disc);
		else
			disc_free(s->cs[i].disc);
		free(s->cs[i].probed);
	}
	free(s->cs);
	mp_loop_free(s->loop);
	SSL_CTX_free(s->tls);
	tls_probe_set_free(s->protos);
	cap_session_free(s->cap);
	fp_table_free(s->fp);
	msk_catalog_free(s->msk);
}

static bool is_local(const char *error)
{
	return strncmp(error, SCAN_LOCAL_ERROR, strlen(SCAN_LOCAL_ERROR)) == 0;
}

size_t scan_local_failures(const struct mp_report *r)
{
	size_t n = 0;
	for (size_t i = 0; r && i < r->n_clusters; i++) {
		const struct mp_cluster *c = r->clusters[i];
		for (size_t j = 0; j < c->n_brokers; j++)
			n += is_local(c->brokers[j]->error);
		for (size_t j = 0; j < c->n_listeners; j++)
			n += is_local(c->listeners[j]->error);
		for (size_t j = 0; j < c->n_zk; j++)
			n += is_local(c->zk[j]->error);
	}
	return n;
}

int scan_fit_fd_limit(struct scan_opts *o, char *note, size_t notelen, char *errbuf, size_t errlen)
{
	struct rlimit rl;
	uint64_t reserve = MP_FD_RESERVE, need;

	note[0] = '\0';
	if (o->capture_iface || o->capture_file)
		reserve += MP_FD_CAPTURE;
	for (size_t i = 0; o->discover && i < o->n_clusters; i++)
		reserve += MP_FD_DISCOVERY +
			   (uint64_t)MP_FD_DISCOVERY_PER_EP * o->clusters[i].n_bootstrap;
	need = reserve + o->concurrency;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0; /* unknown: connect failures will say so */
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need &&
	    (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur)) {
		struct rlimit up = rl;
		up.rlim_cur =
			rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_cur <= reserve) {
		mp_fmt(errbuf, errlen,
		       "the open-file limit (ulimit -n) is %llu, and the scan needs about %llu "
		       "descriptors besides its connections (discovery of %zu cluster(s), capture, "
		       "files): raise the limit%s",
		       (unsigned long long)rl.rlim_cur, (unsigned long long)reserve, o->n_clusters,
		       o->discover ? " or use --no-discovery" : "");
		return -EMFILE;
	}
	mp_fmt(note, notelen,
	       "--concurrency %u lowered to %llu: the open-file limit (ulimit -n) is %llu and "
	       "%llu descriptors are kept for discovery, capture and files",
	       o->concurrency, (unsigned long long)(rl.rlim_cur - reserve),
	       (unsigned long long)rl.rlim_cur, (unsigned long long)reserve);
	o->concurrency = (unsigned)(rl.rlim_cur - reserve);
	return 0;
}

int scan_run(const struct scan_opts *o, struct mp_report **ret, char *errbuf, size_t errlen)
{
	struct scan s = { .o = o };
	struct scan_progress prog = { .tfd = -1 };
	struct tls_ctx_opts to = { .ca_file = o->ca_file,
				   .cert_file = o->cert_file,
				   .key_file = o->key_file };
	int64_t t0 = mp_now_ms();
	int rc;

	s.r = mp_report_new();
	s.cs = calloc(o->n_clusters ? o->n_clusters : 1, sizeof(*s.cs));
	if (!s.r || !s.cs) {
		rc = -ENOMEM;
		goto fail;
	}
	s.r->policy = o->policy;
	if (o->command_line)
		mp_strlcpy(s.r->command_line, o->command_line, sizeof(s.r->command_line));
	if ((rc = load_tables(&s, errbuf, errlen)) < 0)
		goto fail;
	if ((rc = tls_client_ctx(&s.tls, &to, errbuf, errlen)) < 0)
		goto fail;
	if ((rc = tls_probe_set_new(&s.protos, o->cert_file, o->key_file, errbuf, errlen)) < 0)
		goto fail;
	if ((rc = start_capture(&s, errbuf, errlen)) < 0)
		goto fail;
	s.cap_started = mp_now_ms();
	if ((rc = mp_loop_new(&s.loop, o->concurrency)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = mp_resolver_new(&s.rv, s.loop, o->timeout_ms)) < 0) {
		mp_fmt(errbuf, errlen, "name resolution: %s", strerror(-rc));
		goto fail;
	}
	if (s.cap)
		mp_loop_set_observer(s.loop, scan_exclude_own, s.cap);
	if (o->interrupt_fd > 0 &&
	    (rc = mp_loop_watch(s.loop, o->interrupt_fd, on_interrupt, &s)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	scan_progress_start(&prog, &s);
	for (size_t i = 0; i < o->n_clusters; i++) {
		struct cstate *st = &s.cs[i];
		st->s = &s;
		st->spec = &o->clusters[i];
		st->c = mp_report_add_cluster(s.r, o->clusters[i].name);
		if (!st->c) {
			rc = -ENOMEM;
			goto fail;
		}
		if ((rc = scan_plan_cluster(&s, st, errbuf, errlen)) < 0 ||
		    (rc = scan_plan_zookeeper(&s, st, errbuf, errlen)) < 0)
			goto fail;
	}
	if ((rc = mp_loop_run(s.loop)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	/* second phase: what needs the first one's answers (every broker host,
	 * which listeners speak TLS) */
	for (size_t i = 0; i < o->n_clusters && !mp_loop_aborted(s.loop); i++) {
		scan_plan_kafka_tls(&s, &s.cs[i]);
		if (o->check_listeners)
			scan_plan_listener_checks(&s.cs[i]);
	}
	if ((rc = mp_loop_run(s.loop)) < 0) {
		mp_fmt(errbuf, errlen, "event loop: %s", strerror(-rc));
		goto fail;
	}
	scan_progress_end(&prog, &s);
	if ((rc = scan_open_monitoring(&s)) < 0) {
		mp_fmt(errbuf, errlen, "open monitoring: %s", strerror(-rc));
		goto fail;
	}
	if (s.r->interrupted)
		scan_resolve_abandoned(&s);
	for (size_t i = 0; i < o->n_clusters && s.r->interrupted; i++)
		if (s.cs[i].disc && !s.cs[i].disc_merged) {
			s.cs[i].c->discovery.status = MP_DISC_FAILED;
			mp_strlcpy(s.cs[i].c->discovery.error,
				   "interrupted before discovery finished",
				   sizeof(s.cs[i].c->discovery.error));
		}
	if ((rc = merge_capture(&s, errbuf, errlen)) < 0)
		goto fail;
	for (size_t i = 0; i < o->n_clusters; i++) {
		struct mp_cluster *c = s.cs[i].c;
		if ((rc = zk_findings(c, &o->policy)) < 0 ||
		    (rc = scan_kafka_tls_findings(&s.cs[i], &o->policy)) < 0 ||
		    (rc = scan_client_findings(c, &o->policy)) < 0 ||
		    (rc = policy_apply(c, &o->policy, s.fp, s.msk)) < 0)
			goto fail;
	}
	s.r->duration_ms = mp_now_ms() - t0;
	*ret = s.r;
	s.r = NULL;
	rc = 0;
fail:
	if (rc == -ENOMEM && errbuf[0] == '\0')
		mp_fmt(errbuf, errlen, "out of memory");
	scan_progress_end(&prog, &s);
	mp_report_free(s.r);
	scan_cleanup(&s);
	return rc;
}
