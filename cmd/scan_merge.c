/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan merge: the capture's typed flows (capture.h) joined to the scan's
 * endpoints by address and port, never by name. An endpoint is every
 * address its name resolved to (struct mp_addrs), so a flow to any of them
 * counts for it, whatever name the user wrote; a flow whose server is no
 * address of any endpoint is unattributed: counted and listed in every
 * cluster's capture section, never dropped and never pinned on a cluster.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

#include "compat.h"
#include "scan-internal.h"

#include <netinet/in.h>
#include <stdlib.h>

#include "compat.h"
#include "js.h"
#include "kafka_req.h"
#include "om.h"
#include "util.h"

/* Servers named in the unattributed section; the rest are counted. */
#define UNATTRIBUTED_SERVERS_MAX 32u

bool scan_ep_serves(const struct mp_addrs *addrs, uint16_t port, const struct mp_addr *a,
		    uint16_t p)
{
	return port == p && mp_addrs_has(addrs, a);
}

bool scan_cluster_zk_serves(const struct mp_cluster *c, const struct mp_addr *a, uint16_t p)
{
	for (size_t i = 0; i < c->n_zk; i++)
		if (scan_ep_serves(&c->zk[i]->addrs, c->zk[i]->port, a, p))
			return true;
	return false;
}

bool scan_cluster_serves(const struct mp_cluster *c, const struct mp_addr *a, uint16_t p)
{
	if (scan_cluster_zk_serves(c, a, p))
		return true;
	for (size_t i = 0; i < c->n_brokers; i++)
		if (scan_ep_serves(&c->brokers[i]->addrs, c->brokers[i]->port, a, p))
			return true;
	for (size_t i = 0; i < c->n_listeners; i++)
		if (scan_ep_serves(&c->listeners[i]->addrs, c->listeners[i]->port, a, p))
			return true;
	return false;
}

static bool keep_cluster(const struct mp_addr *server, uint16_t port, void *ud)
{
	return scan_cluster_serves(ud, server, port);
}

static bool attributed(const struct mp_report *r, const struct cap_flow_info *f)
{
	for (size_t i = 0; i < r->n_clusters; i++)
		if (scan_cluster_serves(r->clusters[i], &f->server, f->sport))
			return true;
	return false;
}

/* "10.0.0.1:2181" or "[2001:db8::1]:2181", as the capture section writes servers. */
static void server_str(char *buf, size_t n, const struct mp_addr *a, uint16_t port)
{
	char ip[64];
	mp_addr_str(ip, sizeof(ip), a);
	mp_fmt(buf, n, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, port);
}

/*
 * {"flows": N, "classes": {...}, "servers": ["ip:port", ...],
 *  "flows_not_listed": K}: the listed flows whose server is no address of
 * any endpoint of this scan. At most UNATTRIBUTED_SERVERS_MAX servers are
 * named, plaintext ones first (ZooKeeper, quorum, Kafka, then TLS, then
 * unknown), flows to the others are counted. NULL on ENOMEM.
 */
