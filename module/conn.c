// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table: flow -> backend id, per namespace (see conn.h for
 * what the packet path does with it).
 *
 * A fixed array of hash chains sized from the maximum at creation (load
 * factor 1..2 when full), rather than an rhashtable: the bound on entries
 * already caps the useful size, so automatic resizing would only add a
 * worker, transient double bucket arrays and inserts that fail with -EBUSY
 * while it runs; a fixed array also gives a stable (bucket, position) for
 * resuming netlink dumps, lets the expiry work sweep by bucket index, and
 * lets a full table evict within the one bucket it has locked. The bucket
 * hash is hsiphash with a random per-table secret, independent of the
 * cluster seed, so senders cannot aim at one chain: the kernel's keyed
 * hash for hash tables (SipHash-1-3 on 64-bit, HalfSipHash-1-3 on 32-bit),
 * whose outputs, bucket indices, are never shown to the sender. The
 * Maglev flow hash (service.c) stays SipHash-2-4 under the cluster seed:
 * every forwarder must compute it alike. Raising the maximum
 * past twice the number of buckets is refused (maglev_conn_buckets()): the
 * bucket array is sized once, when the table is created.
 *
 * Entries are freed with call_rcu() into their own kmem_caches, not
 * SLAB_TYPESAFE_BY_RCU: with type-safe slabs an entry may be reused for
 * another flow while the packet path reads it, which needs a reference
 * count or sequence check per packet (nf_conntrack's refcount and key
 * re-check); a grace period is cheaper here. As entries never move between
 * chains nor are reused within a grace period, plain RCU hlists suffice
 * (hlist_nulls exist to detect a walker moved to another chain by reuse).
 * call_rcu() rather than kfree_rcu(): before v6.12 rcu_barrier() does not
 * wait for kfree_rcu() batches, and the caches are destroyed at module
 * unload. The price is that up to one grace period's worth of unlinked
 * entries is still allocated beyond the maximum.
 *
 * Sizes: 64 bytes per IPv4 entry, 88 per IPv6 entry (two caches; see
 * struct maglev_conn), plus 4..8 bytes of bucket array per entry of the
 * maximum, allocated up front.
 *
 * DOC: Locking
 *
 * - Lookups (maglev_conn_find(), maglev_conn_lookup()) take no lock: the
 *   caller holds rcu_read_lock() and the entry stays valid until it drops
 *   it. The packet path updates an entry's state, expiry and backend id
 *   in place with READ_ONCE()/WRITE_ONCE(); racing writers on one flow
 *   each store a valid value.
 * - Linking and unlinking take the bucket's lock, striped over at most
 *   MAGLEV_CONN_LOCKS spinlocks, never two at once. Inserts run in softirq
 *   (spin_lock()) and allocate their entry with GFP_NOWAIT: before taking
 *   the lock while the table has room (the lock then covers the chain walk
 *   and the link; an entry another CPU's insert made unnecessary is freed
 *   unpublished), under it and only once they know it will be linked when
 *   the table is full. The expiry work, flushes and destroy run in process
 *   context with BHs disabled (spin_lock_bh()), one bucket at a time, with
 *   cond_resched() between chunks of buckets.
 * - @count is atomic and only increased by a compare-and-swap that keeps it
 *   at most @max; it counts linked entries and the places inserts in
 *   progress reserved (given back if they link nothing or replace).
 * - Unlinked entries are freed by RCU callbacks; the table itself too, so
 *   a reader that still holds it stays safe. Module exit waits for the
 *   callbacks with rcu_barrier() before maglev_conn_exit() destroys the
 *   caches.
 * - Counters are per-CPU, added with BHs disabled. The packet path hands
 *   the bucket of a lookup miss to the insert that follows
 *   (maglev_conn_lookup_at(), maglev_conn_insert_at()): a bucket is a
 *   function of the key and the table's secret alone.
 */
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "conn.h"
#include "conn_table.h"

/* Seconds; IPVS's values for the states a one-way (DR/tunnel) balancer
 * sees: SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE; UDP; SCTP established.
 */
