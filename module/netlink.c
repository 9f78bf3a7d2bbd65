// SPDX-License-Identifier: GPL-2.0
/*
 * The "maglev" generic netlink family: configuration, lookups, statistics.
 * include/uapi/linux/maglev.h documents the protocol.
 *
 * Every handler runs in process context and takes the namespace's config
 * mutex (see DOC: Locking in service.c); the family has parallel_ops so
 * namespaces do not wait for each other.
 */
#include <linux/in.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/maglev.h>

#include "compat.h"
#include "conn.h"
#include "hook.h"
#include "netlink.h"
#include "service.h"
#include "table.h"

static struct genl_family maglev_family;

enum maglev_mcgrp {
	MAGLEV_MCGRP_CONFIG_ID,
};

static int maglev_validate_proto(const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	switch (nla_get_u8(attr)) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		return 0;
	}
	NL_SET_ERR_MSG_MOD(extack, "protocol must be TCP, UDP or SCTP");
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

static int maglev_validate_table_size(const struct nlattr *attr,
				      struct netlink_ext_ack *extack)
{
	u32 m = nla_get_u32(attr);

	if (m >= MAGLEV_TABLE_SIZE_MIN && m <= MAGLEV_TABLE_SIZE_MAX &&
	    maglev_is_prime(m))
		return 0;
	NL_SET_ERR_MSG_MOD(extack,
			   "table size must be a prime from 7 to 1048573");
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

/* Policy ranges are s16 unless given by pointer. */
static struct netlink_range_validation maglev_weight_range = {
	.max = MAGLEV_WEIGHT_MAX,
};

static const struct nla_policy maglev_be_policy[MAGLEV_BE_A_MAX + 1] = {
	[MAGLEV_BE_A_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_BE_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MAGLEV_BE_A_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32,
						     &maglev_weight_range),
	[MAGLEV_BE_A_STATE] = NLA_POLICY_MAX(NLA_U8, MAGLEV_BE_STATE_MAX),
};

static const struct nla_policy maglev_svc_policy[MAGLEV_SVC_A_MAX + 1] = {
	[MAGLEV_SVC_A_PROTO] = NLA_POLICY_VALIDATE_FN(NLA_U8,
						      maglev_validate_proto),
	[MAGLEV_SVC_A_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_SVC_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MAGLEV_SVC_A_PORT] = { .type = NLA_U16 },
	[MAGLEV_SVC_A_TABLE_SIZE] =
		NLA_POLICY_VALIDATE_FN(NLA_U32, maglev_validate_table_size),
	[MAGLEV_SVC_A_HASH] = NLA_POLICY_MAX(NLA_U8, MAGLEV_HASH_MAX),
	[MAGLEV_SVC_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __MAGLEV_SVC_F_ALL),
	[MAGLEV_SVC_A_GRE_KEY] = { .type = NLA_U32 },
	[MAGLEV_SVC_A_BACKENDS] = NLA_POLICY_NESTED_ARRAY(maglev_be_policy),
};

static struct netlink_range_validation maglev_conn_max_range = {
	.max = MAGLEV_CONN_MAX_LIMIT,
};

static struct netlink_range_validation maglev_timeout_range = {
	.min = 1,
	.max = MAGLEV_TIMEOUT_MAX,
};

static const struct nla_policy
maglev_timeout_policy[MAGLEV_TIMEOUT_A_MAX + 1] = {
	[MAGLEV_TIMEOUT_A_TCP_SYN ... MAGLEV_TIMEOUT_A_SCTP] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &maglev_timeout_range),
};

static const struct nla_policy maglev_cfg_policy[MAGLEV_CFG_A_MAX + 1] = {
	[MAGLEV_CFG_A_SEED] = NLA_POLICY_EXACT_LEN(sizeof(siphash_key_t)),
	[MAGLEV_CFG_A_SOURCE4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_CFG_A_SOURCE6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MAGLEV_CFG_A_TTL] = { .type = NLA_U8 },
	[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE] =
		NLA_POLICY_VALIDATE_FN(NLA_U32, maglev_validate_table_size),
	[MAGLEV_CFG_A_DEFAULT_HASH] = NLA_POLICY_MAX(NLA_U8, MAGLEV_HASH_MAX),
	[MAGLEV_CFG_A_CONN_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&maglev_conn_max_range),
	[MAGLEV_CFG_A_EXPIRE_NODEST] = NLA_POLICY_MAX(NLA_U8,
						      MAGLEV_EXPIRE_NODEST_MAX),
	[MAGLEV_CFG_A_TIMEOUTS] = NLA_POLICY_NESTED(maglev_timeout_policy),
};

static const struct nla_policy maglev_flow_policy[MAGLEV_FLOW_A_MAX + 1] = {
	[MAGLEV_FLOW_A_PROTO] = NLA_POLICY_VALIDATE_FN(NLA_U8,
						       maglev_validate_proto),
	[MAGLEV_FLOW_A_SADDR4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_FLOW_A_SADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MAGLEV_FLOW_A_DADDR4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_FLOW_A_DADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MAGLEV_FLOW_A_SPORT] = { .type = NLA_U16 },
	[MAGLEV_FLOW_A_DPORT] = { .type = NLA_U16 },
};

/* Top-level policies, one per kind of request. */
static const struct nla_policy maglev_nl_svc_policy[MAGLEV_A_SERVICE + 1] = {
	[MAGLEV_A_SERVICE] = NLA_POLICY_NESTED(maglev_svc_policy),
};

static const struct nla_policy maglev_nl_be_policy[MAGLEV_A_BACKEND + 1] = {
	[MAGLEV_A_SERVICE] = NLA_POLICY_NESTED(maglev_svc_policy),
	[MAGLEV_A_BACKEND] = NLA_POLICY_NESTED(maglev_be_policy),
};

static const struct nla_policy maglev_nl_cfg_policy[MAGLEV_A_CONFIG + 1] = {
	[MAGLEV_A_CONFIG] = NLA_POLICY_NESTED(maglev_cfg_policy),
};

static const struct nla_policy maglev_nl_flow_policy[MAGLEV_A_FLOW + 1] = {
	[MAGLEV_A_FLOW] = NLA_POLICY_NESTED(maglev_flow_policy),
};

static struct maglev_net *maglev_info_net(struct genl_info *info)
{
	return maglev_pernet(genl_info_net(info));
}

/*
 * Exactly one of the attributes @a4 and @a6 of the nest @nest gives an
 * address.
 */
