/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health probes through the tunnel: a LOCAL_OUT hook that GRE-encapsulates
 * marked local packets to the backend their mark names.
 */
#ifndef _MAGLEV_PROBE_H
#define _MAGLEV_PROBE_H

#include <linux/types.h>

struct nf_hook_state;
struct sk_buff;

/**
 * maglev_probe_id - the backend id a packet mark names, if it is a probe's
 * @skb_mark: the packet's mark
 * @mark: MAGLEV_CFG_A_PROBE_MARK
 * @mask: MAGLEV_CFG_A_PROBE_MASK; 0 turns probes off
 * @id: out: the backend id, the mark's bits outside @mask
 *
 * Return: true when @skb_mark is a probe's: (@skb_mark & @mask) ==
 * (@mark & @mask) with @mask nonzero.
 */
static inline bool maglev_probe_id(u32 skb_mark, u32 mark, u32 mask, u32 *id)
{
	if (!mask || ((skb_mark ^ mark) & mask))
		return false;
	*id = skb_mark & ~mask;
	return true;
}

enum maglev_probe_cfg {
	MAGLEV_PROBE_CFG_OK,
	MAGLEV_PROBE_CFG_NO_MASK,	/* a mark without a mask */
	MAGLEV_PROBE_CFG_OUTSIDE,	/* mark bits outside the mask */
	MAGLEV_PROBE_CFG_ZERO,		/* mark 0 under a mask */
};

/**
 * maglev_probe_check - whether a probe mark and mask may be configured
 * @mark: MAGLEV_CFG_A_PROBE_MARK
 * @mask: MAGLEV_CFG_A_PROBE_MASK
 *
 * 0/0 (off) is valid. Otherwise @mask must be nonzero, @mark may have no
 * bit outside @mask (those bits carry the backend id), and @mark must be
 * nonzero: unmarked packets (mark 0) must never match.
 *
 * Return: enum maglev_probe_cfg, MAGLEV_PROBE_CFG_OK if valid.
 */
static inline enum maglev_probe_cfg maglev_probe_check(u32 mark, u32 mask)
{
	if (!mark && !mask)
		return MAGLEV_PROBE_CFG_OK;
	if (!mask)
		return MAGLEV_PROBE_CFG_NO_MASK;
	if (mark & ~mask)
		return MAGLEV_PROBE_CFG_OUTSIDE;
	if (!mark)
		return MAGLEV_PROBE_CFG_ZERO;
	return MAGLEV_PROBE_CFG_OK;
}

unsigned int maglev_probe_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);

#endif /* _MAGLEV_PROBE_H */
