/* SPDX-License-Identifier: Apache-2.0 */
#include "discovery.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *const disc_config_names[] = {
	"inter.broker.protocol.version",  "zookeeper.connect", "zookeeper.ssl.client.enable",
	"zookeeper.clientCnxnSocket",	  "listeners",	       "advertised.listeners",
	"security.inter.broker.protocol", "process.roles",     NULL,
};

struct disc {
	struct disc_req req; /* strings below are our copies */
	char *bootstrap, *ca, *cert, *key, *mech, *user, *pass;
	int efd;
	pthread_t thread;
	bool started, joined;
	atomic_bool done; /* res is complete (release: the worker; acquire: readers) */
	atomic_int refs;  /* the owner and the worker; the last one frees */
	bool quiet;	  /* under log_lock: the owner is gone, tell no observer */
	pthread_mutex_t log_lock;
	char last_log[MP_ERR_MAX]; /* librdkafka's last error-level log line */
	struct disc_result res;
};

static char *dup_or_null(const char *s, int *fail)
{
	char *d;
	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = 1;
	return d;
}

/* librdkafka logs from its own threads: keep the last warning as evidence
 * instead of printing it (a library does not write to stderr). */
/*
 * librdkafka's lines look like "[thrd:ssl://h:9094/bootstrap]: ssl://h:9094/
 * bootstrap: Receive failed: ... (after 0ms in state UP, 1 identical error(s)
 * suppressed)": keep the part a reader needs (from the endpoint to before
 * the parenthesis), sanitised. Called with log_lock held.
 */
static void keep_reason(struct disc *d, const char *line)
{
	const char *start = line, *end;
	if (line[0] == '[') {
		const char *close = strstr(line, "]: ");
		if (close)
			start = close + 3;
	}
	end = strstr(start, " (after ");
	if (!end)
		end = start + strlen(start);
	mp_sanitize(d->last_log, sizeof(d->last_log), (const uint8_t *)start,
		    (size_t)(end - start));
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct disc *d = rd_kafka_opaque(rk);
	if (!d || level > 4)
		return;
	(void)fac;
	pthread_mutex_lock(&d->log_lock);
	keep_reason(d, buf);
	pthread_mutex_unlock(&d->log_lock);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)rk;
	(void)err;
	struct disc *d = opaque;
	pthread_mutex_lock(&d->log_lock);
	keep_reason(d, reason);
	pthread_mutex_unlock(&d->log_lock);
}

/* librdkafka's own connect, plus telling the observer (a capture that must
 * leave the scan's own traffic out of its evidence). */
static int connect_cb(int fd, const struct sockaddr *addr, int addrlen, const char *id,
		      void *opaque)
{
	struct disc *d = opaque;
	(void)id;
	if (connect(fd, addr, (socklen_t)addrlen) < 0 && errno != EINPROGRESS)
		return errno;
	pthread_mutex_lock(&d->log_lock);
	if (d->req.observer && !d->quiet) {
		struct sockaddr_storage local;
		socklen_t len = sizeof(local);
		if (getsockname(fd, (struct sockaddr *)&local, &len) == 0)
			d->req.observer((const struct sockaddr *)&local, addr, d->req.observer_ud);
	}
	pthread_mutex_unlock(&d->log_lock);
	return 0;
}

static int set(rd_kafka_conf_t *c, const char *k, const char *v, char *err, size_t el)
{
	return rd_kafka_conf_set(c, k, v, err, el) == RD_KAFKA_CONF_OK ? 0 : -EINVAL;
}