static int maglev_nl_addr(struct nlattr **tb, int a4, int a6,
			  const struct nlattr *nest, union maglev_addr *addr,
			  u8 *family, struct netlink_ext_ack *extack)
{
	memset(addr, 0, sizeof(*addr));
	if (tb[a4] && tb[a6]) {
		NL_SET_ERR_MSG_MOD(extack, "give an IPv4 or an IPv6 address, not both");
		NL_SET_BAD_ATTR(extack, tb[a6]);
		return -EINVAL;
	}
	if (tb[a4]) {
		addr->v4 = nla_get_in_addr(tb[a4]);
		*family = AF_INET;
	} else if (tb[a6]) {
		addr->v6 = nla_get_in6_addr(tb[a6]);
		*family = AF_INET6;
	} else {
		NL_SET_ERR_MSG_MOD(extack, "address missing");
		NL_SET_ERR_ATTR_MISS(extack, nest, a4);
		return -EINVAL;
	}
	return 0;
}

/* Parse a MAGLEV_A_SERVICE nest into @tb and its key. */
static int maglev_nl_svc_key(struct nlattr *nest,
			     struct nlattr *tb[MAGLEV_SVC_A_MAX + 1],
			     struct maglev_svc_key *key,
			     struct netlink_ext_ack *extack)
{
	int err;

	err = nla_parse_nested(tb, MAGLEV_SVC_A_MAX, nest, maglev_svc_policy,
			       extack);
	if (err)
		return err;
	memset(key, 0, sizeof(*key));
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, MAGLEV_SVC_A_PROTO) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, MAGLEV_SVC_A_PORT)) {
		NL_SET_ERR_MSG_MOD(extack, "service needs a protocol and a port");
		return -EINVAL;
	}
	key->proto = nla_get_u8(tb[MAGLEV_SVC_A_PROTO]);
	key->port = htons(nla_get_u16(tb[MAGLEV_SVC_A_PORT]));
	return maglev_nl_addr(tb, MAGLEV_SVC_A_ADDR4, MAGLEV_SVC_A_ADDR6, nest,
			      &key->addr, &key->family, extack);
}

/* The service a request names, which must exist. */
static struct maglev_service *
maglev_nl_svc_find(struct maglev_net *mn, struct genl_info *info,
		   struct nlattr *tb[MAGLEV_SVC_A_MAX + 1])
{
	struct maglev_service *svc;
	struct maglev_svc_key key;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MAGLEV_A_SERVICE)) {
		NL_SET_ERR_MSG_MOD(info->extack, "service missing");
		return ERR_PTR(-EINVAL);
	}
	err = maglev_nl_svc_key(info->attrs[MAGLEV_A_SERVICE], tb, &key,
				info->extack);
	if (err)
		return ERR_PTR(err);
	svc = maglev_svc_find(mn, &key);
	if (!svc) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such service");
		NL_SET_BAD_ATTR(info->extack, info->attrs[MAGLEV_A_SERVICE]);
		return ERR_PTR(-ENOENT);
	}
	return svc;
}

/* Apply the settings present in @tb on top of @p. */
static void maglev_nl_svc_params(struct nlattr **tb,
				 struct maglev_svc_params *p)
{
	if (tb[MAGLEV_SVC_A_TABLE_SIZE])
		p->table_size = nla_get_u32(tb[MAGLEV_SVC_A_TABLE_SIZE]);
	if (tb[MAGLEV_SVC_A_HASH])
		p->hash = nla_get_u8(tb[MAGLEV_SVC_A_HASH]);
	if (tb[MAGLEV_SVC_A_FLAGS])
		p->flags = nla_get_u32(tb[MAGLEV_SVC_A_FLAGS]);
	if (tb[MAGLEV_SVC_A_GRE_KEY])
		p->gre_key = nla_get_u32(tb[MAGLEV_SVC_A_GRE_KEY]);
}

static void maglev_nl_default_params(struct maglev_net *mn,
				     struct maglev_svc_params *p)
{
	const struct maglev_ns_conf *nc = maglev_ns_conf(mn);

	memset(p, 0, sizeof(*p));
	p->table_size = nc->default_table_size;
	p->hash = nc->default_hash;
}

/* Parse one backend nest; @defaults supplies what it leaves out. */
static int maglev_nl_be(struct nlattr *nest, struct maglev_be_params *bp,
			const struct maglev_be_params *defaults,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MAGLEV_BE_A_MAX + 1];
	union maglev_addr addr;
	u8 family;
	int err;

	err = nla_parse_nested(tb, MAGLEV_BE_A_MAX, nest, maglev_be_policy,
			       extack);
	if (err)
		return err;
	err = maglev_nl_addr(tb, MAGLEV_BE_A_ADDR4, MAGLEV_BE_A_ADDR6, nest,
			     &addr, &family, extack);
	if (err)
		return err;
	if (defaults) {
		*bp = *defaults;
	} else {
		bp->weight = MAGLEV_WEIGHT_DEFAULT;
		bp->state = MAGLEV_BE_STATE_UP;
	}
	bp->addr = addr;
	bp->family = family;
	if (tb[MAGLEV_BE_A_WEIGHT])
		bp->weight = nla_get_u32(tb[MAGLEV_BE_A_WEIGHT]);
	if (tb[MAGLEV_BE_A_STATE])
		bp->state = nla_get_u8(tb[MAGLEV_BE_A_STATE]);
	return 0;
}

/* The backend list of a MAGLEV_SVC_A_BACKENDS nest, kvmalloc'ed. */
static struct maglev_be_params *maglev_nl_be_list(struct nlattr *list, u32 *n,
						  struct netlink_ext_ack *extack)
{
	struct maglev_be_params *bp;
	struct nlattr *attr;
	u32 count = 0;
	int rem, err;

	*n = 0;
	if (!list)
		return NULL;
	nla_for_each_nested(attr, list, rem)
		count++;
	if (count > maglev_max_backends) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many backends (module parameter max_backends)");
		NL_SET_BAD_ATTR(extack, list);
		return ERR_PTR(-E2BIG);
	}
	if (!count)
		return NULL;
	bp = kvmalloc_array(count, sizeof(*bp), GFP_KERNEL);
	if (!bp)
		return ERR_PTR(-ENOMEM);
	nla_for_each_nested(attr, list, rem) {
		err = maglev_nl_be(attr, &bp[*n], NULL, extack);
		if (err) {
			kvfree(bp);
			return ERR_PTR(err);
		}
		(*n)++;
	}
	return bp;
}

/* The current backends of @conf, with room for @extra more. */
static struct maglev_be_params *
maglev_nl_be_current(const struct maglev_svc_conf *conf, u32 extra)
{
	struct maglev_be_params *bp;
	u32 i;

	bp = kvmalloc_array(conf->n_backends + extra, sizeof(*bp), GFP_KERNEL);
	if (!bp)
		return NULL;
	for (i = 0; i < conf->n_backends; i++) {
		bp[i].addr = conf->be[i].be->addr;
		bp[i].family = conf->be[i].be->family;
		bp[i].weight = conf->be[i].weight;
		bp[i].state = conf->be[i].state;
	}
	return bp;
}

