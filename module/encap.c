// SPDX-License-Identifier: GPL-2.0
/*
 * GRE encapsulation and transmission to a backend.
 *
 * The packet arrives from a PREROUTING hook as received (network header at
 * skb->data, no dst), gets a GRE header and an outer IPv4 or IPv6 header
 * built by hand (the way IPVS's ip_vs_tunnel_xmit() does) and leaves as a
 * locally generated packet through ip_local_out()/ip6_local_out(). The
 * ip_tunnel transmit helpers are not used: they account to skb->dev's
 * tstats, and skb->dev here is the ingress device, not a tunnel.
 *
 * Outer header rules:
 * - TTL / hop limit: the backend's configured TTL, else the route's default
 *   (ip4_dst_hoplimit()/ip6_dst_hoplimit()).
 * - TOS / traffic class: the inner DSCP is copied; ECN per RFC 6040 through
 *   INET_ECN_encapsulate() (CE becomes ECT(0), ECT is copied).
 * - DF: set when the inner packet is IPv6 or IPv4 with DF, and then a packet
 *   too big for the path gets an ICMP "fragmentation needed" / "packet too
 *   big" back to the client with the MTU left inside the tunnel. An IPv4
 *   inner packet without DF leaves with DF clear: the outer packet is
 *   fragmented if needed. When the tunnel MTU is below the IPv6 minimum
 *   (1280), IPv6 inner packets up to 1280 bytes are sent with the outer
 *   header fragmentable too (RFC 8200, section 5), like ip6_tunnel does.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/dsfield.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "compat.h"
#include "encap.h"
#include "route.h"

/*
 * Tell the client its packet does not fit. icmp_ndo_send() needs an IPv4
 * route on the packet (it takes the namespace and the reply's source rules
 * from it) and in PREROUTING there is none yet: attach the route back to
 * the client, which makes the reply come from the address routing picks.
 */
static void maglev_too_big(struct net *net, struct sk_buff *skb, bool inner6,
			   unsigned int mtu)
{
	if (inner6) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0,
				max_t(unsigned int, mtu, IPV6_MIN_MTU));
		return;
	}

	if (!skb_dst(skb)) {
		struct flowi4 fl4;
		struct rtable *rt;

		memset(&fl4, 0, sizeof(fl4));
		fl4.daddr = ip_hdr(skb)->saddr;
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return;
		skb_dst_set(skb, &rt->dst);
	}
	icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
		      htonl(max_t(unsigned int, mtu, IPV4_MIN_MTU)));
}

static enum maglev_xmit maglev_encap_segs(struct net *net, struct sk_buff *skb,
					  const struct maglev_encap *e)
{
	enum maglev_xmit ret = MAGLEV_XMIT_OK, r;
	struct sk_buff *segs, *next;

	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb(skb);
		return IS_ERR(segs) && PTR_ERR(segs) == -ENOMEM ?
		       MAGLEV_XMIT_NOMEM : MAGLEV_XMIT_ERR;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		r = maglev_encap_xmit(net, skb, e);
		if (r != MAGLEV_XMIT_OK)
			ret = r;
	}
	return ret;
}

/**
 * maglev_encap_xmit() - GRE-encapsulate a packet and send it to a backend
 * @net: the namespace the packet was received in (routes are looked up
 *	in it and the packet is sent from it)
 * @skb: the inner IPv4 or IPv6 packet as received in PREROUTING, network
 *	header at skb->data; it may be cloned or GSO
 * @e: the backend: outer family and addresses, GRE key and checksum
 *	options, TTL, and its route cache
 *
 * Context: softirq (or BH disabled), under rcu_read_lock(). The route
 * comes from @e->rcache without a reference (route.c), which drops routes
 * the kernel has made obsolete (route or PMTU changes) by itself; the
 * caller resets it when @e->saddr changes.
 *
 * The skb is always consumed: sent, or freed on error.
 *
 * Return: MAGLEV_XMIT_OK when handed to the output path; NO_ROUTE when
 * there is no route to the backend or it leads back to this host;
 * TOO_BIG when the packet does not fit the tunnel and may not be
 * fragmented (the client was sent an ICMP error); NOMEM when headroom or
 * an unshared header could not be allocated; ERR for a packet that cannot
 * be encapsulated or an error from the output path.
 */
