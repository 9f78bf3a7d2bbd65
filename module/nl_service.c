// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink handlers for services and backends: create, change,
 * replace, delete, dump, and their lookup tables (TABLE_GET). Each takes
 * the namespace's config mutex (DOC: Locking in service.c).
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
#include "nl_service.h"

/*
 * FLAGS under FLAGS_MASK: only the masked bits of @old change to those of
 * the request's FLAGS, which maglev_nl_svc_params() put in @p->flags.
 * Without FLAGS_MASK, FLAGS (if any) replaced them all.
 */
static int maglev_nl_svc_flags(struct nlattr **tb, u32 old,
			       struct maglev_svc_params *p,
			       struct netlink_ext_ack *extack)
{
	u32 mask;

	if (!tb[MAGLEV_SVC_A_FLAGS_MASK])
		return 0;
	if (!tb[MAGLEV_SVC_A_FLAGS]) {
		NL_SET_ERR_MSG_MOD(extack, "flags mask without flags");
		NL_SET_BAD_ATTR(extack, tb[MAGLEV_SVC_A_FLAGS_MASK]);
		return -EINVAL;
	}
	mask = nla_get_u32(tb[MAGLEV_SVC_A_FLAGS_MASK]);
	p->flags = (old & ~mask) | (p->flags & mask);
	return 0;
}

int maglev_nl_svc_new(struct sk_buff *skb, struct genl_info *info)
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
	err = maglev_nl_svc_flags(tb, 0, &p, info->extack);
	if (err)
		goto unlock;
	err = maglev_svc_create(mn, &key, &p, bp, n, info->extack);
	if (!err)
		maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_SERVICE_NEW,
				 &key, &p, NULL);
unlock:
	mutex_unlock(&mn->lock);
	kvfree(bp);
	return err;
}

int maglev_nl_svc_replace(struct sk_buff *skb, struct genl_info *info)
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
	err = maglev_nl_svc_flags(tb, 0, &p, info->extack);
	if (err)
		goto unlock;
	svc = maglev_svc_find(mn, &key);
	if (svc)
		err = maglev_svc_commit(mn, svc, &p, bp, n, info->extack);
	else
		err = maglev_svc_create(mn, &key, &p, bp, n, info->extack);
	if (!err)
		maglev_nl_notify(genl_info_net(info), MAGLEV_CMD_SERVICE_REPLACE,
				 &key, &p, NULL);
unlock:
	mutex_unlock(&mn->lock);
	kvfree(bp);
	return err;
}

int maglev_nl_svc_set(struct sk_buff *skb, struct genl_info *info)
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
	err = maglev_nl_svc_flags(tb, conf->params.flags, &p, info->extack);
	if (err)
		goto unlock;
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

int maglev_nl_svc_del(struct sk_buff *skb, struct genl_info *info)
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
int maglev_nl_be_change(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);
	struct nlattr *tb[MAGLEV_SVC_A_MAX + 1];
	u8 cmd = info->genlhdr->cmd;
	struct maglev_svc_conf *conf;
	struct maglev_service *svc;
	struct maglev_be_params *bp = NULL, nb;
	u32 n, be_id;
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
	/* The notification's MAGLEV_BE_A_ID; a new backend's is known later. */
	be_id = idx >= 0 ? conf->be[idx].be->id : 0;
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
		/* Report the backend as it was. */
		nb = bp[idx];
		bp[idx] = bp[--n];
	}
	err = maglev_svc_commit(mn, svc, &conf->params, bp, n, info->extack);
	if (!err) {
		struct maglev_be_conf bc = {};
		struct maglev_backend be = {
			.addr = nb.addr,
			.family = nb.family,
		};

		if (cmd == MAGLEV_CMD_BACKEND_NEW) {
			conf = maglev_svc_conf(mn, svc);
			idx = maglev_be_index(conf, &nb);
			if (idx >= 0)
				be_id = conf->be[idx].be->id;
		}
		be.id = be_id;

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

int maglev_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct maglev_net *mn = maglev_info_net(info);

	mutex_lock(&mn->lock);
	maglev_flush(mn, true);
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

int maglev_nl_svc_dump(struct sk_buff *skb, struct netlink_callback *cb)
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

int maglev_nl_svc_getone(struct sk_buff *skb, struct genl_info *info)
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

int maglev_nl_table_done(struct netlink_callback *cb)
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
int maglev_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct maglev_table_snap *snap;
	struct nlattr *nest, *list;
	u32 i, start, count;
	unsigned int room;
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
			/* As many slots as the reader's buffer holds. */
			start = cb->args[2];
			room = skb_tailroom(skb);
			room = room > 2 * NLA_HDRLEN + NLA_ALIGN(sizeof(u32)) ?
			       room - 2 * NLA_HDRLEN - NLA_ALIGN(sizeof(u32)) : 0;
			count = min_t(u32, snap->m - start,
				      round_down(room, 4) / sizeof(u16));
			if (!count ||
			    nla_put_u32(skb, MAGLEV_A_TABLE_START, start) ||
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
	/* Not even one slot or backend fits an empty message. */
	if (!skb->len && cb->args[2] < snap->m)
		return -EMSGSIZE;
	return skb->len;
}
