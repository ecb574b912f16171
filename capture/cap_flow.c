/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow table: TCP flows keyed by (address, port) pairs plus the tunnel
 * VNI, both directions joined in one entry.
 *
 * Bounded by construction: at most max_flows entries (an array grown up to
 * that cap) and an open-addressing index of twice as many slots (linear
 * probing, backward-shift deletion, a hash seeded per table). Flows that have
 * carried no payload ("embryonic", e.g. a SYN flood) sit on their own LRU list
 * and are the first to go when the table is full; when only flows with
 * payload remain, new tuples are refused and estimated (linear counting over
 * a 1 MiB bitmap) so the report can say how many flows it lost to the cap.
 * Idle flows (packet time) leave the table and are reported.
 *
 * Classification: the first CAP_CLF_SEGMENTS data segments of each direction
 * are fed to the classifier, contiguous ones accumulated in a small buffer
 * (CAP_CLF_BYTES, from a pool capped at CAP_CLF_POOL_MAX). A capture that
 * starts mid-session also tries each segment on its own, since a segment
 * often starts at a message boundary. Once a flow's class is certain its
 * buffers are freed and later packets cost a lookup and a few counters.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cap-internal.h"

struct verdict {
	uint8_t cls, conf, reason;
	int8_t sender_is_client;
	uint16_t arg, tls_version;
};

struct flow_dir {
	uint8_t *buf; /* first payload bytes; NULL when not (or no longer) needed */
	uint16_t len;
	uint8_t nseg; /* data segments looked at */
	bool syn, have_seq;
	uint32_t isn, next_seq;
};

struct flow {
	struct cap_addr a, b; /* a sorts before b: the key is the same both ways */
	uint16_t pa, pb;
	int64_t vni;
	uint32_t hash;
	uint32_t prev, next; /* LRU links (index + 1, 0 = none); next is also the free list */
	uint8_t list;	     /* LIST_EMBRYONIC, LIST_ESTABLISHED */
	uint8_t tunnel;
	bool final, flagged, mid_session;
	int8_t client;	     /* -1 unknown, 0 = a, 1 = b */
	struct verdict v[2]; /* [0] bytes sent by a, [1] by b */
	char *sni;
	uint64_t first_us, last_us, id;
	uint64_t pkts[2], bytes[2];
	struct flow_dir d[2];
	struct cap_kstream *ks; /* the client direction's request stream, or NULL */
	int8_t ks_dir;		/* its direction; -1 = none yet, -2 = never (not Kafka) */
};

enum { LIST_EMBRYONIC = 0, LIST_ESTABLISHED = 1, LIST_COUNT };

struct lru {
	uint32_t head, tail;
};

struct cap_flowtab {
	struct flow *flows;
	uint32_t n_alloc, n_used, max;
	uint32_t free_head; /* index + 1 */
	uint32_t *slots;    /* index + 1, 0 = empty */
	uint32_t mask;
	uint64_t seed;
	struct lru lru[LIST_COUNT];
	uint64_t now_us, next_id;
	struct cap_ports ports;
	cap_flow_done_fn done;
	void *ctx;
	uint32_t last;	   /* the flow of the previous packet (index + 1, 0 = none) */
	uint64_t *overcap; /* bitmap of refused tuples, allocated at the first refusal */
	uint64_t overcap_set, early_drops, refused, idle, pool;
	struct cap_kclients *kc; /* the client inventory, or NULL */
};

#define IDX(t, i) (&(t)->flows[(i)-1])

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 31)) * 0xd6e8feb86659fd93ull;
	return h ^ (h >> 32);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t key_hash(uint64_t seed, const struct cap_addr *a, const struct cap_addr *b,
			 uint16_t pa, uint16_t pb, int64_t vni)
{
	uint64_t h = seed;
	h = mix(h, load64(a->a) ^ a->family);
	h = mix(h, load64(a->a + 8));
	h = mix(h, load64(b->a) ^ b->family);
	h = mix(h, load64(b->a + 8));
	return mix(h, (uint64_t)pa << 48 | (uint64_t)pb << 32 | (uint32_t)(vni + 1));
}

