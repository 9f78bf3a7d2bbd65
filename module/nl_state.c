// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink handlers for the rest of a namespace's state: lookups,
 * the connection table, namespace settings and statistics. Each takes the
 * namespace's config mutex (DOC: Locking in service.c).
 */
#include <linux/in.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/maglev.h>

#include "compat.h"
#include "conn.h"
#include "frag_path.h"
#include "hook.h"
#include "netlink.h"
#include "probe.h"
#include "pool.h"
#include "service.h"
#include "nl_state.h"

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
	err = maglev_nl_check_proto(tb[MAGLEV_FLOW_A_PROTO], extack);
	if (err)
		return err;
	flow->family = sfamily;
	flow->proto = nla_get_u8(tb[MAGLEV_FLOW_A_PROTO]);
	flow->sport = htons(nla_get_u16(tb[MAGLEV_FLOW_A_SPORT]));
	flow->dport = htons(nla_get_u16(tb[MAGLEV_FLOW_A_DPORT]));
	return 0;
}

int maglev_nl_lookup(struct sk_buff *skb, struct genl_info *info)
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

		u32 svc_id, be_id;

		conf = maglev_svc_conf(mn, svc);
		rcu_read_lock();
		c = t ? maglev_conn_find(t, &flow) : NULL;
		if (c) {
			be_id = maglev_conn_owner(c, &svc_id);
			if (svc_id == svc->id)
				bc = maglev_follow(conf, nc, be_id, 0, &reason);
		}
		rcu_read_unlock();
		if (!bc && reason != MAGLEV_REASON_NODEST_DROP) {
			bc = maglev_select(conf, &flow, &hash, &slot);
			reason = bc ? MAGLEV_REASON_TABLE :
				      MAGLEV_REASON_NO_BACKEND;
		} else {
			/* Report the table's choice too. */
			maglev_select(conf, &flow, &hash, &slot);
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
	u32 svc_id;
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
	u32 svc_id, be_id = maglev_conn_owner(c, &svc_id);

	if (ctx->by_svc && svc_id != ctx->svc_id)
		return false;
	return !ctx->by_be || be_id == ctx->be_id;
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
	if (svc && svc->id == info.svc_id)
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
	    nla_put_u32(e->skb, MAGLEV_CONN_A_EXPIRES, info.expires_ms) ||
	    (!info.confirmed &&
	     nla_put_flag(e->skb, MAGLEV_CONN_A_UNCONFIRMED)))
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
	struct maglev_svc_key key;
	int err, idx;

	if (attrs[MAGLEV_A_BACKEND] && !attrs[MAGLEV_A_SERVICE]) {
		NL_SET_ERR_MSG_MOD(extack, "a backend needs its service");
		NL_SET_BAD_ATTR(extack, attrs[MAGLEV_A_BACKEND]);
		return -EINVAL;
	}
	if (!attrs[MAGLEV_A_SERVICE])
		return 0;
	err = maglev_nl_svc_key(attrs[MAGLEV_A_SERVICE], tb, &key, extack);
	if (err)
		return err;
	svc = maglev_svc_find(mn, &key);
	if (!svc) {
		NL_SET_ERR_MSG_MOD(extack, "no such service");
		NL_SET_BAD_ATTR(extack, attrs[MAGLEV_A_SERVICE]);
		return -ENOENT;
	}
	ctx->svc_id = svc->id;
	ctx->by_svc = true;
	if (!attrs[MAGLEV_A_BACKEND])
		return 0;
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

int maglev_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
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

int maglev_nl_conn_flush(struct sk_buff *skb, struct genl_info *info)
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
	/* Entries are only read under RCU and freed after a grace period:
	 * a packet racing with the flush may record its flow again, as it
	 * would just after.
	 */
	if (ctx.by_be)
		maglev_conn_flush_backends(t, &ctx.be_id, 1);
	else if (ctx.by_svc)
		maglev_conn_flush_service(t, ctx.svc_id);
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