static rd_kafka_conf_t *make_conf(struct disc *d, char *err, size_t el)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char tmo[16];
	const char *proto;
	int bad = 0;

	mp_fmt(tmo, sizeof(tmo), "%d", d->req.timeout_ms);
	if (d->mech)
		proto = d->req.tls ? "sasl_ssl" : "sasl_plaintext";
	else
		proto = d->req.tls ? "ssl" : "plaintext";
	bad |= set(c, "bootstrap.servers", d->bootstrap, err, el);
	bad |= set(c, "client.id", "mskprobe", err, el);
	bad |= set(c, "security.protocol", proto, err, el);
	bad |= set(c, "socket.timeout.ms", tmo, err, el);
	bad |= set(c, "socket.connection.setup.timeout.ms", tmo, err, el);
	bad |= set(c, "log.connection.close", "false", err, el);
	bad |= set(c, "reconnect.backoff.max.ms", "1000", err, el);
	if (d->req.tls) {
		if (d->ca)
			bad |= set(c, "ssl.ca.location", d->ca, err, el);
		if (d->cert)
			bad |= set(c, "ssl.certificate.location", d->cert, err, el);
		if (d->key)
			bad |= set(c, "ssl.key.location", d->key, err, el);
		/* explicit both ways: credentials follow only a verified peer */
		bad |= set(c, "enable.ssl.certificate.verification",
			   d->req.insecure ? "false" : "true", err, el);
		bad |= set(c, "ssl.endpoint.identification.algorithm",
			   d->req.insecure ? "none" : "https", err, el);
	}
	if (d->mech) {
		bad |= set(c, "sasl.mechanisms", d->mech, err, el);
		if (d->user)
			bad |= set(c, "sasl.username", d->user, err, el);
		if (d->pass)
			bad |= set(c, "sasl.password", d->pass, err, el);
	}
	if (bad) {
		rd_kafka_conf_destroy(c);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(c, log_cb);
	rd_kafka_conf_set_error_cb(c, error_cb);
	rd_kafka_conf_set_connect_cb(c, connect_cb);
	rd_kafka_conf_set_opaque(c, d);
	return c;
}

static bool wanted_config(const char *name)
{
	for (int i = 0; disc_config_names[i]; i++)
		if (strcmp(disc_config_names[i], name) == 0)
			return true;
	return false;
}

static struct disc_broker *broker_by_id(struct disc *d, int32_t id)
{
	for (size_t i = 0; i < d->res.n_brokers; i++)
		if (d->res.brokers[i].id == id)
			return &d->res.brokers[i];
	return NULL;
}

static void take_configs(struct disc *d, const rd_kafka_ConfigResource_t *r)
{
	size_t n = 0;
	const rd_kafka_ConfigEntry_t **ents = rd_kafka_ConfigResource_configs(r, &n);
	struct disc_broker *b =
		broker_by_id(d, (int32_t)strtol(rd_kafka_ConfigResource_name(r), NULL, 10));
	if (!b)
		return;
	for (size_t i = 0; i < n && b->n_configs < MP_CONFIGS_MAX; i++) {
		const char *name = rd_kafka_ConfigEntry_name(ents[i]);
		const char *val = rd_kafka_ConfigEntry_value(ents[i]);
		if (!name || !wanted_config(name) || rd_kafka_ConfigEntry_is_sensitive(ents[i]))
			continue;
		struct mp_config_kv *kv = &b->configs[b->n_configs++];
		mp_strlcpy(kv->name, name, sizeof(kv->name));
		val = val ? val : "";
		mp_sanitize(kv->value, sizeof(kv->value), (const uint8_t *)val, strlen(val));
		kv->is_default = rd_kafka_ConfigEntry_is_default(ents[i]);
	}
}

/*
 * configs_status from an error text that may be the broker's own
 * ErrorMessage (librdkafka passes it through): any bytes, so sanitised.
 */
static void status_from_peer(struct disc *d, const char *what, const char *text)
{
	char safe[MP_ERR_MAX];
	text = text ? text : "error";
	mp_sanitize(safe, sizeof(safe), (const uint8_t *)text, strlen(text));
	mp_fmt(d->res.configs_status, sizeof(d->res.configs_status), "%s: %s", what, safe);
}

/*
 * librdkafka sends a BROKER resource to that broker and refuses more than one
 * per DescribeConfigs call ("Only one ConfigResource of type BROKER is allowed
 * per call"): one call per broker, all in flight on one queue, every answer
 * awaited within the one deadline.
 */
