/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection table (Maglev paper, section 3.3): each forwarder
 * remembers the backend of the flows it has seen, so that a flow keeps its
 * backend when backends are added, removed, drained or re-weighted. The
 * Maglev table covers what this table cannot: a flow the forwarder never
 * saw, and flows that did not fit.
 *
 * Entries name their service and backend by u32 ids, never by pointer: the
 * packet path resolves them in the service's current configuration, under
 * RCU, and applies these rules (SYN means SYN without ACK):
 *
 * - hit, but the entry names another service (a port-0 service's flow that
 *   an exact-port service added since now claims, or a service deleted and
 *   re-created): a miss that reuses the entry.
 * - hit, backend up with weight > 0: use it; maglev_conn_update().
 * - hit, backend drained (weight 0): existing flows keep it; a SYN picks
 *   again from the Maglev table (maglev_conn_set_backend()).
 * - hit, backend down: the flow moves on its next packet: pick from the
 *   Maglev table, maglev_conn_set_backend().
 * - hit, maglev_conn_update() returned true (SYN on an entry that saw FIN
 *   or RST: the tuple is being reused): pick again from the Maglev table.
 * - hit, id unknown (backend removed): with "rehash" (the default),
 *   removing backends calls maglev_conn_flush_backends() and the packet is
 *   treated as a miss; with "drop" (IPVS's expire_nodest_conn=0) entries
 *   are kept and their packets dropped until they expire, except a SYN,
 *   which picks again.
 * - miss (also an unknown mid-stream flow): pick from the Maglev table and
 *   maglev_conn_insert() with maglev_conn_state_new(). MAGLEV_CONN_EXISTS
 *   (another CPU won the race): follow the returned entry as a hit.
 *   MAGLEV_CONN_FULL or MAGLEV_CONN_NOMEM: forward by the Maglev table
 *   anyway (counted), never drop.
 * - deleting a service calls maglev_conn_flush_service().
 *
 * Unconfirmed entries (conntrack's "assured" in reverse): a forwarder only
 * sees the client's half of a flow, so one spoofed packet per address would
 * otherwise fill the table with long-lived entries. An entry starts
 * unconfirmed; it is confirmed by the ACK that follows a SYN (the client
 * answering the server's SYN-ACK) or, for an entry created in mid-stream
 * (TCP without SYN, UDP, SCTP), by the flow's next packet. Until then it
 * lives at most the half-open (TCP_SYN) timeout and may be evicted to
 * admit a new flow, like half-open and closing entries. Confirmed
 * established, UDP and SCTP entries are never evicted.
 */
#ifndef _MAGLEV_CONN_H
#define _MAGLEV_CONN_H

#include <linux/compiler.h>
#include <linux/rculist.h>
#include <linux/types.h>

#include "maglev.h"

struct maglev_conn_table;
struct maglev_svc_key;
struct net;

/**
 * enum maglev_conn_state - what an entry has seen of its flow
 * @MAGLEV_CONN_S_TCP_SYN: SYN only (half-open); may be evicted
 * @MAGLEV_CONN_S_TCP_EST: an ACK without SYN: established
 * @MAGLEV_CONN_S_TCP_FIN: FIN seen; may be evicted
 * @MAGLEV_CONN_S_TCP_CLOSE: RST seen; may be evicted
 * @MAGLEV_CONN_S_UDP: UDP
 * @MAGLEV_CONN_S_SCTP: SCTP
 * @__MAGLEV_CONN_S_MAX: number of states
 */
enum maglev_conn_state {
	MAGLEV_CONN_S_TCP_SYN,
	MAGLEV_CONN_S_TCP_EST,
	MAGLEV_CONN_S_TCP_FIN,
	MAGLEV_CONN_S_TCP_CLOSE,
	MAGLEV_CONN_S_UDP,
	MAGLEV_CONN_S_SCTP,

	__MAGLEV_CONN_S_MAX
};

/**
 * enum maglev_conn_res - what maglev_conn_insert() did
 * @MAGLEV_CONN_ADDED: inserted a new entry
 * @MAGLEV_CONN_EXISTS: a live entry for the flow exists and was returned
 * @MAGLEV_CONN_FULL: the table is full and nothing could be evicted
 * @MAGLEV_CONN_NOMEM: no memory
 */
enum maglev_conn_res {
	MAGLEV_CONN_ADDED,
	MAGLEV_CONN_EXISTS,
	MAGLEV_CONN_FULL,
	MAGLEV_CONN_NOMEM,
};

/**
 * enum maglev_conn_ctr - connection table counters
 * @MAGLEV_CONN_CTR_INSERTS: entries added
 * @MAGLEV_CONN_CTR_HITS: lookups that found a live entry
 * @MAGLEV_CONN_CTR_MISSES: lookups that did not
 * @MAGLEV_CONN_CTR_EXPIRES: expired entries removed
 * @MAGLEV_CONN_CTR_EVICTIONS: live entries evicted to admit a new one
 *	(unconfirmed, half-open or closing)
 * @MAGLEV_CONN_CTR_FULL: inserts refused: table full
 * @MAGLEV_CONN_CTR_NOMEM: inserts refused: no memory
 * @MAGLEV_CONN_CTR_MAX: number of counters
 */
enum maglev_conn_ctr {
	MAGLEV_CONN_CTR_INSERTS,
	MAGLEV_CONN_CTR_HITS,
	MAGLEV_CONN_CTR_MISSES,
	MAGLEV_CONN_CTR_EXPIRES,
	MAGLEV_CONN_CTR_EVICTIONS,
	MAGLEV_CONN_CTR_FULL,
	MAGLEV_CONN_CTR_NOMEM,
	MAGLEV_CONN_CTR_MAX,
};

/* struct maglev_conn.flags */
#define MAGLEV_CONN_F_CONFIRMED		BIT(0)

/**
 * struct maglev_conn - one remembered flow
 * @node: in its bucket (bucket lock; RCU for readers)
 * @rcu: frees it after a grace period
 * @expires: jiffies at which it expires
 * @owner: the service's id << 32 | the backend's id, written as one word
 *	so that a reader never sees one service's backend with another
 * @sport: source port, network order
 * @dport: destination port, network order
 * @family: AF_INET or AF_INET6
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
 * @state: enum maglev_conn_state
 * @flags: MAGLEV_CONN_F_*
 * @addr: addresses; IPv4 entries are allocated without the IPv6 part
 * @addr.v4: IPv4 source and destination
 * @addr.v6: IPv6 source and destination
 *
 * 64 bytes for IPv4, 88 for IPv6 (two caches). Everything but @node,
 * @rcu, @owner, @state, @flags and @expires is immutable.
 */
struct maglev_conn {
	struct hlist_node node;
	struct rcu_head rcu;
	unsigned long expires;
	u64 owner;
	__be16 sport;
	__be16 dport;
	u8 family;
	u8 proto;
	u8 state;
	u8 flags;
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
		} v4;
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
		} v6;
	} addr;
};