static int maglev_be_index(const struct maglev_svc_conf *conf,
			   const struct maglev_be_params *bp)
{
	u32 i;

	for (i = 0; i < conf->n_backends; i++)
		if (conf->be[i].be->family == bp->family &&
		    !memcmp(&conf->be[i].be->addr, &bp->addr, sizeof(bp->addr)))
			return i;
	return -1;
}

static int maglev_nl_put_addr(struct sk_buff *msg, int a4, int a6, u8 family,
			      const union maglev_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(msg, a4, addr->v4);
	return nla_put_in6_addr(msg, a6, &addr->v6);
}

static int maglev_nl_put_key(struct sk_buff *msg,
			     const struct maglev_svc_key *key)
{
	if (nla_put_u8(msg, MAGLEV_SVC_A_PROTO, key->proto) ||
	    nla_put_u16(msg, MAGLEV_SVC_A_PORT, ntohs(key->port)))
		return -EMSGSIZE;
	return maglev_nl_put_addr(msg, MAGLEV_SVC_A_ADDR4, MAGLEV_SVC_A_ADDR6,
				  key->family, &key->addr);
}

static int maglev_nl_put_params(struct sk_buff *msg,
				const struct maglev_svc_params *p)
{
	if (nla_put_u32(msg, MAGLEV_SVC_A_TABLE_SIZE, p->table_size) ||
	    nla_put_u8(msg, MAGLEV_SVC_A_HASH, p->hash) ||
	    nla_put_u32(msg, MAGLEV_SVC_A_FLAGS, p->flags))
		return -EMSGSIZE;
	if ((p->flags & MAGLEV_SVC_F_GRE_KEY) &&
	    nla_put_u32(msg, MAGLEV_SVC_A_GRE_KEY, p->gre_key))
		return -EMSGSIZE;
	return 0;
}

/* A MAGLEV_A_BACKEND nest; @index < 0 leaves out what only dumps carry. */
static int maglev_nl_put_be(struct sk_buff *msg, const struct maglev_be_conf *bc,
			    int index)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, MAGLEV_A_BACKEND);
	if (!nest)
		return -EMSGSIZE;
	if (maglev_nl_put_addr(msg, MAGLEV_BE_A_ADDR4, MAGLEV_BE_A_ADDR6,
			       bc->be->family, &bc->be->addr) ||
	    nla_put_u32(msg, MAGLEV_BE_A_WEIGHT, bc->weight) ||
	    nla_put_u8(msg, MAGLEV_BE_A_STATE, bc->state))
		goto cancel;
	if (index >= 0 &&
	    (nla_put_u32(msg, MAGLEV_BE_A_SLOTS, bc->slots) ||
	     nla_put_u32(msg, MAGLEV_BE_A_INDEX, index) ||
	     maglev_stats_put(msg, MAGLEV_BE_A_STATS, &bc->be->stats)))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/*
 * Tell listeners about a change to a service: its key, its settings unless
 * it was deleted, and the backend @bc concerned if any.
 */
static void maglev_nl_notify(struct net *net, u8 cmd,
			     const struct maglev_svc_key *key,
			     const struct maglev_svc_params *p,
			     const struct maglev_be_conf *bc)
{
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&maglev_family, net, MAGLEV_MCGRP_CONFIG_ID))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &maglev_family, 0, cmd);
	if (!hdr)
		goto free;
	if (key) {
		nest = nla_nest_start(msg, MAGLEV_A_SERVICE);
		if (!nest || maglev_nl_put_key(msg, key) ||
		    (p && maglev_nl_put_params(msg, p)))
			goto free;
		nla_nest_end(msg, nest);
	}
	if (bc && maglev_nl_put_be(msg, bc, -1))
		goto free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&maglev_family, net, msg, 0,
				MAGLEV_MCGRP_CONFIG_ID, GFP_KERNEL);
	return;
free:
	nlmsg_free(msg);
}

static void maglev_nl_notify_svc(struct maglev_net *mn, struct genl_info *info,
				 struct maglev_service *svc)
{
	maglev_nl_notify(genl_info_net(info), info->genlhdr->cmd, &svc->key,
			 &maglev_svc_conf(mn, svc)->params, NULL);
}

static int maglev_nl_svc_new(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	struct maglev_svc_params p;
	struct maglev_be_params *bp;
	struct maglev_svc_key key;
	u32 n;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MAGLEV_A_SERVICE)) {
		NL_SET_ERR_MSG_MOD(info->extack, "service missing");
		return -EINVAL;
	}
	err = maglev_nl_svc_key(info->attrs[MAGLEV_A_SERVICE], tb, &key,
				info->extack);
	if (err)
		return err;
	bp = maglev_nl_be_list(tb[MAGLEV_SVC_A_BACKENDS], &n, info->extack);
	if (IS_ERR(bp))
		return PTR_ERR(bp);

	mutex_lock(&mn->lock);
	if (maglev_svc_find(mn, &key)) {
		NL_SET_ERR_MSG_MOD(info->extack, "service exists");
		NL_SET_BAD_ATTR(info->extack, info->attrs[MAGLEV_A_SERVICE]);
		err = -EEXIST;
		goto unlock;
	}
	maglev_nl_default_params(mn, &p);
	maglev_nl_svc_params(tb, &p);
	err = maglev_svc_create(mn, &key, &p, bp, n, info->extack);
	if (!err)
		maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_SERVICE_NEW,
				 &key, &p, NULL);
unlock:
	mutex_unlock(&mn->lock);
	kvfree(bp);
	return err;
}

static int maglev_nl_svc_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	struct maglev_service *svc;
	struct maglev_svc_params p;
	struct maglev_be_params *bp;
	struct maglev_svc_key key;
	u32 n;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MAGLEV_A_SERVICE)) {
		NL_SET_ERR_MSG_MOD(info->extack, "service missing");
		return -EINVAL;
	}
	err = maglev_nl_svc_key(info->attrs[MAGLEV_A_SERVICE], tb, &key,
				info->extack);
	if (err)
		return err;
	bp = maglev_nl_be_list(tb[MAGLEV_SVC_A_BACKENDS], &n, info->extack);
	if (IS_ERR(bp))
		return PTR_ERR(bp);

	mutex_lock(&mn->lock);
	maglev_nl_default_params(mn, &p);
	maglev_nl_svc_params(tb, &p);
	svc = maglev_svc_find(mn, &key);
	if (svc)
		err = maglev_svc_commit(mn, svc, &p, bp, n, info->extack);
	else
		err = maglev_svc_create(mn, &key, &p, bp, n, info->extack);
	if (!err)
		maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_SERVICE_REPLACE,
				 &key, &p, NULL);
	mutex_unlock(&mn->lock);
	kvfree(bp);
	return err;
}

