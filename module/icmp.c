// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about VIP flows, and about our own GRE packets.
 *
 * Backends answer clients directly, so a router between a backend and a
 * client that finds a response too big sends its "fragmentation needed" /
 * "packet too big" to the VIP: to a forwarder, not to the backend whose
 * socket must lower its MSS. Such an error is handed, unchanged and
 * GRE-encapsulated, to the backend of the flow it is about: the one its
 * connection entry names (looked up, never created), else the Maglev
 * table's pick, which every forwarder agrees on. The backend's stack then
 * matches it to its socket and lowers the path MTU (IPVS's
 * ip_vs_in_icmp(), Katran's handle_icmp.h do the same).
 *
 * An ICMP or ICMPv6 packet whose outer destination is a VIP is:
 * - an error (IPv4 types 3, 11, 12; ICMPv6 1-4): forwarded when its
 *   checksum is right, the embedded header is complete (its IP header,
 *   options or extension headers included, and 8 bytes of L4), the
 *   embedded packet is not a later fragment, its source is that VIP and,
 *   reversed, it matches a service with a usable backend; else dropped and
 *   counted by reason;
 * - an echo request: counted and left to the forwarder's own stack, which
 *   answers if the VIP is one of its addresses (a loopback, as IPVS
 *   directors have it) and routes it like any packet otherwise; it
 *   belongs to no flow, so no backend gets it;
 * - a fragment: dropped and counted (errors are never fragmented: at most
 *   576 bytes for IPv4, 1280 for IPv6);
 * - anything else: left alone.
 *
 * An error about one of our own GRE packets ("fragmentation needed" /
 * "packet too big" addressed to a local address, embedding a GRE packet
 * from it) teaches the route to the backend its path MTU, for IPv4 and
 * IPv6 outer headers alike (ip_gre does it for IPv4 only, and only when
 * loaded; ip6_gre only for its own tunnels). The next packet of a client
 * that no longer fits then gets "too big" with that MTU minus the
 * encapsulation overhead (encap.c), as IPVS does for its tunnels. The
 * error itself is left to the stack.
 *
 * MAGLEV_CFG_A_ICMP off turns all of this off: ICMP passes untouched.
 *
 * DOC: Locking
 *
 * Runs in the PREROUTING hook (hook.c) in softirq context under
 * rcu_read_lock(), reading the RCU-published configuration like the rest
 * of the packet path; it takes no lock and allocates nothing.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "hook.h"
#include "icmp.h"
#include "service.h"

/* The L4 bytes of the embedded packet every router must quote (RFC 792). */
#define MAGLEV_ICMP_INNER_L4	8

/**
 * maglev_icmp_parse_inner - parse the packet embedded in an ICMP error
 * @skb: the ICMP packet (only read)
 * @off: offset of the embedded IP header from skb->data
 * @family: the outer family; the embedded packet must be of the same
 * @inner: out: the embedded packet's flow, as it was sent (source = VIP)
 *
 * Options (IPv4) and extension headers (IPv6) of the embedded packet are
 * skipped; of its L4 header only the 8 bytes every router quotes are
 * required, so @inner->tcp_flags stays zero. A first fragment has its L4
 * header and is parsed like a whole packet.
 *
 * Return: enum maglev_icmp_inner. Addresses, family and protocol are
 * filled whenever the IP header is readable; ports only for OK.
 */
enum maglev_icmp_inner maglev_icmp_parse_inner(const struct sk_buff *skb,
					       int off, u8 family,
					       struct maglev_flow *inner)
{
	__be16 _ports[2];
	const __be16 *ports;
	u8 _l4[MAGLEV_ICMP_INNER_L4];
	int l4;

	memset(inner, 0, sizeof(*inner));
	if (family == AF_INET) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5)
			return MAGLEV_ICMP_INNER_MALFORMED;
		inner->family = AF_INET;
		inner->proto = iph->protocol;
		inner->saddr.v4 = iph->saddr;
		inner->daddr.v4 = iph->daddr;
		if (iph->frag_off & htons(IP_OFFSET))
			return MAGLEV_ICMP_INNER_FRAG;
		l4 = off + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		__be16 frag_off;
		u8 nexthdr;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return MAGLEV_ICMP_INNER_MALFORMED;
		inner->family = AF_INET6;
		inner->saddr.v6 = ip6h->saddr;
		inner->daddr.v6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		inner->proto = nexthdr;
		if (nexthdr == NEXTHDR_NONE)
			return MAGLEV_ICMP_INNER_OTHER;
		l4 = ipv6_skip_exthdr(skb, off + sizeof(_ip6h), &nexthdr,
				      &frag_off);
		if (l4 < 0)
			return MAGLEV_ICMP_INNER_MALFORMED;
		inner->proto = nexthdr;
		if (frag_off & htons(IP6_OFFSET))
			return MAGLEV_ICMP_INNER_FRAG;
	}

	switch (inner->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		/* Every one starts with the source and destination ports. */
		if (!skb_header_pointer(skb, l4, sizeof(_l4), _l4))
			return MAGLEV_ICMP_INNER_MALFORMED;
		ports = skb_header_pointer(skb, l4, sizeof(_ports), _ports);
		inner->sport = ports[0];
		inner->dport = ports[1];
		return MAGLEV_ICMP_INNER_OK;
	case IPPROTO_GRE:
		/* Flags and protocol type: what a GRE header always has. */
		if (!skb_header_pointer(skb, l4, sizeof(_ports), _ports))
			return MAGLEV_ICMP_INNER_MALFORMED;
		return MAGLEV_ICMP_INNER_GRE;
	default:
		return MAGLEV_ICMP_INNER_OTHER;
	}
}