/*
 * Endpoint order, the same as memcmp over struct cap_addr (family, then the
 * address bytes) and then the port: big-endian 64-bit loads keep the byte
 * order, without a libc call per packet.
 */
static int ep_cmp(const struct cap_addr *x, uint16_t px, const struct cap_addr *y, uint16_t py)
{
	if (x->family != y->family)
		return (int)x->family - (int)y->family;
	for (int i = 0; i < 16; i += 8) {
		uint64_t u = load64(x->a + i), v = load64(y->a + i);
		if (u != v)
			return u < v ? -1 : 1;
	}
	return (int)px - (int)py;
}

static bool addr_eq(const struct cap_addr *x, const struct cap_addr *y)
{
	uint64_t x0, x1, y0, y1;
	memcpy(&x0, x->a, 8);
	memcpy(&x1, x->a + 8, 8);
	memcpy(&y0, y->a, 8);
	memcpy(&y1, y->a + 8, 8);
	return x->family == y->family && x0 == y0 && x1 == y1;
}

static bool key_eq(const struct flow *f, const struct cap_addr *a, const struct cap_addr *b,
		   uint16_t pa, uint16_t pb, int64_t vni)
{
	return f->pa == pa && f->pb == pb && f->vni == vni && addr_eq(&f->a, a) &&
	       addr_eq(&f->b, b);
}

/*
 * The index for n entries: at least twice as many slots, a power of two,
 * 1024 at least. It grows with the entries (index_grow), so a table of a few
 * thousand flows keeps a few pages of index, not the 2 x max_flows slots.
 */
static uint64_t index_slots(uint64_t n)
{
	uint64_t nslots = 1024;
	while (nslots < 2 * n)
		nslots <<= 1;
	return nslots;
}

/*
 * A new index of nslots slots with every flow in the table (each is on one
 * of the LRU lists) put back. Written before it is read: calloc'd memory
 * fresh from the kernel is read through the shared zero page first, and
 * each page's first write then takes a copy-on-write fault with a TLB
 * flush on every core the process runs on (the mapping thread's).
 */
static int index_grow(struct cap_flowtab *t, uint64_t nslots)
{
	uint32_t *slots = malloc(nslots * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	memset(slots, 0, nslots * sizeof(*slots));
	free(t->slots);
	t->slots = slots;
	t->mask = (uint32_t)(nslots - 1);
	for (int l = 0; l < LIST_COUNT; l++)
		for (uint32_t i = t->lru[l].head; i; i = IDX(t, i)->next) {
			uint32_t s = IDX(t, i)->hash & t->mask;
			while (t->slots[s])
				s = (s + 1) & t->mask;
			t->slots[s] = i;
		}
	return 0;
}

int cap_flowtab_new(struct cap_flowtab **ret, uint32_t max_flows, const struct cap_ports *ports,
		    cap_flow_done_fn done, void *ctx)
{
	struct cap_flowtab *t = NULL;

	if (max_flows == 0 || max_flows > CAP_FLOWS_MAX)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (index_grow(t, index_slots(max_flows < 1024 ? max_flows : 1024)) < 0) {
		free(t);
		return -ENOMEM;
	}
	t->max = max_flows;
	t->ports = *ports;
	t->done = done;
	t->ctx = ctx;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e995u;
	*ret = t;
	return 0;
}

static void dir_release(struct cap_flowtab *t, struct flow_dir *d)
{
	if (d->buf) {
		free(d->buf);
		d->buf = NULL;
		t->pool -= CAP_CLF_BYTES;
	}
	d->len = 0;
}

void cap_flowtab_free(struct cap_flowtab *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->n_alloc; i++) {
		free(t->flows[i].d[0].buf);
		free(t->flows[i].d[1].buf);
		free(t->flows[i].sni);
		if (t->flows[i].ks)
			cap_kstream_free(t->kc, t->flows[i].ks);
	}
	free(t->flows);
	free(t->slots);
	free(t->overcap);
	free(t);
}