static int maglev_nl_svc_set(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	struct maglev_svc_conf *conf;
	struct maglev_service *svc;
	struct maglev_svc_params p;
	struct maglev_be_params *bp;
	int err;

	mutex_lock(&mn->lock);
	svc = maglev_nl_svc_find(mn, info, tb);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto unlock;
	}
	if (tb[MAGLEV_SVC_A_BACKENDS]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "backends are changed with the backend commands or a replace");
		NL_SET_BAD_ATTR(info->extack, tb[MAGLEV_SVC_A_BACKENDS]);
		err = -EINVAL;
		goto unlock;
	}
	conf = maglev_svc_conf(mn, svc);
	p = conf->params;
	maglev_nl_svc_params(tb, &p);
	bp = maglev_nl_be_current(conf, 0);
	if (!bp && conf->n_backends) {
		err = -ENOMEM;
		goto unlock;
	}
	err = maglev_svc_commit(mn, svc, &p, bp, conf->n_backends,
				info->extack);
	kvfree(bp);
	if (!err)
		maglev_nl_notify_svc(mn, info, svc);
unlock:
	mutex_unlock(&mn->lock);
	return err;
}

static int maglev_nl_svc_del(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	struct maglev_service *svc;
	struct maglev_svc_key key;
	int err;

	mutex_lock(&mn->lock);
	svc = maglev_nl_svc_find(mn, info, tb);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto unlock;
	}
	key = svc->key;
	err = maglev_svc_delete(mn, svc, info->extack);
	if (!err)
		maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_SERVICE_DEL,
				 &key, NULL, NULL);
unlock:
	mutex_unlock(&mn->lock);
	return err;
}

/* BACKEND_NEW, _SET and _DEL: edit the list and rebuild once. */
static int maglev_nl_be_change(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	u8 cmd = info->genlhdr->cmd;
	struct maglev_svc_conf *conf;
	struct maglev_service *svc;
	struct maglev_be_params *bp = NULL, nb;
	u32 n;
	int idx, err;

	if (GENL_REQ_ATTR_CHECK(info, MAGLEV_A_BACKEND)) {
		NL_SET_ERR_MSG_MOD(info->extack, "backend missing");
		return -EINVAL;
	}
	mutex_lock(&mn->lock);
	svc = maglev_nl_svc_find(mn, info, tb);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto unlock;
	}
	conf = maglev_svc_conf(mn, svc);
	err = maglev_nl_be(info->attrs[MAGLEV_A_BACKEND], &nb, NULL,
			   info->extack);
	if (err)
		goto unlock;
	idx = maglev_be_index(conf, &nb);
	if (cmd == MAGLEV_CMD_BACKEND_NEW && idx >= 0) {
		NL_SET_ERR_MSG_MOD(info->extack, "backend exists");
		err = -EEXIST;
	} else if (cmd != MAGLEV_CMD_BACKEND_NEW && idx < 0) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such backend");
		err = -ENOENT;
	}
	if (err) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[MAGLEV_A_BACKEND]);
		goto unlock;
	}
	bp = maglev_nl_be_current(conf, 1);
	if (!bp) {
		err = -ENOMEM;
		goto unlock;
	}
	n = conf->n_backends;
	if (cmd == MAGLEV_CMD_BACKEND_NEW) {
		bp[n++] = nb;
	} else if (cmd == MAGLEV_CMD_BACKEND_SET) {
		/* Re-parse with the current values as defaults. */
		err = maglev_nl_be(info->attrs[MAGLEV_A_BACKEND], &bp[idx],
				   &bp[idx], info->extack);
		if (err)
			goto unlock;
		nb = bp[idx];
	} else {
		bp[idx] = bp[--n];
	}
	err = maglev_svc_commit(mn, svc, &conf->params, bp, n, info->extack);
	if (!err) {
		struct maglev_be_conf bc = {};
		struct maglev_backend be = {
			.addr = nb.addr,
			.family = nb.family,
		};

		bc.be = &be;
		bc.weight = nb.weight;
		bc.state = nb.state;
		maglev_nl_notify(genl_info_net(info), cmd, &svc->key,
				 NULL, &bc);
	}
unlock:
	mutex_unlock(&mn->lock);
	kvfree(bp);
	return err;
}

static int maglev_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);

	mutex_lock(&mn->lock);
	maglev_flush(mn);
	maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_FLUSH, NULL, NULL,
			 NULL);
	mutex_unlock(&mn->lock);
	return 0;
}

/*
 * SERVICE_GET dump, optionally filtered to one service. A service whose
 * backends do not fit one message continues in the next, repeating its
 * key. cb->args[0]: services done; cb->args[1]: backends of the current
 * one done; cb->args[2]: a filter is set.
 */
static int maglev_nl_svc_fill(struct sk_buff *skb, struct netlink_callback *cb,
			      struct maglev_net *mn, struct maglev_service *svc)
{
	const struct maglev_svc_conf *conf = maglev_svc_conf(mn, svc);
	struct nlattr *nest, *list;
	u32 i = cb->args[1];
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &maglev_family, NLM_F_MULTI, MAGLEV_CMD_SERVICE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, MAGLEV_A_SERVICE);
	if (!nest || maglev_nl_put_key(skb, &svc->key) ||
	    maglev_nl_put_params(skb, &conf->params) ||
	    maglev_stats_put(skb, MAGLEV_SVC_A_STATS, &svc->stats))
		goto cancel;
	list = nla_nest_start(skb, MAGLEV_SVC_A_BACKENDS);
	if (!list)
		goto cancel;
	for (; i < conf->n_backends; i++)
		if (maglev_nl_put_be(skb, &conf->be[i], i))
			break;
	if (i < conf->n_backends && i == cb->args[1])
		goto cancel;	/* not even one backend fitted */
	nla_nest_end(skb, list);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	cb->args[1] = i;
	return i < conf->n_backends ? -EMSGSIZE : 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int maglev_nl_svc_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = maglev_dump_attrs(cb);
	struct maglev_net *mn = maglev_pernet(sock_net(skb->sk));
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	struct maglev_service *svc;
	struct maglev_svc_key key;
	long idx = 0;
	int err = 0;

	if (attrs[MAGLEV_A_SERVICE]) {
		err = maglev_nl_svc_key(attrs[MAGLEV_A_SERVICE], tb, &key,
					cb->extack);
		if (err)
			return err;
	}
	mutex_lock(&mn->lock);
	cb->seq = mn->gen;
	if (attrs[MAGLEV_A_SERVICE]) {
		svc = maglev_svc_find(mn, &key);
		if (!svc) {
			NL_SET_ERR_MSG_MOD(cb->extack, "no such service");
			err = -ENOENT;
		} else if (!cb->args[0]) {
			err = maglev_nl_svc_fill(skb, cb, mn, svc);
			if (!err)
				cb->args[0] = 1;
			else if (skb->len)
				err = 0;
		}
		goto unlock;
	}
	list_for_each_entry(svc, &mn->services, node) {
		if (idx++ < cb->args[0])
			continue;
		if (maglev_nl_svc_fill(skb, cb, mn, svc))
			break;
		cb->args[0]++;
		cb->args[1] = 0;
	}