/**
 * maglev_icmp_reverse - the flow an embedded packet answers
 * @inner: the embedded packet, sent from the VIP to the client
 * @flow: out: the client's flow to the VIP, as the packet path sees it
 */
void maglev_icmp_reverse(const struct maglev_flow *inner,
			 struct maglev_flow *flow)
{
	memset(flow, 0, sizeof(*flow));
	flow->family = inner->family;
	flow->proto = inner->proto;
	flow->saddr = inner->daddr;
	flow->daddr = inner->saddr;
	flow->sport = inner->dport;
	flow->dport = inner->sport;
}

/* Offset of the ICMP header, or -1. The outer header was parsed already. */
static int maglev_icmp_offset(const struct sk_buff *skb, u8 family)
{
	int off = skb_network_offset(skb);
	__be16 frag_off;
	u8 nexthdr;

	if (family == AF_INET)
		return off + ip_hdr(skb)->ihl * 4;
	nexthdr = ipv6_hdr(skb)->nexthdr;
	return ipv6_skip_exthdr(skb, off + sizeof(struct ipv6hdr), &nexthdr,
				&frag_off);
}

/* The ICMP checksum (with the pseudo-header for ICMPv6) from @off on. */
static bool maglev_icmp_csum_ok(const struct sk_buff *skb, int off,
				const struct maglev_flow *outer)
{
	int len = skb->len - off;
	__wsum csum;

	if (skb_csum_unnecessary(skb))
		return true;
	csum = skb_checksum(skb, off, len, 0);
	if (outer->family == AF_INET)
		return !csum_fold(csum);
	return !csum_ipv6_magic(&outer->saddr.v6, &outer->daddr.v6, len,
				IPPROTO_ICMPV6, csum);
}

/*
 * An error about a GRE packet this host sent (to a backend): learn the path
 * MTU it reports on the route to that address. The route helpers read the
 * embedded header at skb->data: pull to it for the call, then put it back.
 */
