// SPDX-License-Identifier: GPL-2.0
/*
 * Fragments of VIP traffic on the packet path (paper section 4.3).
 *
 * maglev_hook() hands every IP fragment here. A fragment is VIP traffic
 * when its destination and protocol (for IPv6, the fragment header's next
 * header) are those of a service, whatever the port; other fragments pass
 * untouched (MAGLEV_CTR_FRAGMENTS), as before. VIP fragments never reach
 * the kernel's reassembly: our hooks run at NF_IP_PRI_RAW_BEFORE_DEFRAG
 * (-450), before nf_defrag_ipv4/ipv6 (NF_IP_PRI_CONNTRACK_DEFRAG, -400),
 * and steal or drop every one of them.
 *
 * Stage 1 (cluster, optional): with a forwarder pool configured, the pool
 * member that the pool's Maglev table picks for (source, destination,
 * protocol) owns the datagram. A forwarder that does not own it sends the
 * fragment, unchanged, GRE-encapsulated to the owner with the GRE
 * recursion control field set to 1; the owner's hook takes such packets
 * (GRE from a pool member, recursion 1, to itself), decapsulates them and
 * handles the inner fragment with stage 2 even if it would not pick itself
 * (pools that differ for a moment): a fragment is redirected at most once.
 *
 * Stage 2 (local): the fragment table (frag.c). A first fragment picks its
 * backend as an unfragmented packet of its 5-tuple would (maglev_pick():
 * connection table, then Maglev table) and records it; later fragments
 * follow the record.
 */
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/gre.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/route.h>

#include "frag.h"
#include "frag_path.h"
#include "hook.h"
#include "pool.h"
#include "service.h"

/* The GRE flags of a redirected fragment: recursion control 1. */
#define MAGLEV_POOL_GRE_FLAGS	htons(0x0100)

static void maglev_frag_limits(const struct maglev_ns_conf *nc,
			       struct maglev_frag_limits *lim)
{
	lim->max = nc->frag_max;
	lim->hold = nc->frag_hold;
	lim->hold_bytes = nc->frag_hold_bytes;
	lim->timeout_ms = nc->frag_timeout;
}

static bool maglev_frag_is_vip(const struct maglev_svc_set *set,
			       const struct maglev_frag_key *key)
{
	return maglev_svc_vip_proto(set, key->family, &key->daddr, key->proto);
}

/* Whether a pool member is this host. */
static bool maglev_pool_is_self(struct net *net,
				const struct maglev_pool_member *m)
{
	if (m->family == AF_INET)
		return inet_addr_type(net, m->addr.v4) == RTN_LOCAL;
	return ipv6_chk_addr(net, &m->addr.v6, NULL, 0);
}

/* Send a later fragment to its datagram's recorded backend. */
static unsigned int maglev_frag_follow(struct maglev_net *mn,
				       const struct maglev_svc_set *set,
				       struct sk_buff *skb, struct net *net,
				       const struct maglev_frag_owner *o)
{
	const struct maglev_be_conf *bc = NULL;
	const struct maglev_svc_conf *conf;
	struct maglev_service *svc;

	svc = maglev_svc_match(set, &o->flow);
	if (svc && svc->id == o->svc_id) {
		conf = rcu_dereference(svc->conf);
		bc = maglev_be_by_id(conf, o->be_id);
	}
	if (!bc) {
		/* Its service or backend was removed since. */
		maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_DROP, 1);
		return NF_DROP;
	}
	maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_FOLLOWED, 1);
	maglev_send(mn, net, svc, bc, skb);
	return NF_STOLEN;
}

/* Stage 2 for a first fragment. */
static unsigned int maglev_frag_first_rcv(struct maglev_net *mn,
					  const struct maglev_svc_set *set,
					  struct sk_buff *skb, struct net *net,
					  const struct maglev_frag_info *fi,
					  const struct maglev_frag_limits *lim)
{
	const struct maglev_be_conf *bc = NULL;
	struct maglev_frag_owner owner;
	struct maglev_service *svc = NULL;
	struct sk_buff *held, *next;
	struct net_device *dev;
	bool drop = false;
	u32 bucket;

	switch (maglev_frag_first_at(mn->frags, &fi->key, &owner, &bucket)) {
	case MAGLEV_FRAG_SEND:
		return maglev_frag_follow(mn, set, skb, net, &owner);
	case MAGLEV_FRAG_DROP:
		return NF_DROP;
	default:
		break;
	}
	if (fi->ports)
		svc = maglev_svc_match(set, &fi->flow);
	if (svc)
		bc = maglev_pick(mn, svc, rcu_dereference(svc->conf),
				 &fi->flow, &drop);
	if (!bc) {
		/* No service on this port, no backend, or a drop rule:
		 * the datagram is not forwarded; neither are the rest.
		 */
		maglev_frag_record_at(mn->frags, &fi->key, bucket, NULL, lim);
		maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_DROP, 1);
		return NF_DROP;
	}
	owner.flow = fi->flow;
	owner.svc_id = svc->id;
	owner.be_id = bc->be->id;
	held = maglev_frag_record_at(mn->frags, &fi->key, bucket, &owner, lim);
	dev = skb->dev;
	maglev_send(mn, net, svc, bc, skb);
	for (; held; held = next) {
		next = held->next;
		skb_mark_not_on_list(held);
		held->dev = dev;
		maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_FLUSHED, 1);
		maglev_send(mn, net, svc, bc, held);
	}
	return NF_STOLEN;
}