/**
 * struct maglev_conn_stats - a snapshot of a table's counters
 * @entries: current entries
 * @max: bound on @entries
 * @buckets: hash buckets
 * @ctr: enum maglev_conn_ctr, since the last zeroing
 */
struct maglev_conn_stats {
	u32 entries;
	u32 max;
	u32 buckets;
	u64 ctr[MAGLEV_CONN_CTR_MAX];
};

/**
 * struct maglev_conn_info - an entry as a dump reports it
 * @flow: family, protocol, addresses and ports (tcp_flags zero)
 * @svc_id: service id
 * @be_id: backend id
 * @state: enum maglev_conn_state
 * @confirmed: the flow has proven itself (see above)
 * @expires_ms: milliseconds until it expires; 0 if it has
 */
struct maglev_conn_info {
	struct maglev_flow flow;
	u32 svc_id;
	u32 be_id;
	u8 state;
	bool confirmed;
	u32 expires_ms;
};

/**
 * struct maglev_conn_iter - where a dump resumes
 * @bucket: bucket index
 * @pos: entries of that bucket already visited
 *
 * Zero it before the first call; it fits in a netlink callback's ctx.
 */
struct maglev_conn_iter {
	u32 bucket;
	u32 pos;
};

#define MAGLEV_CONN_MAX_LIMIT		16777216	/* 2^24 */
#define MAGLEV_CONN_TIMEOUT_MAX		(7 * 24 * 3600)

int maglev_conn_init(void);
void maglev_conn_exit(void);

struct maglev_conn_table *maglev_conn_table_create(struct net *net, u32 max);
void maglev_conn_table_destroy(struct maglev_conn_table *t);
int maglev_conn_set_max(struct maglev_conn_table *t, u32 max);
int maglev_conn_set_timeout(struct maglev_conn_table *t,
			    enum maglev_conn_state state, unsigned int secs);
unsigned int maglev_conn_default_timeout(enum maglev_conn_state state);
unsigned int maglev_conn_get_timeout(const struct maglev_conn_table *t,
				     enum maglev_conn_state state);

struct maglev_conn *maglev_conn_find(struct maglev_conn_table *t,
				     const struct maglev_flow *key);
