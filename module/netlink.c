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
#include "frag.h"
#include "hook.h"
#include "netlink.h"
#include "nl_service.h"
#include "nl_state.h"
#include "service.h"
#include "table.h"

struct genl_family maglev_family;

/*
 * What policies cannot say is checked by these, after parsing: a policy
 * with a validation function on an integer would make netlink_ack() WARN
 * when it reports that policy for a malformed attribute (the policy dump
 * has no range to show for a function).
 */

/**
 * maglev_nl_check_proto - a service's or flow's protocol attribute
 * @attr: MAGLEV_SVC_A_PROTO or MAGLEV_FLOW_A_PROTO, present
 * @extack: error report
 *
 * Return: 0, or -EINVAL unless TCP, UDP or SCTP.
 */
int maglev_nl_check_proto(const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	switch (nla_get_u8(attr)) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr, "protocol must be TCP, UDP or SCTP");
	return -EINVAL;
}

/**
 * maglev_nl_check_table_size - a table size attribute, if present
 * @attr: MAGLEV_SVC_A_TABLE_SIZE or MAGLEV_CFG_A_DEFAULT_TABLE_SIZE, or NULL
 * @extack: error report
 *
 * The policy bounds it; this checks that it is a prime.
 *
 * Return: 0 or -EINVAL.
 */
int maglev_nl_check_table_size(const struct nlattr *attr,
			       struct netlink_ext_ack *extack)
{
	if (!attr || maglev_is_prime(nla_get_u32(attr)))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "table size must be a prime from 7 to 1048573");
	return -EINVAL;
}

static struct netlink_range_validation maglev_table_size_range = {
	.min = MAGLEV_TABLE_SIZE_MIN,
	.max = MAGLEV_TABLE_SIZE_MAX,
};

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
	[MAGLEV_SVC_A_PROTO] = { .type = NLA_U8 },
	[MAGLEV_SVC_A_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_SVC_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MAGLEV_SVC_A_PORT] = { .type = NLA_U16 },
	[MAGLEV_SVC_A_TABLE_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &maglev_table_size_range),
	[MAGLEV_SVC_A_HASH] = NLA_POLICY_MAX(NLA_U8, MAGLEV_HASH_MAX),
	[MAGLEV_SVC_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __MAGLEV_SVC_F_ALL),
	[MAGLEV_SVC_A_GRE_KEY] = { .type = NLA_U32 },
	[MAGLEV_SVC_A_BACKENDS] = NLA_POLICY_NESTED_ARRAY(maglev_be_policy),
	[MAGLEV_SVC_A_FLAGS_MASK] = NLA_POLICY_MASK(NLA_U32, __MAGLEV_SVC_F_ALL),
};

static struct netlink_range_validation maglev_conn_max_range = {
	.max = MAGLEV_CONN_MAX_LIMIT,
};

static struct netlink_range_validation maglev_timeout_range = {
	.min = 1,
	.max = MAGLEV_TIMEOUT_MAX,
};

const struct nla_policy maglev_timeout_policy[MAGLEV_TIMEOUT_A_MAX + 1] = {
	[MAGLEV_TIMEOUT_A_TCP_SYN ... MAGLEV_TIMEOUT_A_SCTP] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &maglev_timeout_range),
};

