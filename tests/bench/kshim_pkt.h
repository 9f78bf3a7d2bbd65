/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rest of the kernel's API that module/parse.c, conn.c and conn_sweep.c
 * use, for tests/bench/path_bench.c (included by kshim.h when KSHIM_PKT is
 * defined). Modelled on x86-64 as Debian's 6.1 kernel builds it, so that
 * instruction counts stay close to the module's:
 * - spin_lock() is out of line (_raw_spin_lock) and one cmpxchg; unlock is
 *   an inline release store; both count a preempt counter;
 * - RCU read side: nothing; call_rcu() queues the callback on a list that
 *   rcu_barrier() runs (the harness calls it between measurements);
 * - jiffies is a variable the harness sets; HZ is 250 (Debian's);
 * - kmem_cache: a per-cache free list refilled 64 objects at a time from
 *   malloc(), like SLUB's per-CPU free list and new slab page;
 * - per-CPU data: one CPU, this_cpu_ptr() is the pointer; u64_stats on
 *   64-bit are plain adds;
 * - skbs are linear: skb_header_pointer() as the kernel's.
 * The out-of-line parts are in kshim/pkt.c.
 */
#ifndef _MAGLEV_KSHIM_PKT_H
#define _MAGLEV_KSHIM_PKT_H

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>

/* compiler.h, kernel.h */
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	do { *(volatile typeof(x) *)&(x) = (v); } while (0)
#define barrier()		__asm__ __volatile__("" : : : "memory")
#define smp_store_release(p, v)	do { barrier(); WRITE_ONCE(*(p), (v)); } while (0)
#define __force
#define __rcu
#define __percpu
#define __read_mostly
#define __must_check
#define BIT(n)			(1UL << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define sizeof_field(t, m)	sizeof(((t *)0)->m)
#define container_of(ptr, type, member)					\
	((type *)((char *)(ptr) - offsetof(type, member)))
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define lockdep_is_held(l)	1

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << (64 - __builtin_clzl(n - 1));
}

#define MAX_ERRNO	4095
static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p)
{
	return (unsigned long)p >= (unsigned long)-MAX_ERRNO;
}

/* byte order: a little-endian host */
#define htons(x)	((__be16)__builtin_bswap16(x))
#define ntohs(x)	((u16)__builtin_bswap16((__force u16)(x)))
#define htonl(x)	((__be32)__builtin_bswap32(x))
#define ntohl(x)	((u32)__builtin_bswap32((__force u32)(x)))
#define le16_to_cpu(x)	((u16)(__force u16)(x))
#define le32_to_cpu(x)	((u32)(__force u32)(x))

#ifndef AF_INET
#define AF_INET		2
#define AF_INET6	10
#endif

/* atomics */
typedef struct {
	int counter;
} atomic_t;

#define atomic_read(v)		READ_ONCE((v)->counter)
#define atomic_set(v, i)	WRITE_ONCE((v)->counter, (i))
#define atomic_dec(v)		__atomic_fetch_sub(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_inc(v)		__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_try_cmpxchg(v, old, new)					\
	__atomic_compare_exchange_n(&(v)->counter, (old), (new), false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)

/* preempt count and spinlocks */
extern int kshim_preempt_count;

typedef struct {
	int locked;
} spinlock_t;

/*
 * With KSHIM_COUNT_LOCKED, callgrind collects only while a bucket lock is
 * held (run with --collect-atstart=no): the locked sections' length.
 */
#ifdef KSHIM_COUNT_LOCKED
#include <valgrind/callgrind.h>
#define KSHIM_LOCKED_TOGGLE()	CALLGRIND_TOGGLE_COLLECT
#else
#define KSHIM_LOCKED_TOGGLE()	do { } while (0)
#endif

#define spin_lock_init(l)	((l)->locked = 0)
void spin_lock(spinlock_t *l);
static inline void spin_unlock(spinlock_t *l)
{
	KSHIM_LOCKED_TOGGLE();
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	kshim_preempt_count--;
}

void spin_lock_bh(spinlock_t *l);
static inline void spin_unlock_bh(spinlock_t *l)
{
	spin_unlock(l);
}

/* RCU */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define rcu_read_lock()		do { } while (0)
#define rcu_read_unlock()	do { } while (0)
#define rcu_dereference(p)	READ_ONCE(p)
#define rcu_assign_pointer(p, v) smp_store_release(&(p), (v))
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void rcu_barrier(void);

/* lists (list.h, rculist.h) */
struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define LIST_POISON2		((void *)0x122)
#define INIT_HLIST_HEAD(ptr)	((ptr)->first = NULL)
#define hlist_entry(ptr, type, member) container_of(ptr, type, member)
#define hlist_entry_safe(ptr, type, member)				\
	({ typeof(ptr) ____ptr = (ptr);					\
	   ____ptr ? hlist_entry(____ptr, type, member) : NULL; })

