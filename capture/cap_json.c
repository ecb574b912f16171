/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture report: finished flows in, the `mskprobe.capture/1` object and
 * its findings out. Memory is bounded: at most CAP_REPORT_FLOWS_MAX flows are
 * listed (the rest are counted), and each finding names at most
 * CAP_FINDING_PAIRS_MAX client/server pairs (the rest are counted).
 *
 * Listed: every flow with a class, and unknown flows that touch a hinted
 * ZooKeeper or Kafka port (an empty verdict there is itself evidence).
 * Findings need medium confidence or better; a low-confidence guess is
 * listed, never alleged.
 *
 * No payload byte is ever written: flows carry addresses (inet_ntop), counts,
 * times, fixed reason texts and an SNI that passed cap_sni_valid().
 */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cap-internal.h"
#include "catalog.h"
#include "model.h"
#include "util.h"

/* One client host talking to one server endpoint, in one mirror session. */
struct pair {
	struct cap_addr client, server;
	uint16_t sport;
	int64_t vni;
	uint64_t flows;
	uint8_t reason;
	uint16_t arg;
};

struct alleged {
	uint64_t flows;
	size_t n_pairs;
	uint64_t pairs_over;
	struct pair pairs[CAP_FINDING_PAIRS_MAX];
};

enum { AL_ZK = 0, AL_KAFKA, AL_QUORUM, AL_COUNT };

struct own_flow {
	struct cap_addr local, remote;
	uint16_t lport, rport;
};

#define OWN_FLOWS_MAX 65536u

/*
 * The listed flows' objects, built while the capture runs (cap_report_prebuild):
 * the capture thread queues a copy of each listed flow (under lock) and wakes
 * the builder once per PB_BATCH; the builder makes flow_json's object for it
 * and keeps it by the flow's seq. Joined (pb_stop) before the report is built,
 * which then takes each object instead of making it again.
 */
#define PB_BATCH 64u

struct prebuild {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct cap_flow_result *queue; /* under lock */
	size_t n_queue, cap_queue;
	bool quit;
	cJSON **obj; /* by seq: the builder's until joined, then the report's */
	size_t n_obj;
};

struct cap_report {
	struct cap_ports ports;
	struct cap_flow_result *flows;
	size_t n_flows, cap_flows;
	uint64_t not_listed;
	uint64_t
		not_listed_over; /* of those: classified or hinted, left out by the cap or ENOMEM */
	uint64_t classes[CAP_CLASS_COUNT];
	uint64_t tls_on_hinted;
	struct alleged al[AL_COUNT];
	/* the scan's own connections (cap_report_exclude), under own_lock */
	pthread_mutex_t own_lock;
	struct own_flow *own;
	size_t n_own, cap_own;
	uint64_t own_excluded;
	const struct cap_kclients *kc; /* the client inventory (not owned), or NULL */
	const char *target;	       /* the release clients are judged against, or NULL */
	struct prebuild pb;
};

/*
 * The flows a caller keeps (cap_result_json): keep NULL keeps everything
 * and the figures are the report's own; else they are counted over the
 * kept listed flows.
 */
struct view {
	cap_keep_fn keep;
	void *ud;
	uint64_t classes[CAP_CLASS_COUNT];
	uint64_t tls_on_hinted;
	uint64_t n_kept; /* kept listed flows */
};

static struct mp_addr to_mp(const struct cap_addr *a)
{
	struct mp_addr m = { .family = a->family };
	memcpy(m.a, a->a, sizeof(m.a));
	return m;
}

static bool kept(const struct view *v, const struct cap_addr *server, uint16_t port)
{
	struct mp_addr m;
	if (!v->keep)
		return true;
	m = to_mp(server);
	return v->keep(&m, port, v->ud);
}

int cap_report_new(struct cap_report **ret)
{
	struct cap_report *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->own_lock, NULL);
	*ret = r;
	return 0;
}

static void pb_stop(struct cap_report *r);

void cap_report_free(struct cap_report *r)
{
	if (!r)
		return;
	pb_stop(r);
	for (size_t i = 0; i < r->pb.n_obj; i++)
		cJSON_Delete(r->pb.obj[i]);
	free(r->pb.obj);
	free(r->flows);
	free(r->own);
	pthread_mutex_destroy(&r->own_lock);
	free(r);
}

