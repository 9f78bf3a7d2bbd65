// SPDX-License-Identifier: GPL-2.0
/*
 * Fragments of VIP traffic (paper section 4.3), stage 2: the fragment
 * table.
 *
 * Only a datagram's first fragment carries the ports, so later fragments
 * cannot be hashed like the rest of their flow. Each namespace keeps a
 * bounded table of datagrams, keyed by (family, source, destination,
 * protocol, identification):
 *
 * - the first fragment picks its backend exactly as an unfragmented packet
 *   of its 5-tuple would (connection table, then Maglev table; done by the
 *   caller, frag_path.c) and records it here; later fragments follow it;
 * - a later fragment that arrives before the first is held (at most
 *   &maglev_frag_limits.hold per datagram and .hold_bytes of skb truesize
 *   in all); the held fragments are sent, in arrival order, right after
 *   the first; when the first does not come within .timeout_ms they are
 *   freed (MAGLEV_CTR_FRAG_EXPIRED);
 * - a datagram over a hold limit is poisoned: its held fragments are freed
 *   and every later fragment of it is dropped until the entry expires;
 * - the table is full (.max datagrams): a first fragment is still sent,
 *   unrecorded; a later one that would need a new entry is dropped.
 *
 * Entries live .timeout_ms from their creation, recorded or not; a sweep
 * timer runs every half timeout while the table has entries.
 *
 * DOC: Locking
 *
 * One spinlock per table protects the hash chains, every entry and the
 * counts: fragments are a small share of traffic, and a datagram's
 * fragments must be serialised anyway. It is taken from the packet path
 * and the sweep timer (softirq) and, with BHs disabled, at teardown.
 * Held skbs are sent or freed after the lock is dropped. A first
 * fragment's entry is allocated before the lock (GFP_NOWAIT) while the
 * table has room, and its bucket is hashed once, by maglev_frag_first_at(),
 * for maglev_frag_record_at(); a later fragment that starts a datagram
 * allocates under the lock. Entries are never
 * reached without the lock, so they are freed at once. The table itself is
 * created with its namespace and destroyed after the namespace's hooks are
 * gone (maglev_frag_table_destroy() stops the timer first).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/sctp.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <linux/timer.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "frag.h"
#include "stats.h"

#define MAGLEV_FRAG_BUCKETS	1024

enum maglev_frag_state {
	MAGLEV_FRAG_S_PENDING,	/* later fragments held, first awaited */
	MAGLEV_FRAG_S_KNOWN,	/* first seen: backend recorded */
	MAGLEV_FRAG_S_DEAD,	/* poisoned, or not forwarded: drop the rest */
};

/**
 * struct maglev_frag - one tracked datagram
 * @node: in its hash chain
 * @key: the datagram
 * @owner: its recorded backend (KNOWN)
 * @expires: jiffies
 * @held: fragments held (PENDING), in arrival order
 * @held_bytes: their truesize
 * @state: enum maglev_frag_state
 */
struct maglev_frag {
	struct hlist_node node;
	struct maglev_frag_key key;
	struct maglev_frag_owner owner;
	unsigned long expires;
	struct sk_buff_head held;
	u32 held_bytes;
	u8 state;
};

/**
 * struct maglev_frag_table - a namespace's fragment table
 * @lock: protects everything below (DOC: Locking)
 * @timer: the sweep
 * @stats: the namespace's counters
 * @count: entries
 * @held_bytes: truesize of every held fragment
 * @timeout: the last timeout used, jiffies, for the sweep's period
 * @dying: teardown started: the timer must not re-arm
 * @secret: keys the chain hash
 * @chain: hash chains
 */
struct maglev_frag_table {
	spinlock_t lock;	/* see DOC: Locking */
	struct timer_list timer;
	struct maglev_stats *stats;
	u32 count;
	u32 held_bytes;
	unsigned long timeout;
	bool dying;
	u32 secret;
	struct hlist_head chain[MAGLEV_FRAG_BUCKETS];
};

/* Read the ports (and TCP flags) at @off, as parse.c does. */
static bool maglev_frag_ports(const struct sk_buff *skb, int off,
			      struct maglev_flow *flow)
{
	u8 hdr[14];
	const u8 *p;

	switch (flow->proto) {
	case IPPROTO_TCP:
		p = skb_header_pointer(skb, off, sizeof(struct tcphdr), hdr);
		if (p)
			flow->tcp_flags = p[13];
		break;
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		p = skb_header_pointer(skb, off, 4, hdr);
		break;
	default:
		return false;
	}
	if (!p)
		return false;
	memcpy(&flow->sport, p, 2);
	memcpy(&flow->dport, p + 2, 2);
	return true;
}