static inline int hlist_empty(const struct hlist_head *h)
{
	return !READ_ONCE(h->first);
}

static inline void __hlist_del(struct hlist_node *n)
{
	struct hlist_node *next = n->next;
	struct hlist_node **pprev = n->pprev;

	WRITE_ONCE(*pprev, next);
	if (next)
		WRITE_ONCE(next->pprev, pprev);
}

static inline void hlist_del_rcu(struct hlist_node *n)
{
	__hlist_del(n);
	WRITE_ONCE(n->pprev, LIST_POISON2);
}

static inline void hlist_replace_rcu(struct hlist_node *old,
				     struct hlist_node *new)
{
	struct hlist_node *next = old->next;

	new->next = next;
	WRITE_ONCE(new->pprev, old->pprev);
	rcu_assign_pointer(*new->pprev, new);
	if (next)
		WRITE_ONCE(new->next->pprev, &new->next);
	WRITE_ONCE(old->pprev, LIST_POISON2);
}

static inline void hlist_add_head_rcu(struct hlist_node *n,
				      struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	WRITE_ONCE(n->pprev, &h->first);
	rcu_assign_pointer(h->first, n);
	if (first)
		WRITE_ONCE(first->pprev, &n->next);
}

static inline void hlist_add_behind_rcu(struct hlist_node *n,
					struct hlist_node *prev)
{
	n->next = prev->next;
	WRITE_ONCE(n->pprev, &prev->next);
	rcu_assign_pointer(prev->next, n);
	if (n->next)
		WRITE_ONCE(n->next->pprev, &n->next);
}

#define hlist_for_each_entry(pos, head, member)				\
	for (pos = hlist_entry_safe((head)->first, typeof(*(pos)), member); \
	     pos;							\
	     pos = hlist_entry_safe((pos)->member.next, typeof(*(pos)), member))

#define hlist_for_each_entry_rcu(pos, head, member, ...)		\
	for (pos = hlist_entry_safe(rcu_dereference((head)->first),	\
				    typeof(*(pos)), member);		\
	     pos;							\
	     pos = hlist_entry_safe(rcu_dereference((pos)->member.next), \
				    typeof(*(pos)), member))

#define hlist_for_each_entry_safe(pos, n, head, member)			\
	for (pos = hlist_entry_safe((head)->first, typeof(*pos), member); \
	     pos && ({ n = pos->member.next; 1; });			\
	     pos = hlist_entry_safe(n, typeof(*pos), member))

/* time */
#define HZ			250
extern volatile unsigned long jiffies;
#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return j * (1000 / HZ);
}

/* allocation */
typedef unsigned int gfp_t;
#define GFP_KERNEL_ACCOUNT	0
#define GFP_NOWAIT		0
#define __GFP_NOWARN		0
/*
 * kzalloc() of up to KSHIM_KMALLOC_MAX bytes: a kmem_cache free list as
 * SLUB's kmalloc caches (plus the memset), not glibc's calloc(), whose
 * cost is nothing like the kernel's; larger ones: calloc().
 */
#define KSHIM_KMALLOC_MAX	256
void *kzalloc(size_t size, gfp_t gfp);
void kfree(const void *p);

struct kmem_cache;
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);

/* per-CPU data and 64-bit counters, one CPU */
#define alloc_percpu_gfp(type, gfp)	((type *)calloc(1, sizeof(type)))
#define free_percpu(p)			free(p)
#define this_cpu_ptr(p)			(p)
#define per_cpu_ptr(p, cpu)		((void)(cpu), (p))
#define for_each_possible_cpu(cpu)	for ((cpu) = 0; (cpu) < 1; (cpu)++)

struct u64_stats_sync {
	int unused[0];
};

typedef struct {
	u64 v;
} u64_stats_t;

#define u64_stats_init(s)		do { } while (0)
#define u64_stats_update_begin(s)	do { } while (0)
#define u64_stats_update_end(s)		do { } while (0)
#define u64_stats_add(p, n)		((p)->v += (n))
#define u64_stats_inc(p)		((p)->v++)
#define u64_stats_read(p)		READ_ONCE((p)->v)
#define u64_stats_fetch_begin(s)	0U
#define u64_stats_fetch_retry(s, st)	((void)(st), false)

/* work queues: the expiry work never runs by itself here */
struct work_struct {
	void (*func)(struct work_struct *work);
};

struct delayed_work {
	struct work_struct work;
};

