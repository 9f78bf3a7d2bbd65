// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: match a packet to a service, pick its backend from the
 * Maglev table and hand it to the GRE encapsulation. The LOCAL_OUT hooks
 * of health probes (probe.c) are registered with these.
 *
 * The hooks run at PREROUTING before conntrack's defragmentation
 * (NF_IP_PRI_RAW_BEFORE_DEFRAG, -450, before NF_IP_PRI_CONNTRACK_DEFRAG,
 * -400), so they see packets as they arrived: fragments of VIP traffic
 * are taken by frag_path.c and never reach reassembly. They run in softirq
 * context under rcu_read_lock() and take no lock: everything they read is
 * published with RCU (see DOC: Locking in service.c).
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <net/tcp.h>

#include "encap.h"
#include "frag_path.h"
#include "hook.h"
#include "icmp.h"
#include "parse.h"
#include "probe.h"
#include "service.h"

static const enum maglev_ctr maglev_xmit_ctr[] = {
	[MAGLEV_XMIT_NO_ROUTE] = MAGLEV_CTR_NO_ROUTE,
	[MAGLEV_XMIT_TOO_BIG] = MAGLEV_CTR_TOO_BIG,
	[MAGLEV_XMIT_NOMEM] = MAGLEV_CTR_ENCAP,
	[MAGLEV_XMIT_ERR] = MAGLEV_CTR_XMIT,
};

/**
 * maglev_follow - the backend a connection entry keeps its flow on
 * @conf: the service's configuration
 * @nc: namespace settings
 * @be_id: the entry's backend
 * @tcp_flags: the packet's TCP flags (0 for other protocols)
 * @reason: out: enum maglev_lookup_reason
 *
 * Applies the rules of the connection table (uapi header).
 *
 * Return: the backend; NULL with MAGLEV_REASON_TABLE in @reason when the
 * flow must pick again from the Maglev table, NULL with
 * MAGLEV_REASON_NODEST_DROP when the packet must be dropped.
 */
