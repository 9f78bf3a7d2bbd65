// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line parts of kshim_pkt.h: what the kernel exports and the
 * module calls (spinlocks, call_rcu(), kmem_cache, ipv6_skip_exthdr()).
 */
#ifndef KSHIM_PKT
#define KSHIM_PKT
#endif
#include "../kshim.h"

int kshim_preempt_count;
volatile unsigned long jiffies;

/* _raw_spin_lock(): preempt_disable() and queued_spin_lock()'s fast path. */
noinline void spin_lock(spinlock_t *l)
{
	int val = 0;

	kshim_preempt_count++;
	while (!__atomic_compare_exchange_n(&l->locked, &val, 1, false,
					    __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED))
		val = 0;
	KSHIM_LOCKED_TOGGLE();
}

noinline void spin_lock_bh(spinlock_t *l)
{
	spin_lock(l);
}

static struct rcu_head *rcu_pending;

noinline void call_rcu(struct rcu_head *head,
					void (*func)(struct rcu_head *head))
{
	head->func = func;
	head->next = rcu_pending;
	rcu_pending = head;
}

void rcu_barrier(void)
{
	struct rcu_head *h;

	while ((h = rcu_pending)) {
		rcu_pending = h->next;
		h->func(h);
	}
}

/* A free list per cache, refilled a "slab" of 64 objects at a time. */
struct kmem_cache {
	unsigned int size;
	void *free;
	void **slabs;
	unsigned int nslabs;
	unsigned int cap;
};

#define KSHIM_SLAB_OBJS	64

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s = calloc(1, sizeof(*s));

	if (s)
		s->size = (size + 7) & ~7U;
	return s;
}

static noinline bool kmem_cache_refill(struct kmem_cache *s)
{
	char *slab = malloc((size_t)s->size * KSHIM_SLAB_OBJS);
	unsigned int i;

	if (!slab)
		return false;
	/* Grown by doubling: a refill's cost must not grow with the count. */
	if (s->nslabs == s->cap) {
		unsigned int cap = s->cap ? 2 * s->cap : 64;
		void **slabs = realloc(s->slabs, cap * sizeof(*slabs));

		if (!slabs) {
			free(slab);
			return false;
		}
		s->slabs = slabs;
		s->cap = cap;
	}
	s->slabs[s->nslabs++] = slab;
	for (i = KSHIM_SLAB_OBJS; i-- > 0; ) {
		*(void **)(slab + i * s->size) = s->free;
		s->free = slab + i * s->size;
	}
	return true;
}

noinline void *kmem_cache_alloc(struct kmem_cache *s,
						  gfp_t gfp)
{
	void *obj = s->free;

	if (unlikely(!obj)) {
		if (!kmem_cache_refill(s))
			return NULL;
		obj = s->free;
	}
	s->free = *(void **)obj;
	return obj;
}

noinline void kmem_cache_free(struct kmem_cache *s,
					       void *obj)
{
	*(void **)obj = s->free;
	s->free = obj;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->nslabs; i++)
		free(s->slabs[i]);
	free(s->slabs);
	free(s);
}

/* Deterministic, so that every run hashes alike. */
void get_random_bytes(void *buf, size_t len)
{
	static u64 x = 0x9e3779b97f4a7c15ULL;
	u8 *p = buf;

	while (len--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*p++ = x;
	}
}

int skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len)
{
	if (offset < 0 || len < 0 || (unsigned int)offset + len > skb->len)
		return -EFAULT;
	memcpy(to, skb->data + offset, len);
	return 0;
}

static noinline bool ipv6_ext_hdr(u8 nexthdr)
{
	return nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING ||
	       nexthdr == NEXTHDR_FRAGMENT || nexthdr == NEXTHDR_AUTH ||
	       nexthdr == NEXTHDR_NONE || nexthdr == NEXTHDR_DEST;
}

/* net/ipv6/exthdrs_core.c */
noinline int ipv6_skip_exthdr(const struct sk_buff *skb,
					       int start, u8 *nexthdrp,
					       __be16 *frag_offp)
{
	u8 nexthdr = *nexthdrp;

	*frag_offp = 0;
	while (ipv6_ext_hdr(nexthdr)) {
		struct ipv6_opt_hdr _hdr, *hp;
		int hdrlen;

		if (nexthdr == NEXTHDR_NONE)
			return -1;
		hp = skb_header_pointer(skb, start, sizeof(_hdr), &_hdr);
		if (!hp)
			return -1;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			__be16 _frag_off, *fp;

			fp = skb_header_pointer(skb, start +
						offsetof(struct frag_hdr,
							 frag_off),
						sizeof(_frag_off), &_frag_off);
			if (!fp)
				return -1;
			*frag_offp = *fp;
			if (ntohs(*frag_offp) & ~0x7)
				break;
			hdrlen = 8;
		} else if (nexthdr == NEXTHDR_AUTH) {
			hdrlen = (hp->hdrlen + 2) << 2;
		} else {
			hdrlen = (hp->hdrlen + 1) << 3;
		}
		nexthdr = hp->nexthdr;
		start += hdrlen;
	}
	*nexthdrp = nexthdr;
	return start;
}

/* net/ipv6/exthdrs_core.c, for target NEXTHDR_FRAGMENT (frag.c's use) */
noinline int ipv6_find_hdr(const struct sk_buff *skb, unsigned int *offset,
			   int target, unsigned short *fragoff, int *fragflg)
{
	unsigned int start = skb_network_offset(skb) + sizeof(struct ipv6hdr);
	u8 nexthdr = ((const struct ipv6hdr *)(skb->data +
			skb_network_offset(skb)))->nexthdr;

	while (nexthdr != target) {
		struct ipv6_opt_hdr _hdr, *hp;

		if (!ipv6_ext_hdr(nexthdr) || nexthdr == NEXTHDR_NONE ||
		    nexthdr == NEXTHDR_FRAGMENT)
			return -ENOENT;
		hp = skb_header_pointer(skb, start, sizeof(_hdr), &_hdr);
		if (!hp)
			return -EBADMSG;
		if (nexthdr == NEXTHDR_AUTH)
			start += (hp->hdrlen + 2) << 2;
		else
			start += (hp->hdrlen + 1) << 3;
		nexthdr = hp->nexthdr;
	}
	*offset = start;
	return nexthdr;
}

void kfree_skb(struct sk_buff *skb)
{
	free(skb);
}

u32 get_random_u32(void)
{
	u32 v;

	get_random_bytes(&v, sizeof(v));
	return v;
}

/* One header word before the object: which allocator it came from. */
static struct kmem_cache *kshim_kmalloc;

noinline void *kzalloc(size_t size, gfp_t gfp)
{
	unsigned long *p;

	if (size <= KSHIM_KMALLOC_MAX) {
		if (unlikely(!kshim_kmalloc))
			kshim_kmalloc = kmem_cache_create("kmalloc", 16 +
						KSHIM_KMALLOC_MAX, 0, 0, NULL);
		p = kmem_cache_alloc(kshim_kmalloc, gfp);
		if (!p)
			return NULL;
		p[0] = 1;
		memset(p + 2, 0, size);
	} else {
		p = calloc(1, 16 + size);
		if (!p)
			return NULL;
	}
	return p + 2;
}

noinline void kfree(const void *obj)
{
	unsigned long *p = (unsigned long *)obj - 2;

	if (!obj)
		return;
	if (p[0])
		kmem_cache_free(kshim_kmalloc, p);
	else
		free(p);
}
