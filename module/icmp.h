/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP errors about VIP flows and about our own GRE packets.
 */
#ifndef _MAGLEV_ICMP_H
#define _MAGLEV_ICMP_H

#include <linux/in.h>
#include <linux/socket.h>

#include "maglev.h"

struct maglev_be_conf;
struct maglev_net;
struct maglev_service;
struct maglev_svc_set;
struct net;
struct sk_buff;

/**
 * enum maglev_icmp - what the packet path does with an ICMP packet
 * @MAGLEV_ICMP_PASS: not ours: let the stack have it
 * @MAGLEV_ICMP_DROP: dropped (counted)
 * @MAGLEV_ICMP_FORWARD: encapsulate it, unchanged, to the backend returned
 */
enum maglev_icmp {
	MAGLEV_ICMP_PASS,
	MAGLEV_ICMP_DROP,
	MAGLEV_ICMP_FORWARD,
};

/**
 * enum maglev_icmp_inner - what the packet embedded in an ICMP error is
 * @MAGLEV_ICMP_INNER_OK: TCP, UDP or SCTP with its ports: flow filled
 * @MAGLEV_ICMP_INNER_GRE: a GRE packet (addresses filled)
 * @MAGLEV_ICMP_INNER_OTHER: another protocol (addresses filled)
 * @MAGLEV_ICMP_INNER_FRAG: a fragment other than the first
 * @MAGLEV_ICMP_INNER_MALFORMED: truncated or inconsistent headers
 */
enum maglev_icmp_inner {
	MAGLEV_ICMP_INNER_OK,
	MAGLEV_ICMP_INNER_GRE,
	MAGLEV_ICMP_INNER_OTHER,
	MAGLEV_ICMP_INNER_FRAG,
	MAGLEV_ICMP_INNER_MALFORMED,
};

enum maglev_icmp_inner maglev_icmp_parse_inner(const struct sk_buff *skb,
					       int off, u8 family,
					       struct maglev_flow *inner);
void maglev_icmp_reverse(const struct maglev_flow *inner,
			 struct maglev_flow *flow);
enum maglev_icmp maglev_icmp_rcv(struct net *net, struct maglev_net *mn,
				 const struct maglev_svc_set *set,
				 struct sk_buff *skb,
				 const struct maglev_flow *outer, bool fragment,
				 struct maglev_service **svc,
				 const struct maglev_be_conf **bc);

/**
 * maglev_icmp_proto - whether a parsed packet is ICMP of its family
 * @flow: the outer flow from maglev_parse_ipv4()/_ipv6()
 */
static inline bool maglev_icmp_proto(const struct maglev_flow *flow)
{
	return flow->family == AF_INET ? flow->proto == IPPROTO_ICMP :
	       flow->family == AF_INET6 && flow->proto == IPPROTO_ICMPV6;
}

#endif /* _MAGLEV_ICMP_H */
