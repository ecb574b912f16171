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
static int take_clients(struct mp_cluster *c, cJSON *cap)
{
	cJSON *cl = cJSON_DetachItemFromObjectCaseSensitive(cap, "clients"), *it;
	if (!cl)
		return 0;
	if (!c->clients) {
		c->clients = cl;
		return 0;
	}
	while ((it = cJSON_DetachItemFromArray(cl, 0)) != NULL)
		if (!cJSON_AddItemToArray(c->clients, it)) {
			cJSON_Delete(it);
			cJSON_Delete(cl);
			return -ENOMEM;
		}
	cJSON_Delete(cl);
	return 0;
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