static cJSON *unattributed_json(const struct mp_report *r, const struct cap_flow_info *fl, size_t n)
{
	static const enum cap_class order[] = { CAP_CLASS_ZK, CAP_CLASS_ZK_QUORUM, CAP_CLASS_KAFKA,
						CAP_CLASS_TLS, CAP_CLASS_UNKNOWN };
	uint64_t flows = 0, classes[CAP_CLASS_COUNT] = { 0 }, over = 0;
	struct {
		struct mp_addr a;
		uint16_t port;
	} named[UNATTRIBUTED_SERVERS_MAX];
	size_t n_named = 0;
	cJSON *o = cJSON_CreateObject(), *cls = NULL, *servers = cJSON_CreateArray();
	char ep[80];
	bool ok = o && servers;

	for (size_t k = 0; ok && k < sizeof(order) / sizeof(order[0]); k++)
		for (size_t i = 0; ok && i < n; i++) {
			const struct cap_flow_info *f = &fl[i];
			bool seen = false;
			if ((f->cls < CAP_CLASS_COUNT ? f->cls : CAP_CLASS_UNKNOWN) != order[k] ||
			    attributed(r, f))
				continue;
			flows++;
			classes[order[k]]++;
			for (size_t j = 0; j < n_named && !seen; j++)
				seen = mp_addr_eq(&named[j].a, &f->server) &&
				       named[j].port == f->sport;
			if (seen)
				continue;
			if (n_named == UNATTRIBUTED_SERVERS_MAX) {
				over++;
				continue;
			}
			named[n_named].a = f->server;
			named[n_named++].port = f->sport;
			server_str(ep, sizeof(ep), &f->server, f->sport);
			ok = cJSON_AddItemToArray(servers, cJSON_CreateString(ep));
		}
	ok = ok && cJSON_AddNumberToObject(o, "flows", (double)flows) &&
	     (cls = cJSON_AddObjectToObject(o, "classes")) != NULL;
	for (int c = 0; ok && c < CAP_CLASS_COUNT; c++)
		ok = cJSON_AddNumberToObject(cls, cap_class_name((enum cap_class)c),
					     (double)classes[c]) != NULL;
	ok = ok && cJSON_AddItemToObject(o, "servers", servers);
	if (ok)
		servers = NULL;
	ok = ok && cJSON_AddNumberToObject(o, "flows_not_listed", (double)over) &&
	     cJSON_AddStringToObject(o, "scope",
				     "listed flows of the whole capture whose server is no "
				     "address of any endpoint of this scan");
	cJSON_Delete(servers);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/*
 * A capture finding is its id and evidence; severity and title: the
 * catalogue's. The client findings are left to scan_client_findings, which
 * sees every source of the cluster's clients at once.
 */
static int add_capture_finding(struct mp_cluster *c, const cJSON *f)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
	if (!cJSON_IsString(id) || strncmp(id->valuestring, "CLIENT_", 7) == 0)
		return 0;
	return mp_cluster_add_finding(
		c, id->valuestring,
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f, "evidence"), 1));
}

/* Traffic to c's ZooKeeper endpoints was seen, all of it TLS. */
static bool traffic_encrypted(const struct mp_cluster *c, const struct cap_flow_info *fl, size_t n)
{
	bool plain = false, tls = false;
	for (size_t i = 0; i < n; i++) {
		if (!scan_cluster_zk_serves(c, &fl[i].server, fl[i].sport))
			continue;
		plain |= fl[i].cls == CAP_CLASS_ZK;
		tls |= fl[i].cls == CAP_CLASS_TLS;
	}
	return tls && !plain;
}

/* The capture's clients of this cluster move to the cluster's inventory (c->clients). */
/* Append arr's client objects to c's inventory (taking arr; it becomes the inventory when there is none). */
static int add_clients(struct mp_cluster *c, cJSON *arr)
{
	cJSON *it;
	if (!c->clients) {
		c->clients = arr;
		return 0;
	}
	while ((it = cJSON_DetachItemFromArray(arr, 0)) != NULL)
		if (!cJSON_AddItemToArray(c->clients, it)) {
			cJSON_Delete(it);
			cJSON_Delete(arr);
			return -ENOMEM;
		}
	cJSON_Delete(arr);
	return 0;
}

/* The capture's clients of this cluster move to the cluster's inventory (c->clients). */
static int take_clients(struct mp_cluster *c, cJSON *cap)
{
	cJSON *cl = cJSON_DetachItemFromObjectCaseSensitive(cap, "clients");
	return cl ? add_clients(c, cl) : 0;
}

static int add_client_finding(void *ud, const char *id, cJSON *evidence)
{
	return mp_cluster_add_finding(ud, id, evidence);
}

int scan_client_findings(struct mp_cluster *c, const struct mp_policy *p)
{
	if (!c->clients)
		return 0;
	return mp_compat_findings(c->clients, p->target_version[0] ? p->target_version : NULL,
				  add_client_finding, c);
}

int scan_merge_result(struct mp_report *r, const struct cap_result *res)
{
	size_t n = 0;
	const struct cap_flow_info *fl = cap_result_flows(res, &n);
	cJSON *un = unattributed_json(r, fl, n);
	int rc = 0;

	if (!un)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_clusters && rc == 0; i++) {
		struct mp_cluster *c = r->clusters[i];
		cJSON *cap = NULL, *findings = NULL, *u;
		const cJSON *f;
		rc = cap_result_json(res, keep_cluster, c, &cap, &findings);
		if (rc < 0)
			break;
		u = cJSON_Duplicate(un, 1);
		if (!u || !cJSON_AddItemToObject(cap, "unattributed", u)) {
			cJSON_Delete(u);
			rc = -ENOMEM;
		}
		if (rc == 0)
			rc = take_clients(c, cap);
		cJSON_Delete(c->capture);
		c->capture = cap;
		cJSON_ArrayForEach (f, findings)
			if (rc == 0)
				rc = add_capture_finding(c, f);
		cJSON_Delete(findings);
		/* a flow left unlisted (a capture of more than CAP_REPORT_FLOWS_MAX
		 * flows) may be plaintext to this cluster: no proof then */
		c->proven_traffic = !cap_result_unlisted(res) && traffic_encrypted(c, fl, n);
	}
	cJSON_Delete(un);
	return rc;
}