int cap_report_exclude(struct cap_report *r, const struct cap_addr *local, uint16_t lport,
		       const struct cap_addr *remote, uint16_t rport)
{
	int rc = 0;
	pthread_mutex_lock(&r->own_lock);
	if (r->n_own == r->cap_own) {
		size_t n = r->cap_own ? r->cap_own * 2 : 64;
		struct own_flow *no = n <= OWN_FLOWS_MAX ? realloc(r->own, n * sizeof(*no)) : NULL;
		if (!no) {
			rc = -ENOMEM;
			goto out;
		}
		r->own = no;
		r->cap_own = n;
	}
	r->own[r->n_own++] = (struct own_flow){ *local, *remote, lport, rport };
out:
	pthread_mutex_unlock(&r->own_lock);
	return rc;
}

static bool same_ep(const struct cap_addr *a, uint16_t ap, const struct cap_addr *b, uint16_t bp)
{
	return ap == bp && a->family == b->family && memcmp(a->a, b->a, sizeof(a->a)) == 0;
}

bool cap_report_is_own(void *ctx, const struct cap_addr *a, uint16_t ap, const struct cap_addr *b,
		       uint16_t bp)
{
	struct cap_report *r = ctx;
	bool own = false;
	pthread_mutex_lock(&r->own_lock);
	for (size_t i = 0; i < r->n_own && !own; i++) {
		const struct own_flow *o = &r->own[i];
		own = (same_ep(a, ap, &o->local, o->lport) &&
		       same_ep(b, bp, &o->remote, o->rport)) ||
		      (same_ep(b, bp, &o->local, o->lport) && same_ep(a, ap, &o->remote, o->rport));
	}
	pthread_mutex_unlock(&r->own_lock);
	return own;
}

/* One of our own connections, whichever side the classifier called client. */
static bool is_own(struct cap_report *r, const struct cap_flow_result *f)
{
	return cap_report_is_own(r, &f->client, f->cport, &f->server, f->sport);
}

void cap_report_set_kclients(struct cap_report *r, const struct cap_kclients *kc,
			     const char *target)
{
	r->kc = kc;
	r->target = target;
}

void cap_report_set_ports(struct cap_report *r, const struct cap_ports *ports)
{
	r->ports = *ports;
}

static bool hinted(const struct cap_ports *ps, uint16_t p)
{
	for (unsigned i = 0; i < ps->n_zk; i++)
		if (ps->zk[i] == p)
			return true;
	for (unsigned i = 0; i < ps->n_kafka; i++)
		if (ps->kafka[i] == p)
			return true;
	return false;
}

static void allege(struct alleged *al, const struct cap_flow_result *f)
{
	al->flows++;
	for (size_t i = 0; i < al->n_pairs; i++) {
		struct pair *p = &al->pairs[i];
		if (p->sport == f->sport && p->vni == f->vni &&
		    memcmp(&p->client, &f->client, sizeof(p->client)) == 0 &&
		    memcmp(&p->server, &f->server, sizeof(p->server)) == 0) {
			p->flows++;
			return;
		}
	}
	if (al->n_pairs >= CAP_FINDING_PAIRS_MAX) {
		al->pairs_over++;
		return;
	}
	struct pair *p = &al->pairs[al->n_pairs++];
	p->client = f->client;
	p->server = f->server;
	p->sport = f->sport;
	p->vni = f->vni;
	p->flows = 1;
	p->reason = f->reason;
	p->arg = f->arg;
}

static void pb_queue(struct cap_report *r, const struct cap_flow_result *f);

static int list_flow(struct cap_report *r, const struct cap_flow_result *f)
{
	if (r->n_flows >= CAP_REPORT_FLOWS_MAX) {
		r->not_listed++;
		r->not_listed_over++;
		return 0;
	}
	if (r->n_flows == r->cap_flows) {
		size_t n = r->cap_flows ? r->cap_flows * 2 : 64;
		struct cap_flow_result *nf = realloc(r->flows, n * sizeof(*nf));
		if (!nf) {
			r->not_listed++;
			r->not_listed_over++;
			return -ENOMEM;
		}
		r->flows = nf;
		r->cap_flows = n;
	}
	r->flows[r->n_flows] = *f;
	r->flows[r->n_flows].seq = (uint32_t)r->n_flows;
	r->n_flows++;
	pb_queue(r, &r->flows[r->n_flows - 1]);
	return 0;
}