static const unsigned int maglev_conn_timeouts[__MAGLEV_CONN_S_MAX] = {
	[MAGLEV_CONN_S_TCP_SYN] = 60,
	[MAGLEV_CONN_S_TCP_EST] = 15 * 60,
	[MAGLEV_CONN_S_TCP_FIN] = 2 * 60,
	[MAGLEV_CONN_S_TCP_CLOSE] = 10,
	[MAGLEV_CONN_S_UDP] = 5 * 60,
	[MAGLEV_CONN_S_SCTP] = 15 * 60,
};

#define MAGLEV_CONN_SIZE4 (offsetof(struct maglev_conn, addr) + \
			   sizeof_field(struct maglev_conn, addr.v4))
#define MAGLEV_CONN_SIZE6 sizeof(struct maglev_conn)

static struct kmem_cache *maglev_conn_cache4 __read_mostly;
static struct kmem_cache *maglev_conn_cache6 __read_mostly;

/* Unconfirmed, half-open and closing entries may make room for a new one. */
static bool maglev_conn_evictable(const struct maglev_conn *c)
{
	u8 state = READ_ONCE(c->state);

	return !(READ_ONCE(c->flags) & MAGLEV_CONN_F_CONFIRMED) ||
	       state == MAGLEV_CONN_S_TCP_SYN || state == MAGLEV_CONN_S_TCP_FIN ||
	       state == MAGLEV_CONN_S_TCP_CLOSE;
}

/* How long an entry in @state lives without packets: an unconfirmed one no
 * longer than a half-open one.
 */
static unsigned long maglev_conn_timeout(const struct maglev_conn_table *t,
					 u8 state, bool confirmed)
{
	unsigned long to = READ_ONCE(t->timeout[state]);

	if (!confirmed)
		to = min_t(unsigned long, to,
			   READ_ONCE(t->timeout[MAGLEV_CONN_S_TCP_SYN]));
	return to;
}

static u32 maglev_conn_hash(const struct maglev_conn_table *t,
			    const struct maglev_flow *key)
{
	u32 ports = (u32)ntohs(key->sport) << 16 | ntohs(key->dport);
	struct {
		struct in6_addr saddr;
		struct in6_addr daddr;
		u32 ports;
		u32 proto;
	} buf;

	if (key->family == AF_INET)
		return hsiphash_4u32((__force u32)key->saddr.v4,
				     (__force u32)key->daddr.v4, ports,
				     key->proto, &t->secret);
	buf.saddr = key->saddr.v6;
	buf.daddr = key->daddr.v6;
	buf.ports = ports;
	buf.proto = key->proto;
	return hsiphash(&buf, sizeof(buf), &t->secret);
}

static bool maglev_conn_key_eq(const struct maglev_conn *c,
			       const struct maglev_flow *key)
{
	if (c->sport != key->sport || c->dport != key->dport ||
	    c->family != key->family || c->proto != key->proto)
		return false;
	if (c->family == AF_INET)
		return c->addr.v4.saddr == key->saddr.v4 &&
		       c->addr.v4.daddr == key->daddr.v4;
	return ipv6_addr_equal(&c->addr.v6.saddr, &key->saddr.v6) &&
	       ipv6_addr_equal(&c->addr.v6.daddr, &key->daddr.v6);
}

static void maglev_conn_free_rcu(struct rcu_head *head)
{
	struct maglev_conn *c = container_of(head, struct maglev_conn, rcu);

	kmem_cache_free(c->family == AF_INET ? maglev_conn_cache4 :
			maglev_conn_cache6, c);
}

/**
 * maglev_conn_unlink - unlink an entry and free it after a grace period
 * @t: the table
 * @c: the entry
 *
 * Context: its bucket's lock held.
 */
void maglev_conn_unlink(struct maglev_conn_table *t, struct maglev_conn *c)
{
	hlist_del_rcu(&c->node);
	atomic_dec(&t->count);
	call_rcu(&c->rcu, maglev_conn_free_rcu);
}

/* Bucket lock held; @new takes @old's place and count. */
static void maglev_conn_replace(struct maglev_conn *old,
				struct maglev_conn *new)
{
	hlist_replace_rcu(&old->node, &new->node);
	call_rcu(&old->rcu, maglev_conn_free_rcu);
}

