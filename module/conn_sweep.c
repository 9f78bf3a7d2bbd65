// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table's sweeps, reports and settings: the expiry work,
 * flushes by service, backend or all, resumable dumps, the counters, the
 * bound and the timeouts (see conn.c for the design and DOC: Locking).
 */
#include <linux/bsearch.h>
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <net/ipv6.h>

#include "conn.h"
#include "conn_table.h"

/*
 * Unlinks the entries of @n buckets from @start (wrapping) for which @match
 * is true, or which have expired when @match is NULL. Returns how many.
 */
static unsigned int maglev_conn_sweep(struct maglev_conn_table *t, u32 start,
				      u32 n,
				      bool (*match)(const struct maglev_conn *c,
						    const void *arg),
				      const void *arg)
{
	unsigned int removed = 0, expired;
	struct maglev_conn *c;
	struct hlist_node *tmp;
	u32 i, b;

	for (i = 0; i < n; i++) {
		b = (start + i) & t->mask;
		if (i && !(i % MAGLEV_CONN_CHUNK))
			cond_resched();
		if (hlist_empty(&t->buckets[b]))
			continue;
		expired = 0;
		spin_lock_bh(maglev_conn_lock(t, b));
		hlist_for_each_entry_safe(c, tmp, &t->buckets[b], node) {
			if (match ? !match(c, arg) :
			    !maglev_conn_expired(c, jiffies))
				continue;
			maglev_conn_unlink(t, c);
			expired += !match;
			removed++;
		}
		if (expired)
			maglev_conn_count(t, MAGLEV_CONN_CTR_EXPIRES, expired);
		spin_unlock_bh(maglev_conn_lock(t, b));
	}
	return removed;
}

/* One run of the expiry work: the next @n buckets. */
static unsigned int maglev_conn_gc_run(struct maglev_conn_table *t, u32 n)
{
	unsigned int removed = 0;

	n = min(n, t->mask + 1);
	if (atomic_read(&t->count))
		removed = maglev_conn_sweep(t, t->gc_next, n, NULL, NULL);
	t->gc_next = (t->gc_next + n) & t->mask;
	return removed;
}

/**
 * maglev_conn_gc_work - the expiry work: the next slice of buckets
 * @work: &maglev_conn_table.gc
 *
 * Context: workqueue; requeues itself every MAGLEV_CONN_GC_INTERVAL.
 */
void maglev_conn_gc_work(struct work_struct *work)
{
	struct maglev_conn_table *t = container_of(to_delayed_work(work),
						   struct maglev_conn_table,
						   gc);

	maglev_conn_gc_run(t, t->gc_buckets);
	queue_delayed_work(system_power_efficient_wq, &t->gc,
			   MAGLEV_CONN_GC_INTERVAL);
}

static bool maglev_conn_match_all(const struct maglev_conn *c,
				  const void *arg)
{
	return true;
}

static bool maglev_conn_match_svc(const struct maglev_conn *c,
				  const void *arg)
{
	u32 svc_id;

	maglev_conn_owner(c, &svc_id);
	return svc_id == *(const u32 *)arg;
}

struct maglev_conn_ids {
	const u32 *ids;
	u32 n;
};

static int maglev_conn_id_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static bool maglev_conn_match_be(const struct maglev_conn *c, const void *arg)
{
	const struct maglev_conn_ids *set = arg;
	u32 id = maglev_conn_be_id(c);

	return bsearch(&id, set->ids, set->n, sizeof(id), maglev_conn_id_cmp);
}

/**
 * maglev_conn_flush - remove every entry
 * @t: the table
 *
 * Context: process context; may sleep.
 * Return: entries removed.
 */
unsigned int maglev_conn_flush(struct maglev_conn_table *t)
{
	return maglev_conn_sweep(t, 0, t->mask + 1, maglev_conn_match_all,
				 NULL);
}