void cap_report_flow(void *ctx, const struct cap_flow_result *f)
{
	struct cap_report *r = ctx;
	bool on_hint = hinted(&r->ports, f->sport) || hinted(&r->ports, f->cport);

	if (r->n_own && is_own(r, f)) {
		r->own_excluded++; /* the scan's own probe: never evidence */
		return;
	}
	r->classes[f->cls < CAP_CLASS_COUNT ? f->cls : 0]++;
	if (f->cls == CAP_CLASS_TLS && on_hint)
		r->tls_on_hinted++;
	if (f->conf >= CAP_CONF_MEDIUM) {
		if (f->cls == CAP_CLASS_ZK)
			allege(&r->al[AL_ZK], f);
		else if (f->cls == CAP_CLASS_KAFKA)
			allege(&r->al[AL_KAFKA], f);
		else if (f->cls == CAP_CLASS_ZK_QUORUM)
			allege(&r->al[AL_QUORUM], f);
	}
	if (f->cls != CAP_CLASS_UNKNOWN || on_hint)
		(void)list_flow(r, f); /* on ENOMEM the flow is counted as not listed */
	else
		r->not_listed++;
}

/* ---- formatting ------------------------------------------------------------------ */

/*
 * Append src at *len in buf (size n), cut to fit, always terminated: the
 * report's fixed texts joined without a format string per listed flow.
 */
static void append(char *buf, size_t n, size_t *len, const char *src)
{
	if (*len < n)
		*len += mp_strlcpy(buf + *len, src, n - *len);
	if (*len >= n)
		*len = n ? n - 1 : 0;
}

void cap_endpoint_str(char *buf, size_t n, const struct cap_addr *a, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN] = "?", num[8], *p = num + sizeof(num);
	size_t len = 0;

	if (!n)
		return;
	if (a->family == 4)
		inet_ntop(AF_INET, a->a, ip, sizeof(ip));
	else
		inet_ntop(AF_INET6, a->a, ip, sizeof(ip));
	*--p = '\0';
	do {
		*--p = (char)('0' + port % 10);
		port /= 10;
	} while (port);
	buf[0] = '\0';
	append(buf, n, &len, a->family == 6 ? "[" : "");
	append(buf, n, &len, ip);
	append(buf, n, &len, a->family == 6 ? "]:" : ":");
	append(buf, n, &len, p);
}

void cap_host_str(char *buf, size_t n, const struct cap_addr *a)
{
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, buf, (socklen_t)n))
		mp_strlcpy(buf, "?", n);
}

/* n decimal digits of v, zero-padded, at p; returns the end. */
static char *put_digits(char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/*
 * RFC 3339 UTC with microseconds, written digit by digit: strftime and a
 * format string cost more than the rest of a listed flow. Days to a civil
 * date: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"
 * (civil_from_days), for days >= 0 (1970 on; the year always has 4+ digits).
 */
void cap_time_str(char buf[40], uint64_t us)
{
	uint64_t secs = us / 1000000u, z = secs / 86400u + 719468u;
	unsigned sod = (unsigned)(secs % 86400u);
	uint64_t era = z / 146097u;
	unsigned doe = (unsigned)(z - era * 146097u);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned day = doy - (153 * mp + 2) / 5 + 1, mon = mp < 10 ? mp + 3 : mp - 9;
	uint64_t year = era * 400u + yoe + (mon <= 2);
	int ydigits = 4;
	char *p = buf;

	for (uint64_t y = year / 10000u; y; y /= 10)
		ydigits++;
	p = put_digits(p, year, ydigits);
	*p++ = '-';
	p = put_digits(p, mon, 2);
	*p++ = '-';
	p = put_digits(p, day, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	*p++ = '.';
	p = put_digits(p, us % 1000000u, 6);
	*p++ = 'Z';
	*p = '\0';
}

static const char *tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv1";
	case 0x0302:
		return "TLSv1.1";
	case 0x0303:
		return "TLSv1.2";
	case 0x0304:
		return "TLSv1.3";
	default:
		return NULL;
	}
}

static const char *basis_name(uint8_t b)
{
	static const char *const n[] = { "syn", "protocol", "port-hint", "guess" };
	return b < 4 ? n[b] : "guess";
}

/*
 * cJSON helpers that record an allocation failure instead of crashing.
 * Every key is a string literal or a static name (cap_class_name), so it is
 * added without a copy (cJSON_AddItemToObjectCS): a report of 10,000 flows
 * otherwise allocates, copies and frees some 200,000 key strings.
 */
struct jb {
	bool oom;
	bool bad_id; /* a finding id the catalogue lacks */
};