/* ---------------------------------------------------------------- Open Monitoring */

/*
 * --open-monitoring (docs/open-monitoring.md): after discovery, every broker
 * host probed (bootstrap and discovered; one scrape per address) is scraped
 * at the Open Monitoring port, at most --concurrency at once, with the
 * scan's timeouts; the answers become the cluster's open_monitoring[]
 * (one status per broker) and its clients[] ("source": "open-monitoring").
 */

struct om_slot {
	struct cstate *st;
	const struct mp_broker *b;
	char broker[MP_HOST_MAX + 8];
	char url[MP_HOST_MAX + 32];
};

static int api_key_of(const char *request)
{
	for (int k = 0; k < MP_API_KEY_LIMIT; k++) {
		const char *n = mp_kafka_api_name(k);
		if (n && strcmp(n, request) == 0)
			return k;
	}
	return -1;
}

static bool sw_eq(const cJSON *c, const char *name, const char *ver)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "software_name");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "software_version");
	bool n_null = !name[0], v_null = !ver[0];
	if (n_null != cJSON_IsNull(n) || v_null != cJSON_IsNull(v))
		return false;
	return (n_null || strcmp(n->valuestring, name) == 0) &&
	       (v_null || strcmp(v->valuestring, ver) == 0);
}

static cJSON *str_or_null(const char *s)
{
	return s && s[0] ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The client of this software in arr, added if new (every key present). */
static cJSON *client_get(cJSON *arr, const char *name, const char *ver)
{
	cJSON *c;
	cJSON_ArrayForEach (c, arr)
		if (sw_eq(c, name, ver))
			return c;
	c = cJSON_CreateObject();
	if (!c)
		return NULL;
	cJSON_AddItemToArray(arr, c);
	bool ok = cJSON_AddStringToObject(c, "source", "open-monitoring") &&
		  cJSON_AddNullToObject(c, "client") && cJSON_AddNullToObject(c, "client_id");
	cJSON *n = str_or_null(name), *v = str_or_null(ver);
	ok = ok && n && v;
	if (n)
		cJSON_AddItemToObject(c, "software_name", n);
	if (v)
		cJSON_AddItemToObject(c, "software_version", v);
	ok = ok && cJSON_AddStringToObject(c, "role", "client") &&
	     cJSON_AddArrayToObject(c, "servers") && cJSON_AddArrayToObject(c, "listeners") &&
	     cJSON_AddNumberToObject(c, "connections", 0) &&
	     cJSON_AddBoolToObject(c, "plaintext", false) &&
	     cJSON_AddArrayToObject(c, "requests") && cJSON_AddNullToObject(c, "target");
	return ok ? c : NULL;
}

static bool add_server(cJSON *c, const char *broker)
{
	cJSON *s, *arr = cJSON_GetObjectItemCaseSensitive(c, "servers");
	cJSON_ArrayForEach (s, arr)
		if (strcmp(s->valuestring, broker) == 0)
			return true;
	s = cJSON_CreateString(broker);
	if (!s)
		return false;
	cJSON_AddItemToArray(arr, s);
	return true;
}

static void add_num(cJSON *o, const char *key, double v)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsNumber(n))
		cJSON_SetNumberValue(n, n->valuedouble + v);
}

static bool add_listener(cJSON *c, const char *name, bool plaintext, double n)
{
	cJSON *l, *arr = cJSON_GetObjectItemCaseSensitive(c, "listeners");
	cJSON_ArrayForEach (l, arr)
		if (strcmp(js_str(l, "listener", ""), name) == 0) {
			add_num(l, "connections", n);
			return true;
		}
	l = cJSON_CreateObject();
	if (!l)
		return false;
	cJSON_AddItemToArray(arr, l);
	return cJSON_AddStringToObject(l, "listener", name) &&
	       cJSON_AddStringToObject(l, "security", plaintext ? "plaintext" : "tls") &&
	       cJSON_AddNumberToObject(l, "connections", n);
}