/**
 * maglev_frag_parse() - identify a fragment
 * @skb: an IPv4 or IPv6 packet, network header at its start
 * @fi: out
 *
 * Does not modify @skb. IPv6 atomic fragments (offset 0, no M flag) are
 * not fragments.
 *
 * Return: true when @skb is a fragment with readable headers.
 */
bool maglev_frag_parse(const struct sk_buff *skb, struct maglev_frag_info *fi)
{
	int off = skb_network_offset(skb);

	memset(fi, 0, sizeof(*fi));
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5 ||
		    !(iph->frag_off & htons(IP_MF | IP_OFFSET)))
			return false;
		fi->key.family = AF_INET;
		fi->key.saddr.v4 = iph->saddr;
		fi->key.daddr.v4 = iph->daddr;
		fi->key.id = (__force __be32)iph->id;
		fi->key.proto = iph->protocol;
		fi->flow.family = AF_INET;
		fi->flow.saddr.v4 = iph->saddr;
		fi->flow.daddr.v4 = iph->daddr;
		fi->flow.proto = iph->protocol;
		fi->first = !(iph->frag_off & htons(IP_OFFSET));
		if (fi->first)
			fi->ports = maglev_frag_ports(skb, off + iph->ihl * 4,
						      &fi->flow);
		return true;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;
		const struct frag_hdr *fh;
		struct ipv6hdr _ip6h;
		struct frag_hdr _fh;
		unsigned int fhoff = 0;
		__be16 frag_off;
		u8 nexthdr;
		int l4;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return false;
		if (ipv6_find_hdr(skb, &fhoff, NEXTHDR_FRAGMENT, NULL, NULL) !=
		    NEXTHDR_FRAGMENT)
			return false;
		fh = skb_header_pointer(skb, fhoff, sizeof(_fh), &_fh);
		if (!fh || !(fh->frag_off & htons(IP6_OFFSET | IP6_MF)))
			return false;
		fi->key.family = AF_INET6;
		fi->key.saddr.v6 = ip6h->saddr;
		fi->key.daddr.v6 = ip6h->daddr;
		fi->key.id = fh->identification;
		fi->key.proto = fh->nexthdr;
		fi->flow.family = AF_INET6;
		fi->flow.saddr.v6 = ip6h->saddr;
		fi->flow.daddr.v6 = ip6h->daddr;
		fi->flow.proto = fh->nexthdr;
		fi->first = !(fh->frag_off & htons(IP6_OFFSET));
		if (!fi->first)
			return true;
		/* Extension headers may follow in the first fragment. */
		nexthdr = fh->nexthdr;
		l4 = ipv6_skip_exthdr(skb, fhoff + sizeof(_fh), &nexthdr,
				      &frag_off);
		if (l4 < 0)
			return true;
		fi->flow.proto = nexthdr;
		fi->ports = maglev_frag_ports(skb, l4, &fi->flow);
		return true;
	}
	return false;
}

static u32 maglev_frag_hash(const struct maglev_frag_table *t,
			    const struct maglev_frag_key *key)
{
	u32 h;

	if (key->family == AF_INET)
		h = jhash_3words((__force u32)key->saddr.v4,
				 (__force u32)key->daddr.v4,
				 (__force u32)key->id ^ key->proto, t->secret);
	else
		h = jhash2((const u32 *)&key->saddr.v6, 4,
			   jhash2((const u32 *)&key->daddr.v6, 4,
				  (__force u32)key->id ^ key->proto ^
				  t->secret));
	return h & (MAGLEV_FRAG_BUCKETS - 1);
}

static bool maglev_frag_key_eq(const struct maglev_frag_key *a,
			       const struct maglev_frag_key *b)
{
	if (a->family != b->family || a->proto != b->proto || a->id != b->id)
		return false;
	if (a->family == AF_INET)
		return a->saddr.v4 == b->saddr.v4 && a->daddr.v4 == b->daddr.v4;
	return ipv6_addr_equal(&a->saddr.v6, &b->saddr.v6) &&
	       ipv6_addr_equal(&a->daddr.v6, &b->daddr.v6);
}

/* Unlink and free an entry; its held fragments go to @gone (lock held). */
static void maglev_frag_del(struct maglev_frag_table *t, struct maglev_frag *f,
			    struct sk_buff_head *gone)
{
	t->held_bytes -= f->held_bytes;
	skb_queue_splice_tail_init(&f->held, gone);
	hlist_del(&f->node);
	t->count--;
	kfree(f);
}