static void maglev_icmp_own(struct net *net, struct maglev_net *mn,
			    struct sk_buff *skb, const struct maglev_flow *outer,
			    int off, const u8 *ih, enum maglev_icmp_inner in,
			    const struct maglev_flow *inner)
{
	int ioff = off + sizeof(struct icmphdr);
	bool v4 = outer->family == AF_INET;
	u32 mtu;

	if (in != MAGLEV_ICMP_INNER_GRE)
		return;
	if (v4) {
		const struct icmphdr *icmph = (const struct icmphdr *)ih;

		if (icmph->type != ICMP_DEST_UNREACH ||
		    icmph->code != ICMP_FRAG_NEEDED ||
		    inner->saddr.v4 != outer->daddr.v4)
			return;
		mtu = ntohs(icmph->un.frag.mtu);
		if (mtu < IPV4_MIN_MTU)
			return;
	} else {
		const struct icmp6hdr *icmp6h = (const struct icmp6hdr *)ih;

		if (icmp6h->icmp6_type != ICMPV6_PKT_TOOBIG ||
		    !ipv6_addr_equal(&inner->saddr.v6, &outer->daddr.v6))
			return;
		mtu = ntohl(icmp6h->icmp6_mtu);
		if (mtu < IPV6_MIN_MTU)
			return;
	}
	if (!maglev_icmp_csum_ok(skb, off, outer))
		return;
	/* Ours: sent from one of this host's addresses. */
	if (v4 ? inet_addr_type(net, inner->saddr.v4) != RTN_LOCAL :
		 !ipv6_chk_addr(net, &inner->saddr.v6, NULL, 0))
		return;
	if (!pskb_may_pull(skb, ioff + (v4 ? sizeof(struct iphdr) :
					     sizeof(struct ipv6hdr))))
		return;
	__skb_pull(skb, ioff);
	if (v4)
		ipv4_update_pmtu(skb, net, mtu, 0, IPPROTO_GRE);
	else
		ip6_update_pmtu(skb, net, htonl(mtu), 0, 0,
				sock_net_uid(net, NULL));
	__skb_push(skb, ioff);
	maglev_stats_add(&mn->stats, MAGLEV_CTR_ICMP_PMTU, 1);
}

static bool maglev_icmp_is_error(u8 family, u8 type)
{
	if (family == AF_INET)
		return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
		       type == ICMP_PARAMETERPROB;
	return type >= ICMPV6_DEST_UNREACH && type <= ICMPV6_PARAMPROB;
}

/* The backend of @flow: its connection entry's, else the Maglev table's. */
static const struct maglev_be_conf *
maglev_icmp_backend(struct maglev_net *mn, const struct maglev_service *svc,
		    const struct maglev_flow *flow, enum maglev_ctr *ctr)
{
	const struct maglev_svc_conf *conf = rcu_dereference(svc->conf);
	const struct maglev_ns_conf *nc = rcu_dereference(mn->conf);
	struct maglev_conn_table *t = rcu_dereference(mn->conns);
	const struct maglev_be_conf *bc;
	struct maglev_conn *c;
	u32 hash, slot, svc_id, be_id;
	u8 reason;

	/* Found, never created nor refreshed: an error is not the flow. */
	c = t ? maglev_conn_find(t, flow) : NULL;
	if (c) {
		be_id = maglev_conn_owner(c, &svc_id);
		if (svc_id == svc->id) {
			bc = maglev_follow(conf, nc, be_id, 0, &reason);
			if (bc) {
				*ctr = MAGLEV_CTR_ICMP_FWD_CONN;
				return bc;
			}
		}
	}
	/* Where the flow's next packet would go, on any forwarder. */
	*ctr = MAGLEV_CTR_ICMP_FWD_TABLE;
	return maglev_select(conf, flow, &hash, &slot);
}

/**
 * maglev_icmp_rcv - handle an ICMP or ICMPv6 packet in the packet path
 * @net: the namespace
 * @mn: its maglev state
 * @set: its services
 * @skb: the packet, network header at skb->data
 * @outer: its flow as maglev_parse_ipv4()/_ipv6() filled it
 * @fragment: the packet is a fragment
 * @svc: out: with FORWARD, the service the error is about
 * @bc: out: with FORWARD, the backend to encapsulate it to
 *
 * See the top of this file. Counts every outcome but FORWARD's
 * transmission, which the caller counts.
 *
 * Context: softirq, rcu_read_lock().
 * Return: enum maglev_icmp.
 */