static void describe_configs(struct disc *d, rd_kafka_t *rk)
{
	size_t n = d->res.n_brokers, asked = 0, answered = 0, ok = 0;
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *opt =
		rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
	char e[256];

	if (!q || !opt) {
		mp_strlcpy(d->res.configs_status, "out of memory", sizeof(d->res.configs_status));
		goto out;
	}
	rd_kafka_AdminOptions_set_request_timeout(opt, d->req.timeout_ms, e, sizeof(e));
	for (size_t i = 0; i < n; i++) {
		char id[16];
		mp_fmt(id, sizeof(id), "%d", d->res.brokers[i].id);
		rd_kafka_ConfigResource_t *r =
			rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_BROKER, id);
		if (!r)
			continue;
		rd_kafka_DescribeConfigs(rk, &r, 1, opt, q); /* the call copies r */
		rd_kafka_ConfigResource_destroy(r);
		asked++;
	}
	int64_t end = mp_now_ms() + d->req.timeout_ms + 1000;
	while (answered < asked) {
		int64_t left = end - mp_now_ms();
		rd_kafka_event_t *ev = left > 0 ? rd_kafka_queue_poll(q, (int)left) : NULL;
		if (!ev) {
			mp_strlcpy(d->res.configs_status, "DescribeConfigs timed out",
				   sizeof(d->res.configs_status));
			break;
		}
		answered++;
		if (rd_kafka_event_error(ev)) {
			status_from_peer(d, "DescribeConfigs", rd_kafka_event_error_string(ev));
			rd_kafka_event_destroy(ev);
			continue;
		}
		const rd_kafka_DescribeConfigs_result_t *res =
			rd_kafka_event_DescribeConfigs_result(ev);
		size_t rn = 0;
		const rd_kafka_ConfigResource_t **rr =
			res ? rd_kafka_DescribeConfigs_result_resources(res, &rn) : NULL;
		for (size_t i = 0; i < rn; i++) {
			if (rd_kafka_ConfigResource_error(rr[i])) {
				status_from_peer(d, "DescribeConfigs refused",
						 rd_kafka_ConfigResource_error_string(rr[i]));
				continue;
			}
			take_configs(d, rr[i]);
			ok++;
		}
		rd_kafka_event_destroy(ev);
	}
	if (asked && ok == asked)
		mp_strlcpy(d->res.configs_status, "ok", sizeof(d->res.configs_status));
out:
	if (opt)
		rd_kafka_AdminOptions_destroy(opt);
	if (q)
		rd_kafka_queue_destroy(q);
}

static int take_metadata(struct disc *d, const rd_kafka_metadata_t *md)
{
	size_t n = md->broker_cnt > 0 ? (size_t)md->broker_cnt : 0;
	if (n > MP_BROKERS_MAX)
		n = MP_BROKERS_MAX;
	d->res.brokers = calloc(n ? n : 1, sizeof(*d->res.brokers));
	if (!d->res.brokers)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct disc_broker *b = &d->res.brokers[i];
		const char *h = md->brokers[i].host ? md->brokers[i].host : "";
		b->id = md->brokers[i].id;
		/* advertised names are peer data: keep them only if they are names */
		if (mp_host_valid(h) && strlen(h) < sizeof(b->host))
			mp_strlcpy(b->host, h, sizeof(b->host));
		else
			mp_sanitize(b->host, sizeof(b->host), (const uint8_t *)h, strlen(h));
		b->port = (uint16_t)md->brokers[i].port;
		/* resolved by the scan, on its loop (probe/resolve.h) */
		if (!mp_host_valid(b->host))
			mp_fmt(b->resolve_error, sizeof(b->resolve_error),
			       "advertised host name is not valid");
	}
	d->res.n_brokers = n;
	return 0;
}

static void disc_destroy(struct disc *d)
{
	if (d->efd >= 0)
		close(d->efd);
	if (d->pass) {
		OPENSSL_cleanse(d->pass, strlen(d->pass));
		free(d->pass);
	}
	free(d->bootstrap);
	free(d->ca);
	free(d->cert);
	free(d->key);
	free(d->mech);
	free(d->user);
	free(d->res.brokers);
	pthread_mutex_destroy(&d->log_lock);
	free(d);
}

static void disc_unref(struct disc *d)
{
	if (atomic_fetch_sub(&d->refs, 1) == 1)
		disc_destroy(d);
}