/*
 * The live entry for @key. An expired one is removed on the way, its held
 * fragments set aside in @expired (lock held).
 */
static struct maglev_frag *maglev_frag_find(struct maglev_frag_table *t,
					    const struct maglev_frag_key *key,
					    u32 bucket, struct sk_buff_head *expired)
{
	struct hlist_head *head = &t->chain[bucket];
	struct maglev_frag *f;

	hlist_for_each_entry(f, head, node) {
		if (!maglev_frag_key_eq(&f->key, key))
			continue;
		if (time_before(jiffies, f->expires))
			return f;
		maglev_frag_del(t, f, expired);
		return NULL;
	}
	return NULL;
}

/* Free the held fragments of a datagram that will not be forwarded. */
static void maglev_frag_kill(struct maglev_frag_table *t, struct maglev_frag *f,
			     struct sk_buff_head *gone)
{
	t->held_bytes -= f->held_bytes;
	f->held_bytes = 0;
	skb_queue_splice_tail_init(&f->held, gone);
	f->state = MAGLEV_FRAG_S_DEAD;
}

/*
 * Link a new entry for @key into @bucket, using @pre (zeroed, allocated
 * before the lock) if given; NULL when the table is full or out of memory
 * (lock held).
 */
static struct maglev_frag *maglev_frag_new(struct maglev_frag_table *t,
					   const struct maglev_frag_key *key,
					   u32 bucket,
					   const struct maglev_frag_limits *lim,
					   struct maglev_frag *pre)
{
	struct maglev_frag *f;

	if (t->count >= lim->max)
		return NULL;
	f = pre ?: kzalloc(sizeof(*f), GFP_NOWAIT | __GFP_NOWARN);
	if (!f)
		return NULL;
	f->key = *key;
	__skb_queue_head_init(&f->held);
	t->timeout = max(msecs_to_jiffies(lim->timeout_ms), 1UL);
	f->expires = jiffies + t->timeout;
	hlist_add_head(&f->node, &t->chain[bucket]);
	t->count++;
	if (!timer_pending(&t->timer) && !t->dying)
		mod_timer(&t->timer, jiffies + max(t->timeout / 2, 1UL));
	return f;
}

/* Free what a locked section set aside, counting each as @ctr. */
static void maglev_frag_free_list(struct maglev_frag_table *t,
				  struct sk_buff_head *gone,
				  enum maglev_ctr ctr)
{
	u32 n = skb_queue_len(gone);

	if (!n)
		return;
	__skb_queue_purge(gone);
	maglev_stats_add(t->stats, ctr, n);
}

/**
 * maglev_frag_later() - a later fragment (offset > 0)
 * @t: the table
 * @key: its datagram
 * @skb: the fragment
 * @create: hold it even if its datagram is not tracked yet (the caller
 *	found it is VIP traffic)
 * @lim: the namespace's bounds
 * @owner: out, for MAGLEV_FRAG_SEND
 *
 * Context: softirq, or BHs disabled.
 * Return: SEND (@owner filled; the caller sends @skb), STOLEN (@skb held,
 * the table owns it), DROP (the caller drops @skb; counted), UNKNOWN
 * (untracked and !@create: nothing done).
 */
enum maglev_frag_res maglev_frag_later(struct maglev_frag_table *t,
				       const struct maglev_frag_key *key,
				       struct sk_buff *skb, bool create,
				       const struct maglev_frag_limits *lim,
				       struct maglev_frag_owner *owner)
{
	struct sk_buff_head gone, expired;
	enum maglev_frag_res res;
	u32 bucket = maglev_frag_hash(t, key);
	struct maglev_frag *f;
	bool poisoned = false;