/* One more entry, if that stays within the maximum. */
static bool maglev_conn_reserve(struct maglev_conn_table *t)
{
	u32 max = READ_ONCE(t->max);
	int n = atomic_read(&t->count);

	do {
		if ((u32)n >= max)
			return false;
	} while (!atomic_try_cmpxchg(&t->count, &n, n + 1));
	return true;
}

/* Packet path: never sleeps, never warns; failures are counted. */
static __always_inline struct maglev_conn *
maglev_conn_alloc(const struct maglev_conn_table *t,
		  const struct maglev_flow *key, u64 owner,
		  enum maglev_conn_state state)
{
	const gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	struct maglev_conn *c;

	if (key->family == AF_INET) {
		c = kmem_cache_alloc(maglev_conn_cache4, gfp);
		if (!c)
			return NULL;
		c->addr.v4.saddr = key->saddr.v4;
		c->addr.v4.daddr = key->daddr.v4;
	} else {
		c = kmem_cache_alloc(maglev_conn_cache6, gfp);
		if (!c)
			return NULL;
		c->addr.v6.saddr = key->saddr.v6;
		c->addr.v6.daddr = key->daddr.v6;
	}
	c->sport = key->sport;
	c->dport = key->dport;
	c->family = key->family;
	c->proto = key->proto;
	c->state = state;
	c->flags = 0;
	c->owner = owner;
	c->expires = jiffies + maglev_conn_timeout(t, state, false);
	return c;
}

/*
 * The table is full. Of the next few buckets after @b, the one holding the
 * expired or evictable entry closest to expiring, and that expiry; read
 * without their locks, under RCU, so the answer is a hint. Returns
 * U32_MAX when none has one.
 */
static u32 maglev_conn_best_near(struct maglev_conn_table *t, u32 b,
				 unsigned long now, unsigned long *expires)
{
	u32 i, nb, best = U32_MAX;
	struct maglev_conn *c;
	unsigned long e;

	for (i = 1; i <= MAGLEV_CONN_EVICT_SCAN && i <= t->mask; i++) {
		nb = (b + i) & t->mask;
		hlist_for_each_entry_rcu(c, &t->buckets[nb], node) {
			if (!maglev_conn_expired(c, now) && !maglev_conn_evictable(c))
				continue;
			e = READ_ONCE(c->expires);
			if (best == U32_MAX || time_before(e, *expires)) {
				best = nb;
				*expires = e;
			}
		}
	}
	return best;
}

/*
 * Evict the expired or evictable entry of bucket @b closest to expiring,
 * under its lock. Returns whether an entry went.
 */
static bool maglev_conn_evict_bucket(struct maglev_conn_table *t, u32 b)
{
	spinlock_t *lock = maglev_conn_lock(t, b);
	struct maglev_conn *c, *victim = NULL;
	unsigned long now = jiffies;

	spin_lock(lock);
	hlist_for_each_entry(c, &t->buckets[b], node) {
		if (!maglev_conn_expired(c, now) && !maglev_conn_evictable(c))
			continue;
		if (!victim || time_before(READ_ONCE(c->expires),
					   READ_ONCE(victim->expires)))
			victim = c;
	}
	if (victim) {
		maglev_conn_count(t, maglev_conn_expired(victim, now) ?
				  MAGLEV_CONN_CTR_EXPIRES :
				  MAGLEV_CONN_CTR_EVICTIONS, 1);
		maglev_conn_unlink(t, victim);
	}
	spin_unlock(lock);
	return victim;
}

/* The live entry of @key in bucket @b, or NULL. */
static struct maglev_conn *maglev_conn_find_in(struct maglev_conn_table *t,
					       const struct maglev_flow *key,
					       u32 b)
{
	unsigned long now = jiffies;
	struct maglev_conn *c;

	hlist_for_each_entry_rcu(c, &t->buckets[b], node)
		if (maglev_conn_key_eq(c, key))
			return maglev_conn_expired(c, now) ? NULL : c;
	return NULL;
}

/**
 * maglev_conn_find - the live entry of a flow, without counting
 * @t: the table
 * @key: the flow; family, protocol, addresses and ports are used
 *
 * Context: rcu_read_lock(); any context.
 * Return: the entry, valid until rcu_read_unlock(), or NULL.
 */
struct maglev_conn *maglev_conn_find(struct maglev_conn_table *t,
				     const struct maglev_flow *key)
{
	return maglev_conn_find_in(t, key, maglev_conn_hash(t, key) & t->mask);
}