unlock:
	mutex_unlock(&mn->lock);
	return err ? err : skb->len;
}

static int maglev_nl_svc_getone(struct sk_buff *skb, struct genl_info *info)
{
	NL_SET_ERR_MSG_MOD(info->extack, "use a dump (NLM_F_DUMP) to get services");
	return -EOPNOTSUPP;
}

/*
 * TABLE_GET dump: a snapshot taken at start, sent as backend index
 * messages then slot messages.
 */
struct maglev_table_snap {
	struct maglev_svc_key key;
	u32 m;
	u32 n;
	u16 *table;
	struct maglev_be_conf be[];	/* only addresses and weights used */
};

#define MAGLEV_SLOTS_PER_MSG 2048

static int maglev_nl_table_snap(struct netlink_callback *cb)
{
	struct nlattr **attrs = maglev_dump_attrs(cb);
	struct maglev_net *mn = maglev_pernet(sock_net(cb->skb->sk));
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	const struct maglev_svc_conf *conf;
	struct maglev_table_snap *snap;
	struct maglev_service *svc;
	struct maglev_svc_key key;
	int err;
	u32 i;

	if (!attrs[MAGLEV_A_SERVICE]) {
		NL_SET_ERR_MSG_MOD(cb->extack, "service missing");
		return -EINVAL;
	}
	err = maglev_nl_svc_key(attrs[MAGLEV_A_SERVICE], tb, &key, cb->extack);
	if (err)
		return err;
	mutex_lock(&mn->lock);
	svc = maglev_svc_find(mn, &key);
	if (!svc) {
		NL_SET_ERR_MSG_MOD(cb->extack, "no such service");
		err = -ENOENT;
		goto unlock;
	}
	conf = maglev_svc_conf(mn, svc);
	snap = kvzalloc(struct_size(snap, be, conf->n_backends), GFP_KERNEL);
	if (snap)
		snap->table = kvmalloc_array(conf->params.table_size,
					     sizeof(u16), GFP_KERNEL);
	if (!snap || !snap->table) {
		if (snap)
			kvfree(snap);
		err = -ENOMEM;
		goto unlock;
	}
	snap->key = key;
	snap->m = conf->params.table_size;
	snap->n = conf->n_backends;
	memcpy(snap->table, conf->table, snap->m * sizeof(u16));
	for (i = 0; i < snap->n; i++) {
		snap->be[i] = conf->be[i];
		/* Keep the backend alive until done(). */
		refcount_inc(&conf->be[i].be->ref);
	}
	cb->args[0] = (long)snap;
unlock:
	mutex_unlock(&mn->lock);
	return err;
}

static int maglev_nl_table_done(struct netlink_callback *cb)
{
	struct maglev_table_snap *snap = (void *)cb->args[0];
	u32 i;

	if (!snap)
		return 0;
	for (i = 0; i < snap->n; i++)
		maglev_backend_put(snap->be[i].be);
	kvfree(snap->table);
	kvfree(snap);
	return 0;
}

/*
 * cb->args[0]: the snapshot, taken by the first call (not a start
 * callback: on 6.1 only dumpit's extack message reaches userspace);
 * cb->args[1]: backends sent; cb->args[2]: slots sent.
 */
static int maglev_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct maglev_table_snap *snap;
	struct nlattr *nest, *list;
	u32 i, start, count;
	void *hdr;
	int err;

	if (!cb->args[0]) {
		err = maglev_nl_table_snap(cb);
		if (err)
			return err;
	}
	snap = (void *)cb->args[0];

	while (cb->args[2] < snap->m) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &maglev_family,
				  NLM_F_MULTI, MAGLEV_CMD_TABLE_GET);
		if (!hdr)
			break;
		nest = nla_nest_start(skb, MAGLEV_A_SERVICE);
		if (!nest || maglev_nl_put_key(skb, &snap->key) ||
		    nla_put_u32(skb, MAGLEV_SVC_A_TABLE_SIZE, snap->m))
			goto cancel;
		nla_nest_end(skb, nest);
		if (cb->args[1] < snap->n) {
			list = nla_nest_start(skb, MAGLEV_A_BACKENDS);
			if (!list)
				goto cancel;
			for (i = cb->args[1]; i < snap->n; i++)
				if (maglev_nl_put_be(skb, &snap->be[i], i))
					break;
			if (i == cb->args[1])
				goto cancel;
			nla_nest_end(skb, list);
			cb->args[1] = i;
		} else {
			start = cb->args[2];
			count = min_t(u32, snap->m - start, MAGLEV_SLOTS_PER_MSG);
			if (nla_put_u32(skb, MAGLEV_A_TABLE_START, start) ||
			    nla_put(skb, MAGLEV_A_TABLE_SLOTS, count * sizeof(u16),
				    snap->table + start))
				goto cancel;
			cb->args[2] += count;
		}
		genlmsg_end(skb, hdr);
		continue;
cancel:
		genlmsg_cancel(skb, hdr);
		break;
	}
	return skb->len;
}

static int maglev_nl_flow(struct nlattr *nest, struct maglev_flow *flow,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MAGLEV_FLOW_A_MAX + 1];
	u8 sfamily, dfamily;
	int err;

	err = nla_parse_nested(tb, MAGLEV_FLOW_A_MAX, nest, maglev_flow_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, MAGLEV_FLOW_A_PROTO) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, MAGLEV_FLOW_A_SPORT) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, MAGLEV_FLOW_A_DPORT)) {
		NL_SET_ERR_MSG_MOD(extack, "flow needs a protocol and ports");
		return -EINVAL;
	}
	memset(flow, 0, sizeof(*flow));
	err = maglev_nl_addr(tb, MAGLEV_FLOW_A_SADDR4, MAGLEV_FLOW_A_SADDR6,
			     nest, &flow->saddr, &sfamily, extack);
	if (err)
		return err;
	err = maglev_nl_addr(tb, MAGLEV_FLOW_A_DADDR4, MAGLEV_FLOW_A_DADDR6,
			     nest, &flow->daddr, &dfamily, extack);
	if (err)
		return err;
	if (sfamily != dfamily) {
		NL_SET_ERR_MSG_MOD(extack,
				   "source and destination are of different families");
		NL_SET_BAD_ATTR(extack, nest);
		return -EINVAL;
	}
	flow->family = sfamily;
	flow->proto = nla_get_u8(tb[MAGLEV_FLOW_A_PROTO]);
	flow->sport = htons(nla_get_u16(tb[MAGLEV_FLOW_A_SPORT]));
	flow->dport = htons(nla_get_u16(tb[MAGLEV_FLOW_A_DPORT]));
	return 0;
}