#define system_power_efficient_wq	NULL
#define INIT_DELAYED_WORK(w, f)		((w)->work.func = (f))
static inline bool queue_delayed_work(void *wq, struct delayed_work *w,
				      unsigned long delay)
{
	return true;
}

static inline bool cancel_delayed_work_sync(struct delayed_work *w)
{
	return true;
}
#define to_delayed_work(w)		container_of(w, struct delayed_work, work)

/* namespaces, random bytes */
struct net {
	int unused;
};

typedef struct {
	struct net *net;
} possible_net_t;

#define write_pnet(pnet, n)	((pnet)->net = (n))
void get_random_bytes(void *buf, size_t len);

/* packets */
#define PACKET_HOST	0
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
struct net_device;
struct sk_buff {
	struct sk_buff *next;
	struct sk_buff *prev;
	struct net_device *dev;
	unsigned int len;
	unsigned int data_len;
	unsigned int truesize;
	__be16 protocol;
	u16 network_header;
	u8 pkt_type;
	unsigned char *head;
	unsigned char *data;
};

/* skb queues (frag.c): as skbuff.h's */
struct sk_buff_head {
	struct sk_buff *next;
	struct sk_buff *prev;
	u32 qlen;
};

static inline void __skb_queue_head_init(struct sk_buff_head *list)
{
	list->prev = list->next = (struct sk_buff *)list;
	list->qlen = 0;
}

static inline u32 skb_queue_len(const struct sk_buff_head *list)
{
	return list->qlen;
}

static inline void __skb_queue_tail(struct sk_buff_head *list,
				    struct sk_buff *skb)
{
	struct sk_buff *prev = list->prev;

	skb->next = (struct sk_buff *)list;
	skb->prev = prev;
	prev->next = skb;
	list->prev = skb;
	list->qlen++;
}

static inline struct sk_buff *__skb_dequeue(struct sk_buff_head *list)
{
	struct sk_buff *skb = list->next;

	if (skb == (struct sk_buff *)list)
		return NULL;
	list->qlen--;
	list->next = skb->next;
	skb->next->prev = (struct sk_buff *)list;
	skb->next = skb->prev = NULL;
	return skb;
}

static inline void skb_queue_splice_tail_init(struct sk_buff_head *list,
					      struct sk_buff_head *head)
{
	if (list->qlen) {
		struct sk_buff *first = list->next, *last = list->prev;

		first->prev = head->prev;
		head->prev->next = first;
		last->next = (struct sk_buff *)head;
		head->prev = last;
		head->qlen += list->qlen;
		__skb_queue_head_init(list);
	}
}

void kfree_skb(struct sk_buff *skb);

static inline void __skb_queue_purge(struct sk_buff_head *list)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(list)))
		kfree_skb(skb);
}

#define skb_dst_drop(skb)	do { } while (0)

static inline unsigned int skb_headlen(const struct sk_buff *skb)
{
	return skb->len - skb->data_len;
}

static inline int skb_network_offset(const struct sk_buff *skb)
{
	return skb->head + skb->network_header - skb->data;
}

int skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len);

static inline void *skb_header_pointer(const struct sk_buff *skb, int offset,
				       int len, void *buffer)
{
	if (likely((int)skb_headlen(skb) - offset >= len))
		return skb->data + offset;
	if (unlikely(skb_copy_bits(skb, offset, buffer, len) < 0))
		return NULL;
	return buffer;
}

/* net/ip.h, net/ipv6.h, linux/sctp.h, net/tcp.h */
#define IP_MF		0x2000
#define IP_OFFSET	0x1FFF
#define IP6_MF		0x0001
#define IP6_OFFSET	0xFFF8

#define NEXTHDR_HOP		0
#define NEXTHDR_TCP		6
#define NEXTHDR_UDP		17
#define NEXTHDR_ROUTING		43
#define NEXTHDR_FRAGMENT	44
#define NEXTHDR_AUTH		51
#define NEXTHDR_NONE		59
#define NEXTHDR_DEST		60