/* ---- LRU lists ------------------------------------------------------------ */

static void lru_unlink(struct cap_flowtab *t, uint32_t i)
{
	struct flow *f = IDX(t, i);
	struct lru *l = &t->lru[f->list];
	if (f->prev)
		IDX(t, f->prev)->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		IDX(t, f->next)->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = 0;
}

static void lru_append(struct cap_flowtab *t, uint32_t i, uint8_t list)
{
	struct flow *f = IDX(t, i);
	struct lru *l = &t->lru[list];
	f->list = list;
	f->prev = l->tail;
	f->next = 0;
	if (l->tail)
		IDX(t, l->tail)->next = i;
	else
		l->head = i;
	l->tail = i;
}

/* ---- verdicts ---------------------------------------------------------------- */

static bool port_in(const uint16_t *ports, unsigned n, uint16_t p)
{
	for (unsigned i = 0; i < n; i++)
		if (ports[i] == p)
			return true;
	return false;
}

static bool port_hinted(const struct cap_ports *ps, uint16_t p)
{
	return port_in(ps->zk, ps->n_zk, p) || port_in(ps->kafka, ps->n_kafka, p);
}

/* A flow's verdict: the client side and the combined class, before the report's details. */
struct flow_verdict {
	int client; /* 0 = a, 1 = b */
	uint8_t basis, cls, conf, reason;
	uint16_t arg;
	bool port_hint;
};

/* Combine both directions, decide the client side and apply port hints. */
static void flow_verdict(const struct cap_flowtab *t, const struct flow *f, struct flow_verdict *fv)
{
	const struct verdict *v0 = &f->v[0], *v1 = &f->v[1];
	int bd = v1->conf > v0->conf ? 1 : 0;
	const struct verdict *best = &f->v[bd];
	uint8_t conf = best->conf;
	int client = f->client;

	if (v0->cls == v1->cls && v0->conf && v1->conf && conf < CAP_CONF_HIGH)
		conf++; /* both directions agree */
	fv->basis = CAP_BASIS_SYN;
	if (client < 0 && best->conf && best->sender_is_client >= 0) {
		client = best->sender_is_client ? bd : !bd;
		fv->basis = CAP_BASIS_PROTOCOL;
	}
	if (client < 0 && port_hinted(&t->ports, f->pa) != port_hinted(&t->ports, f->pb)) {
		client = port_hinted(&t->ports, f->pa) ? 1 : 0;
		fv->basis = CAP_BASIS_PORT;
	}
	if (client < 0) {
		client = f->pa > f->pb ? 0 : 1;
		fv->basis = CAP_BASIS_GUESS;
	}
	uint16_t sport = client ? f->pa : f->pb;
	fv->client = client;
	fv->cls = conf ? best->cls : CAP_CLASS_UNKNOWN;
	fv->reason = conf ? best->reason : CAP_R_NONE;
	fv->arg = best->arg;
	fv->port_hint = false;
	if (conf == CAP_CONF_LOW && (((fv->cls == CAP_CLASS_ZK || fv->cls == CAP_CLASS_TLS) &&
				      port_in(t->ports.zk, t->ports.n_zk, sport)) ||
				     ((fv->cls == CAP_CLASS_KAFKA || fv->cls == CAP_CLASS_TLS) &&
				      port_in(t->ports.kafka, t->ports.n_kafka, sport)))) {
		conf = CAP_CONF_MEDIUM;
		fv->port_hint = true;
	}
	fv->conf = conf;
}

/*
 * The flow as the report sees it. Cleared up to the SNI slot only: the 254
 * bytes of the slot need just their terminator, every later field is set.
 */
static void flow_result(const struct cap_flowtab *t, const struct flow *f,
			struct cap_flow_result *r)
{
	const struct verdict *v0 = &f->v[0], *v1 = &f->v[1];
	struct flow_verdict fv;