/**
 * maglev_conn_bucket - the bucket of a flow
 * @t: the table
 * @key: the flow; family, protocol, addresses and ports are used
 *
 * Context: any.
 * Return: the bucket maglev_conn_insert_at() takes for @key in @t.
 */
u32 maglev_conn_bucket(const struct maglev_conn_table *t,
		       const struct maglev_flow *key)
{
	return maglev_conn_hash(t, key) & t->mask;
}

/**
 * maglev_conn_lookup_at - the live entry of a flow, for the packet path
 * @t: the table
 * @key: the flow; family, protocol, addresses and ports are used
 * @bucket: out, set on a miss only: maglev_conn_bucket(@t, @key), for the
 *	insert that follows (maglev_conn_insert_at()), so that it does not
 *	hash the flow again
 *
 * Counts a hit or a miss. An expired entry is a miss; the insert that
 * follows replaces it.
 *
 * Context: softirq or BHs disabled, rcu_read_lock().
 * Return: the entry, valid until rcu_read_unlock(), or NULL.
 */
struct maglev_conn *maglev_conn_lookup_at(struct maglev_conn_table *t,
					  const struct maglev_flow *key,
					  u32 *bucket)
{
	u32 b = maglev_conn_hash(t, key) & t->mask;
	struct maglev_conn *c = maglev_conn_find_in(t, key, b);

	if (c) {
		maglev_conn_count(t, MAGLEV_CONN_CTR_HITS, 1);
		return c;
	}
	*bucket = b;
	maglev_conn_count(t, MAGLEV_CONN_CTR_MISSES, 1);
	return NULL;
}

/* An entry allocated for an insert that did not link it: never published. */
static void maglev_conn_discard(struct maglev_conn_table *t,
				struct maglev_conn *c, bool reserved)
{
	if (reserved)
		atomic_dec(&t->count);
	if (c)
		kmem_cache_free(c->family == AF_INET ? maglev_conn_cache4 :
				maglev_conn_cache6, c);
}

/**
 * maglev_conn_insert_at - remember a flow's backend
 * @t: the table
 * @key: the flow; family, protocol, addresses and ports are used
 * @b: its bucket: maglev_conn_bucket(@t, @key), as maglev_conn_lookup_at()
 *	gave it for the same @t
 * @svc_id: the service's id
 * @be_id: the backend's id
 * @state: initial state, usually maglev_conn_state_new(@key)
 * @res: out: what happened
 *
 * An expired entry for the flow is replaced. When the table is full, an
 * expired entry of the same bucket makes room, else the unconfirmed,
 * half-open or closing entry closest to expiring of that bucket and the
 * next MAGLEV_CONN_EVICT_SCAN ones; confirmed established, UDP and SCTP
 * entries never do. The entry starts unconfirmed.
 *
 * While the table has room, the entry is reserved, allocated and filled
 * before the bucket lock is taken, which then only covers the chain walk
 * and the link; it is freed unpublished if another CPU linked the flow
 * first. A full table's insert allocates under the lock, once it knows
 * what it will replace, so that a flood refused with MAGLEV_CONN_FULL
 * allocates nothing.
 *
 * Context: softirq or BHs disabled, rcu_read_lock().
 * Return: the new entry (MAGLEV_CONN_ADDED), the flow's live entry
 * (MAGLEV_CONN_EXISTS), both valid until rcu_read_unlock(), or NULL
 * (MAGLEV_CONN_FULL, MAGLEV_CONN_NOMEM).
 */
struct maglev_conn *maglev_conn_insert_at(struct maglev_conn_table *t,
					  const struct maglev_flow *key, u32 b,
					  u32 svc_id, u32 be_id,
					  enum maglev_conn_state state,
					  enum maglev_conn_res *res)
{
	struct maglev_conn *c, *new = NULL, *last, *stale;
	struct maglev_conn *dead, *victim, *old;
	struct hlist_head *head = &t->buckets[b];
	spinlock_t *lock = maglev_conn_lock(t, b);
	u64 owner = (u64)svc_id << 32 | be_id;
	unsigned long now = jiffies;
	bool reserved, retried = false;