/* Stage 1: send a fragment to the pool member that owns it. */
static void maglev_pool_redirect(struct maglev_net *mn, struct net *net,
				 const struct maglev_pool_member *m,
				 struct sk_buff *skb)
{
	const struct maglev_ns_conf *nc = rcu_dereference(mn->conf);
	struct maglev_encap e = {
		.daddr = m->addr,
		/* Per-CPU by design: the const is the pool's, not the cache's. */
		.rcache = (struct maglev_route_cache *)&m->rcache,
		.family = m->family,
		.ttl = nc->ttl,
		.recur = 1,
	};
	enum maglev_xmit sent;

	if (m->family == AF_INET)
		e.saddr.v4 = nc->source4;
	else
		e.saddr.v6 = nc->source6;
	sent = maglev_encap_xmit(net, skb, &e);
	if (sent == MAGLEV_XMIT_OK)
		maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_REDIRECT_OUT, 1);
	else
		maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_DROP, 1);
}

static unsigned int __maglev_frag_hook(struct maglev_net *mn,
				       const struct maglev_svc_set *set,
				       struct sk_buff *skb, struct net *net,
				       bool redirected)
{
	const struct maglev_ns_conf *nc = rcu_dereference(mn->conf);
	const struct maglev_pool *pool;
	struct maglev_frag_limits lim;
	struct maglev_frag_owner owner;
	struct maglev_frag_info fi;
	enum maglev_frag_res res;

	if (!maglev_frag_parse(skb, &fi) || !maglev_frag_is_vip(set, &fi.key))
		goto pass;

	pool = rcu_dereference(mn->pool);
	if (pool && !redirected) {
		const struct maglev_pool_member *m;

		m = maglev_pool_owner(pool, &fi.key);
		if (!maglev_pool_is_self(net, m)) {
			maglev_pool_redirect(mn, net, m, skb);
			return NF_STOLEN;
		}
	}

	maglev_frag_limits(nc, &lim);
	if (fi.first)
		return maglev_frag_first_rcv(mn, set, skb, net, &fi, &lim);
	res = maglev_frag_later(mn->frags, &fi.key, skb, true, &lim, &owner);
	switch (res) {
	case MAGLEV_FRAG_SEND:
		return maglev_frag_follow(mn, set, skb, net, &owner);
	case MAGLEV_FRAG_STOLEN:
		return NF_STOLEN;
	default:
		return NF_DROP;
	}

pass:
	if (redirected) {
		/* Decapsulated, so it cannot go on: not a VIP fragment. */
		maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_DROP, 1);
		return NF_DROP;
	}
	maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAGMENTS, 1);
	return NF_ACCEPT;
}

/**
 * maglev_frag_hook() - handle an IP fragment
 * @mn: the namespace's state
 * @set: its services
 * @skb: the fragment, as received in PREROUTING
 * @state: the hook's state
 *
 * Context: the packet path (softirq, under RCU).
 * Return: a netfilter verdict: NF_ACCEPT for fragments that are not VIP
 * traffic, else NF_STOLEN or NF_DROP.
 */
unsigned int maglev_frag_hook(struct maglev_net *mn,
			      const struct maglev_svc_set *set,
			      struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return __maglev_frag_hook(mn, set, skb, state->net, false);
}

/**
 * maglev_pool_rcv() - take a fragment another pool member redirected here
 * @mn: the namespace's state
 * @set: its services
 * @skb: a GRE packet addressed to this host, as received in PREROUTING
 * @state: the hook's state
 *
 * Only GRE packets from a pool member to a pool member with the recursion
 * control field 1 and no other GRE option are ours; others pass.
 *
 * Context: the packet path (softirq, under RCU).
 * Return: a netfilter verdict.
 */
