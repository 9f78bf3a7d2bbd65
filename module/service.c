// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual services, their backends and the per-namespace configuration.
 *
 * DOC: Locking
 *
 * Every change to a namespace's configuration happens under its config
 * mutex, &maglev_net.lock, in process context (generic netlink handlers and
 * namespace exit). Nothing the packet path reads is ever modified in place:
 *
 * - a service's settings, backend list and lookup table form one immutable
 *   &struct maglev_svc_conf, built off to the side and published with
 *   rcu_replace_pointer(); the old one is freed after a grace period;
 * - the set of services the packet path searches (&struct maglev_svc_set)
 *   is rebuilt and republished the same way when a service is added or
 *   removed; a removed service is freed after a grace period;
 * - the namespace settings (&struct maglev_ns_conf) likewise.
 *
 * The packet path runs in a netfilter hook under rcu_read_lock() and takes
 * no lock. Backends (&struct maglev_backend) carry state that must outlive a
 * single configuration (per-CPU counters, cached routes); successive
 * configurations share them through a reference count, dropped when a
 * configuration is freed, so the last reader is gone before a backend is.
 * Counters are per-CPU (see stats.c).
 */
#include <linux/in.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <net/netlink.h>

#include "service.h"
#include "table.h"

unsigned int maglev_max_services = 1024;
module_param_named(max_services, maglev_max_services, uint, 0444);
MODULE_PARM_DESC(max_services, "Maximum services per network namespace (default 1024)");

unsigned int maglev_max_backends = 4096;
module_param_named(max_backends, maglev_max_backends, uint, 0444);
MODULE_PARM_DESC(max_backends, "Maximum backends per service (default 4096, at most 65534)");

static unsigned int maglev_conn_max_default;
module_param_named(conn_max, maglev_conn_max_default, uint, 0444);
MODULE_PARM_DESC(conn_max,
		 "Connection table entries per namespace (default 0: one per 4 KiB of RAM, 16384 to 4194304)");

/**
 * struct maglev_svc_set - an immutable hash of the services, for lookups
 * @rcu: frees it after a grace period
 * @mask: number of slots - 1 (a power of two, at least twice the services)
 * @wildcard: some service has port 0
 * @slot: open addressing with linear probing; NULL ends a probe
 */
struct maglev_svc_set {
	struct rcu_head rcu;
	u32 mask;
	bool wildcard;
	struct maglev_service *slot[];
};

static u32 maglev_key_hash(const struct maglev_svc_key *key)
{
	BUILD_BUG_ON(sizeof(*key) != 5 * sizeof(u32));
	return jhash2((const u32 *)key, sizeof(*key) / sizeof(u32), 0);
}

/**
 * maglev_svc_lookup - find a service by exact key
 * @set: the set (may be used under RCU or the config mutex)
 * @key: the key, with unused address bytes zero
 *
 * Return: the service or NULL.
 */
struct maglev_service *maglev_svc_lookup(const struct maglev_svc_set *set,
					 const struct maglev_svc_key *key)
{
	struct maglev_service *svc;
	u32 i = maglev_key_hash(key) & set->mask;

	while ((svc = READ_ONCE(set->slot[i]))) {
		if (!memcmp(&svc->key, key, sizeof(*key)))
			return svc;
		i = (i + 1) & set->mask;
	}
	return NULL;
}

/**
 * maglev_svc_match - the service a packet belongs to
 * @set: the set
 * @flow: the packet's flow
 *
 * An exact port beats a port-0 service on the same protocol and VIP.
 *
 * Return: the service or NULL.
 */
struct maglev_service *maglev_svc_match(const struct maglev_svc_set *set,
					const struct maglev_flow *flow)
{
	struct maglev_svc_key key;
	struct maglev_service *svc;

	if (flow->family == AF_INET) {
		memset(&key.addr, 0, sizeof(key.addr));
		key.addr.v4 = flow->daddr.v4;
	} else {
		key.addr.v6 = flow->daddr.v6;
	}
	key.port = flow->dport;
	key.family = flow->family;
	key.proto = flow->proto;

	svc = maglev_svc_lookup(set, &key);
	if (svc || !set->wildcard)
		return svc;
	key.port = 0;
	return maglev_svc_lookup(set, &key);
}