	reserved = maglev_conn_reserve(t);
	if (reserved) {
		new = maglev_conn_alloc(t, key, owner, state);
		if (!new)
			goto nomem;
	}
retry:
	last = NULL;
	stale = NULL;
	dead = NULL;
	victim = NULL;
	spin_lock(lock);
	hlist_for_each_entry(c, head, node) {
		last = c;
		if (maglev_conn_key_eq(c, key)) {
			if (!maglev_conn_expired(c, now)) {
				spin_unlock(lock);
				maglev_conn_discard(t, new, reserved);
				*res = MAGLEV_CONN_EXISTS;
				return c;
			}
			stale = c;
		} else if (maglev_conn_expired(c, now)) {
			dead = dead ?: c;
		} else if (maglev_conn_evictable(c) &&
			   (!victim || time_before(READ_ONCE(c->expires),
						   READ_ONCE(victim->expires)))) {
			victim = c;
		}
	}

	/*
	 * Decide where the entry goes. A full table evicts an expired entry
	 * of this bucket, else the evictable entry closest to expiring of
	 * this bucket and the next few: so that neither an empty bucket nor
	 * a bucket whose only evictable entry is a young real flow's makes a
	 * flood's older entries win.
	 */
	old = stale;
	if (!old && !reserved) {
		reserved = maglev_conn_reserve(t);
		if (!reserved && !dead && !retried) {
			unsigned long nexp;
			u32 nb = maglev_conn_best_near(t, b, now, &nexp);

			if (nb != U32_MAX &&
			    (!victim ||
			     time_before(nexp, READ_ONCE(victim->expires)))) {
				spin_unlock(lock);
				retried = true;
				maglev_conn_evict_bucket(t, nb);
				goto retry;
			}
		}
		if (!reserved)
			old = dead ?: victim;
		if (!reserved && !old) {
			spin_unlock(lock);
			maglev_conn_count(t, MAGLEV_CONN_CTR_FULL, 1);
			*res = MAGLEV_CONN_FULL;
			return NULL;
		}
	}
	if (!new) {
		new = maglev_conn_alloc(t, key, owner, state);
		if (!new) {
			spin_unlock(lock);
			goto nomem;
		}
	}
	if (!old) {
		if (last)
			hlist_add_behind_rcu(&new->node, &last->node);
		else
			hlist_add_head_rcu(&new->node, head);
	} else {
		maglev_conn_replace(old, new);
	}
	spin_unlock(lock);
	if (old) {
		/* The replaced entry's place needs no reservation. */
		if (reserved)
			atomic_dec(&t->count);
		maglev_conn_count(t, old == victim ? MAGLEV_CONN_CTR_EVICTIONS :
				  MAGLEV_CONN_CTR_EXPIRES, 1);
	}
	maglev_conn_count(t, MAGLEV_CONN_CTR_INSERTS, 1);
	*res = MAGLEV_CONN_ADDED;
	return new;

nomem:
	if (reserved)
		atomic_dec(&t->count);
	maglev_conn_count(t, MAGLEV_CONN_CTR_NOMEM, 1);
	*res = MAGLEV_CONN_NOMEM;
	return NULL;
}

/**
 * maglev_conn_state_new - the state of a new entry for a packet's flow
 * @flow: the packet's flow
 *
 * TCP: RST -> CLOSE, FIN -> FIN, SYN without ACK -> SYN, anything else
 * (an unknown flow in mid-stream) -> EST.
 *
 * Return: enum maglev_conn_state.
 */
enum maglev_conn_state maglev_conn_state_new(const struct maglev_flow *flow)
{
	u8 f = flow->tcp_flags;