static bool add_request(cJSON *c, const struct om_deprecated *d)
{
	cJSON *r, *arr = cJSON_GetObjectItemCaseSensitive(c, "requests");
	cJSON_ArrayForEach (r, arr)
		if (strcmp(js_str(r, "api", ""), d->request) == 0) {
			cJSON *v, *vs = cJSON_GetObjectItemCaseSensitive(r, "versions");
			bool have = false;
			cJSON_ArrayForEach (v, vs)
				have |= v->valueint == d->version;
			if (!have) {
				if (!(v = cJSON_CreateNumber(d->version)))
					return false;
				cJSON_AddItemToArray(vs, v);
			}
			add_num(r, "count", d->count);
			return true;
		}
	r = cJSON_CreateObject();
	if (!r)
		return false;
	cJSON_AddItemToArray(arr, r);
	int key = api_key_of(d->request);
	cJSON *vs;
	bool ok = (key >= 0 ? cJSON_AddNumberToObject(r, "api_key", key) != NULL
			    : cJSON_AddNullToObject(r, "api_key") != NULL) &&
		  cJSON_AddStringToObject(r, "api", d->request) &&
		  (vs = cJSON_AddArrayToObject(r, "versions")) &&
		  cJSON_AddNumberToObject(r, "count", d->count) &&
		  cJSON_AddBoolToObject(r, "deprecated", true);
	cJSON *v = ok ? cJSON_CreateNumber(d->version) : NULL;
	if (!v)
		return false;
	cJSON_AddItemToArray(vs, v);
	return true;
}

/*
 * A listener brokers and controllers use among themselves: KRaft's CONTROLLER,
 * MSK's REPLICATION and REPLICATION_SECURE (docs/open-monitoring.md). A
 * connection there is the cluster's own, not an application's.
 */
static bool inter_broker_listener(const char *name)
{
	return strcmp(name, "CONTROLLER") == 0 || strcmp(name, "REPLICATION") == 0 ||
	       strcmp(name, "REPLICATION_SECURE") == 0;
}

/* role "broker" for a client seen only on inter-broker listeners. */
static void set_roles(cJSON *clients)
{
	cJSON *c, *l;
	cJSON_ArrayForEach (c, clients) {
		bool any = false, all = true;
		cJSON_ArrayForEach (l, cJSON_GetObjectItemCaseSensitive(c, "listeners")) {
			any = true;
			all &= inter_broker_listener(js_str(l, "listener", ""));
		}
		if (any && all)
			cJSON_ReplaceItemInObjectCaseSensitive(c, "role",
							       cJSON_CreateString("broker"));
	}
}

/* One broker's view into the cluster's clients. false: out of memory. */
static bool merge_view(cJSON *clients, const char *broker, const struct om_view *v)
{
	for (size_t i = 0; i < v->n_clients; i++) {
		const struct om_client *oc = &v->clients[i];
		if (oc->connections <= 0)
			continue; /* a series left at 0 after its connections closed */
		cJSON *c = client_get(clients, oc->sw_name, oc->sw_version);
		bool pt = om_view_plaintext(v, oc->listener);
		if (!c || !add_server(c, broker) ||
		    !add_listener(c, oc->listener, pt, oc->connections))
			return false;
		add_num(c, "connections", oc->connections);
		if (pt)
			cJSON_ReplaceItemInObjectCaseSensitive(c, "plaintext", cJSON_CreateTrue());
	}
	for (size_t i = 0; i < v->n_deprecated; i++) {
		const struct om_deprecated *d = &v->deprecated[i];
		if (d->count <= 0)
			continue;
		cJSON *c = client_get(clients, d->sw_name, d->sw_version);
		if (!c || !add_server(c, broker) || !add_request(c, d))
			return false;
	}
	return true;
}

