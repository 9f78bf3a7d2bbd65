/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "maglev" generic netlink family: registration (for main.c), and the
 * parsing and message helpers its handlers (nl_service.c, nl_state.c)
 * share.
 */
#ifndef _MAGLEV_NETLINK_H
#define _MAGLEV_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/maglev.h>

#include "service.h"

enum maglev_mcgrp {
	MAGLEV_MCGRP_CONFIG_ID,
};

extern struct genl_family maglev_family;
extern const struct nla_policy maglev_cfg_policy[MAGLEV_CFG_A_MAX + 1];
extern const struct nla_policy maglev_timeout_policy[MAGLEV_TIMEOUT_A_MAX + 1];
extern const struct nla_policy maglev_flow_policy[MAGLEV_FLOW_A_MAX + 1];

int maglev_nl_init(void);
void maglev_nl_exit(void);

int maglev_nl_check_proto(const struct nlattr *attr,
			  struct netlink_ext_ack *extack);
int maglev_nl_check_table_size(const struct nlattr *attr,
			       struct netlink_ext_ack *extack);
int maglev_nl_addr(struct nlattr **tb, int a4, int a6,
		   const struct nlattr *nest, union maglev_addr *addr,
		   u8 *family, struct netlink_ext_ack *extack);
int maglev_nl_svc_key(struct nlattr *nest,
		      struct nlattr *tb[MAGLEV_SVC_A_MAX + 1],
		      struct maglev_svc_key *key,
		      struct netlink_ext_ack *extack);
struct maglev_service *
maglev_nl_svc_find(struct maglev_net *mn, struct genl_info *info,
		   struct nlattr *tb[MAGLEV_SVC_A_MAX + 1]);
void maglev_nl_svc_params(struct nlattr **tb, struct maglev_svc_params *p);
void maglev_nl_default_params(struct maglev_net *mn,
			      struct maglev_svc_params *p);
int maglev_nl_be(struct nlattr *nest, struct maglev_be_params *bp,
		 const struct maglev_be_params *defaults,
		 struct netlink_ext_ack *extack);
struct maglev_be_params *maglev_nl_be_list(struct nlattr *list, u32 *n,
					   struct netlink_ext_ack *extack);
struct maglev_be_params *
maglev_nl_be_current(const struct maglev_svc_conf *conf, u32 extra);
int maglev_be_index(const struct maglev_svc_conf *conf,
		    const struct maglev_be_params *bp);
int maglev_nl_put_addr(struct sk_buff *msg, int a4, int a6, u8 family,
		       const union maglev_addr *addr);
int maglev_nl_put_key(struct sk_buff *msg, const struct maglev_svc_key *key);
int maglev_nl_put_params(struct sk_buff *msg,
			 const struct maglev_svc_params *p);
int maglev_nl_put_be(struct sk_buff *msg, const struct maglev_be_conf *bc,
		     int index);
void maglev_nl_notify(struct net *net, u8 cmd,
		      const struct maglev_svc_key *key,
		      const struct maglev_svc_params *p,
		      const struct maglev_be_conf *bc);
void maglev_nl_notify_svc(struct maglev_net *mn, struct genl_info *info,
			  struct maglev_service *svc);

/**
 * maglev_info_net - the maglev state of a request's namespace
 * @info: the request
 */
static inline struct maglev_net *maglev_info_net(struct genl_info *info)
{
	return maglev_pernet(genl_info_net(info));
}

#endif /* _MAGLEV_NETLINK_H */