int maglev_nl_config_get(struct sk_buff *skb, struct genl_info *info)
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
	/* Only administrators get here (GENL_UNS_ADMIN_PERM). */
	if (nla_put(msg, MAGLEV_CFG_A_SEED, sizeof(seed), seed))
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
	    nla_put_u8(msg, MAGLEV_CFG_A_EXPIRE_NODEST, nc->expire_nodest) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_PROBE_MARK, nc->probe_mark) ||
	    nla_put_u32(msg, MAGLEV_CFG_A_PROBE_MASK, nc->probe_mask) ||
	    nla_put_u8(msg, MAGLEV_CFG_A_ICMP, !nc->icmp_off))
		goto unlock_nospace;
	tnest = nla_nest_start(msg, MAGLEV_CFG_A_TIMEOUTS);
	if (!tnest)
		goto unlock_nospace;
	for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
		if (nla_put_u32(msg, MAGLEV_TIMEOUT_A_TCP_SYN + i,
				nc->timeouts[i]))
			goto unlock_nospace;
	nla_nest_end(msg, tnest);
	if (maglev_frag_put_config(msg, mn, nc))
		goto unlock_nospace;
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

/* The probe mark and mask settings together; see maglev_probe_check(). */
static int maglev_nl_probe_check(const struct maglev_ns_conf *nc,
				 struct nlattr **tb,
				 struct netlink_ext_ack *extack)
{
	switch (maglev_probe_check(nc->probe_mark, nc->probe_mask)) {
	case MAGLEV_PROBE_CFG_OK:
		return 0;
	case MAGLEV_PROBE_CFG_NO_MASK:
		NL_SET_ERR_MSG_MOD(extack,
				   "probe-mark needs a nonzero probe-mask");
		break;
	case MAGLEV_PROBE_CFG_OUTSIDE:
		NL_SET_ERR_MSG_MOD(extack,
				   "probe-mark has bits outside probe-mask (they carry the backend id)");
		break;
	case MAGLEV_PROBE_CFG_ZERO:
		NL_SET_ERR_MSG_MOD(extack,
				   "probe-mark must be nonzero under probe-mask (unmarked packets would match)");
		break;
	}
	NL_SET_BAD_ATTR(extack, tb[MAGLEV_CFG_A_PROBE_MARK] ?:
				tb[MAGLEV_CFG_A_PROBE_MASK]);
	return -EINVAL;
}

int maglev_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_CFG_A_MAX + 1];
	struct maglev_pool *pool = NULL;
	struct maglev_ns_conf *nc;
	bool new_pool;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, MAGLEV_A_CONFIG)) {
		NL_SET_ERR_MSG_MOD(info->extack, "config missing");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, MAGLEV_CFG_A_MAX, info->attrs[MAGLEV_A_CONFIG],
			       maglev_cfg_policy, info->extack) ?:
	      maglev_nl_check_table_size(tb[MAGLEV_CFG_A_DEFAULT_TABLE_SIZE],
					 info->extack);
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
	if (tb[MAGLEV_CFG_A_ICMP])
		nc->icmp_off = !nla_get_u8(tb[MAGLEV_CFG_A_ICMP]);
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
	if (tb[MAGLEV_CFG_A_PROBE_MARK])
		nc->probe_mark = nla_get_u32(tb[MAGLEV_CFG_A_PROBE_MARK]);
	if (tb[MAGLEV_CFG_A_PROBE_MASK])
		nc->probe_mask = nla_get_u32(tb[MAGLEV_CFG_A_PROBE_MASK]);
	if (maglev_nl_probe_check(nc, tb, info->extack)) {
		mutex_unlock(&mn->lock);
		kfree(nc);
		return -EINVAL;
	}
	maglev_frag_conf_set(nc, tb);
	err = maglev_pool_prepare(mn, tb[MAGLEV_CFG_A_POOL], &nc->seed,
				  !!tb[MAGLEV_CFG_A_SEED], &pool, &new_pool,
				  info->extack);
	if (err) {
		mutex_unlock(&mn->lock);
		kfree(nc);
		return err;
	}
	err = maglev_ns_conf_set(mn, nc, info->extack);
	if (!err && new_pool)
		maglev_pool_publish(mn, pool);
	else
		maglev_pool_free(pool);
	if (!err)
		maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_CONFIG_SET,
				 NULL, NULL, NULL);
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

int maglev_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
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

int maglev_nl_stats_zero(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);

	mutex_lock(&mn->lock);
	maglev_stats_zero_all(mn);
	maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_STATS_ZERO, NULL,
			 NULL, NULL);
	mutex_unlock(&mn->lock);
	return 0;
}