	__skb_queue_head_init(&gone);
	__skb_queue_head_init(&expired);
	spin_lock(&t->lock);
	f = maglev_frag_find(t, key, bucket, &expired);
	if (!f) {
		if (!create) {
			res = MAGLEV_FRAG_UNKNOWN;
			goto unlock;
		}
		f = maglev_frag_new(t, key, bucket, lim, NULL);
		if (!f) {
			maglev_stats_add(t->stats, MAGLEV_CTR_FRAG_TABLE_FULL, 1);
			res = MAGLEV_FRAG_DROP;
			goto unlock;
		}
	}
	switch (f->state) {
	case MAGLEV_FRAG_S_KNOWN:
		*owner = f->owner;
		res = MAGLEV_FRAG_SEND;
		break;
	case MAGLEV_FRAG_S_PENDING:
		if (skb_queue_len(&f->held) >= lim->hold ||
		    t->held_bytes + skb->truesize > lim->hold_bytes) {
			maglev_frag_kill(t, f, &gone);
			poisoned = true;
			res = MAGLEV_FRAG_DROP;
			break;
		}
		/* No route yet (PREROUTING); the device is set back when
		 * the held fragment is sent, as IP reassembly does.
		 */
		skb_dst_drop(skb);
		skb->dev = NULL;
		__skb_queue_tail(&f->held, skb);
		f->held_bytes += skb->truesize;
		t->held_bytes += skb->truesize;
		res = MAGLEV_FRAG_STOLEN;
		break;
	default:
		res = MAGLEV_FRAG_DROP;
		break;
	}
unlock:
	spin_unlock(&t->lock);
	if (poisoned)
		maglev_stats_add(t->stats, MAGLEV_CTR_FRAG_POISONED, 1);
	if (res == MAGLEV_FRAG_DROP)
		maglev_stats_add(t->stats, MAGLEV_CTR_FRAG_DROP, 1);
	else if (res == MAGLEV_FRAG_STOLEN)
		maglev_stats_add(t->stats, MAGLEV_CTR_FRAG_HELD, 1);
	maglev_frag_free_list(t, &gone, MAGLEV_CTR_FRAG_DROP);
	maglev_frag_free_list(t, &expired, MAGLEV_CTR_FRAG_EXPIRED);
	return res;
}

/**
 * maglev_frag_first_at() - a first fragment (offset 0), before its pick
 * @t: the table
 * @key: its datagram
 * @owner: out, for MAGLEV_FRAG_SEND
 * @bucket: out: @key's bucket, for maglev_frag_record_at() (a function
 *	of @key and the table's secret alone)
 *
 * Context: softirq, or BHs disabled.
 * Return: SEND when the datagram's backend is already recorded (a
 * duplicate), DROP when the datagram is dead (counted), NEW otherwise: the
 * caller picks the backend and calls maglev_frag_record_at().
 */
enum maglev_frag_res maglev_frag_first_at(struct maglev_frag_table *t,
					  const struct maglev_frag_key *key,
					  struct maglev_frag_owner *owner,
					  u32 *bucket)
{
	enum maglev_frag_res res = MAGLEV_FRAG_NEW;
	struct sk_buff_head gone;
	struct maglev_frag *f;

	*bucket = maglev_frag_hash(t, key);
	__skb_queue_head_init(&gone);
	spin_lock(&t->lock);
	f = maglev_frag_find(t, key, *bucket, &gone);
	if (f && f->state == MAGLEV_FRAG_S_KNOWN) {
		*owner = f->owner;
		res = MAGLEV_FRAG_SEND;
	} else if (f && f->state == MAGLEV_FRAG_S_DEAD) {
		res = MAGLEV_FRAG_DROP;
	}
	spin_unlock(&t->lock);
	if (res == MAGLEV_FRAG_DROP)
		maglev_stats_add(t->stats, MAGLEV_CTR_FRAG_DROP, 1);
	maglev_frag_free_list(t, &gone, MAGLEV_CTR_FRAG_EXPIRED);
	return res;
}

/**
 * maglev_frag_record_at() - record a first fragment's backend
 * @t: the table
 * @key: its datagram
 * @bucket: @key's bucket, from maglev_frag_first_at()
 * @owner: the backend picked; NULL when the datagram is not forwarded (no
 *	service or no backend): its other fragments are then dropped
 * @lim: the namespace's bounds
 *
 * The entry is allocated before the table's lock is taken while the table
 * has room, and freed unused if another CPU recorded the datagram first.
 *
 * Context: softirq, or BHs disabled.
 * Return: the fragments held for the datagram, in arrival order, linked
 * by skb->next (NULL if none): the caller sends them after the first one
 * and counts them (MAGLEV_CTR_FRAG_FLUSHED). When the table is full the
 * datagram is not recorded (MAGLEV_CTR_FRAG_TABLE_FULL).
 */