static u32 maglev_flow_hash(const struct maglev_flow *flow, u8 mode,
			    const siphash_key_t *seed)
{
	unsigned int alen = flow->family == AF_INET ? 4 : 16, len;
	u8 buf[2 * sizeof(struct in6_addr) + 5];

	/* Bytes in network order, so every forwarder hashes alike. */
	memcpy(buf, &flow->saddr, alen);
	len = alen;
	if (mode == MAGLEV_HASH_SRC)
		goto out;
	memcpy(buf + len, &flow->daddr, alen);
	len += alen;
	if (mode == MAGLEV_HASH_SRC_DST)
		goto out;
	if (mode == MAGLEV_HASH_5TUPLE) {
		memcpy(buf + len, &flow->sport, 2);
		len += 2;
	}
	memcpy(buf + len, &flow->dport, 2);
	len += 2;
	buf[len++] = flow->proto;
out:
	return (u32)siphash(buf, len, seed);
}

/**
 * maglev_select - the backend the Maglev table picks for a flow
 * @conf: the service's configuration
 * @flow: the flow
 * @seed: the namespace's cluster seed
 * @hash: out: the flow hash
 * @slot: out: the table slot
 *
 * Return: the backend, or NULL when the slot is empty (no usable backend).
 */
const struct maglev_be_conf *
maglev_select(const struct maglev_svc_conf *conf, const struct maglev_flow *flow,
	      const siphash_key_t *seed, u32 *hash, u32 *slot)
{
	u16 idx;

	*hash = maglev_flow_hash(flow, conf->params.hash, seed);
	*slot = maglev_table_slot(*hash, conf->params.table_size);
	idx = conf->table[*slot];
	if (idx == MAGLEV_SLOT_EMPTY || idx >= conf->n_backends)
		return NULL;
	return &conf->be[idx];
}

static u32 maglev_id_hash(u32 id, u32 mask)
{
	return hash_32(id, 31) & mask;
}

/**
 * maglev_be_by_id - a backend of a configuration, by id
 * @conf: the configuration
 * @id: the backend's id
 *
 * Return: the backend, or NULL if @conf does not list it.
 */
const struct maglev_be_conf *
maglev_be_by_id(const struct maglev_svc_conf *conf, u32 id)
{
	u32 i = maglev_id_hash(id, conf->id_mask);
	u16 idx;

	while ((idx = conf->id_slot[i]) != MAGLEV_SLOT_EMPTY) {
		if (conf->be[idx].be->id == id)
			return &conf->be[idx];
		i = (i + 1) & conf->id_mask;
	}
	return NULL;
}

/**
 * maglev_backend_put - drop a reference to a backend
 * @be: the backend; freed with the last reference
 *
 * Context: any; the last put happens after every reader is gone.
 */
void maglev_backend_put(struct maglev_backend *be)
{
	if (!refcount_dec_and_test(&be->ref))
		return;
	dst_cache_destroy(&be->dst_cache);
	maglev_stats_free(&be->stats);
	kfree(be);
}

static struct maglev_backend *maglev_backend_new(struct maglev_net *mn,
						 const struct maglev_be_params *p)
{
	struct maglev_backend *be;

	be = kzalloc(sizeof(*be), GFP_KERNEL_ACCOUNT);
	if (!be)
		return NULL;
	be->addr = p->addr;
	be->family = p->family;
	/* Never 0, and not reused before 2^32 backends were created. */
	be->id = ++mn->next_be_id ?: ++mn->next_be_id;
	refcount_set(&be->ref, 1);
	if (dst_cache_init(&be->dst_cache, GFP_KERNEL_ACCOUNT))
		goto free;
	if (maglev_stats_init(&be->stats, MAGLEV_CTR_PKT_MAX))
		goto cache;
	return be;
cache:
	dst_cache_destroy(&be->dst_cache);
free:
	kfree(be);
	return NULL;
}

