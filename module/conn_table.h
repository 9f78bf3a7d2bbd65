/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection table's insides, shared by conn.c (lookups, inserts,
 * life cycle) and conn_sweep.c (expiry, flushes, dumps, counters) and by
 * nothing else: see conn.h for the interface and conn.c for the design
 * and DOC: Locking.
 */
#ifndef _MAGLEV_CONN_TABLE_H
#define _MAGLEV_CONN_TABLE_H

#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "conn.h"

#define MAGLEV_CONN_LOCKS		1024
#define MAGLEV_CONN_BUCKETS_MIN		64
#define MAGLEV_CONN_BUCKETS_MAX		(MAGLEV_CONN_MAX_LIMIT / 2)
/* The expiry work sweeps 1/8 of the buckets every second. */
#define MAGLEV_CONN_GC_INTERVAL		HZ
#define MAGLEV_CONN_GC_SHIFT		3
/* Buckets between cond_resched() (and RCU unlocks in dumps). */
#define MAGLEV_CONN_CHUNK		256
/* An expiry moved by less than this is not written back. */
#define MAGLEV_CONN_REFRESH		HZ
/* Buckets after its own a full table's insert searches for a victim. */
#define MAGLEV_CONN_EVICT_SCAN		8

/**
 * struct maglev_conn_pcpu - one CPU's counters
 * @syncp: for 64-bit reads on 32-bit hosts
 * @ctr: enum maglev_conn_ctr
 */
struct maglev_conn_pcpu {
	struct u64_stats_sync syncp;
	u64_stats_t ctr[MAGLEV_CONN_CTR_MAX];
};

/**
 * struct maglev_conn_table - a namespace's connection table
 * @buckets: hash chains (RCU)
 * @locks: striped bucket locks: bucket b uses @locks[b & @lock_mask]
 * @mask: number of buckets - 1
 * @lock_mask: number of locks - 1
 * @count: linked entries, at most @max
 * @max: bound on @count
 * @secret: keys the bucket hash (hsiphash)
 * @timeout: per state, in jiffies
 * @pcpu: counters
 * @base: counter values at the last zeroing (config mutex)
 * @gc: expiry work
 * @gc_next: next bucket the expiry work scans (expiry work)
 * @gc_buckets: buckets scanned per run
 * @net: the namespace it serves
 * @rcu: frees it after a grace period
 */
struct maglev_conn_table {
	struct hlist_head *buckets;
	spinlock_t *locks;	/* bucket locks, see DOC: Locking */
	u32 mask;
	u32 lock_mask;
	atomic_t count;
	u32 max;
	hsiphash_key_t secret;
	unsigned int timeout[__MAGLEV_CONN_S_MAX];
	struct maglev_conn_pcpu __percpu *pcpu;
	u64 base[MAGLEV_CONN_CTR_MAX];
	struct delayed_work gc;
	u32 gc_next;
	u32 gc_buckets;
	possible_net_t net;
	struct rcu_head rcu;
};

static inline void maglev_conn_count(struct maglev_conn_table *t,
				     enum maglev_conn_ctr ctr, unsigned int n)
{
	struct maglev_conn_pcpu *p = this_cpu_ptr(t->pcpu);

	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->ctr[ctr], n);
	u64_stats_update_end(&p->syncp);
}

static inline bool maglev_conn_expired(const struct maglev_conn *c,
				       unsigned long now)
{
	return time_after_eq(now, READ_ONCE(c->expires));
}

static inline spinlock_t *maglev_conn_lock(const struct maglev_conn_table *t,
					   u32 b)
{
	return &t->locks[b & t->lock_mask];
}

void maglev_conn_unlink(struct maglev_conn_table *t, struct maglev_conn *c);
void maglev_conn_gc_work(struct work_struct *work);

#endif /* _MAGLEV_CONN_TABLE_H */