	flow_verdict(t, f, &fv);
	int client = fv.client;
	memset(r, 0, offsetof(struct cap_flow_result, sni));
	r->sni[0] = '\0';
	r->client_basis = fv.basis;
	r->client = client ? f->b : f->a;
	r->cport = client ? f->pb : f->pa;
	r->server = client ? f->a : f->b;
	r->sport = client ? f->pa : f->pb;
	r->cls = fv.cls;
	r->reason = fv.reason;
	r->arg = fv.arg;
	r->port_hint = fv.port_hint;
	r->conf = fv.conf;
	r->tls_version = v0->tls_version > v1->tls_version ? v0->tls_version : v1->tls_version;
	if (f->v[!client].tls_version) /* the server's choice, when seen */
		r->tls_version = f->v[!client].tls_version;
	if (f->sni)
		memcpy(r->sni, f->sni, strlen(f->sni) + 1);
	r->vni = f->vni;
	r->tunnel = f->tunnel;
	r->mid_session = f->mid_session;
	r->has_payload = f->d[0].nseg || f->d[1].nseg;
	r->first_us = f->first_us;
	r->last_us = f->last_us;
	r->id = f->id;
	r->pkts[0] = f->pkts[client];
	r->bytes[0] = f->bytes[client];
	r->pkts[1] = f->pkts[!client];
	r->bytes[1] = f->bytes[!client];
}

static bool plaintext_class(uint8_t cls)
{
	return cls == CAP_CLASS_ZK || cls == CAP_CLASS_ZK_QUORUM || cls == CAP_CLASS_KAFKA;
}

/* After a new verdict: is the class settled? Then drop the buffers. */
static void flow_decide(struct cap_flowtab *t, struct flow *f)
{
	struct flow_verdict fv;
	bool exhausted = f->d[0].nseg >= CAP_CLF_SEGMENTS && f->d[1].nseg >= CAP_CLF_SEGMENTS;

	flow_verdict(t, f, &fv); /* per data segment: not the whole report record */
	f->flagged = plaintext_class(fv.cls) && fv.conf >= CAP_CONF_MEDIUM;
	if (fv.conf == CAP_CONF_HIGH || exhausted) {
		f->final = true;
		dir_release(t, &f->d[0]);
		dir_release(t, &f->d[1]);
	}
}

/* ---- classification input ------------------------------------------------------ */

static void take_verdict(struct flow *f, int dir, const struct cap_clf_out *o)
{
	struct verdict *v = &f->v[dir];
	if (o->conf <= v->conf)
		return;
	v->cls = o->cls;
	v->conf = o->conf;
	v->reason = o->reason;
	v->sender_is_client = o->sender_is_client;
	v->arg = o->arg;
	v->tls_version = o->tls_version;
	if (o->sni[0] && !f->sni)
		f->sni = strdup(o->sni); /* NULL on ENOMEM: the report just lacks the SNI */
}

static void classify(struct flow *f, int dir, const uint8_t *p, size_t n)
{
	struct cap_clf_out o;
	if (n == 0)
		return;
	cap_clf_bytes(p, n, &o);
	take_verdict(f, dir, &o);
}

static bool dir_buffer(struct cap_flowtab *t, struct flow_dir *d)
{
	if (d->buf)
		return true;
	if (t->pool + CAP_CLF_BYTES > CAP_CLF_POOL_MAX)
		return false;
	d->buf = malloc(CAP_CLF_BYTES);
	if (!d->buf)
		return false;
	t->pool += CAP_CLF_BYTES;
	d->len = 0;
	return true;
}