enum maglev_icmp maglev_icmp_rcv(struct net *net, struct maglev_net *mn,
				 const struct maglev_svc_set *set,
				 struct sk_buff *skb,
				 const struct maglev_flow *outer, bool fragment,
				 struct maglev_service **svc,
				 const struct maglev_be_conf **bc)
{
	const struct maglev_ns_conf *nc = rcu_dereference(mn->conf);
	struct maglev_flow inner, flow;
	enum maglev_icmp_inner in;
	enum maglev_ctr ctr;
	u8 _ih[sizeof(struct icmphdr)];
	const u8 *ih;
	bool vip;
	int off;

	BUILD_BUG_ON(sizeof(struct icmphdr) != sizeof(struct icmp6hdr));
	if (nc->icmp_off)
		return MAGLEV_ICMP_PASS;
	vip = maglev_svc_vip(set, outer->family, &outer->daddr);
	if (fragment) {
		ctr = MAGLEV_CTR_ICMP_DROP_FRAG;
		goto drop_vip;
	}
	off = maglev_icmp_offset(skb, outer->family);
	ih = off < 0 ? NULL : skb_header_pointer(skb, off, sizeof(_ih), _ih);
	if (!ih) {
		ctr = MAGLEV_CTR_ICMP_DROP_MALFORMED;
		goto drop_vip;
	}
	if (ih[0] == (outer->family == AF_INET ? ICMP_ECHO :
						 ICMPV6_ECHO_REQUEST)) {
		if (vip)
			maglev_stats_add(&mn->stats, MAGLEV_CTR_ICMP_ECHO, 1);
		return MAGLEV_ICMP_PASS;
	}
	if (!maglev_icmp_is_error(outer->family, ih[0]))
		return MAGLEV_ICMP_PASS;

	in = maglev_icmp_parse_inner(skb, off + sizeof(_ih), outer->family,
				     &inner);
	if (!vip) {
		maglev_icmp_own(net, mn, skb, outer, off, ih, in, &inner);
		return MAGLEV_ICMP_PASS;
	}
	if (!maglev_icmp_csum_ok(skb, off, outer)) {
		ctr = MAGLEV_CTR_ICMP_DROP_CSUM;
		goto drop;
	}
	if (in == MAGLEV_ICMP_INNER_MALFORMED) {
		ctr = MAGLEV_CTR_ICMP_DROP_MALFORMED;
		goto drop;
	}
	if (in == MAGLEV_ICMP_INNER_FRAG) {
		ctr = MAGLEV_CTR_ICMP_DROP_INNER_FRAG;
		goto drop;
	}
	/* A router sends its error to the source of the packet it quotes. */
	if (memcmp(&inner.saddr, &outer->daddr, outer->family == AF_INET ?
		   sizeof(inner.saddr.v4) : sizeof(inner.saddr.v6))) {
		ctr = MAGLEV_CTR_ICMP_DROP_SOURCE;
		goto drop;
	}
	ctr = MAGLEV_CTR_ICMP_DROP_NO_SERVICE;
	if (in != MAGLEV_ICMP_INNER_OK)
		goto drop;
	maglev_icmp_reverse(&inner, &flow);
	*svc = maglev_svc_match(set, &flow);
	if (!*svc)
		goto drop;
	*bc = maglev_icmp_backend(mn, *svc, &flow, &ctr);
	if (!*bc) {
		ctr = MAGLEV_CTR_NO_BACKEND;
		goto drop;
	}
	maglev_stats_add(&mn->stats, ctr, 1);
	return MAGLEV_ICMP_FORWARD;

drop_vip:
	if (!vip)
		return MAGLEV_ICMP_PASS;
drop:
	maglev_stats_add(&mn->stats, ctr, 1);
	return MAGLEV_ICMP_DROP;
}