static void *worker(void *arg)
{
	struct disc *d = arg;
	char err[512] = "";
	rd_kafka_t *rk = NULL;
	const rd_kafka_metadata_t *md = NULL;
	rd_kafka_conf_t *conf = make_conf(d, err, sizeof(err));
	uint64_t one = 1;

	d->res.status = MP_DISC_FAILED;
	d->res.controller_id = -1;
	mp_strlcpy(d->res.configs_status, "not attempted", sizeof(d->res.configs_status));
	if (!conf) {
		mp_fmt(d->res.error, sizeof(d->res.error), "librdkafka configuration: %s", err);
		goto out;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		mp_fmt(d->res.error, sizeof(d->res.error), "librdkafka: %s", err);
		goto out;
	}
	rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, NULL, &md, d->req.timeout_ms);
	if (e) {
		pthread_mutex_lock(&d->log_lock);
		mp_fmt(d->res.error, sizeof(d->res.error), "Metadata: %s%s%s", rd_kafka_err2str(e),
		       d->last_log[0] ? "; last librdkafka error: " : "", d->last_log);
		pthread_mutex_unlock(&d->log_lock);
		goto out;
	}
	if (take_metadata(d, md) < 0) {
		mp_strlcpy(d->res.error, "out of memory", sizeof(d->res.error));
		goto out;
	}
	d->res.status = MP_DISC_OK;
	char *cid = rd_kafka_clusterid(rk, d->req.timeout_ms);
	if (cid) {
		mp_sanitize(d->res.cluster_id, sizeof(d->res.cluster_id), (const uint8_t *)cid,
			    strlen(cid));
		rd_kafka_mem_free(rk, cid);
	}
	d->res.controller_id = rd_kafka_controllerid(rk, d->req.timeout_ms);
	if (d->res.n_brokers)
		describe_configs(d, rk);
out:
	if (md)
		rd_kafka_metadata_destroy(md);
	if (d->pass)
		OPENSSL_cleanse(d->pass, strlen(d->pass));
	/* the results are ready before librdkafka shuts down, which the owner
	 * waits for only a bounded time (disc_free) */
	atomic_store_explicit(&d->done, true, memory_order_release);
	if (write(d->efd, &one, sizeof(one)) < 0) {
		/* the loop will still time out the scan; nothing else to do */
	}
	if (rk)
		rd_kafka_destroy(rk);
	disc_unref(d);
	return NULL;
}

int disc_start(struct disc **ret, const struct disc_req *req, char *errbuf, size_t errlen)
{
	struct disc *d = calloc(1, sizeof(*d));
	int fail = 0, rc;
	if (!d)
		return -ENOMEM;
	d->efd = -1;
	d->req = *req;
	d->bootstrap = dup_or_null(req->bootstrap, &fail);
	d->ca = dup_or_null(req->ca_file, &fail);
	d->cert = dup_or_null(req->cert_file, &fail);
	d->key = dup_or_null(req->key_file, &fail);
	d->mech = dup_or_null(req->sasl_mechanism, &fail);
	d->user = dup_or_null(req->sasl_username, &fail);
	d->pass = dup_or_null(req->sasl_password, &fail);
	pthread_mutex_init(&d->log_lock, NULL);
	atomic_init(&d->refs, 2);
	atomic_init(&d->done, false);
	if (fail) {
		rc = -ENOMEM;
		goto fail;
	}
	if (d->mech && !req->tls && !req->sasl_plaintext) {
		mp_fmt(errbuf, errlen,
		       "not attempted: SASL credentials without TLS need an explicit --tls off");
		disc_free(d);
		return -EPERM;
	}
	d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = -pthread_create(&d->thread, NULL, worker, d);
	if (rc)
		goto fail;
	d->started = true;
	*ret = d;
	return 0;
fail:
	mp_fmt(errbuf, errlen, "cannot start discovery: %s", strerror(-rc));
	disc_free(d);
	return rc;
}

int disc_fd(const struct disc *d)
{
	return d->efd;
}

const struct disc_result *disc_finish(struct disc *d)
{
	/* normally called once the eventfd said so; otherwise wait for the worker */
	if (d->started && !atomic_load_explicit(&d->done, memory_order_acquire) && !d->joined) {
		pthread_join(d->thread, NULL);
		d->joined = true;
	}
	return &d->res;
}

/* Join within grace_ms, else leave the worker to free d itself. */
static void disc_release(struct disc *d, int grace_ms)
{
	if (!d)
		return;
	if (!d->started) {
		disc_destroy(d);
		return;
	}
	if (!d->joined) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += grace_ms / 1000;
		until.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(d->thread, NULL, &until) == 0)
			d->joined = true;
	}
	if (d->joined) {
		disc_destroy(d);
		return;
	}
	/* librdkafka is still shutting down: it must not call back into us */
	pthread_mutex_lock(&d->log_lock);
	d->quiet = true;
	pthread_mutex_unlock(&d->log_lock);
	pthread_detach(d->thread);
	disc_unref(d);
}

void disc_free(struct disc *d)
{
	disc_release(d, d ? d->req.timeout_ms : 0);
}

void disc_abandon(struct disc *d)
{
	disc_release(d, 100);
}
