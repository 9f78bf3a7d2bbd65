/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by every maglev subsystem.
 */
#ifndef _MAGLEV_MAGLEV_H
#define _MAGLEV_MAGLEV_H

#include <linux/in6.h>
#include <linux/types.h>

/* An IPv4 or IPv6 address; the family is kept beside it. */
union maglev_addr {
	__be32 v4;
	struct in6_addr v6;
};

/**
 * struct maglev_flow - what the packet path extracts from a packet
 * @saddr: source address
 * @daddr: destination address
 * @sport: source port (network order)
 * @dport: destination port (network order)
 * @family: AF_INET or AF_INET6
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
 * @tcp_flags: TCP flags byte (TCPHDR_SYN, ...), 0 for other protocols
 */
struct maglev_flow {
	union maglev_addr saddr;
	union maglev_addr daddr;
	__be16 sport;
	__be16 dport;
	u8 family;
	u8 proto;
	u8 tcp_flags;
};

#endif /* _MAGLEV_MAGLEV_H */
