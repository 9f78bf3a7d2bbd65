/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet path: netfilter PREROUTING hooks.
 */
#ifndef _MAGLEV_HOOK_H
#define _MAGLEV_HOOK_H

#include <linux/types.h>

struct maglev_be_conf;
struct maglev_ns_conf;
struct maglev_svc_conf;
struct net;

const struct maglev_be_conf *maglev_follow(const struct maglev_svc_conf *conf,
					   const struct maglev_ns_conf *nc,
					   u32 be_id, u8 tcp_flags, u8 *reason);

struct maglev_flow;
struct maglev_net;
struct maglev_service;
struct sk_buff;

const struct maglev_be_conf *
maglev_pick(struct maglev_net *mn, struct maglev_service *svc,
	    const struct maglev_svc_conf *conf, const struct maglev_flow *flow,
	    bool *drop);
void maglev_send(struct maglev_net *mn, struct net *net,
		 struct maglev_service *svc, const struct maglev_be_conf *bc,
		 struct sk_buff *skb);

int maglev_hooks_register(struct net *net);
void maglev_hooks_unregister(struct net *net);

#endif /* _MAGLEV_HOOK_H */