unsigned int maglev_pool_rcv(struct maglev_net *mn,
			     const struct maglev_svc_set *set,
			     struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	const struct maglev_pool *pool = rcu_dereference(mn->pool);
	union maglev_addr saddr, daddr;
	const struct gre_base_hdr *gh;
	struct gre_base_hdr _gh;
	unsigned int len;
	__be16 proto;
	u8 family;
	int off;

	if (!pool)
		return NF_ACCEPT;
	memset(&saddr, 0, sizeof(saddr));
	memset(&daddr, 0, sizeof(daddr));
	if (state->pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		family = AF_INET;
		saddr.v4 = iph->saddr;
		daddr.v4 = iph->daddr;
		off = iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		u8 nexthdr = ip6h->nexthdr;
		__be16 frag_off;

		family = AF_INET6;
		saddr.v6 = ip6h->saddr;
		daddr.v6 = ip6h->daddr;
		off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0 || nexthdr != IPPROTO_GRE)
			return NF_ACCEPT;
	}
	if (maglev_pool_find(pool, family, &saddr) < 0 ||
	    maglev_pool_find(pool, family, &daddr) < 0)
		return NF_ACCEPT;
	gh = skb_header_pointer(skb, off, sizeof(_gh), &_gh);
	if (!gh || gh->flags != MAGLEV_POOL_GRE_FLAGS ||
	    (gh->protocol != htons(ETH_P_IP) &&
	     gh->protocol != htons(ETH_P_IPV6)))
		return NF_ACCEPT;
	proto = gh->protocol;

	/* Ours: from here on the packet is decapsulated or dropped. */
	maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_REDIRECT_IN, 1);
	off += sizeof(_gh);
	if (!pskb_may_pull(skb, off))
		goto drop;
	skb->protocol = proto;
	skb_pull_rcsum(skb, off);
	skb_reset_network_header(skb);
	if (skb->protocol == htons(ETH_P_IP)) {
		if (!pskb_may_pull(skb, sizeof(struct iphdr)))
			goto drop;
		len = ntohs(ip_hdr(skb)->tot_len);
	} else {
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
			goto drop;
		len = ntohs(ipv6_hdr(skb)->payload_len) +
		      sizeof(struct ipv6hdr);
	}
	if (len > skb->len || pskb_trim_rcsum(skb, len))
		goto drop;
	skb_reset_transport_header(skb);
	return __maglev_frag_hook(mn, set, skb, state->net, true);

drop:
	maglev_stats_add(&mn->stats, MAGLEV_CTR_FRAG_DROP, 1);
	return NF_DROP;
}

/**
 * maglev_frag_conf_init() - default fragment settings
 * @nc: new namespace settings
 */
void maglev_frag_conf_init(struct maglev_ns_conf *nc)
{
	nc->frag_max = MAGLEV_FRAG_MAX_DEFAULT;
	nc->frag_hold = MAGLEV_FRAG_HOLD_DEFAULT;
	nc->frag_hold_bytes = MAGLEV_FRAG_HOLD_BYTES_DEFAULT;
	nc->frag_timeout = MAGLEV_FRAG_TIMEOUT_DEFAULT;
}

/**
 * maglev_frag_conf_set() - apply the fragment settings of a CONFIG_SET
 * @nc: the new settings
 * @tb: the request's MAGLEV_CFG_A_* (validated by the policy)
 */
void maglev_frag_conf_set(struct maglev_ns_conf *nc, struct nlattr **tb)
{
	if (tb[MAGLEV_CFG_A_FRAG_MAX])
		nc->frag_max = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_MAX]);
	if (tb[MAGLEV_CFG_A_FRAG_HOLD])
		nc->frag_hold = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_HOLD]);
	if (tb[MAGLEV_CFG_A_FRAG_HOLD_BYTES])
		nc->frag_hold_bytes = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_HOLD_BYTES]);
	if (tb[MAGLEV_CFG_A_FRAG_TIMEOUT])
		nc->frag_timeout = nla_get_u32(tb[MAGLEV_CFG_A_FRAG_TIMEOUT]);
}

static struct maglev_pool *maglev_pool_current(struct maglev_net *mn)
{
	return rcu_dereference_protected(mn->pool, lockdep_is_held(&mn->lock));
}

/**
 * maglev_pool_prepare() - build the pool a CONFIG_SET asks for
 * @mn: the namespace
 * @attr: MAGLEV_CFG_A_POOL, or NULL
 * @seed: the seed the new settings have
 * @reseed: the request changes the seed (an existing pool is rebuilt)
 * @pool: out: the new pool, NULL to clear it
 * @replace: out: whether to publish @pool
 * @extack: error report
 *
 * Context: config mutex held.
 * Return: 0 or a negative errno.
 */
