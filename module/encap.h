/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GRE encapsulation and transmission to a backend.
 */
#ifndef _MAGLEV_ENCAP_H
#define _MAGLEV_ENCAP_H

#include "maglev.h"

struct maglev_route_cache;
struct net;
struct sk_buff;

/**
 * struct maglev_encap - how to reach one backend
 * @daddr: the backend's address (outer destination)
 * @saddr: outer source; all zeroes lets routing choose
 * @rcache: the destination's route cache (route.h; the caller's)
 * @key: GRE key (network order), sent when @use_key
 * @family: outer family, AF_INET or AF_INET6 (the backend's)
 * @ttl: outer TTL / hop limit; 0 = the route's default
 * @use_key: add a GRE key
 * @csum: add a GRE checksum
 * @recur: GRE recursion control (RFC 1701), 0..7; only without @csum
 */
struct maglev_encap {
	union maglev_addr daddr;
	union maglev_addr saddr;
	struct maglev_route_cache *rcache;
	__be32 key;
	u8 family;
	u8 ttl;
	bool use_key;
	bool csum;
	u8 recur;
};

enum maglev_xmit {
	MAGLEV_XMIT_OK,
	MAGLEV_XMIT_NO_ROUTE,
	MAGLEV_XMIT_TOO_BIG,
	MAGLEV_XMIT_NOMEM,
	MAGLEV_XMIT_ERR,
};

enum maglev_xmit maglev_encap_xmit(struct net *net, struct sk_buff *skb,
				   const struct maglev_encap *e);
unsigned int maglev_encap_mtu(struct net *net, const struct maglev_encap *e);

#endif /* _MAGLEV_ENCAP_H */