static void maglev_svc_conf_free(struct maglev_svc_conf *conf)
{
	u32 i;

	for (i = 0; i < conf->n_backends; i++)
		if (conf->be[i].be)
			maglev_backend_put(conf->be[i].be);
	kvfree(conf->id_slot);
	kvfree(conf->table);
	kvfree(conf);
}

static void maglev_svc_conf_free_rcu(struct rcu_head *rcu)
{
	maglev_svc_conf_free(container_of(rcu, struct maglev_svc_conf, rcu));
}

static int maglev_be_params_cmp(const void *a, const void *b)
{
	const struct maglev_be_params *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

static struct maglev_backend *
maglev_conf_find_backend(const struct maglev_svc_conf *conf,
			 const struct maglev_be_params *p)
{
	u32 i;

	if (!conf)
		return NULL;
	for (i = 0; i < conf->n_backends; i++) {
		struct maglev_backend *be = conf->be[i].be;

		if (be->family == p->family &&
		    !memcmp(&be->addr, &p->addr, sizeof(be->addr)))
			return be;
	}
	return NULL;
}

static void maglev_encap_fill(struct maglev_encap *e, struct maglev_backend *be,
			      const struct maglev_svc_params *p,
			      const struct maglev_ns_conf *nc)
{
	memset(e, 0, sizeof(*e));
	e->daddr = be->addr;
	e->family = be->family;
	if (be->family == AF_INET)
		e->saddr.v4 = nc->source4;
	else
		e->saddr.v6 = nc->source6;
	e->dst_cache = &be->dst_cache;
	e->key = htonl(p->gre_key);
	e->use_key = !!(p->flags & MAGLEV_SVC_F_GRE_KEY);
	e->csum = !!(p->flags & MAGLEV_SVC_F_GRE_CSUM);
	e->ttl = nc->ttl;
}

/*
 * kvmalloc() serves a table of more than a page from the page allocator in a
 * power-of-two block: the default M = 65537 needs 131074 bytes and would take
 * 256 KiB. A table that would waste more than an eighth of its size that way
 * goes to vmalloc, which rounds to pages (132 KiB).
 */
static u16 *maglev_table_alloc(u32 m)
{
	size_t size = array_size(m, sizeof(u16));

	if (size > PAGE_SIZE && (PAGE_SIZE << get_order(size)) - size > size / 8)
		return __vmalloc(size, GFP_KERNEL_ACCOUNT);
	return kvmalloc(size, GFP_KERNEL_ACCOUNT);
}

/*
 * Build a configuration with exactly the backends @bp (any order), reusing
 * the backend objects of @old whose address is listed again.
 */
static struct maglev_svc_conf *
maglev_svc_conf_build(struct maglev_net *mn, const struct maglev_svc_conf *old,
		      const struct maglev_svc_params *p,
		      const struct maglev_be_params *bp, u32 n,
		      struct netlink_ext_ack *extack)
{
	const struct maglev_ns_conf *nc = maglev_ns_conf(mn);
	struct maglev_be_params *sorted = NULL;
	struct maglev_table_be *tbe = NULL;
	struct maglev_svc_conf *conf;
	int err = -ENOMEM;
	u32 i, j;

	if (n > maglev_max_backends) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many backends (module parameter max_backends)");
		return ERR_PTR(-E2BIG);
	}
	conf = kvzalloc(struct_size(conf, be, n), GFP_KERNEL_ACCOUNT);
	if (!conf)
		goto nomem;
	conf->params = *p;
	conf->table = maglev_table_alloc(p->table_size);
	conf->id_mask = roundup_pow_of_two(2 * n + 2) - 1;
	conf->id_slot = kvmalloc_array(conf->id_mask + 1, sizeof(u16),
				       GFP_KERNEL_ACCOUNT);
	if (!conf->table || !conf->id_slot)
		goto fail;
	memset(conf->id_slot, 0xff, (conf->id_mask + 1) * sizeof(u16));
	if (n) {
		sorted = kvmalloc_array(n, sizeof(*sorted), GFP_KERNEL);
		tbe = kvmalloc_array(n, sizeof(*tbe), GFP_KERNEL);
		if (!sorted || !tbe)
			goto fail;
		memcpy(sorted, bp, n * sizeof(*sorted));
		sort(sorted, n, sizeof(*sorted), maglev_be_params_cmp, NULL);
	}
	for (i = 0; i < n; i++) {
		struct maglev_be_conf *bc = &conf->be[i];
		struct maglev_backend *be;

		if (i && !maglev_be_params_cmp(&sorted[i - 1], &sorted[i])) {
			NL_SET_ERR_MSG_MOD(extack, "backend listed twice");
			err = -EINVAL;
			goto fail;
		}
		be = maglev_conf_find_backend(old, &sorted[i]);
		if (be)
			refcount_inc(&be->ref);
		else
			be = maglev_backend_new(mn, &sorted[i]);
		if (!be)
			goto fail;
		bc->be = be;
		conf->n_backends = i + 1;
		bc->weight = sorted[i].weight;
		bc->state = sorted[i].state;
		maglev_encap_fill(&bc->encap, be, p, nc);

		j = maglev_id_hash(be->id, conf->id_mask);
		while (conf->id_slot[j] != MAGLEV_SLOT_EMPTY)
			j = (j + 1) & conf->id_mask;
		conf->id_slot[j] = i;

		tbe[i].id = &be->addr;
		tbe[i].id_len = be->family == AF_INET ? 4 : 16;
		tbe[i].weight = bc->state == MAGLEV_BE_STATE_UP ? bc->weight : 0;
	}
	err = maglev_table_build(conf->table, p->table_size, &nc->seed, tbe, n);
	if (err)
		goto fail;
	for (i = 0; i < n; i++)
		conf->be[i].slots = tbe[i].slots;
	kvfree(tbe);
	kvfree(sorted);
	return conf;

fail:
	kvfree(tbe);
	kvfree(sorted);
	maglev_svc_conf_free(conf);
	if (err != -ENOMEM)
		return ERR_PTR(err);
nomem:
	NL_SET_ERR_MSG_MOD(extack, "out of memory building the service");
	return ERR_PTR(-ENOMEM);
}