/**
 * maglev_conn_flush_service - remove a service's entries
 * @t: the table
 * @svc_id: the service's id: only entries recorded for that service go,
 *	not those of another service on the same VIP (port 0 or exact)
 *
 * Context: process context; may sleep.
 * Return: entries removed.
 */
unsigned int maglev_conn_flush_service(struct maglev_conn_table *t,
				       u32 svc_id)
{
	return maglev_conn_sweep(t, 0, t->mask + 1, maglev_conn_match_svc,
				 &svc_id);
}

/**
 * maglev_conn_flush_backends - remove the entries naming any of some backends
 * @t: the table
 * @ids: the backends' ids, sorted here
 * @n: entries in @ids
 *
 * One sweep of the table however many backends go.
 *
 * Context: process context; may sleep.
 * Return: entries removed.
 */
unsigned int maglev_conn_flush_backends(struct maglev_conn_table *t,
					u32 *ids, u32 n)
{
	struct maglev_conn_ids set = { .ids = ids, .n = n };

	if (!n)
		return 0;
	sort(ids, n, sizeof(*ids), maglev_conn_id_cmp, NULL);
	return maglev_conn_sweep(t, 0, t->mask + 1, maglev_conn_match_be,
				 &set);
}

/**
 * maglev_conn_buckets - the number of hash buckets, fixed at creation
 * @t: the table
 *
 * Return: buckets.
 */
u32 maglev_conn_buckets(const struct maglev_conn_table *t)
{
	return t->mask + 1;
}

/**
 * maglev_conn_dump - visit the live entries, resumably
 * @t: the table
 * @it: where to start; left where to resume
 * @filter: which entries to pass to @emit; NULL for all
 * @farg: @filter's argument
 * @emit: called for each entry under rcu_read_lock(); nonzero stops
 * @earg: @emit's argument
 *
 * When @emit returns nonzero (a full netlink message), the next call starts
 * with the same entry. Each entry present throughout a dump is visited
 * once; entries added or removed meanwhile may or may not be, and a removal
 * in a partly visited bucket may skip an entry of that bucket.
 *
 * Context: process context; may sleep between buckets.
 * Return: 0 when every bucket has been visited, or what @emit returned.
 */
int maglev_conn_dump(struct maglev_conn_table *t, struct maglev_conn_iter *it,
		     bool (*filter)(const struct maglev_conn *c,
				    const void *arg),
		     const void *farg,
		     int (*emit)(const struct maglev_conn *c, void *arg),
		     void *earg)
{
	unsigned long now = jiffies;
	struct maglev_conn *c;
	u32 pos, n = 0;
	int err;

	rcu_read_lock();
	for (; it->bucket <= t->mask; it->bucket++, it->pos = 0) {
		if (++n % MAGLEV_CONN_CHUNK == 0) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
		pos = 0;
		hlist_for_each_entry_rcu(c, &t->buckets[it->bucket], node) {
			if (pos++ < it->pos)
				continue;
			if (maglev_conn_expired(c, now) ||
			    (filter && !filter(c, farg)))
				continue;
			err = emit(c, earg);
			if (err) {
				it->pos = pos - 1;
				rcu_read_unlock();
				return err;
			}
		}
	}
	rcu_read_unlock();
	return 0;
}

/**
 * maglev_conn_get_info - an entry's contents
 * @c: the entry, under RCU
 * @info: out
 */
void maglev_conn_get_info(const struct maglev_conn *c,
			  struct maglev_conn_info *info)
{
	long left = (long)(READ_ONCE(c->expires) - jiffies);