static int maglev_nl_lookup(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	const struct maglev_be_conf *bc = NULL;
	struct maglev_service *svc = NULL;
	struct maglev_svc_conf *conf;
	struct maglev_svc_set *set;
	u8 reason = MAGLEV_REASON_NO_SERVICE;
	struct maglev_flow flow;
	u32 hash = 0, slot = 0;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MAGLEV_A_FLOW)) {
		NL_SET_ERR_MSG_MOD(info->extack, "flow missing");
		return -EINVAL;
	}
	err = maglev_nl_flow(info->attrs[MAGLEV_A_FLOW], &flow, info->extack);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &maglev_family, 0,
				MAGLEV_CMD_LOOKUP);
	if (!hdr)
		goto nospace;

	mutex_lock(&mn->lock);
	set = rcu_dereference_protected(mn->set, lockdep_is_held(&mn->lock));
	if (set)
		svc = maglev_svc_match(set, &flow);
	if (svc) {
		const struct maglev_ns_conf *nc = maglev_ns_conf(mn);
		struct maglev_conn_table *t = maglev_conns(mn);
		struct maglev_conn *c;

		conf = maglev_svc_conf(mn, svc);
		rcu_read_lock();
		c = t ? maglev_conn_find(t, &flow) : NULL;
		if (c)
			bc = maglev_follow(conf, nc, maglev_conn_be_id(c), 0,
					   &reason);
		rcu_read_unlock();
		if (!bc && reason != MAGLEV_REASON_NODEST_DROP) {
			bc = maglev_select(conf, &flow, &nc->seed, &hash,
					   &slot);
			reason = bc ? MAGLEV_REASON_TABLE :
				      MAGLEV_REASON_NO_BACKEND;
		} else {
			/* Report the table's choice too. */
			maglev_select(conf, &flow, &nc->seed, &hash, &slot);
		}
	}
	nest = nla_nest_start(msg, MAGLEV_A_LOOKUP);
	if (!nest || nla_put_u8(msg, MAGLEV_LOOKUP_A_REASON, reason) ||
	    (svc && (nla_put_u32(msg, MAGLEV_LOOKUP_A_HASH, hash) ||
		     nla_put_u32(msg, MAGLEV_LOOKUP_A_SLOT, slot))))
		goto unlock_nospace;
	nla_nest_end(msg, nest);
	if (svc) {
		nest = nla_nest_start(msg, MAGLEV_A_SERVICE);
		if (!nest || maglev_nl_put_key(msg, &svc->key))
			goto unlock_nospace;
		nla_nest_end(msg, nest);
	}
	if (bc && maglev_nl_put_be(msg, bc, -1))
		goto unlock_nospace;
	mutex_unlock(&mn->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

unlock_nospace:
	mutex_unlock(&mn->lock);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * CONN_GET dump. The filter and the position live in cb->ctx; every call
 * takes the config mutex, so entries can be matched to their backends.
 */
struct maglev_conn_dump_ctx {
	struct maglev_conn_iter it;
	struct maglev_svc_key key;
	u32 be_id;
	bool by_svc;
	bool by_be;
	bool started;
};

struct maglev_conn_emit {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct maglev_net *mn;
};

static bool maglev_nl_conn_filter(const struct maglev_conn *c, const void *arg)
{
	const struct maglev_conn_dump_ctx *ctx = arg;

	if (ctx->by_svc && !maglev_conn_match_service(c, &ctx->key))
		return false;
	return !ctx->by_be || maglev_conn_be_id(c) == ctx->be_id;
}

static int maglev_nl_put_flow(struct sk_buff *msg, const struct maglev_flow *f)
{
	struct nlattr *nest = nla_nest_start(msg, MAGLEV_CONN_A_FLOW);

	if (!nest ||
	    nla_put_u8(msg, MAGLEV_FLOW_A_PROTO, f->proto) ||
	    maglev_nl_put_addr(msg, MAGLEV_FLOW_A_SADDR4, MAGLEV_FLOW_A_SADDR6,
			       f->family, &f->saddr) ||
	    maglev_nl_put_addr(msg, MAGLEV_FLOW_A_DADDR4, MAGLEV_FLOW_A_DADDR6,
			       f->family, &f->daddr) ||
	    nla_put_u16(msg, MAGLEV_FLOW_A_SPORT, ntohs(f->sport)) ||
	    nla_put_u16(msg, MAGLEV_FLOW_A_DPORT, ntohs(f->dport)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int maglev_nl_conn_emit(const struct maglev_conn *c, void *arg)
{
	struct maglev_conn_emit *e = arg;
	const struct maglev_be_conf *bc = NULL;
	struct maglev_service *svc = NULL;
	struct maglev_conn_info info;
	struct maglev_svc_set *set;
	struct nlattr *nest, *bn;
	void *hdr;

	maglev_conn_get_info(c, &info);
	set = rcu_dereference_protected(e->mn->set,
					lockdep_is_held(&e->mn->lock));
	if (set)
		svc = maglev_svc_match(set, &info.flow);
	if (svc)
		bc = maglev_be_by_id(maglev_svc_conf(e->mn, svc), info.be_id);

	hdr = genlmsg_put(e->skb, NETLINK_CB(e->cb->skb).portid,
			  e->cb->nlh->nlmsg_seq, &maglev_family, NLM_F_MULTI,
			  MAGLEV_CMD_CONN_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(e->skb, MAGLEV_A_CONN);
	if (!nest || maglev_nl_put_flow(e->skb, &info.flow) ||
	    nla_put_u8(e->skb, MAGLEV_CONN_A_STATE,
		       MAGLEV_TIMEOUT_A_TCP_SYN + info.state) ||
	    nla_put_u32(e->skb, MAGLEV_CONN_A_EXPIRES, info.expires_ms))
		goto cancel;
	if (bc) {
		bn = nla_nest_start(e->skb, MAGLEV_CONN_A_BACKEND);
		if (!bn || maglev_nl_put_addr(e->skb, MAGLEV_BE_A_ADDR4,
					      MAGLEV_BE_A_ADDR6, bc->be->family,
					      &bc->be->addr))
			goto cancel;
		nla_nest_end(e->skb, bn);
	}
	nla_nest_end(e->skb, nest);
	genlmsg_end(e->skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(e->skb, hdr);
	return -EMSGSIZE;
}

/* The service and, if given, backend a CONN request names. */
static int maglev_nl_conn_target(struct maglev_net *mn, struct nlattr **attrs,
				 struct maglev_conn_dump_ctx *ctx,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	const struct maglev_svc_conf *conf;
	struct maglev_service *svc;
	struct maglev_be_params bp;
	int err, idx;

	if (attrs[MAGLEV_A_BACKEND] && !attrs[MAGLEV_A_SERVICE]) {
		NL_SET_ERR_MSG_MOD(extack, "a backend needs its service");
		NL_SET_BAD_ATTR(extack, attrs[MAGLEV_A_BACKEND]);
		return -EINVAL;
	}
	if (!attrs[MAGLEV_A_SERVICE])
		return 0;
	err = maglev_nl_svc_key(attrs[MAGLEV_A_SERVICE], tb, &ctx->key, extack);
	if (err)
		return err;
	ctx->by_svc = true;
	if (!attrs[MAGLEV_A_BACKEND])
		return 0;
	svc = maglev_svc_find(mn, &ctx->key);
	if (!svc) {
		NL_SET_ERR_MSG_MOD(extack, "no such service");
		NL_SET_BAD_ATTR(extack, attrs[MAGLEV_A_SERVICE]);
		return -ENOENT;
	}
	err = maglev_nl_be(attrs[MAGLEV_A_BACKEND], &bp, NULL, extack);
	if (err)
		return err;
	conf = maglev_svc_conf(mn, svc);
	idx = maglev_be_index(conf, &bp);
	if (idx < 0) {
		NL_SET_ERR_MSG_MOD(extack, "no such backend");
		NL_SET_BAD_ATTR(extack, attrs[MAGLEV_A_BACKEND]);
		return -ENOENT;
	}
	ctx->be_id = conf->be[idx].be->id;
	ctx->by_be = true;
	return 0;
}

static int maglev_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct maglev_conn_dump_ctx *ctx = (void *)cb->ctx;
	struct maglev_conn_emit e = {
		.skb = skb,
		.cb = cb,
		.mn = maglev_pernet(sock_net(skb->sk)),
	};
	struct maglev_conn_table *t;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	mutex_lock(&e.mn->lock);
	/*
	 * Checked here rather than in a start callback: on 6.1 only
	 * dumpit's extack message reaches userspace.
	 */
	if (!ctx->started) {
		err = maglev_nl_conn_target(e.mn, maglev_dump_attrs(cb), ctx,
					    cb->extack);
		ctx->started = true;
	}
	t = maglev_conns(e.mn);
	if (!err && t)
		maglev_conn_dump(t, &ctx->it, maglev_nl_conn_filter, ctx,
				 maglev_nl_conn_emit, &e);
	mutex_unlock(&e.mn->lock);
	return err ?: skb->len;
}

static int maglev_nl_conn_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct maglev_conn_dump_ctx ctx = {};
	struct maglev_conn_table *t;
	int err;

	mutex_lock(&mn->lock);
	err = maglev_nl_conn_target(mn, info->attrs, &ctx, info->extack);
	t = maglev_conns(mn);
	if (err || !t)
		goto unlock;
	if (ctx.by_be)
		maglev_conn_flush_backend(t, ctx.be_id);
	else if (ctx.by_svc)
		maglev_conn_flush_service(t, &ctx.key);
	else
		maglev_conn_flush(t);
unlock:
	mutex_unlock(&mn->lock);
	return err;
}

static void maglev_seed_to_bytes(const siphash_key_t *key, u8 *out)
{
	__be64 seed[2] = {
		cpu_to_be64(key->key[0]),
		cpu_to_be64(key->key[1]),
	};

	memcpy(out, seed, sizeof(seed));
	memzero_explicit(seed, sizeof(seed));
}

static int maglev_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct maglev_net *mn = maglev_pernet(net);
	const struct maglev_ns_conf *nc;
	u8 seed[sizeof(siphash_key_t)];
	struct nlattr *nest, *tnest;
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &maglev_family, 0,
				MAGLEV_CMD_CONFIG_GET);
	if (!hdr)
		goto nospace;
	mutex_lock(&mn->lock);
	nc = maglev_ns_conf(mn);
	maglev_seed_to_bytes(&nc->seed, seed);
	nest = nla_nest_start(msg, MAGLEV_A_CONFIG);
	if (!nest)
		goto unlock_nospace;
	/* The seed keys the hashes: only administrators may read it. */
	if (netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN) &&
	    nla_put(msg, MAGLEV_CFG_A_SEED, sizeof(seed), seed))
		goto unlock_nospace;
	if ((nc->source4 &&
	     nla_put_in_addr(msg, MAGLEV_CFG_A_SOURCE4, nc->source4)) ||
	    (!ipv6_addr_any(&nc->source6) &&
	     nla_put_in6_addr(msg, MAGLEV_CFG_A_SOURCE6, &nc->source6)) ||
	    nla_put_u8(msg, MAGLEV_CFG_A_TTL, nc->ttl) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_DEFAULT_TABLE_SIZE,
			nc->default_table_size) ||
	    nla_put_u8(msg, MAGLEV_CFG_A_DEFAULT_HASH, nc->default_hash) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_MAX_SERVICES, maglev_max_services) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_MAX_BACKENDS, maglev_max_backends) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_MAX_TABLE_SIZE, MAGLEV_TABLE_SIZE_MAX) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_CONN_MAX, nc->conn_max) ||
	    nla_put_u8(msg, MAGLEV_CFG_A_EXPIRE_NODEST, nc->expire_nodest))
		goto unlock_nospace;
	tnest = nla_nest_start(msg, MAGLEV_CFG_A_TIMEOUTS);
	if (!tnest)
		goto unlock_nospace;
	for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
		if (nla_put_u32(msg, MAGLEV_TIMEOUT_A_TCP_SYN + i,
				nc->timeouts[i]))
			goto unlock_nospace;
	nla_nest_end(msg, tnest);
	nla_nest_end(msg, nest);
	mutex_unlock(&mn->lock);
	memzero_explicit(seed, sizeof(seed));
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