static cJSON *jadd(struct jb *b, cJSON *obj, const char *k, cJSON *v)
{
	if (!v || !cJSON_AddItemToObjectCS(obj, k, v)) {
		cJSON_Delete(v);
		b->oom = true;
		return NULL;
	}
	return v;
}

static void jnum(struct jb *b, cJSON *o, const char *k, double v)
{
	jadd(b, o, k, cJSON_CreateNumber(v));
}

static void jstr(struct jb *b, cJSON *o, const char *k, const char *v)
{
	jadd(b, o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void jvni(struct jb *b, cJSON *o, int64_t vni)
{
	jadd(b, o, "vni", vni >= 0 ? cJSON_CreateNumber((double)vni) : cJSON_CreateNull());
}

static void jappend(struct jb *b, cJSON *arr, cJSON *v)
{
	if (!v || !cJSON_AddItemToArray(arr, v)) {
		cJSON_Delete(v);
		b->oom = true;
	}
}

static void flow_reason(char *buf, size_t n, const struct cap_flow_result *f)
{
	char r[160];
	if (f->cls == CAP_CLASS_UNKNOWN && !f->has_payload)
		mp_strlcpy(r, "no payload seen (handshake or ACKs only)", sizeof(r));
	else
		cap_reason_text(r, sizeof(r), (enum cap_reason)f->reason, f->arg);
	size_t len = 0;
	if (!n)
		return;
	buf[0] = '\0';
	append(buf, n, &len, r);
	append(buf, n, &len, f->port_hint ? "; server port is a hinted port" : "");
	append(buf, n, &len, f->mid_session ? "; capture started mid-session" : "");
}

static void dir_obj(struct jb *b, cJSON *o, const char *k, uint64_t pkts, uint64_t bytes)
{
	cJSON *d = jadd(b, o, k, cJSON_CreateObject());
	if (!d)
		return;
	jnum(b, d, "packets", (double)pkts);
	jnum(b, d, "bytes", (double)bytes);
}

static cJSON *flow_json(struct jb *b, const struct cap_flow_result *f)
{
	char ep[64], reason[256], t[40];
	cJSON *o = cJSON_CreateObject();
	if (!o) {
		b->oom = true;
		return NULL;
	}
	cap_endpoint_str(ep, sizeof(ep), &f->client, f->cport);
	jstr(b, o, "client", ep);
	cap_endpoint_str(ep, sizeof(ep), &f->server, f->sport);
	jstr(b, o, "server", ep);
	jvni(b, o, f->vni);
	if (f->tunnel)
		jstr(b, o, "tunnel", f->tunnel == CAP_TUNNEL_VXLAN ? "vxlan" : "geneve");
	jstr(b, o, "class", cap_class_name((enum cap_class)f->cls));
	flow_reason(reason, sizeof(reason), f);
	jstr(b, o, "reason", reason);
	jstr(b, o, "confidence", f->conf ? cap_conf_name((enum cap_conf)f->conf) : "low");
	jnum(b, o, "packets", (double)(f->pkts[0] + f->pkts[1]));
	jnum(b, o, "bytes", (double)(f->bytes[0] + f->bytes[1]));
	cap_time_str(t, f->first_us);
	jstr(b, o, "first_seen", t);
	cap_time_str(t, f->last_us);
	jstr(b, o, "last_seen", t);
	dir_obj(b, o, "client_to_server", f->pkts[0], f->bytes[0]);
	dir_obj(b, o, "server_to_client", f->pkts[1], f->bytes[1]);
	jstr(b, o, "client_basis", basis_name(f->client_basis));
	jadd(b, o, "mid_session", cJSON_CreateBool(f->mid_session));
	if (f->cls == CAP_CLASS_TLS) {
		cJSON *tls = jadd(b, o, "tls", cJSON_CreateObject());
		if (tls) {
			jstr(b, tls, "version", tls_version_name(f->tls_version));
			jstr(b, tls, "sni", f->sni[0] ? f->sni : NULL);
		}
	}
	return o;
}

static int flow_cmp(const void *x, const void *y)
{
	const struct cap_flow_result *a = x, *b = y;
	if (a->first_us != b->first_us)
		return a->first_us < b->first_us ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* ---- the objects built while the capture runs ------------------------------------------ */

/* A listed flow for the builder; without one (or out of memory), nothing: built after the read. */
static void pb_queue(struct cap_report *r, const struct cap_flow_result *f)
{
	struct prebuild *p = &r->pb;

	if (!p->started)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->n_queue == p->cap_queue) {
		size_t n = p->cap_queue ? p->cap_queue * 2 : PB_BATCH * 2;
		struct cap_flow_result *q = realloc(p->queue, n * sizeof(*q));
		if (!q)
			goto out;
		p->queue = q;
		p->cap_queue = n;
	}
	p->queue[p->n_queue++] = *f;
	if (p->n_queue == PB_BATCH)
		pthread_cond_signal(&p->cond);
out:
	pthread_mutex_unlock(&p->lock);
}

/* Keep o as the object of flow seq (the builder's thread). */
static void pb_keep(struct prebuild *p, uint32_t seq, cJSON *o)
{
	if (seq >= p->n_obj) {
		size_t n = p->n_obj ? p->n_obj : 256;
		while (n <= seq)
			n *= 2;
		cJSON **no = realloc(p->obj, n * sizeof(*no));
		if (!no) {
			cJSON_Delete(o);
			return;
		}
		memset(no + p->n_obj, 0, (n - p->n_obj) * sizeof(*no));
		p->obj = no;
		p->n_obj = n;
	}
	p->obj[seq] = o;
}

static void *pb_main(void *arg)
{
	struct prebuild *p = arg;
	struct cap_flow_result *batch = NULL;
	size_t cap_batch = 0;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->n_queue < PB_BATCH && !p->quit)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!p->n_queue)
			break; /* quit, and nothing left */
		/* take the queue, leave the (empty) batch array in its place */
		struct cap_flow_result *q = p->queue;
		size_t n = p->n_queue, cap = p->cap_queue;
		p->queue = batch;
		p->cap_queue = cap_batch;
		p->n_queue = 0;
		batch = q;
		cap_batch = cap;
		pthread_mutex_unlock(&p->lock);
		for (size_t i = 0; i < n; i++) {
			struct jb b = { .oom = false };
			cJSON *o = flow_json(&b, &batch[i]);
			if (o && b.oom) { /* incomplete: made again after the read */
				cJSON_Delete(o);
				o = NULL;
			}
			if (o)
				pb_keep(p, batch[i].seq, o);
		}
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	free(batch);
	return NULL;
}

