/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet header parsing for the packet path.
 */
#ifndef _MAGLEV_PARSE_H
#define _MAGLEV_PARSE_H

#include "maglev.h"

struct sk_buff;

enum maglev_parse {
	MAGLEV_PARSE_OK,	/* TCP/UDP/SCTP with ports: @flow filled */
	MAGLEV_PARSE_OTHER,	/* another protocol: not ours */
	MAGLEV_PARSE_FRAGMENT,	/* a fragment (first or later) */
	MAGLEV_PARSE_MALFORMED,	/* truncated or inconsistent headers */
};

/*
 * Both parsers only read the skb (skb_header_pointer()). The flow's
 * addresses, family and proto are filled whenever the IP header itself is
 * readable (OK, OTHER, FRAGMENT, and MALFORMED from a bad L4 or extension
 * header), family is 0 otherwise; ports and tcp_flags only for OK, zero
 * otherwise. IPv6 atomic fragments (offset 0,
 * no M flag) are whole packets (RFC 6946): OK, not FRAGMENT.
 */
enum maglev_parse maglev_parse_ipv4(const struct sk_buff *skb,
				    struct maglev_flow *flow);
enum maglev_parse maglev_parse_ipv6(const struct sk_buff *skb,
				    struct maglev_flow *flow);

#endif /* _MAGLEV_PARSE_H */