int maglev_pool_prepare(struct maglev_net *mn, struct nlattr *attr,
			const siphash_key_t *seed, bool reseed,
			struct maglev_pool **pool, bool *replace,
			struct netlink_ext_ack *extack)
{
	union maglev_addr addr[MAGLEV_POOL_MAX];
	u8 family[MAGLEV_POOL_MAX];
	struct maglev_pool *old = maglev_pool_current(mn);
	struct nlattr *a;
	u32 n = 0, i;
	int rem;

	*pool = NULL;
	*replace = false;
	if (!attr) {
		if (!reseed || !old)
			return 0;
		for (i = 0; i < old->n; i++) {
			addr[i] = old->m[i].addr;
			family[i] = old->m[i].family;
		}
		n = old->n;
		goto build;
	}
	nla_for_each_nested(a, attr, rem) {
		if (n == MAGLEV_POOL_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "too many pool members (at most 64)");
			return -E2BIG;
		}
		memset(&addr[n], 0, sizeof(addr[n]));
		if (nla_type(a) == MAGLEV_POOL_A_ADDR4) {
			family[n] = AF_INET;
			addr[n].v4 = nla_get_in_addr(a);
		} else if (nla_type(a) == MAGLEV_POOL_A_ADDR6) {
			family[n] = AF_INET6;
			addr[n].v6 = nla_get_in6_addr(a);
		} else {
			NL_SET_ERR_MSG_ATTR(extack, a, "unknown pool attribute");
			return -EINVAL;
		}
		for (i = 0; i < n; i++)
			if (family[i] == family[n] &&
			    !memcmp(&addr[i], &addr[n], sizeof(addr[n]))) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "duplicate pool member");
				return -EINVAL;
			}
		n++;
	}
	*replace = true;
	if (!n)
		return 0;
build:
	*pool = maglev_pool_build(addr, family, n, seed);
	if (IS_ERR(*pool)) {
		int err = PTR_ERR(*pool);

		*pool = NULL;
		NL_SET_ERR_MSG_MOD(extack, "cannot build the forwarder pool");
		return err;
	}
	*replace = true;
	return 0;
}

/**
 * maglev_pool_publish() - replace the namespace's pool
 * @mn: the namespace
 * @pool: the new pool, or NULL
 *
 * Context: config mutex held.
 */
void maglev_pool_publish(struct maglev_net *mn, struct maglev_pool *pool)
{
	struct maglev_pool *old;

	old = rcu_replace_pointer(mn->pool, pool, lockdep_is_held(&mn->lock));
	maglev_pool_free_rcu(old);
}

/**
 * maglev_frag_put_config() - the fragment settings, for CONFIG_GET
 * @msg: the reply, inside MAGLEV_A_CONFIG
 * @mn: the namespace
 * @nc: its settings
 *
 * Context: config mutex held.
 * Return: 0 or -EMSGSIZE.
 */
int maglev_frag_put_config(struct sk_buff *msg, struct maglev_net *mn,
			   const struct maglev_ns_conf *nc)
{
	struct maglev_pool *pool = maglev_pool_current(mn);
	struct nlattr *nest;
	u32 i;

	if (nla_put_u32(msg, MAGLEV_CFG_A_FRAG_MAX, nc->frag_max) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_FRAG_HOLD, nc->frag_hold) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_FRAG_HOLD_BYTES,
			nc->frag_hold_bytes) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_FRAG_TIMEOUT, nc->frag_timeout))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, MAGLEV_CFG_A_POOL);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; pool && i < pool->n; i++) {
		const struct maglev_pool_member *m = &pool->m[i];

		if (m->family == AF_INET ?
		    nla_put_in_addr(msg, MAGLEV_POOL_A_ADDR4, m->addr.v4) :
		    nla_put_in6_addr(msg, MAGLEV_POOL_A_ADDR6, &m->addr.v6))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * maglev_frag_net_init() - a namespace's fragment table
 * @mn: its state, after maglev_net_init()
 *
 * Return: 0 or -ENOMEM.
 */
int maglev_frag_net_init(struct maglev_net *mn)
{
	mn->frags = maglev_frag_table_create(&mn->stats);
	return mn->frags ? 0 : -ENOMEM;
}

/**
 * maglev_frag_net_exit() - free a namespace's fragment state
 * @mn: its state; the packet path no longer reaches it
 */
void maglev_frag_net_exit(struct maglev_net *mn)
{
	maglev_frag_table_destroy(mn->frags);
	mn->frags = NULL;
	maglev_pool_free_rcu(rcu_dereference_protected(mn->pool, 1));
	RCU_INIT_POINTER(mn->pool, NULL);
}