	switch (flow->proto) {
	case IPPROTO_TCP:
		if (f & TCPHDR_RST)
			return MAGLEV_CONN_S_TCP_CLOSE;
		if (f & TCPHDR_FIN)
			return MAGLEV_CONN_S_TCP_FIN;
		if ((f & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN)
			return MAGLEV_CONN_S_TCP_SYN;
		return MAGLEV_CONN_S_TCP_EST;
	case IPPROTO_SCTP:
		return MAGLEV_CONN_S_SCTP;
	default:
		return MAGLEV_CONN_S_UDP;
	}
}

/* The client-to-VIP half of IPVS's input-only TCP state table. FIN and
 * RST states ignore ACKs (the client acknowledges the server's FIN); a SYN
 * on them starts a new connection on the same tuple.
 */
static u8 maglev_conn_tcp_next(u8 state, u8 f, bool *reopen)
{
	bool closing = state == MAGLEV_CONN_S_TCP_FIN ||
		       state == MAGLEV_CONN_S_TCP_CLOSE;

	if (f & TCPHDR_RST)
		return MAGLEV_CONN_S_TCP_CLOSE;
	if (f & TCPHDR_FIN)
		return state == MAGLEV_CONN_S_TCP_CLOSE ? state :
		       MAGLEV_CONN_S_TCP_FIN;
	if (f & TCPHDR_SYN) {
		if (!(f & TCPHDR_ACK) && closing) {
			*reopen = true;
			return MAGLEV_CONN_S_TCP_SYN;
		}
		return state;
	}
	if ((f & TCPHDR_ACK) && state == MAGLEV_CONN_S_TCP_SYN)
		return MAGLEV_CONN_S_TCP_EST;
	return state;
}

/**
 * maglev_conn_update - account a packet of the flow to its entry
 * @t: the table
 * @c: the entry
 * @tcp_flags: the packet's TCP flags (0 for other protocols)
 *
 * Advances a TCP entry's state, confirms the entry when the packet proves
 * the flow (see conn.h) and pushes the expiry to now + the state's
 * timeout. The expiry is written only when the state changes or it moves
 * by MAGLEV_CONN_REFRESH or more, so most packets only read the entry.
 *
 * Context: rcu_read_lock().
 * Return: true if the packet is a SYN on an entry that had seen FIN or
 * RST: a new connection reusing the tuple, which may pick a new backend.
 */
bool maglev_conn_update(const struct maglev_conn_table *t,
			struct maglev_conn *c, u8 tcp_flags)
{
	u8 old = READ_ONCE(c->state), state = old;
	u8 flags = READ_ONCE(c->flags);
	bool confirmed = flags & MAGLEV_CONN_F_CONFIRMED;
	bool reopen = false, confirm;
	unsigned long expires;

	if (c->proto == IPPROTO_TCP) {
		state = maglev_conn_tcp_next(old, tcp_flags, &reopen);
		/* The ACK after a SYN, or a second packet in mid-stream. */
		confirm = !confirmed && !reopen &&
			  ((old == MAGLEV_CONN_S_TCP_SYN &&
			    state == MAGLEV_CONN_S_TCP_EST) ||
			   (old == MAGLEV_CONN_S_TCP_EST &&
			    !(tcp_flags & TCPHDR_SYN)));
	} else {
		confirm = !confirmed;
	}
	if (reopen && confirmed) {
		/* A new connection on the tuple proves itself again. */
		WRITE_ONCE(c->flags, flags & ~MAGLEV_CONN_F_CONFIRMED);
		confirmed = false;
	}
	if (confirm) {
		WRITE_ONCE(c->flags, flags | MAGLEV_CONN_F_CONFIRMED);
		confirmed = true;
	}
	expires = jiffies + maglev_conn_timeout(t, state, confirmed);
	if (state != old || confirm) {
		WRITE_ONCE(c->state, state);
		WRITE_ONCE(c->expires, expires);
	} else if (time_after_eq(expires,
				 READ_ONCE(c->expires) + MAGLEV_CONN_REFRESH)) {
		WRITE_ONCE(c->expires, expires);
	}
	return reopen;
}

/**
 * maglev_conn_default_timeout - a state's timeout in a new table
 * @state: the state
 *
 * Return: seconds.
 */
unsigned int maglev_conn_default_timeout(enum maglev_conn_state state)
{
	return maglev_conn_timeouts[state];
}

static void maglev_conn_table_free(struct maglev_conn_table *t)
{
	free_percpu(t->pcpu);
	kvfree(t->locks);
	kvfree(t->buckets);
	kfree(t);
}

static void maglev_conn_table_free_rcu(struct rcu_head *head)
{
	maglev_conn_table_free(container_of(head, struct maglev_conn_table,
					    rcu));
}

/**
 * maglev_conn_table_create - allocate a connection table
 * @net: the namespace it serves
 * @max: bound on entries, at most MAGLEV_CONN_MAX_LIMIT; sizes the hash
 *
 * Starts the expiry work.
 *
 * Context: process context.
 * Return: the table or an ERR_PTR().
 */
struct maglev_conn_table *maglev_conn_table_create(struct net *net, u32 max)
{
	struct maglev_conn_table *t;
	u32 nb, nl, i;
	int cpu;

