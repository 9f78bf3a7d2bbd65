// SPDX-License-Identifier: GPL-2.0
/*
 * Packet header parsing for the packet path.
 *
 * Runs in a PREROUTING hook before defragmentation, on every packet the
 * host receives: it reads with skb_header_pointer() only, never pulls or
 * writes, so traffic that is not ours passes untouched and at the cost of
 * two header reads.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/sctp.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "parse.h"

/*
 * Read the ports (and for TCP the flags) of the L4 header at @off.
 * Every protocol we handle starts with the source and destination ports.
 */
static enum maglev_parse maglev_parse_l4(const struct sk_buff *skb, int off,
					 struct maglev_flow *flow)
{
	switch (flow->proto) {
	case IPPROTO_TCP: {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, off, sizeof(_th), &_th);
		if (!th)
			return MAGLEV_PARSE_MALFORMED;
		/* The options the data offset announces must be there too. */
		if (th->doff < 5 || off + th->doff * 4 > skb->len)
			return MAGLEV_PARSE_MALFORMED;
		flow->sport = th->source;
		flow->dport = th->dest;
		/* Byte 13: CWR ECE URG ACK PSH RST SYN FIN (TCPHDR_*). */
		flow->tcp_flags = ((const u8 *)th)[13];
		return MAGLEV_PARSE_OK;
	}
	case IPPROTO_UDP: {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		if (!uh)
			return MAGLEV_PARSE_MALFORMED;
		flow->sport = uh->source;
		flow->dport = uh->dest;
		return MAGLEV_PARSE_OK;
	}
	case IPPROTO_SCTP: {
		struct sctphdr _sh;
		const struct sctphdr *sh;

		sh = skb_header_pointer(skb, off, sizeof(_sh), &_sh);
		if (!sh)
			return MAGLEV_PARSE_MALFORMED;
		flow->sport = sh->source;
		flow->dport = sh->dest;
		return MAGLEV_PARSE_OK;
	}
	default:
		return MAGLEV_PARSE_OTHER;
	}
}

/**
 * maglev_parse_ipv4() - extract the flow of an IPv4 packet
 * @skb: the packet; its network header is the IPv4 header
 * @flow: filled in (see below)
 *
 * Does not modify @skb. The addresses, @flow->family and @flow->proto are
 * filled whenever the IPv4 header is readable (so also for FRAGMENT and
 * OTHER); ports and TCP flags only for MAGLEV_PARSE_OK, zero otherwise.
 * IP options (ihl > 5) are skipped.
 *
 * Return: MAGLEV_PARSE_OK for TCP, UDP or SCTP with a complete L4 header;
 * MAGLEV_PARSE_FRAGMENT for any fragment (MF set or a non-zero offset);
 * MAGLEV_PARSE_OTHER for any other protocol; MAGLEV_PARSE_MALFORMED when a
 * header is truncated or inconsistent.
 */
enum maglev_parse maglev_parse_ipv4(const struct sk_buff *skb,
				    struct maglev_flow *flow)
{
	int off = skb_network_offset(skb);
	const struct iphdr *iph;
	struct iphdr _iph;

	memset(flow, 0, sizeof(*flow));
	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return MAGLEV_PARSE_MALFORMED;

	flow->family = AF_INET;
	flow->proto = iph->protocol;
	flow->saddr.v4 = iph->saddr;
	flow->daddr.v4 = iph->daddr;

	if (iph->frag_off & htons(IP_MF | IP_OFFSET))
		return MAGLEV_PARSE_FRAGMENT;

	return maglev_parse_l4(skb, off + iph->ihl * 4, flow);
}

/**
 * maglev_parse_ipv6() - extract the flow of an IPv6 packet
 * @skb: the packet; its network header is the IPv6 header
 * @flow: filled in as by maglev_parse_ipv4()
 *
 * Does not modify @skb. Extension headers (hop-by-hop, routing, destination
 * options, AH) are skipped with ipv6_skip_exthdr(). A packet with a fragment
 * header is a fragment, the first one included, unless it is an atomic
 * fragment (offset 0, no M flag: RFC 6946 says to process it as a whole
 * packet, like the kernel does). @flow->proto is the upper-layer protocol
 * found, NEXTHDR_FRAGMENT for a later fragment.
 *
 * Return: as maglev_parse_ipv4(). A "no next header" (59) right after the
 * fixed header is OTHER; after other extension headers ipv6_skip_exthdr()
 * cannot tell it from a truncation, so it is MALFORMED.
 */
enum maglev_parse maglev_parse_ipv6(const struct sk_buff *skb,
				    struct maglev_flow *flow)
{
	int off = skb_network_offset(skb);
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	__be16 frag_off;
	u8 nexthdr;

	memset(flow, 0, sizeof(*flow));
	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return MAGLEV_PARSE_MALFORMED;

	flow->family = AF_INET6;
	flow->saddr.v6 = ip6h->saddr;
	flow->daddr.v6 = ip6h->daddr;
	nexthdr = ip6h->nexthdr;
	flow->proto = nexthdr;
	if (nexthdr == NEXTHDR_NONE)
		return MAGLEV_PARSE_OTHER;

	off = ipv6_skip_exthdr(skb, off + sizeof(_ip6h), &nexthdr, &frag_off);
	if (off < 0)
		return MAGLEV_PARSE_MALFORMED;
	flow->proto = nexthdr;
	if (frag_off & htons(IP6_OFFSET | IP6_MF))
		return MAGLEV_PARSE_FRAGMENT;

	return maglev_parse_l4(skb, off, flow);
}
