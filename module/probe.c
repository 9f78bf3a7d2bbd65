// SPDX-License-Identifier: GPL-2.0
/*
 * Health probes through the tunnel.
 *
 * A health check that connects to a backend's own address passes while
 * client traffic fails when the backend cannot decapsulate GRE, lacks the
 * VIP on a loopback or drops the decapsulated packets by rp_filter. So a
 * controller on the forwarder probes the VIP instead, from a socket with a
 * mark (SO_MARK) that names the backend: MAGLEV_CFG_A_PROBE_MARK under
 * MAGLEV_CFG_A_PROBE_MASK, with the backend's id (MAGLEV_BE_A_ID) in the
 * bits outside the mask. A LOCAL_OUT hook sends such packets, when their
 * destination is a service, GRE-encapsulated to that backend exactly as
 * client packets travel, whatever the backend's state or weight (a probe
 * must reach a backend that is down to see it come back). It records no
 * connection entry. The backend answers from the VIP to the probe socket's
 * local address directly (DSR), and the reply is delivered as any packet
 * addressed to this host.
 *
 * The hook runs first at LOCAL_OUT (NF_IP_PRI_RAW_BEFORE_DEFRAG): before
 * conntrack, NAT and the raw/mangle tables, so the probe is never tracked
 * or rewritten; the GRE packet it becomes is a new local packet and goes
 * through all of them. Only a mark present when the packet enters
 * LOCAL_OUT (the socket's) counts.
 *
 * A marked packet for a service that has no backend with the mark's id
 * (removed, or never there) is dropped with ECONNREFUSED for the sender: a
 * TCP connect() fails at once, a UDP send returns the error. Counted in
 * MAGLEV_STATS_A_PROBE_DROP_NO_BACKEND.
 *
 * Sizes: a local socket sizes its packets by the route to the VIP, which
 * does not know about the tunnel. Before a TCP probe's packet leaves, that
 * route learns the tunnel's MTU (as IPVS does for local clients), so the
 * segments after the SYN fit; a packet that does not fit is dropped and
 * counted in MAGLEV_STATS_A_DROP_TOO_BIG.
 *
 * DOC: Locking
 *
 * The hook runs in the sender's context (process or softirq) under
 * rcu_read_lock() taken by netfilter; it disables BHs around its work
 * because the counters and the route caches it uses are per CPU. It reads
 * only RCU-published configuration (DOC: Locking in service.c) and takes
 * no lock.
 */
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/dst.h>
#include <net/sock.h>

#include "encap.h"
#include "parse.h"
#include "probe.h"
#include "service.h"

static const enum maglev_ctr maglev_probe_xmit_ctr[] = {
	[MAGLEV_XMIT_NO_ROUTE] = MAGLEV_CTR_NO_ROUTE,
	[MAGLEV_XMIT_TOO_BIG] = MAGLEV_CTR_TOO_BIG,
	[MAGLEV_XMIT_NOMEM] = MAGLEV_CTR_ENCAP,
	[MAGLEV_XMIT_ERR] = MAGLEV_CTR_XMIT,
};

/*
 * Let a TCP sender's route to the VIP learn the tunnel's MTU, so that its
 * next segments fit (ip_vs_xmit.c's maybe_update_pmtu() does the same).
 * The route's flow is taken from the socket (there is no skb->dev here to
 * take it from the packet), so only connected sockets qualify: TCP.
 */
static void maglev_probe_pmtu(struct net *net, struct sk_buff *skb,
			      const struct maglev_encap *e)
{
	struct dst_entry *dst = skb_dst(skb);
	struct sock *sk = skb->sk;
	unsigned int mtu;

	if (!sk || !sk_fullsock(sk) || sk->sk_protocol != IPPROTO_TCP ||
	    !dst || !dst->ops->update_pmtu)
		return;
	mtu = maglev_encap_mtu(net, e);
	if (mtu && mtu < dst_mtu(dst))
		dst->ops->update_pmtu(dst, sk, NULL, mtu, true);
}

static unsigned int maglev_probe_xmit(struct maglev_net *mn,
				      const struct maglev_ns_conf *nc,
				      struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct maglev_svc_set *set = rcu_dereference(mn->set);
	const struct maglev_be_conf *bc;
	struct maglev_service *svc;
	struct maglev_flow flow;
	enum maglev_xmit sent;
	unsigned int len;
	u32 id;

	if (!set || !maglev_probe_id(skb->mark, nc->probe_mark,
				     nc->probe_mask, &id))
		return NF_ACCEPT;
	if ((state->pf == NFPROTO_IPV4 ? maglev_parse_ipv4(skb, &flow) :
					 maglev_parse_ipv6(skb, &flow)) !=
	    MAGLEV_PARSE_OK)
		return NF_ACCEPT;
	svc = maglev_svc_match(set, &flow);
	if (!svc)
		return NF_ACCEPT;
	bc = maglev_be_by_id(rcu_dereference(svc->conf), id);
	if (!bc) {
		maglev_stats_add(&mn->stats, MAGLEV_CTR_PROBE_DROP_NO_BACKEND,
				 1);
		return NF_DROP_ERR(-ECONNREFUSED);
	}

	maglev_probe_pmtu(state->net, skb, &bc->encap);
	len = skb->len;
	sent = maglev_encap_xmit(state->net, skb, &bc->encap);
	if (sent == MAGLEV_XMIT_OK) {
		maglev_stats_add(&mn->stats, MAGLEV_CTR_PROBE_PACKETS, 1);
		maglev_stats_add(&mn->stats, MAGLEV_CTR_PROBE_BYTES, len);
	} else {
		maglev_stats_add(&mn->stats, maglev_probe_xmit_ctr[sent], 1);
	}
	return NF_STOLEN;
}

/**
 * maglev_probe_hook - LOCAL_OUT: send marked probes to their backend
 * @priv: unused
 * @skb: a locally generated IPv4 or IPv6 packet, network header at data
 * @state: the hook's state
 *
 * Context: the sender's, under rcu_read_lock().
 *
 * Return: NF_ACCEPT for every packet that is not a probe for a service,
 * NF_STOLEN for one sent into the tunnel (or dropped by it), NF_DROP with
 * ECONNREFUSED for a probe naming no backend of the service.
 */
unsigned int maglev_probe_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct maglev_net *mn = maglev_pernet(state->net);
	const struct maglev_ns_conf *nc = rcu_dereference(mn->conf);
	unsigned int verdict;

	/* Unmarked packets leave at the cost of one test. */
	if (!nc->probe_mask || !skb->mark)
		return NF_ACCEPT;
	local_bh_disable();
	verdict = maglev_probe_xmit(mn, nc, skb, state);
	local_bh_enable();
	return verdict;
}