struct frag_hdr {
	u8 nexthdr;
	u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

int ipv6_skip_exthdr(const struct sk_buff *skb, int start, u8 *nexthdrp,
		     __be16 *frag_offp);

static inline bool ipv6_addr_equal(const struct in6_addr *a1,
				   const struct in6_addr *a2)
{
	const unsigned long *ul1 = (const unsigned long *)a1;
	const unsigned long *ul2 = (const unsigned long *)a2;

	return ((ul1[0] ^ ul2[0]) | (ul1[1] ^ ul2[1])) == 0UL;
}

struct sctphdr {
	__be16 source;
	__be16 dest;
	__be32 vtag;
	__le32 checksum;
};

#define TCPHDR_FIN	0x01
#define TCPHDR_SYN	0x02
#define TCPHDR_RST	0x04
#define TCPHDR_PSH	0x08
#define TCPHDR_ACK	0x10

int ipv6_find_hdr(const struct sk_buff *skb, unsigned int *offset,
		  int target, unsigned short *fragoff, int *fragflg);

/* hlist without RCU */
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	if (first)
		first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

static inline void hlist_del(struct hlist_node *n)
{
	__hlist_del(n);
	n->next = NULL;
	n->pprev = LIST_POISON2;
}

/* timers: never fire here (the sweep is not measured) */
struct timer_list {
	void (*function)(struct timer_list *t);
	unsigned long expires;
	bool pending;
};

#define timer_setup(t, f, fl)	((t)->function = (f), (t)->pending = false)
#define from_timer(var, t, field) container_of(t, typeof(*var), field)
static inline bool timer_pending(const struct timer_list *t)
{
	return t->pending;
}

static inline int mod_timer(struct timer_list *t, unsigned long expires)
{
	t->expires = expires;
	t->pending = true;
	return 0;
}

static inline void timer_shutdown_sync(struct timer_list *t)
{
	t->pending = false;
}

static inline unsigned long msecs_to_jiffies(unsigned int m)
{
	return DIV_ROUND_UP(m, 1000 / HZ);
}

u32 get_random_u32(void);

/* linux/jhash.h: Bob Jenkins' lookup3, as the kernel's */
static inline u32 rol32(u32 word, unsigned int shift)
{
	return (word << (shift & 31)) | (word >> ((-shift) & 31));
}

#define __jhash_mix(a, b, c)			\
{						\
	a -= c;  a ^= rol32(c, 4);  c += b;	\
	b -= a;  b ^= rol32(a, 6);  a += c;	\
	c -= b;  c ^= rol32(b, 8);  b += a;	\
	a -= c;  a ^= rol32(c, 16); c += b;	\
	b -= a;  b ^= rol32(a, 19); a += c;	\
	c -= b;  c ^= rol32(b, 4);  b += a;	\
}

#define __jhash_final(a, b, c)			\
{						\
	c ^= b; c -= rol32(b, 14);		\
	a ^= c; a -= rol32(c, 11);		\
	b ^= a; b -= rol32(a, 25);		\
	c ^= b; c -= rol32(b, 16);		\
	a ^= c; a -= rol32(c, 4);		\
	b ^= a; b -= rol32(a, 14);		\
	c ^= b; c -= rol32(b, 24);		\
}

#define JHASH_INITVAL		0xdeadbeef

static inline u32 jhash2(const u32 *k, u32 length, u32 initval)
{
	u32 a, b, c;

	a = b = c = JHASH_INITVAL + (length << 2) + initval;
	while (length > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		__jhash_mix(a, b, c);
		length -= 3;
		k += 3;
	}
	switch (length) {
	case 3: c += k[2];	/* fall through */
	case 2: b += k[1];	/* fall through */
	case 1: a += k[0];
		__jhash_final(a, b, c);
		break;
	case 0:
		break;
	}
	return c;
}

static inline u32 __jhash_nwords(u32 a, u32 b, u32 c, u32 initval)
{
	a += initval;
	b += initval;
	c += initval;
	__jhash_final(a, b, c);
	return c;
}

static inline u32 jhash_3words(u32 a, u32 b, u32 c, u32 initval)
{
	return __jhash_nwords(a, b, c, initval + JHASH_INITVAL + (3 << 2));
}

/* linux/hash.h */
#define GOLDEN_RATIO_32	0x61C88647
static inline u32 hash_32(u32 val, unsigned int bits)
{
	return val * GOLDEN_RATIO_32 >> (32 - bits);
}

/*
 * For module/lookup.c and the types of service.h it reads: lists,
 * the config mutex and other members the packet path does not touch.
 */
struct list_head {
	struct list_head *next, *prev;
};

#define list_for_each_entry(pos, head, member)				\
	for (pos = container_of((head)->next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = container_of(pos->member.next, typeof(*pos), member))

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

struct mutex {
	int unused;
};

typedef struct {
	int refs;
} refcount_t;

struct dst_cache {
	void *unused;
};

#define rcu_dereference_protected(p, c)	(p)
#define kfree_rcu(p, member)	kfree(p)
void *net_generic(const struct net *net, unsigned int id);

static inline size_t size_add(size_t a, size_t b)
{
	return a + b < a ? SIZE_MAX : a + b;
}

#define struct_size(p, member, n)					\
	size_add(sizeof(*(p)), (size_t)(n) * sizeof(*(p)->member))

#endif /* _MAGLEV_KSHIM_PKT_H */