/*
 * With MAGLEV_EXPIRE_NODEST_REHASH, the flows of backends that @old lists
 * and @new does not are forgotten: their next packets pick from the table.
 */
static void maglev_conn_forget_removed(struct maglev_net *mn,
				       const struct maglev_svc_conf *old,
				       const struct maglev_svc_conf *new)
{
	struct maglev_conn_table *t = maglev_conns(mn);
	u32 i;

	if (!t || maglev_ns_conf(mn)->expire_nodest != MAGLEV_EXPIRE_NODEST_REHASH)
		return;
	for (i = 0; i < old->n_backends; i++)
		if (!maglev_be_by_id(new, old->be[i].be->id))
			maglev_conn_flush_backend(t, old->be[i].be->id);
}

/**
 * maglev_svc_commit - give a service new settings and a new backend list
 * @mn: namespace
 * @svc: the service
 * @p: settings
 * @be: the complete backend list, any order
 * @n: entries in @be
 * @extack: error report
 *
 * Builds the new configuration and its table off to the side and publishes
 * it in one step; on error the service is unchanged.
 *
 * Context: config mutex held.
 * Return: 0 or a negative errno.
 */
int maglev_svc_commit(struct maglev_net *mn, struct maglev_service *svc,
		      const struct maglev_svc_params *p,
		      const struct maglev_be_params *be, u32 n,
		      struct netlink_ext_ack *extack)
{
	struct maglev_svc_conf *conf, *old;

