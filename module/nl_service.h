/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink handlers for services, backends and tables (for the
 * operations table in netlink.c).
 */
#ifndef _MAGLEV_NL_SERVICE_H
#define _MAGLEV_NL_SERVICE_H

struct genl_info;
struct netlink_callback;
struct sk_buff;

int maglev_nl_svc_new(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_svc_replace(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_svc_set(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_svc_del(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_be_change(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_flush(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_svc_dump(struct sk_buff *skb, struct netlink_callback *cb);
int maglev_nl_svc_getone(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb);
int maglev_nl_table_done(struct netlink_callback *cb);

#endif /* _MAGLEV_NL_SERVICE_H */
