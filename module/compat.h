/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels maglev builds against (6.1 .. 6.12+),
 * hidden behind small wrappers so the .c files carry no version tests.
 */
#ifndef _MAGLEV_COMPAT_H
#define _MAGLEV_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>
#include <net/gre.h>
#include <net/ip_tunnels.h>

/* v6.5 moved the GSO helpers (skb_gso_validate_network_len()...) out of
 * skbuff.h into their own header.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/*
 * v6.10 ("ip_tunnel: convert __be16 tunnel flags to bitmaps") turned the
 * TUNNEL_* __be16 flags into IP_TUNNEL_*_BIT bits of an unsigned long
 * bitmap; gre_calc_hlen() and gre_build_header() take the bitmap since.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)

/**
 * maglev_gre_hlen() - length of a GRE header
 * @csum: with the checksum field
 * @key: with the key field
 *
 * Return: 4, 8 or 12.
 */
static inline int maglev_gre_hlen(bool csum, bool key)
{
	IP_TUNNEL_DECLARE_FLAGS(flags) = { };

	__assign_bit(IP_TUNNEL_CSUM_BIT, flags, csum);
	__assign_bit(IP_TUNNEL_KEY_BIT, flags, key);
	return gre_calc_hlen(flags);
}

/**
 * maglev_gre_build_header() - push a GRE header (RFC 2784/2890)
 * @skb: the packet, data at the payload; iptunnel_handle_offloads() done
 * @hlen: maglev_gre_hlen(@csum, @key)
 * @csum: with a checksum (computed here or set up as CHECKSUM_PARTIAL)
 * @key: with the key field
 * @proto: the payload's ethertype
 * @keyval: the key, network order
 *
 * Also sets the skb's inner protocol and transport header (the GRE header).
 */
static inline void maglev_gre_build_header(struct sk_buff *skb, int hlen,
					   bool csum, bool key, __be16 proto,
					   __be32 keyval)
{
	IP_TUNNEL_DECLARE_FLAGS(flags) = { };

	__assign_bit(IP_TUNNEL_CSUM_BIT, flags, csum);
	__assign_bit(IP_TUNNEL_KEY_BIT, flags, key);
	gre_build_header(skb, hlen, flags, proto, keyval, 0);
}

#else /* < 6.10: __be16 TUNNEL_* flags */

static inline __be16 maglev_gre_tflags(bool csum, bool key)
{
	return (csum ? TUNNEL_CSUM : 0) | (key ? TUNNEL_KEY : 0);
}

static inline int maglev_gre_hlen(bool csum, bool key)
{
	return gre_calc_hlen(maglev_gre_tflags(csum, key));
}

static inline void maglev_gre_build_header(struct sk_buff *skb, int hlen,
					   bool csum, bool key, __be16 proto,
					   __be32 keyval)
{
	gre_build_header(skb, hlen, maglev_gre_tflags(csum, key), proto,
			 keyval, 0);
}

#endif

/*
 * v6.6 ("genetlink: add genl_info_dump() helper") moved a dump's parsed
 * attributes into a struct genl_info.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
static inline struct nlattr **maglev_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#else
static inline struct nlattr **maglev_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#endif

#endif /* _MAGLEV_COMPAT_H */