	if (max > MAGLEV_CONN_MAX_LIMIT)
		return ERR_PTR(-ERANGE);
	nb = clamp_t(u32, roundup_pow_of_two(max ?: 1) / 2,
		     MAGLEV_CONN_BUCKETS_MIN, MAGLEV_CONN_BUCKETS_MAX);
	nl = min_t(u32, nb, MAGLEV_CONN_LOCKS);

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->buckets = kvcalloc(nb, sizeof(*t->buckets), GFP_KERNEL_ACCOUNT);
	t->locks = kvmalloc_array(nl, sizeof(*t->locks), GFP_KERNEL_ACCOUNT);
	t->pcpu = alloc_percpu_gfp(struct maglev_conn_pcpu, GFP_KERNEL_ACCOUNT);
	if (!t->buckets || !t->locks || !t->pcpu) {
		maglev_conn_table_free(t);
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < nb; i++)
		INIT_HLIST_HEAD(&t->buckets[i]);
	for (i = 0; i < nl; i++)
		spin_lock_init(&t->locks[i]);
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(t->pcpu, cpu)->syncp);
	t->mask = nb - 1;
	t->lock_mask = nl - 1;
	t->max = max;
	get_random_bytes(&t->secret, sizeof(t->secret));
	for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
		t->timeout[i] = maglev_conn_timeouts[i] * HZ;
	t->gc_buckets = max_t(u32, nb >> MAGLEV_CONN_GC_SHIFT,
			      MAGLEV_CONN_BUCKETS_MIN);
	write_pnet(&t->net, net);
	INIT_DELAYED_WORK(&t->gc, maglev_conn_gc_work);
	queue_delayed_work(system_power_efficient_wq, &t->gc,
			   MAGLEV_CONN_GC_INTERVAL);
	return t;
}

/**
 * maglev_conn_table_destroy - stop the expiry work and free a table
 * @t: the table, or NULL
 *
 * Entries and the table are freed after a grace period, so readers still
 * holding @t under RCU stay safe, but nothing may insert any more.
 *
 * Context: process context, after the packet path stopped inserting
 * (hooks unregistered); may sleep.
 */
void maglev_conn_table_destroy(struct maglev_conn_table *t)
{
	if (!t)
		return;
	cancel_delayed_work_sync(&t->gc);
	maglev_conn_flush(t);
	call_rcu(&t->rcu, maglev_conn_table_free_rcu);
}

/**
 * maglev_conn_init - create the entry caches
 *
 * Context: module init.
 * Return: 0 or -ENOMEM.
 */
int maglev_conn_init(void)
{
	BUILD_BUG_ON(MAGLEV_CONN_SIZE4 > 64);
	BUILD_BUG_ON(MAGLEV_CONN_MAX_LIMIT > INT_MAX);
	BUILD_BUG_ON((u64)MAGLEV_CONN_TIMEOUT_MAX * HZ > LONG_MAX / 2);

	maglev_conn_cache4 = kmem_cache_create("maglev_conn4", MAGLEV_CONN_SIZE4,
					       __alignof__(struct maglev_conn),
					       0, NULL);
	if (!maglev_conn_cache4)
		return -ENOMEM;
	maglev_conn_cache6 = kmem_cache_create("maglev_conn6", MAGLEV_CONN_SIZE6,
					       __alignof__(struct maglev_conn),
					       0, NULL);
	if (!maglev_conn_cache6) {
		kmem_cache_destroy(maglev_conn_cache4);
		return -ENOMEM;
	}
	return 0;
}

/**
 * maglev_conn_exit - destroy the entry caches
 *
 * Context: module exit, after every table was destroyed and rcu_barrier()
 * waited for the entries' and tables' RCU callbacks.
 */
void maglev_conn_exit(void)
{
	kmem_cache_destroy(maglev_conn_cache6);
	kmem_cache_destroy(maglev_conn_cache4);
}
