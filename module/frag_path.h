/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fragments of VIP traffic on the packet path (stages 1 and 2), and their
 * settings.
 */
#ifndef _MAGLEV_FRAG_PATH_H
#define _MAGLEV_FRAG_PATH_H

#include <linux/netfilter.h>
#include <linux/siphash.h>

struct genl_info;
struct maglev_net;
struct maglev_ns_conf;
struct maglev_pool;
struct maglev_svc_set;
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;

unsigned int maglev_frag_hook(struct maglev_net *mn,
			      const struct maglev_svc_set *set,
			      struct sk_buff *skb,
			      const struct nf_hook_state *state);
unsigned int maglev_pool_rcv(struct maglev_net *mn,
			     const struct maglev_svc_set *set,
			     struct sk_buff *skb,
			     const struct nf_hook_state *state);

void maglev_frag_conf_init(struct maglev_ns_conf *nc);
void maglev_frag_conf_set(struct maglev_ns_conf *nc, struct nlattr **tb);
int maglev_pool_prepare(struct maglev_net *mn, struct nlattr *attr,
			const siphash_key_t *seed, bool reseed,
			struct maglev_pool **pool, bool *replace,
			struct netlink_ext_ack *extack);
void maglev_pool_publish(struct maglev_net *mn, struct maglev_pool *pool);
int maglev_frag_put_config(struct sk_buff *msg, struct maglev_net *mn,
			   const struct maglev_ns_conf *nc);
int maglev_frag_net_init(struct maglev_net *mn);
void maglev_frag_net_exit(struct maglev_net *mn);

#endif /* _MAGLEV_FRAG_PATH_H */