struct sk_buff *maglev_frag_record_at(struct maglev_frag_table *t,
				      const struct maglev_frag_key *key,
				      u32 bucket,
				      const struct maglev_frag_owner *owner,
				      const struct maglev_frag_limits *lim)
{
	struct sk_buff *list = NULL, **tail = &list, *skb;
	struct sk_buff_head gone, held, expired;
	enum maglev_ctr ctr = MAGLEV_CTR_FRAG_FIRST;
	struct maglev_frag *f, *pre = NULL;

	if (owner && READ_ONCE(t->count) < lim->max)
		pre = kzalloc(sizeof(*pre), GFP_NOWAIT | __GFP_NOWARN);
	__skb_queue_head_init(&gone);
	__skb_queue_head_init(&held);
	__skb_queue_head_init(&expired);
	spin_lock(&t->lock);
	f = maglev_frag_find(t, key, bucket, &expired);
	if (!f && owner) {
		f = maglev_frag_new(t, key, bucket, lim, pre);
		if (f)
			pre = NULL;
		else
			ctr = MAGLEV_CTR_FRAG_TABLE_FULL;
	}
	if (f && f->state == MAGLEV_FRAG_S_PENDING) {
		if (owner) {
			t->held_bytes -= f->held_bytes;
			f->held_bytes = 0;
			skb_queue_splice_tail_init(&f->held, &held);
			f->owner = *owner;
			f->state = MAGLEV_FRAG_S_KNOWN;
		} else {
			maglev_frag_kill(t, f, &gone);
		}
	}
	spin_unlock(&t->lock);
	kfree(pre);
	if (owner)
		maglev_stats_add(t->stats, ctr, 1);
	maglev_frag_free_list(t, &gone, MAGLEV_CTR_FRAG_DROP);
	maglev_frag_free_list(t, &expired, MAGLEV_CTR_FRAG_EXPIRED);
	while ((skb = __skb_dequeue(&held))) {
		*tail = skb;
		tail = &skb->next;
	}
	return list;
}

static void maglev_frag_sweep(struct timer_list *timer)
{
	struct maglev_frag_table *t = from_timer(t, timer, timer);
	struct sk_buff_head gone;
	struct maglev_frag *f;
	struct hlist_node *n;
	unsigned int i;

	__skb_queue_head_init(&gone);
	spin_lock(&t->lock);
	for (i = 0; i < MAGLEV_FRAG_BUCKETS && t->count; i++)
		hlist_for_each_entry_safe(f, n, &t->chain[i], node)
			if (!time_before(jiffies, f->expires))
				maglev_frag_del(t, f, &gone);
	if (t->count && !t->dying)
		mod_timer(&t->timer, jiffies + max(t->timeout / 2, 1UL));
	spin_unlock(&t->lock);
	maglev_frag_free_list(t, &gone, MAGLEV_CTR_FRAG_EXPIRED);
}

/**
 * maglev_frag_table_create() - a namespace's fragment table
 * @stats: the namespace's counters (outlive the table)
 *
 * Context: process context.
 * Return: the table or NULL.
 */
struct maglev_frag_table *maglev_frag_table_create(struct maglev_stats *stats)
{
	struct maglev_frag_table *t;
	unsigned int i;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	spin_lock_init(&t->lock);
	timer_setup(&t->timer, maglev_frag_sweep, 0);
	t->stats = stats;
	t->secret = get_random_u32();
	for (i = 0; i < MAGLEV_FRAG_BUCKETS; i++)
		INIT_HLIST_HEAD(&t->chain[i]);
	return t;
}

/**
 * maglev_frag_table_destroy() - free a table, its entries and held skbs
 * @t: the table, or NULL
 *
 * Context: process context; the packet path no longer reaches @t.
 */
void maglev_frag_table_destroy(struct maglev_frag_table *t)
{
	struct sk_buff_head gone;
	struct maglev_frag *f;
	struct hlist_node *n;
	unsigned int i;

	if (!t)
		return;
	spin_lock_bh(&t->lock);
	t->dying = true;
	spin_unlock_bh(&t->lock);
	timer_shutdown_sync(&t->timer);
	__skb_queue_head_init(&gone);
	spin_lock_bh(&t->lock);
	for (i = 0; i < MAGLEV_FRAG_BUCKETS; i++)
		hlist_for_each_entry_safe(f, n, &t->chain[i], node)
			maglev_frag_del(t, f, &gone);
	spin_unlock_bh(&t->lock);
	__skb_queue_purge(&gone);
	kfree(t);
}

/**
 * maglev_frag_count() - datagrams tracked now
 * @t: the table
 *
 * Return: the count.
 */
u32 maglev_frag_count(struct maglev_frag_table *t)
{
	return READ_ONCE(t->count);
}

/**
 * maglev_frag_held_bytes() - truesize of the fragments held now
 * @t: the table
 *
 * Return: bytes.
 */
u32 maglev_frag_held_bytes(struct maglev_frag_table *t)
{
	return READ_ONCE(t->held_bytes);
}