static const struct nla_policy maglev_pool_policy[MAGLEV_POOL_A_MAX + 1] = {
	[MAGLEV_POOL_A_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_POOL_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static struct netlink_range_validation maglev_frag_max_range = {
	.min = 1,
	.max = MAGLEV_FRAG_MAX_LIMIT,
};

static struct netlink_range_validation maglev_frag_hold_range = {
	.max = MAGLEV_FRAG_HOLD_LIMIT,
};

static struct netlink_range_validation maglev_frag_hold_bytes_range = {
	.max = MAGLEV_FRAG_HOLD_BYTES_LIMIT,
};

static struct netlink_range_validation maglev_frag_timeout_range = {
	.min = MAGLEV_FRAG_TIMEOUT_MIN,
	.max = MAGLEV_FRAG_TIMEOUT_MAX,
};

const struct nla_policy maglev_cfg_policy[MAGLEV_CFG_A_MAX + 1] = {
	[MAGLEV_CFG_A_SEED] = NLA_POLICY_EXACT_LEN(sizeof(siphash_key_t)),
	[MAGLEV_CFG_A_SOURCE4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[MAGLEV_CFG_A_SOURCE6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MAGLEV_CFG_A_TTL] = { .type = NLA_U8 },
	[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &maglev_table_size_range),
	[MAGLEV_CFG_A_DEFAULT_HASH] = NLA_POLICY_MAX(NLA_U8, MAGLEV_HASH_MAX),
	[MAGLEV_CFG_A_CONN_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&maglev_conn_max_range),
	[MAGLEV_CFG_A_EXPIRE_NODEST] = NLA_POLICY_MAX(NLA_U8,
						      MAGLEV_EXPIRE_NODEST_MAX),
	[MAGLEV_CFG_A_TIMEOUTS] = NLA_POLICY_NESTED(maglev_timeout_policy),
	[MAGLEV_CFG_A_PROBE_MARK] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_PROBE_MASK] = { .type = NLA_U32 },
	[MAGLEV_CFG_A_ICMP] = NLA_POLICY_MAX(NLA_U8, 1),
	[MAGLEV_CFG_A_POOL] = NLA_POLICY_NESTED(maglev_pool_policy),
	[MAGLEV_CFG_A_FRAG_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&maglev_frag_max_range),
	[MAGLEV_CFG_A_FRAG_HOLD] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &maglev_frag_hold_range),
	[MAGLEV_CFG_A_FRAG_HOLD_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &maglev_frag_hold_bytes_range),
	[MAGLEV_CFG_A_FRAG_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &maglev_frag_timeout_range),
};

const struct nla_policy maglev_flow_policy[MAGLEV_FLOW_A_MAX + 1] = {
	[MAGLEV_FLOW_A_PROTO] = { .type = NLA_U8 },
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

/**
 * maglev_nl_addr - the address exactly one of two attributes gives
 * @tb: the parsed nest
 * @a4: the IPv4 attribute
 * @a6: the IPv6 attribute
 * @nest: the nest, for error reports
 * @addr: out
 * @family: out: AF_INET or AF_INET6
 * @extack: error report
 *
 * Return: 0 or -EINVAL.
 */
int maglev_nl_addr(struct nlattr **tb, int a4, int a6,
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

/**
 * maglev_nl_svc_key - parse a MAGLEV_A_SERVICE nest into @tb and its key
 * @nest: the nest
 * @tb: out: its attributes
 * @key: out: the key
 * @extack: error report
 *
 * Return: 0 or a negative errno.
 */
int maglev_nl_svc_key(struct nlattr *nest,
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
	err = maglev_nl_check_proto(tb[MAGLEV_SVC_A_PROTO], extack) ?:
	      maglev_nl_check_table_size(tb[MAGLEV_SVC_A_TABLE_SIZE], extack);
	if (err)
		return err;
	key->proto = nla_get_u8(tb[MAGLEV_SVC_A_PROTO]);
	key->port = htons(nla_get_u16(tb[MAGLEV_SVC_A_PORT]));
	return maglev_nl_addr(tb, MAGLEV_SVC_A_ADDR4, MAGLEV_SVC_A_ADDR6, nest,
			      &key->addr, &key->family, extack);
}

/**
 * maglev_nl_svc_find - the service a request names, which must exist
 * @mn: namespace
 * @info: the request
 * @tb: out: the MAGLEV_A_SERVICE nest's attributes
 *
 * Context: config mutex held.
 * Return: the service or an ERR_PTR().
 */
struct maglev_service *
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

/**
 * maglev_nl_svc_params - apply the settings present in @tb on top of @p
 * @tb: a MAGLEV_A_SERVICE nest's attributes
 * @p: the settings
 */
void maglev_nl_svc_params(struct nlattr **tb,
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

/**
 * maglev_nl_default_params - the settings of a service created without any
 * @mn: namespace
 * @p: out
 *
 * Context: config mutex held.
 */
void maglev_nl_default_params(struct maglev_net *mn,
			      struct maglev_svc_params *p)
{
	const struct maglev_ns_conf *nc = maglev_ns_conf(mn);

	memset(p, 0, sizeof(*p));
	p->table_size = nc->default_table_size;
	p->hash = nc->default_hash;
}

/**
 * maglev_nl_be - parse one backend nest
 * @nest: the nest
 * @bp: out
 * @defaults: what the nest leaves out; NULL for the defaults of a new one
 * @extack: error report
 *
 * Return: 0 or a negative errno.
 */
int maglev_nl_be(struct nlattr *nest, struct maglev_be_params *bp,
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

/**
 * maglev_nl_be_list - the backend list of a MAGLEV_SVC_A_BACKENDS nest
 * @list: the nest, or NULL
 * @n: out: entries
 * @extack: error report
 *
 * Return: a kvmalloc'ed array, NULL when empty, or an ERR_PTR().
 */
struct maglev_be_params *maglev_nl_be_list(struct nlattr *list, u32 *n,
					   struct netlink_ext_ack *extack)
{
	struct maglev_be_params *bp;
	struct nlattr *attr;
	u32 count = 0;
	int rem, err;

	*n = 0;
	if (!list)
		return NULL;
	nla_for_each_nested(attr, list, rem) {
		if (nla_type(attr) != MAGLEV_A_BACKEND) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "a backend list holds MAGLEV_A_BACKEND nests only");
			return ERR_PTR(-EINVAL);
		}
		count++;
	}
	if (rem) {
		NL_SET_ERR_MSG_ATTR(extack, list,
				    "trailing bytes in the backend list");
		return ERR_PTR(-EINVAL);
	}
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

/**
 * maglev_nl_be_current - the current backends of a configuration
 * @conf: the configuration
 * @extra: room for this many more
 *
 * Return: a kvmalloc'ed array or NULL.
 */
struct maglev_be_params *
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

/**
 * maglev_be_index - a backend's index in a configuration
 * @conf: the configuration
 * @bp: the backend's address and family
 *
 * Return: the index, or -1 if @conf does not list it.
 */
int maglev_be_index(const struct maglev_svc_conf *conf,
		    const struct maglev_be_params *bp)
{
	u32 i;

	for (i = 0; i < conf->n_backends; i++)
		if (conf->be[i].be->family == bp->family &&
		    !memcmp(&conf->be[i].be->addr, &bp->addr, sizeof(bp->addr)))
			return i;
	return -1;
}

/**
 * maglev_nl_put_addr - put an address as the attribute of its family
 * @msg: the message
 * @a4: the IPv4 attribute
 * @a6: the IPv6 attribute
 * @family: AF_INET or AF_INET6
 * @addr: the address
 *
 * Return: 0 or -EMSGSIZE.
 */
int maglev_nl_put_addr(struct sk_buff *msg, int a4, int a6, u8 family,
		       const union maglev_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(msg, a4, addr->v4);
	return nla_put_in6_addr(msg, a6, &addr->v6);
}

/**
 * maglev_nl_put_key - put a service's key attributes
 * @msg: the message, inside a MAGLEV_A_SERVICE nest
 * @key: the key
 *
 * Return: 0 or -EMSGSIZE.
 */
int maglev_nl_put_key(struct sk_buff *msg,
		      const struct maglev_svc_key *key)
{
	if (nla_put_u8(msg, MAGLEV_SVC_A_PROTO, key->proto) ||
	    nla_put_u16(msg, MAGLEV_SVC_A_PORT, ntohs(key->port)))
		return -EMSGSIZE;
	return maglev_nl_put_addr(msg, MAGLEV_SVC_A_ADDR4, MAGLEV_SVC_A_ADDR6,
				  key->family, &key->addr);
}

/**
 * maglev_nl_put_params - put a service's settings
 * @msg: the message, inside a MAGLEV_A_SERVICE nest
 * @p: the settings
 *
 * Return: 0 or -EMSGSIZE.
 */
int maglev_nl_put_params(struct sk_buff *msg,
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

/**
 * maglev_nl_put_be - put a MAGLEV_A_BACKEND nest
 * @msg: the message
 * @bc: the backend
 * @index: its index; < 0 leaves out what only dumps carry
 *
 * Return: 0 or -EMSGSIZE.
 */
int maglev_nl_put_be(struct sk_buff *msg, const struct maglev_be_conf *bc,
		     int index)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, MAGLEV_A_BACKEND);
	if (!nest)
		return -EMSGSIZE;
	if (maglev_nl_put_addr(msg, MAGLEV_BE_A_ADDR4, MAGLEV_BE_A_ADDR6,
			       bc->be->family, &bc->be->addr) ||
	    nla_put_u32(msg, MAGLEV_BE_A_WEIGHT, bc->weight) ||
	    nla_put_u8(msg, MAGLEV_BE_A_STATE, bc->state) ||
	    nla_put_u32(msg, MAGLEV_BE_A_ID, bc->be->id))
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

/**
 * maglev_nl_notify - tell the multicast group about a change
 * @net: the namespace
 * @cmd: the command that made it
 * @key: the service concerned, or NULL
 * @p: its settings, or NULL (a deletion)
 * @bc: the backend concerned, or NULL
 */
void maglev_nl_notify(struct net *net, u8 cmd,
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

/**
 * maglev_nl_notify_svc - tell the multicast group about a service's change
 * @mn: namespace
 * @info: the request that made it
 * @svc: the service
 *
 * Context: config mutex held.
 */
void maglev_nl_notify_svc(struct maglev_net *mn, struct genl_info *info,
			  struct maglev_service *svc)
{
	maglev_nl_notify(genl_info_net(info), info->genlhdr->cmd, &svc->key,
			 &maglev_svc_conf(mn, svc)->params, NULL);
}

static const struct genl_ops maglev_ops[] = {
	{
		.cmd = MAGLEV_CMD_SERVICE_NEW,
		.doit = maglev_nl_svc_new,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_SET,
		.doit = maglev_nl_svc_set,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_DEL,
		.doit = maglev_nl_svc_del,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_GET,
		.doit = maglev_nl_svc_getone,
		.dumpit = maglev_nl_svc_dump,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_SERVICE_REPLACE,
		.doit = maglev_nl_svc_replace,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_BACKEND_NEW,
		.doit = maglev_nl_be_change,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_BACKEND_SET,
		.doit = maglev_nl_be_change,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_BACKEND_DEL,
		.doit = maglev_nl_be_change,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_TABLE_GET,
		.dumpit = maglev_nl_table_dump,
		.done = maglev_nl_table_done,
		.policy = maglev_nl_svc_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_svc_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_LOOKUP,
		.doit = maglev_nl_lookup,
		.policy = maglev_nl_flow_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_flow_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_CONFIG_GET,
		.doit = maglev_nl_config_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_CONFIG_SET,
		.doit = maglev_nl_config_set,
		.policy = maglev_nl_cfg_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_cfg_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_STATS_GET,
		.doit = maglev_nl_stats_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_STATS_ZERO,
		.doit = maglev_nl_stats_zero,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_FLUSH,
		.doit = maglev_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_CONN_GET,
		.dumpit = maglev_nl_conn_dump,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MAGLEV_CMD_CONN_FLUSH,
		.doit = maglev_nl_conn_flush,
		.policy = maglev_nl_be_policy,
		.maxattr = ARRAY_SIZE(maglev_nl_be_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group maglev_mcgrps[] = {
	[MAGLEV_MCGRP_CONFIG_ID] = {
		.name = MAGLEV_MCGRP_CONFIG,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family maglev_family __ro_after_init = {
	.name = MAGLEV_GENL_NAME,
	.version = MAGLEV_GENL_VERSION,
	.maxattr = MAGLEV_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = maglev_ops,
	.n_ops = ARRAY_SIZE(maglev_ops),
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