const struct maglev_be_conf *maglev_follow(const struct maglev_svc_conf *conf,
					   const struct maglev_ns_conf *nc,
					   u32 be_id, u8 tcp_flags, u8 *reason)
{
	bool syn = (tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN;
	const struct maglev_be_conf *bc = maglev_be_by_id(conf, be_id);

	*reason = MAGLEV_REASON_TABLE;
	if (!bc) {
		if (nc->expire_nodest == MAGLEV_EXPIRE_NODEST_DROP && !syn)
			*reason = MAGLEV_REASON_NODEST_DROP;
		return NULL;
	}
	if (bc->state != MAGLEV_BE_STATE_UP || (syn && !bc->weight))
		return NULL;
	*reason = MAGLEV_REASON_CONN;
	return bc;
}

/**
 * maglev_pick - the backend a packet of a flow goes to
 * @mn: namespace state
 * @svc: the flow's service
 * @conf: its configuration
 * @flow: the flow
 * @drop: out: the packet must be dropped (counted here)
 *
 * The flow's connection entry's backend if it has one that still applies,
 * else the Maglev table's pick, recorded.
 *
 * Context: the packet path (softirq, under RCU).
 * Return: the backend, or NULL with *@drop set.
 */
const struct maglev_be_conf *
maglev_pick(struct maglev_net *mn, struct maglev_service *svc,
	    const struct maglev_svc_conf *conf, const struct maglev_flow *flow,
	    bool *drop)
{
	const struct maglev_ns_conf *nc = rcu_dereference(mn->conf);
	struct maglev_conn_table *t = rcu_dereference(mn->conns);
	const struct maglev_be_conf *bc = NULL;
	enum maglev_conn_res res;
	struct maglev_conn *c;
	u32 hash, slot, svc_id, be_id, bucket;
	u8 reason;

	*drop = false;
	c = t ? maglev_conn_lookup_at(t, flow, &bucket) : NULL;
	if (c) {
follow:
		be_id = maglev_conn_owner(c, &svc_id);
		/* Recorded for another service on this VIP: not ours. */
		if (svc_id == svc->id) {
			bc = maglev_follow(conf, nc, be_id, flow->tcp_flags,
					   &reason);
			/* Dropped packets must not keep their entry alive. */
			if (reason == MAGLEV_REASON_NODEST_DROP) {
				maglev_stats_add(&mn->stats, MAGLEV_CTR_NODEST,
						 1);
				*drop = true;
				return NULL;
			}
		}
		/* A SYN reusing a closed flow's tuple picks again. */
		if (maglev_conn_update(t, c, flow->tcp_flags))
			bc = NULL;
	}
	if (bc)
		return bc;
	bc = maglev_select(conf, flow, &hash, &slot);
	if (!bc) {
		maglev_stats_add(&mn->stats, MAGLEV_CTR_NO_BACKEND, 1);
		*drop = true;
		return NULL;
	}
	if (c) {
		maglev_conn_set_backend(c, svc->id, bc->be->id);
	} else if (t) {
		/* A full table still forwards: the Maglev table decides. */
		c = maglev_conn_insert_at(t, flow, bucket, svc->id,
					  bc->be->id,
					  maglev_conn_state_new(flow), &res);
		/* Another CPU recorded the flow first: follow its record. */
		if (res == MAGLEV_CONN_EXISTS) {
			bc = NULL;
			goto follow;
		}
	}
	return bc;
}

/**
 * maglev_send - encapsulate a packet to its backend and count it
 * @mn: namespace state
 * @net: the namespace
 * @svc: the packet's service
 * @bc: its backend
 * @skb: the packet, consumed
 *
 * Context: the packet path (softirq, under RCU).
 */
void maglev_send(struct maglev_net *mn, struct net *net,
		 struct maglev_service *svc, const struct maglev_be_conf *bc,
		 struct sk_buff *skb)
{
	unsigned int len = skb->len;
	enum maglev_xmit sent;

	sent = maglev_encap_xmit(net, skb, &bc->encap);
	if (sent == MAGLEV_XMIT_OK) {
		maglev_stats_pkt(&mn->stats, len);
		maglev_stats_pkt(&svc->stats, len);
		maglev_stats_pkt(&bc->be->stats, len);
	} else {
		maglev_stats_add(&mn->stats, maglev_xmit_ctr[sent], 1);
	}
}

static unsigned int maglev_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct maglev_net *mn = maglev_pernet(state->net);
	const struct maglev_svc_set *set = rcu_dereference(mn->set);
	const struct maglev_svc_conf *conf;
	const struct maglev_be_conf *bc;
	struct maglev_service *svc;
	struct maglev_flow flow;
	enum maglev_parse parsed;
	bool drop;

	/* Only packets addressed to this host at L2 (not broadcast,
	 * multicast or another host's, seen in promiscuous mode).
	 */
	if (!set || skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	if (state->pf == NFPROTO_IPV4)
		parsed = maglev_parse_ipv4(skb, &flow);
	else
		parsed = maglev_parse_ipv6(skb, &flow);
	/* ICMP errors about VIP flows go to the flow's backend (icmp.c). */
	if ((parsed == MAGLEV_PARSE_OTHER || parsed == MAGLEV_PARSE_FRAGMENT) &&
	    maglev_icmp_proto(&flow)) {
		switch (maglev_icmp_rcv(state->net, mn, set, skb, &flow,
					parsed == MAGLEV_PARSE_FRAGMENT, &svc,
					&bc)) {
		case MAGLEV_ICMP_DROP:
			return NF_DROP;
		case MAGLEV_ICMP_FORWARD:
			maglev_send(mn, state->net, svc, bc, skb);
			return NF_STOLEN;
		default:
			break;
		}
	}
	switch (parsed) {
	case MAGLEV_PARSE_OK:
		break;
	case MAGLEV_PARSE_FRAGMENT:
		return maglev_frag_hook(mn, set, skb, state);
	case MAGLEV_PARSE_OTHER:
		if (flow.proto == IPPROTO_GRE)
			return maglev_pool_rcv(mn, set, skb, state);
		return NF_ACCEPT;
	case MAGLEV_PARSE_MALFORMED:
		maglev_stats_add(&mn->stats, MAGLEV_CTR_MALFORMED, 1);
		return NF_ACCEPT;
	default:
		return NF_ACCEPT;
	}

	svc = maglev_svc_match(set, &flow);
	if (!svc)
		return NF_ACCEPT;
	conf = rcu_dereference(svc->conf);
	bc = maglev_pick(mn, svc, conf, &flow, &drop);
	if (drop)
		return NF_DROP;

	maglev_send(mn, state->net, svc, bc, skb);
	return NF_STOLEN;
}

static const struct nf_hook_ops maglev_nf_ops[] = {
	{
		.hook = maglev_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_RAW_BEFORE_DEFRAG,
	},
	{
		.hook = maglev_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_RAW_BEFORE_DEFRAG,
	},
	/* Health probes through the tunnel: before conntrack and NAT. */
	{
		.hook = maglev_probe_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_RAW_BEFORE_DEFRAG,
	},
	{
		.hook = maglev_probe_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_RAW_BEFORE_DEFRAG,
	},
};

/**
 * maglev_hooks_register - attach the packet path to a namespace
 * @net: the namespace
 *
 * Return: 0 or a negative errno.
 */
int maglev_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, maglev_nf_ops,
				     ARRAY_SIZE(maglev_nf_ops));
}

/**
 * maglev_hooks_unregister - detach the packet path; waits for packets in it
 * @net: the namespace
 */
void maglev_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, maglev_nf_ops, ARRAY_SIZE(maglev_nf_ops));
}