	lockdep_assert_held(&mn->lock);
	conf = maglev_svc_conf_build(mn, maglev_svc_conf(mn, svc), p, be, n,
				     extack);
	if (IS_ERR(conf))
		return PTR_ERR(conf);
	old = rcu_replace_pointer(svc->conf, conf, lockdep_is_held(&mn->lock));
	if (old) {
		maglev_conn_forget_removed(mn, old, conf);
		call_rcu(&old->rcu, maglev_svc_conf_free_rcu);
	}
	mn->gen++;
	return 0;
}

static void maglev_svc_free(struct maglev_service *svc)
{
	struct maglev_svc_conf *conf = rcu_dereference_protected(svc->conf, 1);

	if (conf)
		maglev_svc_conf_free(conf);
	maglev_stats_free(&svc->stats);
	kfree(svc);
}

static void maglev_svc_free_rcu(struct rcu_head *rcu)
{
	maglev_svc_free(container_of(rcu, struct maglev_service, rcu));
}

/* Build the lookup set of every listed service but @skip. */
static struct maglev_svc_set *maglev_set_build(struct maglev_net *mn,
					       const struct maglev_service *skip)
{
	unsigned int n = mn->n_services - (skip ? 1 : 0);
	struct maglev_svc_set *set;
	struct maglev_service *svc;
	u32 size;

	if (!n)
		return NULL;
	size = roundup_pow_of_two(2 * n);
	set = kzalloc(struct_size(set, slot, size), GFP_KERNEL_ACCOUNT);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->mask = size - 1;
	list_for_each_entry(svc, &mn->services, node) {
		u32 i = maglev_key_hash(&svc->key) & set->mask;

		if (svc == skip)
			continue;
		while (set->slot[i])
			i = (i + 1) & set->mask;
		set->slot[i] = svc;
		if (!svc->key.port)
			set->wildcard = true;
	}
	return set;
}

static void maglev_set_publish(struct maglev_net *mn,
			       struct maglev_svc_set *set)
{
	struct maglev_svc_set *old;

	old = rcu_replace_pointer(mn->set, set, lockdep_is_held(&mn->lock));
	if (old)
		kfree_rcu(old, rcu);
	mn->gen++;
}

/**
 * maglev_svc_find - find a service by key
 * @mn: namespace
 * @key: the key
 *
 * Context: config mutex held.
 * Return: the service or NULL.
 */
struct maglev_service *maglev_svc_find(struct maglev_net *mn,
				       const struct maglev_svc_key *key)
{
	struct maglev_svc_set *set;

	set = rcu_dereference_protected(mn->set, lockdep_is_held(&mn->lock));
	return set ? maglev_svc_lookup(set, key) : NULL;
}

/* The connection table, sized from the settings, on first use. */
static int maglev_conns_create(struct maglev_net *mn)
{
	const struct maglev_ns_conf *nc = maglev_ns_conf(mn);
	struct maglev_conn_table *t;
	int i;

	t = maglev_conn_table_create(read_pnet(&mn->net), nc->conn_max);
	if (IS_ERR(t))
		return PTR_ERR(t);
	for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
		maglev_conn_set_timeout(t, i, nc->timeouts[i]);
	rcu_assign_pointer(mn->conns, t);
	return 0;
}

/**
 * maglev_svc_create - add a service
 * @mn: namespace
 * @key: its key (must not exist)
 * @p: settings
 * @be: backends
 * @n: entries in @be
 * @extack: error report
 *
 * Context: config mutex held.
 * Return: 0 or a negative errno.
 */
int maglev_svc_create(struct maglev_net *mn, const struct maglev_svc_key *key,
		      const struct maglev_svc_params *p,
		      const struct maglev_be_params *be, u32 n,
		      struct netlink_ext_ack *extack)
{
	struct maglev_service *svc;
	struct maglev_svc_set *set;
	int err;