u32 maglev_conn_bucket(const struct maglev_conn_table *t,
		       const struct maglev_flow *key);
struct maglev_conn *maglev_conn_lookup_at(struct maglev_conn_table *t,
					  const struct maglev_flow *key,
					  u32 *bucket);
struct maglev_conn *maglev_conn_insert_at(struct maglev_conn_table *t,
					  const struct maglev_flow *key, u32 b,
					  u32 svc_id, u32 be_id,
					  enum maglev_conn_state state,
					  enum maglev_conn_res *res);

/**
 * maglev_conn_lookup - maglev_conn_lookup_at() without keeping the bucket
 * @t: the table
 * @key: the flow
 *
 * Context: softirq or BHs disabled, rcu_read_lock().
 * Return: the flow's live entry, valid until rcu_read_unlock(), or NULL.
 */
static inline struct maglev_conn *
maglev_conn_lookup(struct maglev_conn_table *t, const struct maglev_flow *key)
{
	u32 b;

	return maglev_conn_lookup_at(t, key, &b);
}

/**
 * maglev_conn_insert - maglev_conn_insert_at() in @key's bucket
 * @t: the table
 * @key: the flow
 * @svc_id: the service's id
 * @be_id: the backend's id
 * @state: initial state, usually maglev_conn_state_new(@key)
 * @res: out: what happened
 *
 * Context: softirq or BHs disabled, rcu_read_lock().
 * Return: as maglev_conn_insert_at().
 */
static inline struct maglev_conn *
maglev_conn_insert(struct maglev_conn_table *t, const struct maglev_flow *key,
		   u32 svc_id, u32 be_id, enum maglev_conn_state state,
		   enum maglev_conn_res *res)
{
	return maglev_conn_insert_at(t, key, maglev_conn_bucket(t, key),
				     svc_id, be_id, state, res);
}

enum maglev_conn_state maglev_conn_state_new(const struct maglev_flow *flow);
bool maglev_conn_update(const struct maglev_conn_table *t,
			struct maglev_conn *c, u8 tcp_flags);

unsigned int maglev_conn_flush(struct maglev_conn_table *t);
unsigned int maglev_conn_flush_service(struct maglev_conn_table *t,
				       u32 svc_id);
unsigned int maglev_conn_flush_backends(struct maglev_conn_table *t,
					u32 *ids, u32 n);
u32 maglev_conn_buckets(const struct maglev_conn_table *t);

int maglev_conn_dump(struct maglev_conn_table *t, struct maglev_conn_iter *it,
		     bool (*filter)(const struct maglev_conn *c,
				    const void *arg),
		     const void *farg,
		     int (*emit)(const struct maglev_conn *c, void *arg),
		     void *earg);
void maglev_conn_get_info(const struct maglev_conn *c,
			  struct maglev_conn_info *info);
void maglev_conn_stats_read(const struct maglev_conn_table *t,
			    struct maglev_conn_stats *st);
void maglev_conn_stats_zero(struct maglev_conn_table *t);

/**
 * maglev_conn_be_id - the backend an entry names
 * @c: the entry, under RCU
 *
 * Return: the backend id.
 */
static inline u32 maglev_conn_be_id(const struct maglev_conn *c)
{
	return (u32)READ_ONCE(c->owner);
}

/**
 * maglev_conn_owner - the service and backend an entry names, read at once
 * @c: the entry, under RCU
 * @svc_id: out: the service's id
 *
 * Return: the backend's id.
 */
static inline u32 maglev_conn_owner(const struct maglev_conn *c, u32 *svc_id)
{
	u64 owner = READ_ONCE(c->owner);

	*svc_id = owner >> 32;
	return (u32)owner;
}

/**
 * maglev_conn_state - an entry's state
 * @c: the entry, under RCU
 *
 * Return: enum maglev_conn_state.
 */
static inline enum maglev_conn_state maglev_conn_state(const struct maglev_conn *c)
{
	return READ_ONCE(c->state);
}

/**
 * maglev_conn_set_backend - move a flow to another backend (or service)
 * @c: the entry, under RCU
 * @svc_id: the service's id
 * @be_id: the new backend's id
 *
 * Lockless: two CPUs racing on one flow both store a valid pair.
 */
static inline void maglev_conn_set_backend(struct maglev_conn *c, u32 svc_id,
					   u32 be_id)
{
	u64 owner = (u64)svc_id << 32 | be_id;

	if (READ_ONCE(c->owner) != owner)
		WRITE_ONCE(c->owner, owner);
}

#endif /* _MAGLEV_CONN_H */