/* seq a is before b in sequence space (RFC 9293 3.4). */
static bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static void feed(struct cap_flowtab *t, struct flow *f, int dir, const struct cap_pkt *p)
{
	struct flow_dir *d = &f->d[dir];
	bool alone = true;

	if (d->nseg >= CAP_CLF_SEGMENTS)
		return;
	if (d->have_seq && seq_before(p->seq, d->next_seq))
		return; /* retransmission: already looked at */
	d->nseg++;
	if (!d->have_seq) {
		d->have_seq = true;
		d->next_seq = p->seq;
		if (!d->syn || p->seq != d->isn + 1)
			f->mid_session = true;
	}
	if (p->seq != d->next_seq)
		d->len = 0; /* a gap: start again at this segment */
	if (dir_buffer(t, d) && d->len < CAP_CLF_BYTES) {
		size_t room = CAP_CLF_BYTES - d->len;
		size_t n = p->payload_len < room ? p->payload_len : room;
		memcpy(d->buf + d->len, p->payload, n);
		d->len = (uint16_t)(d->len + n);
		alone = d->len == n;
		classify(f, dir, d->buf, d->len);
	} else {
		classify(f, dir, p->payload, p->payload_len);
		alone = true;
	}
	if (!alone && f->mid_session && f->v[dir].conf < CAP_CONF_MEDIUM)
		classify(f, dir, p->payload, p->payload_len);
	if (p->payload_len < p->payload_declared)
		d->len = 0; /* the rest was cut off: the buffer can not continue */
	d->next_seq = p->seq + p->payload_declared;
	flow_decide(t, f);
}

/* ---- table operations --------------------------------------------------------------- */

static uint32_t *slot_find(struct cap_flowtab *t, uint32_t idx)
{
	uint32_t s = IDX(t, idx)->hash & t->mask;
	while (t->slots[s] && t->slots[s] != idx)
		s = (s + 1) & t->mask;
	return &t->slots[s];
}

/* Backward-shift deletion keeps every probe chain intact without tombstones. */
static void slot_delete(struct cap_flowtab *t, uint32_t idx)
{
	uint32_t i = (uint32_t)(slot_find(t, idx) - t->slots);
	uint32_t j = i;
	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->slots[j])
			break;
		uint32_t k = IDX(t, t->slots[j])->hash & t->mask;
		bool move = i <= j ? (k <= i || k > j) : (k <= i && k > j);
		if (move) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i] = 0;
}

/* Report a flow and give its entry back. */
static void flow_finish(struct cap_flowtab *t, uint32_t idx)
{
	struct flow *f = IDX(t, idx);
	struct cap_flow_result r;

	flow_result(t, f, &r);
	if (t->done)
		t->done(t->ctx, &r);
	if (t->last == idx)
		t->last = 0;
	lru_unlink(t, idx);
	slot_delete(t, idx);
	dir_release(t, &f->d[0]);
	dir_release(t, &f->d[1]);
	free(f->sni);
	if (f->ks)
		cap_kstream_free(t->kc, f->ks);
	memset(f, 0, sizeof(*f));
	f->next = t->free_head;
	t->free_head = idx;
	t->n_used--;
}

static void evict_idle(struct cap_flowtab *t)
{
	uint64_t idle = (uint64_t)CAP_FLOW_IDLE_S * 1000000u;
	for (int l = 0; l < LIST_COUNT; l++)
		while (t->lru[l].head && IDX(t, t->lru[l].head)->last_us + idle < t->now_us) {
			flow_finish(t, t->lru[l].head);
			t->idle++;
		}
}

static void overcap_note(struct cap_flowtab *t, uint64_t h)
{
	if (!t->overcap) {
		/* written before it is read (see index_grow) */
		t->overcap = malloc(CAP_OVERCAP_BITS / 8);
		if (!t->overcap)
			return;
		memset(t->overcap, 0, CAP_OVERCAP_BITS / 8);
	}
	uint64_t bit = mix(h, t->seed ^ 0xa5a5a5a5u) & (CAP_OVERCAP_BITS - 1);
	uint64_t m = 1ull << (bit & 63);
	if (!(t->overcap[bit >> 6] & m)) {
		t->overcap[bit >> 6] |= m;
		t->overcap_set++;
	}
}