unlock_nospace:
	mutex_unlock(&mn->lock);
	memzero_explicit(seed, sizeof(seed));
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int maglev_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_CFG_A_MAX + 1];
	struct maglev_ns_conf *nc;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MAGLEV_A_CONFIG)) {
		NL_SET_ERR_MSG_MOD(info->extack, "config missing");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, MAGLEV_CFG_A_MAX, info->attrs[MAGLEV_A_CONFIG],
			       maglev_cfg_policy, info->extack);
	if (err)
		return err;
	nc = kmalloc(sizeof(*nc), GFP_KERNEL_ACCOUNT);
	if (!nc)
		return -ENOMEM;

	mutex_lock(&mn->lock);
	memcpy(nc, maglev_ns_conf(mn), sizeof(*nc));
	if (tb[MAGLEV_CFG_A_SEED]) {
		__be64 seed[2];

		/* A 128-bit big-endian number. */
		nla_memcpy(seed, tb[MAGLEV_CFG_A_SEED], sizeof(seed));
		nc->seed.key[0] = be64_to_cpu(seed[0]);
		nc->seed.key[1] = be64_to_cpu(seed[1]);
	}
	if (tb[MAGLEV_CFG_A_SOURCE4])
		nc->source4 = nla_get_in_addr(tb[MAGLEV_CFG_A_SOURCE4]);
	if (tb[MAGLEV_CFG_A_SOURCE6])
		nc->source6 = nla_get_in6_addr(tb[MAGLEV_CFG_A_SOURCE6]);
	if (tb[MAGLEV_CFG_A_TTL])
		nc->ttl = nla_get_u8(tb[MAGLEV_CFG_A_TTL]);
	if (tb[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE])
		nc->default_table_size =
			nla_get_u32(tb[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE]);
	if (tb[MAGLEV_CFG_A_DEFAULT_HASH])
		nc->default_hash = nla_get_u8(tb[MAGLEV_CFG_A_DEFAULT_HASH]);
	if (tb[MAGLEV_CFG_A_CONN_MAX])
		nc->conn_max = nla_get_u32(tb[MAGLEV_CFG_A_CONN_MAX]);
	if (tb[MAGLEV_CFG_A_EXPIRE_NODEST])
		nc->expire_nodest = nla_get_u8(tb[MAGLEV_CFG_A_EXPIRE_NODEST]);
	if (tb[MAGLEV_CFG_A_TIMEOUTS]) {
		struct nlattr *to[MAGLEV_TIMEOUT_A_MAX + 1];
		int i;

		err = nla_parse_nested(to, MAGLEV_TIMEOUT_A_MAX,
				       tb[MAGLEV_CFG_A_TIMEOUTS],
				       maglev_timeout_policy, info->extack);
		if (err) {
			mutex_unlock(&mn->lock);
			kfree(nc);
			return err;
		}
		for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
			if (to[MAGLEV_TIMEOUT_A_TCP_SYN + i])
				nc->timeouts[i] =
					nla_get_u32(to[MAGLEV_TIMEOUT_A_TCP_SYN + i]);
	}
	err = maglev_ns_conf_set(mn, nc, info->extack);
	maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_CONFIG_SET, NULL,
			 NULL, NULL);
	mutex_unlock(&mn->lock);
	return err;
}

