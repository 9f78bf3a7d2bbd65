/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink handlers for lookups, connections, namespace settings and
 * statistics (for the operations table in netlink.c).
 */
#ifndef _MAGLEV_NL_STATE_H
#define _MAGLEV_NL_STATE_H

struct genl_info;
struct netlink_callback;
struct sk_buff;

int maglev_nl_lookup(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb);
int maglev_nl_conn_flush(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_config_get(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_config_set(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_stats_get(struct sk_buff *skb, struct genl_info *info);
int maglev_nl_stats_zero(struct sk_buff *skb, struct genl_info *info);

#endif /* _MAGLEV_NL_STATE_H */