static cJSON *status_json(const struct om_slot *sl, const struct om_target *t)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	bool ok = cJSON_AddStringToObject(o, "broker", sl->broker) &&
		  cJSON_AddStringToObject(o, "url", sl->url) &&
		  cJSON_AddStringToObject(o, "status", om_status_name(t->status)) &&
		  (t->reason[0] ? cJSON_AddStringToObject(o, "reason", t->reason) != NULL
				: cJSON_AddNullToObject(o, "reason") != NULL) &&
		  cJSON_AddNumberToObject(o, "bytes", (double)t->bytes) &&
		  cJSON_AddNumberToObject(o, "samples", (double)t->view.samples);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/*
 * Each client's "target" (base/compat.h): by its KIP-511 software, unless the
 * broker counted deprecated requests from it that the target rejects; null
 * when no target release is set. false: out of memory.
 */
static bool judge_clients(cJSON *clients, const char *target)
{
	cJSON *c;
	if (!target || !target[0])
		return true;
	cJSON_ArrayForEach (c, clients) {
		cJSON *t = mp_compat_judge_client(target, c);
		if (!t)
			return false;
		cJSON_ReplaceItemInObjectCaseSensitive(c, "target", t);
	}
	return true;
}

int scan_open_monitoring(struct scan *s)
{
	const struct scan_opts *o = s->o;
	size_t total = 0, n = 0;
	int rc = 0;
	for (size_t i = 0; i < o->n_clusters; i++)
		total += s->cs[i].n_probed;
	if (!o->open_monitoring_port || !total || s->interrupted)
		return 0;
	struct om_target *t = calloc(total, sizeof(*t));
	struct om_slot *sl = calloc(total, sizeof(*sl));
	if (!t || !sl) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < o->n_clusters; i++) {
		struct cstate *st = &s->cs[i];
		for (size_t j = 0; j < st->n_probed; j++) {
			const struct bref *br = &st->probed[j];
			bool dup = false;
			for (size_t k = 0; k < n && !dup; k++)
				dup = sl[k].st == st && scan_same_host(&t[k].addr, &br->addr);
			if (dup)
				continue;
			sl[n].st = st;
			sl[n].b = br->b;
			mp_fmt(sl[n].broker, sizeof(sl[n].broker), "%s:%u", br->b->host,
			       br->b->port);
			bool v6 = strchr(br->b->host, ':') != NULL;
			mp_fmt(sl[n].url, sizeof(sl[n].url), "http://%s%s%s:%u/metrics",
			       v6 ? "[" : "", br->b->host, v6 ? "]" : "", o->open_monitoring_port);
			t[n].broker = sl[n].broker;
			t[n].host_header = br->b->host;
			t[n].addr = br->addr;
			t[n].addrlen = br->addrlen;
			scan_set_port(&t[n].addr, (uint16_t)o->open_monitoring_port);
			t[n].broker_answered = br->b->answered;
			n++;
		}
	}
	if ((rc = om_scrape(t, n, o->concurrency, o->timeout_ms, o->interrupt_fd)) < 0)
		goto out;
	if (rc == 1) /* SIGINT/SIGTERM during the scrapes: the report says so */
		s->r->interrupted = s->interrupted = true;
	rc = 0;
	for (size_t i = 0; i < o->n_clusters; i++) {
		struct mp_cluster *c = s->cs[i].c;
		cJSON *stat = cJSON_CreateArray(), *clients = cJSON_CreateArray();
		bool ok = stat && clients, any_ok = false;
		for (size_t k = 0; k < n && ok; k++) {
			if (sl[k].st != &s->cs[i])
				continue;
			cJSON *js = status_json(&sl[k], &t[k]);
			ok = js != NULL;
			if (js)
				cJSON_AddItemToArray(stat, js);
			if (ok && t[k].status == OM_OK) {
				ok = merge_view(clients, sl[k].broker, &t[k].view);
				any_ok = true;
			}
		}
		if (!ok) {
			cJSON_Delete(stat);
			cJSON_Delete(clients);
			rc = -ENOMEM;
			goto out;
		}
		set_roles(clients);
		if (!judge_clients(clients, o->policy.target_version)) {
			cJSON_Delete(stat);
			cJSON_Delete(clients);
			rc = -ENOMEM;
			goto out;
		}
		cJSON_Delete(c->open_monitoring);
		c->open_monitoring = stat;
		/* an empty inventory is one only when some broker was read */
		if (!any_ok && !cJSON_GetArraySize(clients))
			cJSON_Delete(clients);
		else if ((rc = add_clients(c, clients)) < 0)
			goto out;
	}
out:
	for (size_t i = 0; t && i < total; i++)
		om_view_clear(&t[i].view);
	free(t);
	free(sl);
	return rc;
}