	lockdep_assert_held(&mn->lock);
	if (!maglev_conns(mn)) {
		err = maglev_conns_create(mn);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack,
					   "out of memory for the connection table");
			return err;
		}
	}
	if (mn->n_services >= maglev_max_services) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many services (module parameter max_services)");
		return -ENOSPC;
	}
	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		goto nomem;
	svc->key = *key;
	if (maglev_stats_init(&svc->stats, MAGLEV_CTR_PKT_MAX)) {
		kfree(svc);
		goto nomem;
	}
	err = maglev_svc_commit(mn, svc, p, be, n, extack);
	if (err)
		goto free;
	list_add_tail(&svc->node, &mn->services);
	mn->n_services++;
	set = maglev_set_build(mn, NULL);
	if (IS_ERR(set)) {
		list_del(&svc->node);
		mn->n_services--;
		err = PTR_ERR(set);
		goto free;
	}
	maglev_set_publish(mn, set);
	return 0;
free:
	/* Never published: no reader can hold it. */
	maglev_svc_free(svc);
	if (err != -ENOMEM)
		return err;
nomem:
	NL_SET_ERR_MSG_MOD(extack, "out of memory creating the service");
	return -ENOMEM;
}

/**
 * maglev_svc_delete - remove a service
 * @mn: namespace
 * @svc: the service
 * @extack: error report
 *
 * Freed after a grace period.
 *
 * Context: config mutex held.
 * Return: 0, or -ENOMEM with the service still in place.
 */
int maglev_svc_delete(struct maglev_net *mn, struct maglev_service *svc,
		      struct netlink_ext_ack *extack)
{
	struct maglev_svc_set *set;

	lockdep_assert_held(&mn->lock);
	set = maglev_set_build(mn, svc);
	if (IS_ERR(set)) {
		NL_SET_ERR_MSG_MOD(extack, "out of memory removing the service");
		return PTR_ERR(set);
	}
	list_del(&svc->node);
	mn->n_services--;
	maglev_set_publish(mn, set);
	if (maglev_conns(mn))
		maglev_conn_flush_service(maglev_conns(mn), &svc->key);
	call_rcu(&svc->rcu, maglev_svc_free_rcu);
	return 0;
}

/**
 * maglev_flush - remove every service
 * @mn: namespace
 *
 * Context: config mutex held.
 */
void maglev_flush(struct maglev_net *mn)
{
	struct maglev_service *svc, *tmp;

	lockdep_assert_held(&mn->lock);
	maglev_set_publish(mn, NULL);
	list_for_each_entry_safe(svc, tmp, &mn->services, node) {
		list_del(&svc->node);
		call_rcu(&svc->rcu, maglev_svc_free_rcu);
	}
	mn->n_services = 0;
	if (maglev_conns(mn))
		maglev_conn_flush(maglev_conns(mn));
}

static void maglev_svc_params_backends(const struct maglev_svc_conf *conf,
				       struct maglev_be_params *bp)
{
	u32 i;

	for (i = 0; i < conf->n_backends; i++) {
		bp[i].addr = conf->be[i].be->addr;
		bp[i].family = conf->be[i].be->family;
		bp[i].weight = conf->be[i].weight;
		bp[i].state = conf->be[i].state;
	}
}

/**
 * maglev_ns_conf_set - publish new namespace settings
 * @mn: namespace
 * @nc: the new settings (taken over, freed on error)
 * @extack: error report
 *
 * Rebuilds every service, since the seed keys the tables and the outer
 * source and TTL are part of each backend's encapsulation.
 *
 * Context: config mutex held.
 * Return: 0 or a negative errno (settings published; a service that could
 * not be rebuilt keeps its previous table).
 */
int maglev_ns_conf_set(struct maglev_net *mn, struct maglev_ns_conf *nc,
		       struct netlink_ext_ack *extack)
{
	struct maglev_ns_conf *old;
	struct maglev_service *svc;
	bool new_source;
	int err = 0;