static int maglev_nl_put_conn_stats(struct sk_buff *msg,
				    struct maglev_net *mn)
{
	struct maglev_conn_stats st = {
		.max = maglev_ns_conf(mn)->conn_max,
	};
	struct nlattr *nest;
	int i;

	if (maglev_conns(mn))
		maglev_conn_stats_read(maglev_conns(mn), &st);
	nest = nla_nest_start(msg, MAGLEV_A_CONN_STATS);
	if (!nest ||
	    nla_put_u32(msg, MAGLEV_CONN_STATS_A_ENTRIES, st.entries) ||
	    nla_put_u32(msg, MAGLEV_CONN_STATS_A_LIMIT, st.max))
		return -EMSGSIZE;
	BUILD_BUG_ON(MAGLEV_CONN_STATS_A_INSERTS + MAGLEV_CONN_CTR_MAX - 1 !=
		     MAGLEV_CONN_STATS_A_NOMEM);
	for (i = 0; i < MAGLEV_CONN_CTR_MAX; i++)
		if (nla_put_u64_64bit(msg, MAGLEV_CONN_STATS_A_INSERTS + i,
				      st.ctr[i], MAGLEV_CONN_STATS_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int maglev_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &maglev_family, 0,
				MAGLEV_CMD_STATS_GET);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mutex_lock(&mn->lock);
	err = maglev_stats_put(msg, MAGLEV_A_STATS, &mn->stats);
	if (!err)
		err = maglev_nl_put_conn_stats(msg, mn);
	mutex_unlock(&mn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int maglev_nl_stats_zero(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);

	mutex_lock(&mn->lock);
	maglev_stats_zero_all(mn);
	maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_STATS_ZERO, NULL,
			 NULL, NULL);
	mutex_unlock(&mn->lock);
	return 0;
}

static const struct genl_ops maglev_ops[] = {
	{
		.cmd = MAGLEV_CMD_SERVICE_NEW,
		.doit = maglev_nl_svc_new,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_SET,
		.doit = maglev_nl_svc_set,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_DEL,
		.doit = maglev_nl_svc_del,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_GET,
		.doit = maglev_nl_svc_getone,
		.dumpit = maglev_nl_svc_dump,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_REPLACE,
		.doit = maglev_nl_svc_replace,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_BACKEND_NEW,
		.doit = maglev_nl_be_change,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_BACKEND_SET,
		.doit = maglev_nl_be_change,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_BACKEND_DEL,
		.doit = maglev_nl_be_change,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_TABLE_GET,
		.dumpit = maglev_nl_table_dump,
		.done = maglev_nl_table_done,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
	},
	{
		.cmd = MAGLEV_CMD_LOOKUP,
		.doit = maglev_nl_lookup,
		.policy = maglev_nl_flow_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_flow_policy) - 1,
	},
	{
		.cmd = MAGLEV_CMD_CONFIG_GET,
		.doit = maglev_nl_config_get,
	},
	{
		.cmd = MAGLEV_CMD_CONFIG_SET,
		.doit = maglev_nl_config_set,
		.policy = maglev_nl_cfg_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_cfg_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_STATS_GET,
		.doit = maglev_nl_stats_get,
	},
	{
		.cmd = MAGLEV_CMD_STATS_ZERO,
		.doit = maglev_nl_stats_zero,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_FLUSH,
		.doit = maglev_nl_flush,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_CONN_GET,
		.dumpit = maglev_nl_conn_dump,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
	},
	{
		.cmd = MAGLEV_CMD_CONN_FLUSH,
		.doit = maglev_nl_conn_flush,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group maglev_mcgrps[] = {
	[MAGLEV_MCGRP_CONFIG_ID] = { .name = MAGLEV_MCGRP_CONFIG },
};

static struct genl_family maglev_family __ro_after_init = {
	.name = MAGLEV_GENL_NAME,
	.version = MAGLEV_GENL_VERSION,
	.maxattr = MAGLEV_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = maglev_ops,
	.n_ops = ARRAY_SIZE(maglev_ops),
	.resv_start_op = MAGLEV_CMD_MAX + 1,
	.mcgrps = maglev_mcgrps,
	.n_mcgrps = ARRAY_SIZE(maglev_mcgrps),
};

/**
 * maglev_nl_init - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int __init maglev_nl_init(void)
{
	return genl_register_family(&maglev_family);
}

/**
 * maglev_nl_exit - unregister the generic netlink family
 */
void maglev_nl_exit(void)
{
	genl_unregister_family(&maglev_family);
}