int cap_report_prebuild(struct cap_report *r)
{
	struct prebuild *p = &r->pb;
	sigset_t all, old;
	int e;

	if (p->started || r->n_flows)
		return -EINVAL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	/* every signal stays with the threads that handle them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&p->thread, NULL, pb_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		return -e;
	}
	p->started = true;
	return 0;
}

/* The builder finishes what is queued and ends; its objects are the report's. */
static void pb_stop(struct cap_report *r)
{
	struct prebuild *p = &r->pb;

	if (!p->started)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->started = false;
	free(p->queue);
	p->queue = NULL;
	p->n_queue = p->cap_queue = 0;
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
}

/* Flow f's object: the one built while the capture ran (taken: once), else made now. */
static cJSON *flow_obj(struct cap_report *r, struct jb *b, const struct cap_flow_result *f)
{
	cJSON *o = f->seq < r->pb.n_obj ? r->pb.obj[f->seq] : NULL;
	if (!o)
		return flow_json(b, f);
	r->pb.obj[f->seq] = NULL;
	return o;
}

/* ---- findings ------------------------------------------------------------------------ */

/* The finding id of each alleged class; severity and title: base/data/findings.tsv. */
static const char *const finding_ids[AL_COUNT] = {
	"ZK_PLAINTEXT_TRAFFIC_OBSERVED",
	"KAFKA_PLAINTEXT_TRAFFIC_OBSERVED",
	"ZK_QUORUM_PLAINTEXT_TRAFFIC_OBSERVED",
};

static cJSON *pair_json(struct jb *b, const struct pair *p)
{
	char h[INET6_ADDRSTRLEN], ep[64], reason[160];
	cJSON *o = cJSON_CreateObject();
	if (!o) {
		b->oom = true;
		return NULL;
	}
	cap_host_str(h, sizeof(h), &p->client);
	jstr(b, o, "client", h);
	cap_endpoint_str(ep, sizeof(ep), &p->server, p->sport);
	jstr(b, o, "server", ep);
	jvni(b, o, p->vni);
	jnum(b, o, "flows", (double)p->flows);
	cap_reason_text(reason, sizeof(reason), (enum cap_reason)p->reason, p->arg);
	jstr(b, o, "first_reason", reason);
	return o;
}

/*
 * {id, severity, title, evidence}: severity and title from the catalogue, as
 * every finding's (an id it lacks is a programmer error: b->bad_id).
 */
static cJSON *finding_new(struct jb *b, const char *id, cJSON **ret_evidence)
{
	const struct mp_catalog *cat = mp_catalog();
	const struct mp_check *k = cat ? mp_catalog_find(cat, id) : NULL;
	cJSON *f = k ? cJSON_CreateObject() : NULL;
	if (!f) {
		b->oom = b->oom || k;
		b->bad_id = b->bad_id || !k;
		return NULL;
	}
	jstr(b, f, "id", id);
	jstr(b, f, "severity", k->severity);
	jstr(b, f, "title", k->title);
	*ret_evidence = jadd(b, f, "evidence", cJSON_CreateObject());
	return f;
}

/* Flows of al's pairs the view keeps (all of al's flows without a filter). */
static uint64_t alleged_flows(const struct alleged *al, const struct view *v)
{
	uint64_t n = 0;
	if (!v->keep)
		return al->flows;
	for (size_t i = 0; i < al->n_pairs; i++)
		if (kept(v, &al->pairs[i].server, al->pairs[i].sport))
			n += al->pairs[i].flows;
	return n;
}

static cJSON *alleged_json(struct jb *b, const char *id, const struct alleged *al,
			   const struct view *v)
{
	cJSON *ev = NULL, *pairs;
	cJSON *f = finding_new(b, id, &ev);
	if (!f || !ev)
		return f;
	jnum(b, ev, "flows", (double)alleged_flows(al, v));
	pairs = jadd(b, ev, "pairs", cJSON_CreateArray());
	for (size_t i = 0; pairs && i < al->n_pairs; i++)
		if (kept(v, &al->pairs[i].server, al->pairs[i].sport))
			jappend(b, pairs, pair_json(b, &al->pairs[i]));
	jnum(b, ev, "pairs_not_listed", (double)al->pairs_over);
	return f;
}

static cJSON *nothing_json(struct jb *b, const struct cap_report *r, const struct cap_run_info *in,
			   const struct view *v, const char *source)
{
	const uint64_t *classes = v->keep ? v->classes : r->classes;
	cJSON *ev = NULL, *cls;
	cJSON *f = finding_new(b, "CAPTURE_NO_PLAINTEXT_OBSERVED", &ev);
	if (!f || !ev)
		return f;
	jstr(b, ev, "source", source);
	jnum(b, ev, "seconds", in->seconds);
	jnum(b, ev, "packets", (double)in->packets);
	jnum(b, ev, "dropped", (double)in->dropped);
	jnum(b, ev, "flows", (double)(v->keep ? v->n_kept : in->ft.flows));
	jnum(b, ev, "tls_flows_on_hinted_ports",
	     (double)(v->keep ? v->tls_on_hinted : r->tls_on_hinted));
	cls = jadd(b, ev, "classes", cJSON_CreateObject());
	for (int c = 0; cls && c < CAP_CLASS_COUNT; c++)
		jnum(b, cls, cap_class_name((enum cap_class)c), (double)classes[c]);
	return f;
}

static cJSON *findings_json(struct jb *b, const struct cap_report *r, const struct cap_run_info *in,
			    const struct view *v)
{
	char name[160], source[200];
	bool any = false;
	cJSON *arr = cJSON_CreateArray();
	if (!arr) {
		b->oom = true;
		return NULL;
	}
	mp_sanitize(name, sizeof(name), (const uint8_t *)in->name, strlen(in->name));
	mp_fmt(source, sizeof(source), "%s %s", in->kind, name);
	for (int i = 0; i < AL_COUNT; i++) {
		if (!alleged_flows(&r->al[i], v))
			continue;
		jappend(b, arr, alleged_json(b, finding_ids[i], &r->al[i], v));
		any = true;
	}
	if (!any)
		jappend(b, arr, nothing_json(b, r, in, v, source));
	return arr;
}

/* ---- the capture object ---------------------------------------------------------------- */

static void source_json(struct jb *b, cJSON *root, const struct cap_run_info *in)
{
	char s[256];
	cJSON *src = jadd(b, root, "source", cJSON_CreateObject());
	if (!src)
		return;
	jstr(b, src, "kind", in->kind);
	mp_sanitize(s, sizeof(s), (const uint8_t *)in->name, strlen(in->name));
	jstr(b, src, "name", s);
	jstr(b, src, "linktype", in->linktype);
	if (in->filter)
		mp_sanitize(s, sizeof(s), (const uint8_t *)in->filter, strlen(in->filter));
	jstr(b, src, "filter", in->filter ? s : NULL);
}

static void stats_json(struct jb *b, cJSON *root, const struct cap_report *r,
		       const struct cap_run_info *in, const struct view *v)
{
	const uint64_t *classes = v->keep ? v->classes : r->classes;
	cJSON *st = jadd(b, root, "stats", cJSON_CreateObject()), *cls;
	if (!st)
		return;
	jnum(b, st, "packets", (double)in->packets);
	jnum(b, st, "bytes", (double)in->bytes);
	jnum(b, st, "dropped", (double)in->dropped);
	jnum(b, st, "flows", (double)in->ft.flows);
	jnum(b, st, "flows_over_cap", (double)in->ft.flows_over_cap);
	jnum(b, st, "seconds", (double)(int64_t)(in->seconds * 1000.0 + 0.5) / 1000.0);
	jnum(b, st, "if_dropped", (double)in->if_dropped);
	jnum(b, st, "non_tcp", (double)in->non_tcp);
	jnum(b, st, "ip_fragments", (double)in->fragments);
	jnum(b, st, "malformed", (double)in->malformed);
	jnum(b, st, "unsupported_link", (double)in->unsupported);
	jnum(b, st, "tunnelled", (double)in->tunnelled);
	jnum(b, st, "flows_refused_packets", (double)in->ft.flows_refused);
	jnum(b, st, "flows_idle_evicted", (double)in->ft.flows_idle);
	jnum(b, st, "flows_listed", (double)r->n_flows);
	jnum(b, st, "flows_not_listed", (double)r->not_listed);
	if (r->own_excluded) /* only a scan's capture has connections of its own */
		jnum(b, st, "own_flows_excluded", (double)r->own_excluded);
	cls = jadd(b, st, "classes", cJSON_CreateObject());
	for (int c = 0; cls && c < CAP_CLASS_COUNT; c++)
		jnum(b, cls, cap_class_name((enum cap_class)c), (double)classes[c]);
	if (in->error)
		jstr(b, st, "error", in->error);
	if (v->keep) {
		jnum(b, st, "cluster_flows", (double)v->n_kept);
		jstr(b, st, "scope",
		     "flows and classes: this cluster's endpoints; the other figures: the whole "
		     "capture");
	}
}

static void evidence_json(struct jb *b, cJSON *root, const struct cap_run_info *in)
{
	char s[256];
	if (!in->evidence_file)
		return;
	cJSON *ev = jadd(b, root, "evidence", cJSON_CreateObject());
	if (!ev)
		return;
	mp_sanitize(s, sizeof(s), (const uint8_t *)in->evidence_file, strlen(in->evidence_file));
	jstr(b, ev, "file", s);
	jstr(b, ev, "sha256", in->evidence_sha256);
	jnum(b, ev, "packets", (double)in->evidence_packets);
	jnum(b, ev, "payload_bytes_per_packet", in->evidence_bytes);
}

/* Count the kept listed flows (only with a filter). */
static void view_count(struct view *v, const struct cap_report *r)
{
	for (size_t i = 0; v->keep && i < r->n_flows; i++) {
		const struct cap_flow_result *f = &r->flows[i];
		if (!kept(v, &f->server, f->sport))
			continue;
		v->n_kept++;
		v->classes[f->cls < CAP_CLASS_COUNT ? f->cls : 0]++;
		if (f->cls == CAP_CLASS_TLS &&
		    (hinted(&r->ports, f->sport) || hinted(&r->ports, f->cport)))
			v->tls_on_hinted++;
	}
}

static int build(struct cap_report *r, const struct cap_run_info *in, struct view *v,
		 cJSON **ret_capture, cJSON **ret_findings)
{
	struct jb b = { .oom = false };
	cJSON *root = cJSON_CreateObject(), *flows, *findings = NULL, *copy;

	if (!root)
		return -ENOMEM;
	pb_stop(r);
	view_count(v, r);
	jstr(&b, root, "schema", "mskprobe.capture/1");
	source_json(&b, root, in);
	stats_json(&b, root, r, in, v);
	flows = jadd(&b, root, "flows", cJSON_CreateArray());
	for (size_t i = 0; flows && i < r->n_flows; i++)
		if (kept(v, &r->flows[i].server, r->flows[i].sport))
			jappend(&b, flows, flow_obj(r, &b, &r->flows[i]));
	findings = findings_json(&b, r, in, v);
	if (findings && !b.oom) {
		int rc = cap_kclients_json(r->kc, r->flows, r->n_flows, v->keep, v->ud, r->target,
					   root, findings);
		b.oom |= rc == -ENOMEM;
		b.bad_id |= rc == -EINVAL;
	}
	copy = findings ? cJSON_Duplicate(findings, 1) : NULL;
	jadd(&b, root, "findings", copy);
	evidence_json(&b, root, in);
	if (b.oom || b.bad_id || !findings) {
		cJSON_Delete(root);
		cJSON_Delete(findings);
		return b.bad_id ? -EINVAL : -ENOMEM;
	}
	*ret_capture = root;
	*ret_findings = findings;
	return 0;
}

static void sort_flows(struct cap_report *r)
{
	if (r->n_flows) /* qsort of NULL, 0 is undefined */
		qsort(r->flows, r->n_flows, sizeof(*r->flows), flow_cmp);
}

int cap_report_build(struct cap_report *r, const struct cap_run_info *in, cJSON **ret_capture,
		     cJSON **ret_findings)
{
	struct view v = { .keep = NULL };
	sort_flows(r);
	return build(r, in, &v, ret_capture, ret_findings);
}

/* ---- the typed result -------------------------------------------------------------------- */

struct cap_result {
	struct cap_report *rep; /* borrowed */
	struct cap_run_info in;
	char linktype[64];
	char sha[65];
	size_t n_flows;
	struct cap_flow_info *flows; /* owned, parallel to rep->flows */
};

int cap_result_new(struct cap_result **ret, struct cap_report *r, const struct cap_run_info *info)
{
	struct cap_result *res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	sort_flows(r);
	res->flows = calloc(r->n_flows ? r->n_flows : 1, sizeof(*res->flows));
	if (!res->flows) {
		free(res);
		return -ENOMEM;
	}
	res->rep = r;
	res->in = *info;
	mp_strlcpy(res->linktype, info->linktype ? info->linktype : "?", sizeof(res->linktype));
	res->in.linktype = res->linktype;
	if (info->evidence_sha256) {
		mp_strlcpy(res->sha, info->evidence_sha256, sizeof(res->sha));
		res->in.evidence_sha256 = res->sha;
	}
	for (size_t i = 0; i < r->n_flows; i++) {
		const struct cap_flow_result *f = &r->flows[i];
		struct cap_flow_info *o = &res->flows[i];
		o->client = to_mp(&f->client);
		o->server = to_mp(&f->server);
		o->cport = f->cport;
		o->sport = f->sport;
		o->vni = f->vni;
		o->cls = f->cls < CAP_CLASS_COUNT ? (enum cap_class)f->cls : CAP_CLASS_UNKNOWN;
		o->conf = (enum cap_conf)f->conf;
		memcpy(o->packets, f->pkts, sizeof(o->packets));
		memcpy(o->bytes, f->bytes, sizeof(o->bytes));
		o->first_us = f->first_us;
		o->last_us = f->last_us;
		o->reason = f->reason;
		o->reason_arg = f->arg;
		o->port_hint = f->port_hint;
		o->mid_session = f->mid_session;
		o->has_payload = f->has_payload;
	}
	res->n_flows = r->n_flows;
	*ret = res;
	return 0;
}

void cap_result_free(struct cap_result *res)
{
	if (!res)
		return;
	free(res->flows);
	free(res);
}

const struct cap_flow_info *cap_result_flows(const struct cap_result *r, size_t *ret_n)
{
	*ret_n = r ? r->n_flows : 0;
	return r ? r->flows : NULL;
}

uint64_t cap_result_unlisted(const struct cap_result *r)
{
	return r ? r->rep->not_listed_over : 0;
}

int cap_result_json(const struct cap_result *r, cap_keep_fn keep, void *ud, cJSON **ret_capture,
		    cJSON **ret_findings)
{
	struct view v = { .keep = keep, .ud = ud };
	if (!r)
		return -EINVAL;
	return build(r->rep, &r->in, &v, ret_capture, ret_findings);
}

void cap_flow_reason(char *buf, size_t n, const struct cap_flow_info *f)
{
	struct cap_flow_result fr = {
		.cls = (uint8_t)f->cls,
		.reason = f->reason,
		.arg = f->reason_arg,
		.port_hint = f->port_hint,
		.mid_session = f->mid_session,
		.has_payload = f->has_payload,
	};
	flow_reason(buf, n, &fr);
}
