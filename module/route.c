// SPDX-License-Identifier: GPL-2.0
/*
 * Routes to backends (and to the forwarders of the fragment pool), cached
 * per CPU and handed to the packet path without a reference.
 *
 * DOC: Route cache
 *
 * A packet to a backend needs the outer route. Looking it up costs a FIB
 * walk, and taking a reference on a shared route costs an atomic increment
 * and decrement of its refcount per packet: a cache line every CPU sending
 * to that backend writes. So each destination (struct maglev_route_cache)
 * keeps one route per CPU, holding one reference, and the packet path
 * borrows it the way IPVS's ip_vs_dest_dst does:
 *
 * - maglev_route_get() runs with BHs disabled under rcu_read_lock(): the
 *   CPU's entry is then only ever touched by this CPU, without a lock. It
 *   returns the route without taking a reference; the caller attaches it
 *   with skb_dst_set_noref().
 * - A cached route the kernel has made obsolete (route, address or PMTU
 *   change: dst_check() with the IPv6 cookie) or one cached before the
 *   last maglev_route_cache_reset() is released and looked up again.
 * - Lifetime: a released route is freed by dst_release() after an RCU
 *   grace period, so a borrowed route outlives the RCU section that got
 *   it. What leaves that section with the packet takes its own reference
 *   or drops the route: __dev_queue_xmit() (skb_dst_force() or
 *   skb_dst_drop()), nf_queue(), and fragmentation copies the borrowed
 *   route to fragments it sends synchronously.
 * - maglev_route_cache_reset() only bumps the generation and may run
 *   beside readers. maglev_route_cache_destroy() releases every CPU's
 *   route and runs only once no reader can reach the cache (the owner's
 *   last reference, after a grace period).
 */
#include <linux/err.h>
#include <linux/in.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <net/dst.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "encap.h"
#include "route.h"

/**
 * struct maglev_route_pcpu - one CPU's cached route
 * @dst: the route, referenced; NULL when none
 * @saddr: the outer source address routing chose with it
 * @cookie: the IPv6 route's cookie, for dst_check()
 * @gen: the cache's generation when it was looked up
 */
struct maglev_route_pcpu {
	struct dst_entry *dst;
	union maglev_addr saddr;
	u32 cookie;
	u32 gen;
};

/**
 * maglev_route_cache_init() - set up an empty cache
 * @rc: the cache
 * @gfp: allocation flags
 *
 * Context: process.
 *
 * Return: 0, or -ENOMEM.
 */
int maglev_route_cache_init(struct maglev_route_cache *rc, gfp_t gfp)
{
	rc->gen = 0;
	/* Per-CPU memory comes zeroed: no route on any CPU. */
	rc->pcpu = alloc_percpu_gfp(struct maglev_route_pcpu, gfp);
	return rc->pcpu ? 0 : -ENOMEM;
}

/**
 * maglev_route_cache_destroy() - release the cached routes and the cache
 * @rc: the cache; initialised, or zeroed
 *
 * Context: any; no reader may reach @rc any more.
 */
void maglev_route_cache_destroy(struct maglev_route_cache *rc)
{
	int cpu;

	if (!rc->pcpu)
		return;
	for_each_possible_cpu(cpu)
		dst_release(per_cpu_ptr(rc->pcpu, cpu)->dst);
	free_percpu(rc->pcpu);
	rc->pcpu = NULL;
}

/**
 * maglev_route_cache_reset() - make every CPU look its route up again
 * @rc: the cache
 *
 * For what dst_check() does not see: a new outer source address. Routes
 * already looked up stay until their CPU's next packet replaces them.
 *
 * Context: process, beside readers.
 */
void maglev_route_cache_reset(struct maglev_route_cache *rc)
{
	WRITE_ONCE(rc->gen, rc->gen + 1);
}

/* The CPU's route if it is still good; a stale one is released. */
static struct dst_entry *maglev_route_cached(struct maglev_route_pcpu *p,
					     u32 gen)
{
	struct dst_entry *dst = p->dst;

	if (!dst)
		return NULL;
	if (likely(p->gen == gen && dst_check(dst, p->cookie)))
		return dst;
	p->dst = NULL;
	dst_release(dst);
	return NULL;
}

/*
 * Outer IPv4 route: only unicast routes leaving the host are accepted (a
 * local or broadcast route would loop the packet back). Returns a
 * referenced route and the source address, or an ERR_PTR.
 */
static struct dst_entry *maglev_route4_lookup(struct net *net,
					      const struct maglev_encap *e,
					      union maglev_addr *saddr)
{
	struct flowi4 fl4;
	struct rtable *rt;

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = e->daddr.v4;
	fl4.saddr = e->saddr.v4;
	fl4.flowi4_proto = IPPROTO_GRE;
	if (e->use_key)
		fl4.fl4_gre_key = e->key;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return ERR_CAST(rt);
	if (rt->rt_type != RTN_UNICAST) {
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	memset(saddr, 0, sizeof(*saddr));
	saddr->v4 = fl4.saddr;
	return &rt->dst;
}

/* Outer IPv6 route: as maglev_route4_lookup(). */
static struct dst_entry *maglev_route6_lookup(struct net *net,
					      const struct maglev_encap *e,
					      union maglev_addr *saddr)
{
	struct dst_entry *dst;
	struct rt6_info *rt;
	struct flowi6 fl6;

	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = e->daddr.v6;
	fl6.saddr = e->saddr.v6;
	fl6.flowi6_proto = IPPROTO_GRE;
	if (e->use_key)
		fl6.fl6_gre_key = e->key;
	/* Picks the source address when fl6.saddr is unspecified. */
	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst))
		return dst;
	rt = container_of(dst, struct rt6_info, dst);
	if ((rt->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST)) ||
	    (dst->dev->flags & IFF_LOOPBACK) ||
	    ipv6_addr_is_multicast(&fl6.daddr)) {
		dst_release(dst);
		return ERR_PTR(-ELOOP);
	}
	saddr->v6 = fl6.saddr;
	return dst;
}

/**
 * maglev_route_get() - the outer route to a destination, borrowed
 * @net: the namespace to route in
 * @e: the destination: family, addresses, GRE key, and its route cache
 * @saddr: out: the outer source address
 *
 * Context: BHs disabled, under rcu_read_lock().
 *
 * Return: the route, valid until the caller leaves its RCU section and
 * not referenced (attach it with skb_dst_set_noref()); or an ERR_PTR when
 * there is no route or it leads back to this host.
 */
struct dst_entry *maglev_route_get(struct net *net,
				   const struct maglev_encap *e,
				   union maglev_addr *saddr)
{
	struct maglev_route_cache *rc = e->rcache;
	struct maglev_route_pcpu *p = this_cpu_ptr(rc->pcpu);
	u32 gen = READ_ONCE(rc->gen);
	struct dst_entry *dst;

	dst = maglev_route_cached(p, gen);
	if (dst) {
		*saddr = p->saddr;
		return dst;
	}
	if (e->family == AF_INET)
		dst = maglev_route4_lookup(net, e, saddr);
	else
		dst = maglev_route6_lookup(net, e, saddr);
	if (IS_ERR(dst))
		return dst;
	/* The cache keeps the lookup's reference. */
	p->dst = dst;
	p->saddr = *saddr;
	p->cookie = e->family == AF_INET6 ?
		    rt6_get_cookie(container_of(dst, struct rt6_info, dst)) : 0;
	p->gen = gen;
	return dst;
}