	lockdep_assert_held(&mn->lock);
	old = rcu_replace_pointer(mn->conf, nc, lockdep_is_held(&mn->lock));
	new_source = old->source4 != nc->source4 ||
		     !ipv6_addr_equal(&old->source6, &nc->source6);
	kfree_rcu(old, rcu);
	if (maglev_conns(mn)) {
		int i;

		maglev_conn_set_max(maglev_conns(mn), nc->conn_max);
		for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
			maglev_conn_set_timeout(maglev_conns(mn), i,
						nc->timeouts[i]);
	}

	list_for_each_entry(svc, &mn->services, node) {
		struct maglev_svc_conf *conf = maglev_svc_conf(mn, svc);
		struct maglev_be_params *bp;
		u32 i;

		if (new_source)
			for (i = 0; i < conf->n_backends; i++)
				dst_cache_reset(&conf->be[i].be->dst_cache);
		bp = kvmalloc_array(conf->n_backends, sizeof(*bp), GFP_KERNEL);
		if (!bp && conf->n_backends) {
			err = -ENOMEM;
			continue;
		}
		maglev_svc_params_backends(conf, bp);
		i = maglev_svc_commit(mn, svc, &conf->params, bp,
				      conf->n_backends, extack);
		kvfree(bp);
		if (i)
			err = i;
	}
	return err;
}

/**
 * maglev_stats_zero_all - zero the namespace's, services' and backends' counters
 * @mn: namespace
 *
 * Context: config mutex held.
 */
void maglev_stats_zero_all(struct maglev_net *mn)
{
	struct maglev_service *svc;
	u32 i;

	lockdep_assert_held(&mn->lock);
	maglev_stats_zero(&mn->stats);
	if (maglev_conns(mn))
		maglev_conn_stats_zero(maglev_conns(mn));
	list_for_each_entry(svc, &mn->services, node) {
		struct maglev_svc_conf *conf = maglev_svc_conf(mn, svc);

		maglev_stats_zero(&svc->stats);
		for (i = 0; i < conf->n_backends; i++)
			maglev_stats_zero(&conf->be[i].be->stats);
	}
}

/**
 * maglev_net_init - initialise a namespace's state
 * @mn: the state, zeroed
 * @net: its namespace
 *
 * The cluster seed starts random: forwarders that must agree are given the
 * same seed by their operator.
 *
 * Return: 0 or -ENOMEM.
 */
int maglev_net_init(struct maglev_net *mn, struct net *net)
{
	struct maglev_ns_conf *nc;
	int i;

	mutex_init(&mn->lock);
	write_pnet(&mn->net, net);
	INIT_LIST_HEAD(&mn->services);
	nc = kzalloc(sizeof(*nc), GFP_KERNEL_ACCOUNT);
	if (!nc)
		return -ENOMEM;
	get_random_bytes(&nc->seed, sizeof(nc->seed));
	nc->default_table_size = MAGLEV_TABLE_SIZE_DEFAULT;
	nc->default_hash = MAGLEV_HASH_5TUPLE;
	nc->expire_nodest = MAGLEV_EXPIRE_NODEST_REHASH;
	nc->conn_max = maglev_conn_max_default ?:
		clamp_t(unsigned long, totalram_pages(), 16384, 4194304);
	nc->conn_max = min_t(u32, nc->conn_max, MAGLEV_CONN_MAX_LIMIT);
	for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
		nc->timeouts[i] = maglev_conn_default_timeout(i);
	if (maglev_stats_init(&mn->stats, MAGLEV_CTR_MAX)) {
		kfree(nc);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(mn->conf, nc);
	return 0;
}

/**
 * maglev_net_exit - free a namespace's state
 * @mn: the state
 *
 * Context: the packet path no longer runs for this namespace (hooks
 * unregistered) and no netlink request can reach it.
 */
void maglev_net_exit(struct maglev_net *mn)
{
	mutex_lock(&mn->lock);
	maglev_flush(mn);
	maglev_conn_table_destroy(maglev_conns(mn));
	mutex_unlock(&mn->lock);
	kfree_rcu(rcu_dereference_protected(mn->conf, 1), rcu);
	maglev_stats_free(&mn->stats);
}