enum maglev_xmit maglev_encap_xmit(struct net *net, struct sk_buff *skb,
				   const struct maglev_encap *e)
{
	unsigned int gre_hlen, hlen, mtu;
	enum maglev_xmit ret;
	union maglev_addr saddr;
	struct dst_entry *dst;
	bool inner6, df;
	__be16 proto;
	u8 dsfield;
	int err;

	proto = skb->protocol;
	if (proto == htons(ETH_P_IP)) {
		inner6 = false;
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
		dsfield = ipv4_get_dsfield(ip_hdr(skb));
	} else if (proto == htons(ETH_P_IPV6)) {
		inner6 = true;
		df = true;
		dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
	} else {
		ret = MAGLEV_XMIT_ERR;
		goto drop;
	}

	/*
	 * A GSO packet that is already a tunnel packet (GRO of an
	 * encapsulated flow) has only one set of inner headers: the stack
	 * cannot segment it once inside a second tunnel, so segment it now.
	 */
	if (skb_is_gso(skb) && skb->encapsulation)
		return maglev_encap_segs(net, skb, e);

	if (e->family != AF_INET && e->family != AF_INET6) {
		ret = MAGLEV_XMIT_ERR;
		goto drop;
	}
	gre_hlen = maglev_gre_hlen(e->csum, e->use_key);
	hlen = gre_hlen + (e->family == AF_INET ? sizeof(struct iphdr) :
						  sizeof(struct ipv6hdr));
	/* Borrowed: valid in this RCU section, no reference taken. */
	dst = maglev_route_get(net, e, &saddr);
	if (IS_ERR(dst)) {
		ret = MAGLEV_XMIT_NO_ROUTE;
		goto drop;
	}

	/* The MTU left inside the tunnel, and whether the packet fits. */
	mtu = dst_mtu(dst);
	mtu = mtu > hlen ? mtu - hlen : 0;
	if (inner6 && mtu < IPV6_MIN_MTU) {
		mtu = IPV6_MIN_MTU;
		df = false;
	}
	if ((df || inner6) &&
	    (skb_is_gso(skb) ? !skb_gso_validate_network_len(skb, mtu)
			     : skb->len > mtu)) {
		maglev_too_big(net, skb, inner6, mtu);
		ret = MAGLEV_XMIT_TOO_BIG;
		goto drop;
	}

	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + hlen)) {
		ret = MAGLEV_XMIT_NOMEM;
		goto drop;
	}

	/* Hash the inner flow now: the outer IPv6 flow label comes from it. */
	if (e->family == AF_INET6)
		skb_get_hash(skb);

	if (iptunnel_handle_offloads(skb, e->csum ? SKB_GSO_GRE_CSUM
						  : SKB_GSO_GRE)) {
		ret = MAGLEV_XMIT_NOMEM;
		goto drop;
	}
	/* No inner MAC header: GRE GSO segmentation finds GRE's length by it. */
	skb_set_inner_mac_header(skb, skb_inner_network_offset(skb));

	/* A new packet of this host: no conntrack, mark, dst, socket. */
	skb_scrub_packet(skb, true);
	skb_orphan(skb);

	maglev_gre_build_header(skb, gre_hlen, e->csum, e->use_key, proto,
				e->key);
	if (e->recur)
		((struct gre_base_hdr *)skb->data)->flags |=
			htons((e->recur & 7) << 8);

	dsfield = INET_ECN_encapsulate(dsfield, dsfield);
	skb_push(skb, hlen - gre_hlen);
	skb_reset_network_header(skb);
	skb_dst_set_noref(skb, dst);

	if (e->family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		iph->version = 4;
		iph->ihl = sizeof(*iph) >> 2;
		iph->tos = dsfield;
		iph->frag_off = df && !ip_mtu_locked(dst) ? htons(IP_DF) : 0;
		iph->ttl = e->ttl ?: ip4_dst_hoplimit(dst);
		iph->protocol = IPPROTO_GRE;
		iph->saddr = saddr.v4;
		iph->daddr = e->daddr.v4;
		/*
		 * tot_len and the checksum are set by ip_local_out(). With DF
		 * (and ignore_df cleared) ip_select_ident_segs() sets ID 0
		 * itself, without the ID generator.
		 */
		ip_select_ident_segs(net, skb, NULL,
				     skb_shinfo(skb)->gso_segs ?: 1);
		err = ip_local_out(net, NULL, skb);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.daddr = e->daddr.v6,
			.saddr = saddr.v6,
			.flowi6_proto = IPPROTO_GRE,
		};

		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		ip6_flow_hdr(ip6h, dsfield,
			     ip6_make_flowlabel(net, skb, 0, true, &fl6));
		ip6h->nexthdr = IPPROTO_GRE;
		ip6h->hop_limit = e->ttl ?: ip6_dst_hoplimit(dst);
		ip6h->saddr = saddr.v6;
		ip6h->daddr = e->daddr.v6;
		/* Let ip6_fragment() fragment what may be fragmented. */
		skb->ignore_df = !df;
		/* payload_len is set by ip6_local_out(). */
		err = ip6_local_out(net, NULL, skb);
	}

	return net_xmit_eval(err) ? MAGLEV_XMIT_ERR : MAGLEV_XMIT_OK;

drop:
	kfree_skb(skb);
	return ret;
}

/**
 * maglev_encap_mtu() - the largest inner packet the tunnel to a backend takes
 * @net: the namespace
 * @e: the backend
 *
 * Context: BH disabled, under rcu_read_lock() (as maglev_encap_xmit()).
 *
 * Return: the outer route's MTU less the outer headers, or 0 when there is
 * no usable route to the backend.
 */
unsigned int maglev_encap_mtu(struct net *net, const struct maglev_encap *e)
{
	unsigned int hlen = maglev_gre_hlen(e->csum, e->use_key), mtu;
	union maglev_addr saddr;
	struct dst_entry *dst;

	if (e->family == AF_INET)
		hlen += sizeof(struct iphdr);
	else if (e->family == AF_INET6)
		hlen += sizeof(struct ipv6hdr);
	else
		return 0;
	dst = maglev_route_get(net, e, &saddr);
	if (IS_ERR(dst))
		return 0;
	mtu = dst_mtu(dst);
	return mtu > hlen ? mtu - hlen : 0;
}