	memset(info, 0, sizeof(*info));
	info->flow.family = c->family;
	info->flow.proto = c->proto;
	info->flow.sport = c->sport;
	info->flow.dport = c->dport;
	if (c->family == AF_INET) {
		info->flow.saddr.v4 = c->addr.v4.saddr;
		info->flow.daddr.v4 = c->addr.v4.daddr;
	} else {
		info->flow.saddr.v6 = c->addr.v6.saddr;
		info->flow.daddr.v6 = c->addr.v6.daddr;
	}
	info->be_id = maglev_conn_owner(c, &info->svc_id);
	info->state = READ_ONCE(c->state);
	info->confirmed = READ_ONCE(c->flags) & MAGLEV_CONN_F_CONFIRMED;
	info->expires_ms = left > 0 ? jiffies_to_msecs(left) : 0;
}

static void maglev_conn_stats_sum(const struct maglev_conn_table *t, u64 *val)
{
	unsigned int i, start;
	int cpu;

	memset(val, 0, MAGLEV_CONN_CTR_MAX * sizeof(*val));
	for_each_possible_cpu(cpu) {
		const struct maglev_conn_pcpu *p = per_cpu_ptr(t->pcpu, cpu);
		u64 v[MAGLEV_CONN_CTR_MAX];

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < MAGLEV_CONN_CTR_MAX; i++)
				v[i] = u64_stats_read(&p->ctr[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < MAGLEV_CONN_CTR_MAX; i++)
			val[i] += v[i];
	}
}

/**
 * maglev_conn_stats_read - the table's size and counters
 * @t: the table
 * @st: out
 *
 * Context: serialised with maglev_conn_stats_zero() (config mutex).
 */
void maglev_conn_stats_read(const struct maglev_conn_table *t,
			    struct maglev_conn_stats *st)
{
	unsigned int i;

	st->entries = atomic_read(&t->count);
	st->max = READ_ONCE(t->max);
	st->buckets = t->mask + 1;
	maglev_conn_stats_sum(t, st->ctr);
	for (i = 0; i < MAGLEV_CONN_CTR_MAX; i++)
		st->ctr[i] -= t->base[i];
}

/**
 * maglev_conn_stats_zero - make the counters read zero from now on
 * @t: the table
 *
 * Context: serialised with maglev_conn_stats_read() (config mutex).
 */
void maglev_conn_stats_zero(struct maglev_conn_table *t)
{
	maglev_conn_stats_sum(t, t->base);
}

/**
 * maglev_conn_set_max - change the bound on entries
 * @t: the table
 * @max: at most MAGLEV_CONN_MAX_LIMIT; 0 stops new entries
 *
 * Lowering it evicts nothing: inserts fail until enough entries expire.
 *
 * Return: 0 or -ERANGE.
 */
int maglev_conn_set_max(struct maglev_conn_table *t, u32 max)
{
	if (max > MAGLEV_CONN_MAX_LIMIT)
		return -ERANGE;
	WRITE_ONCE(t->max, max);
	return 0;
}

/**
 * maglev_conn_set_timeout - change a state's timeout
 * @t: the table
 * @state: the state
 * @secs: 1..MAGLEV_CONN_TIMEOUT_MAX seconds
 *
 * Applies to entries from their next packet on.
 *
 * Return: 0, -EINVAL for an unknown state or -ERANGE.
 */
int maglev_conn_set_timeout(struct maglev_conn_table *t,
			    enum maglev_conn_state state, unsigned int secs)
{
	if ((unsigned int)state >= __MAGLEV_CONN_S_MAX)
		return -EINVAL;
	if (!secs || secs > MAGLEV_CONN_TIMEOUT_MAX)
		return -ERANGE;
	WRITE_ONCE(t->timeout[state], secs * HZ);
	return 0;
}

/**
 * maglev_conn_get_timeout - a state's timeout
 * @t: the table
 * @state: the state
 *
 * Return: seconds, or 0 for an unknown state.
 */
unsigned int maglev_conn_get_timeout(const struct maglev_conn_table *t,
				     enum maglev_conn_state state)
{
	if ((unsigned int)state >= __MAGLEV_CONN_S_MAX)
		return 0;
	return READ_ONCE(t->timeout[state]) / HZ;
}