static int grow(struct cap_flowtab *t)
{
	uint32_t n = t->n_alloc ? t->n_alloc * 2 : 1024;
	if (n > t->max)
		n = t->max;
	/* the index first: it must always have twice as many slots as there are entries */
	if (index_slots(n) > (uint64_t)t->mask + 1 && index_grow(t, index_slots(n)) < 0)
		return -ENOMEM;
	struct flow *nf = realloc(t->flows, (size_t)n * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	memset(nf + t->n_alloc, 0, (size_t)(n - t->n_alloc) * sizeof(*nf));
	t->flows = nf;
	t->n_alloc = n;
	return 0;
}

/* A free entry (index + 1), making room under the cap if it must; 0 when refused. */
static uint32_t flow_alloc(struct cap_flowtab *t)
{
	if (t->n_used >= t->max) {
		if (!t->lru[LIST_EMBRYONIC].head)
			return 0;
		flow_finish(t, t->lru[LIST_EMBRYONIC].head);
		t->early_drops++;
	}
	if (t->free_head) {
		uint32_t i = t->free_head;
		t->free_head = IDX(t, i)->next;
		IDX(t, i)->next = 0;
		t->n_used++;
		return i;
	}
	if (t->n_used >= t->n_alloc && grow(t) < 0)
		return 0;
	t->n_used++;
	return t->n_used; /* entries below were all handed out before */
}

/*
 * The previous packet's flow, when this packet belongs to it: most packets
 * follow one of the same flow, and this spares the hash and the index slot
 * (a cache miss in a large table). The direction is the one the table
 * would give: a sorts before b, so src == a means the forward order.
 */
static uint32_t flow_last(struct cap_flowtab *t, const struct cap_pkt *p, int *ret_dir)
{
	const struct flow *f = IDX(t, t->last);
	if (f->vni != p->vni)
		return 0;
	if (f->pa == p->sport && f->pb == p->dport && addr_eq(&f->a, &p->src) &&
	    addr_eq(&f->b, &p->dst)) {
		*ret_dir = 0;
		return t->last;
	}
	if (f->pa == p->dport && f->pb == p->sport && addr_eq(&f->a, &p->dst) &&
	    addr_eq(&f->b, &p->src)) {
		*ret_dir = 1;
		return t->last;
	}
	return 0;
}

static uint32_t flow_lookup(struct cap_flowtab *t, const struct cap_pkt *p, int *ret_dir,
			    bool *ret_new)
{
	*ret_new = false;
	if (t->last && flow_last(t, p, ret_dir))
		return t->last;

	bool fwd = ep_cmp(&p->src, p->sport, &p->dst, p->dport) <= 0;
	const struct cap_addr *a = fwd ? &p->src : &p->dst, *b = fwd ? &p->dst : &p->src;
	uint16_t pa = fwd ? p->sport : p->dport, pb = fwd ? p->dport : p->sport;
	uint64_t h = key_hash(t->seed, a, b, pa, pb, p->vni);
	uint32_t s = (uint32_t)h & t->mask;

	*ret_dir = fwd ? 0 : 1;
	for (; t->slots[s]; s = (s + 1) & t->mask) {
		struct flow *f = IDX(t, t->slots[s]);
		if (f->hash == (uint32_t)h && key_eq(f, a, b, pa, pb, p->vni))
			return t->last = t->slots[s];
	}
	uint32_t idx = flow_alloc(t);
	if (!idx) {
		t->refused++;
		overcap_note(t, h);
		return 0;
	}
	/* flow_alloc may have deleted a slot: probe again for the free one */
	for (s = (uint32_t)h & t->mask; t->slots[s]; s = (s + 1) & t->mask)
		;
	struct flow *f = IDX(t, idx);
	f->a = *a;
	f->b = *b;
	f->pa = pa;
	f->pb = pb;
	f->vni = p->vni;
	f->hash = (uint32_t)h;
	f->client = -1;
	f->ks_dir = -1;
	f->id = t->next_id++;
	t->slots[s] = idx;
	lru_append(t, idx, LIST_EMBRYONIC);
	*ret_new = true;
	return t->last = idx;
}

static void track_syn(struct flow *f, int dir, const struct cap_pkt *p)
{
	if (!(p->tcp_flags & CAP_TCP_SYN))
		return;
	f->d[dir].syn = true;
	f->d[dir].isn = p->seq;
	if (f->client < 0)
		f->client = (p->tcp_flags & CAP_TCP_ACK) ? (int8_t)!dir : (int8_t)dir;
}

/*
 * The client inventory: once a direction's own bytes read as Kafka requests
 * (the classifier's verdict for that direction), its segments go to a
 * request stream (cap_kreq.c) for the rest of the flow.
 */
static void kafka_requests(struct cap_flowtab *t, struct flow *f, int dir, const struct cap_pkt *p)
{
	if (f->ks_dir == -2 || (f->ks && f->ks_dir != dir))
		return;
	if (!f->ks) {
		const struct verdict *v = &f->v[dir];
		if (v->cls != CAP_CLASS_KAFKA || v->sender_is_client != 1) {
			if (f->final)
				f->ks_dir = -2; /* settled as something else: never look again */
			return;
		}
		bool own = dir == 0 ? cap_kclients_own(t->kc, &f->a, f->pa, &f->b, f->pb)
				    : cap_kclients_own(t->kc, &f->b, f->pb, &f->a, f->pa);
		f->ks = own ? NULL : cap_kstream_new(t->kc);
		if (!f->ks) {
			f->ks_dir = -2;
			return;
		}
		if (f->d[dir].syn && p->seq == f->d[dir].isn + 1)
			cap_kstream_boundary(f->ks, p->seq); /* the stream's first byte */
		f->ks_dir = (int8_t)dir;
	}
	if (dir == 0)
		cap_kstream_seg(t->kc, f->ks, p, &f->a, &f->b, f->pb);
	else
		cap_kstream_seg(t->kc, f->ks, p, &f->b, &f->a, f->pa);
}

void cap_flowtab_set_kclients(struct cap_flowtab *t, struct cap_kclients *kc)
{
	t->kc = kc;
}

int cap_flowtab_add(struct cap_flowtab *t, const struct cap_pkt *p, uint64_t ts_us)
{
	int dir;
	bool fresh;
	uint32_t idx;
	struct flow *f;

	if (ts_us > t->now_us)
		t->now_us = ts_us;
	evict_idle(t);
	idx = flow_lookup(t, p, &dir, &fresh);
	if (!idx)
		return 0;
	f = IDX(t, idx);
	if (fresh) {
		f->first_us = ts_us;
		f->tunnel = p->tunnel;
	}
	f->last_us = ts_us > f->last_us ? ts_us : f->last_us;
	f->pkts[dir]++;
	f->bytes[dir] += p->ip_len;
	track_syn(f, dir, p);
	uint8_t list = p->payload_declared || f->list == LIST_ESTABLISHED ? LIST_ESTABLISHED
									  : LIST_EMBRYONIC;
	if (t->lru[list].tail != idx) { /* most packets follow one of the same flow */
		lru_unlink(t, idx);
		lru_append(t, idx, list);
	}
	if (p->payload_declared) {
		if (!f->final)
			feed(t, f, dir, p);
		if (t->kc)
			kafka_requests(t, f, dir, p);
	}
	return f->flagged ? 1 : 0;
}

void cap_flowtab_flush(struct cap_flowtab *t)
{
	for (int l = 0; l < LIST_COUNT; l++)
		while (t->lru[l].head)
			flow_finish(t, t->lru[l].head);
}

void cap_flowtab_stats(const struct cap_flowtab *t, struct cap_flowtab_stats *ret)
{
	double m = CAP_OVERCAP_BITS, z = m - (double)t->overcap_set;
	double est = t->overcap_set == 0 ? 0 : z < 1 ? m * log(m) : -m * log(z / m);

	memset(ret, 0, sizeof(*ret));
	ret->flows = t->next_id;
	ret->flows_over_cap = t->early_drops + (uint64_t)(est + 0.5);
	ret->flows_refused = t->refused;
	ret->flows_idle = t->idle;
	ret->active = t->n_used;
	ret->clf_pool_bytes = t->pool;
}
