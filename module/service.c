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
 * A change that several objects must see together is built completely
 * before any of it is published: a new seed or outer source rebuilds every
 * service's configuration off to the side, and only when all were built
 * are the namespace settings and the services' configurations published
 * (an error publishes nothing). Each configuration carries the seed its
 * table was built with, so a packet never hashes with one seed into a
 * table built with another, even while the pointers are being replaced.
 *
 * Work that must not race with readers of the old configuration waits for
 * a grace period after publishing it (synchronize_rcu()): forgetting the
 * connection entries of removed backends or of a deleted service (else a
 * packet still on the old configuration could record one again), and
 * invalidating cached routes after the outer source changed (else a
 * packet on the old configuration could cache a route with the old
 * source again).
 *
 * The packet path runs in a netfilter hook under rcu_read_lock() and takes
 * no lock. The hooks are unregistered in the namespace's .pre_exit, and
 * the netns core waits for a grace period before .exit frees the state.
 * Backends (&struct maglev_backend) carry state that must outlive a
 * single configuration (per-CPU counters, cached routes); successive
 * configurations share them through a reference count, dropped when a
 * configuration is freed, so the last reader is gone before a backend is.
 * Counters are per-CPU (see stats.c); cached routes too, lent to the
 * packet path without a reference (DOC: Route cache in route.c).
 */
#include <linux/in.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#include "frag_path.h"
#include "lookup.h"
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
 * maglev_backend_put - drop a reference to a backend
 * @be: the backend; freed with the last reference
 *
 * Context: any; the last put happens after every reader is gone.
 */
void maglev_backend_put(struct maglev_backend *be)
{
	if (!refcount_dec_and_test(&be->ref))
		return;
	maglev_route_cache_destroy(&be->rcache);
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
	if (maglev_route_cache_init(&be->rcache, GFP_KERNEL_ACCOUNT))
		goto free;
	if (maglev_stats_init(&be->stats, MAGLEV_CTR_PKT_MAX))
		goto cache;
	return be;
cache:
	maglev_route_cache_destroy(&be->rcache);
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
	e->rcache = &be->rcache;
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
maglev_svc_conf_build(struct maglev_net *mn, const struct maglev_ns_conf *nc,
		      const struct maglev_svc_conf *old,
		      const struct maglev_svc_params *p,
		      const struct maglev_be_params *bp, u32 n,
		      struct netlink_ext_ack *extack)
{
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
	conf->seed = nc->seed;
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
 * @new is published: wait until no packet can still use @old (and record a
 * flow on a removed backend), then sweep the table once for all of them.
 */
static void maglev_conn_forget_removed(struct maglev_net *mn,
				       const struct maglev_svc_conf *old,
				       const struct maglev_svc_conf *new)
{
	struct maglev_conn_table *t = maglev_conns(mn);
	u32 i, n = 0, *ids;

	if (!t || maglev_ns_conf(mn)->expire_nodest != MAGLEV_EXPIRE_NODEST_REHASH)
		return;
	for (i = 0; i < old->n_backends; i++)
		if (!maglev_be_by_id(new, old->be[i].be->id))
			n++;
	if (!n)
		return;
	ids = kvmalloc_array(n, sizeof(*ids), GFP_KERNEL);
	synchronize_rcu();
	if (!ids) {
		/* Rather slow than wrong. */
		for (i = 0; i < old->n_backends; i++) {
			u32 id = old->be[i].be->id;

			if (!maglev_be_by_id(new, id))
				maglev_conn_flush_backends(t, &id, 1);
		}
		return;
	}
	n = 0;
	for (i = 0; i < old->n_backends; i++)
		if (!maglev_be_by_id(new, old->be[i].be->id))
			ids[n++] = old->be[i].be->id;
	maglev_conn_flush_backends(t, ids, n);
	kvfree(ids);
}

/* Publish @conf for @svc; the old configuration goes after a grace period. */
static void maglev_svc_publish(struct maglev_net *mn, struct maglev_service *svc,
			       struct maglev_svc_conf *conf)
{
	struct maglev_svc_conf *old;

	old = rcu_replace_pointer(svc->conf, conf, lockdep_is_held(&mn->lock));
	if (old) {
		maglev_conn_forget_removed(mn, old, conf);
		call_rcu(&old->rcu, maglev_svc_conf_free_rcu);
	}
	mn->gen++;
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
	struct maglev_svc_conf *conf;

	lockdep_assert_held(&mn->lock);
	conf = maglev_svc_conf_build(mn, maglev_ns_conf(mn),
				     maglev_svc_conf(mn, svc), p, be, n, extack);
	if (IS_ERR(conf))
		return PTR_ERR(conf);
	maglev_svc_publish(mn, svc, conf);
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

static void maglev_set_publish(struct maglev_net *mn,
			       struct maglev_svc_set *set)
{
	struct maglev_svc_set *old;

	old = rcu_replace_pointer(mn->set, set, lockdep_is_held(&mn->lock));
	maglev_svc_set_free_rcu(old);
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
	/* Never 0, and not reused before 2^32 services were created. */
	svc->id = ++mn->next_svc_id ?: ++mn->next_svc_id;
	if (maglev_stats_init(&svc->stats, MAGLEV_CTR_PKT_MAX)) {
		kfree(svc);
		goto nomem;
	}
	err = maglev_svc_commit(mn, svc, p, be, n, extack);
	if (err)
		goto free;
	list_add_tail(&svc->node, &mn->services);
	mn->n_services++;
	set = maglev_svc_set_build(&mn->services, mn->n_services, NULL);
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
	set = maglev_svc_set_build(&mn->services, mn->n_services, svc);
	if (IS_ERR(set)) {
		NL_SET_ERR_MSG_MOD(extack, "out of memory removing the service");
		return PTR_ERR(set);
	}
	list_del(&svc->node);
	mn->n_services--;
	maglev_set_publish(mn, set);
	if (maglev_conns(mn)) {
		/* No packet may record a flow for it after the sweep. */
		synchronize_rcu();
		maglev_conn_flush_service(maglev_conns(mn), svc->id);
	}
	call_rcu(&svc->rcu, maglev_svc_free_rcu);
	return 0;
}

/**
 * maglev_flush - remove every service
 * @mn: namespace
 * @wait: the packet path may be running: wait for it before forgetting
 *	the connections (false only once the hooks are gone)
 *
 * Context: config mutex held.
 */
void maglev_flush(struct maglev_net *mn, bool wait)
{
	struct maglev_service *svc, *tmp;

	lockdep_assert_held(&mn->lock);
	maglev_set_publish(mn, NULL);
	list_for_each_entry_safe(svc, tmp, &mn->services, node) {
		list_del(&svc->node);
		call_rcu(&svc->rcu, maglev_svc_free_rcu);
	}
	mn->n_services = 0;
	if (maglev_conns(mn)) {
		if (wait)
			synchronize_rcu();
		maglev_conn_flush(maglev_conns(mn));
	}
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

/* How far conn_max may grow past the bucket array sized at creation. */
#define MAGLEV_CONN_MAX_PER_BUCKET	4

/**
 * maglev_ns_conf_set - publish new namespace settings
 * @mn: namespace
 * @nc: the new settings (taken over, freed on error)
 * @extack: error report
 *
 * Rebuilds every service, since the seed keys the tables and the outer
 * source and TTL are part of each backend's encapsulation. All of it or
 * nothing: every service's new configuration is built before the settings
 * and the configurations are published; on error nothing changes.
 *
 * Context: config mutex held; sleeps (a grace period when the outer
 * source changes).
 * Return: 0 or a negative errno.
 */
int maglev_ns_conf_set(struct maglev_net *mn, struct maglev_ns_conf *nc,
		       struct netlink_ext_ack *extack)
{
	struct maglev_conn_table *t = maglev_conns(mn);
	struct maglev_svc_conf **confs = NULL;
	struct maglev_ns_conf *old;
	struct maglev_service *svc;
	bool new_source;
	unsigned int k;
	int err = 0;
	u32 i;

	lockdep_assert_held(&mn->lock);
	old = maglev_ns_conf(mn);
	if (t && nc->conn_max > old->conn_max &&
	    nc->conn_max / MAGLEV_CONN_MAX_PER_BUCKET > maglev_conn_buckets(t)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "conn-max too large for the connection hash table sized with the first service (4 entries per bucket at most): set it before adding services, or after a flush");
		err = -ERANGE;
		goto free_nc;
	}
	if (mn->n_services) {
		confs = kvcalloc(mn->n_services, sizeof(*confs), GFP_KERNEL);
		if (!confs) {
			err = -ENOMEM;
			goto nomem;
		}
	}
	k = 0;
	list_for_each_entry(svc, &mn->services, node) {
		struct maglev_svc_conf *conf = maglev_svc_conf(mn, svc);
		struct maglev_be_params *bp;

		bp = kvmalloc_array(conf->n_backends, sizeof(*bp), GFP_KERNEL);
		if (!bp && conf->n_backends) {
			err = -ENOMEM;
			goto nomem;
		}
		maglev_svc_params_backends(conf, bp);
		confs[k] = maglev_svc_conf_build(mn, nc, conf, &conf->params, bp,
						 conf->n_backends, extack);
		kvfree(bp);
		if (IS_ERR(confs[k])) {
			err = PTR_ERR(confs[k]);
			confs[k] = NULL;
			goto free_confs;
		}
		k++;
	}

	/* Everything is built: publish. */
	new_source = old->source4 != nc->source4 ||
		     !ipv6_addr_equal(&old->source6, &nc->source6);
	rcu_assign_pointer(mn->conf, nc);
	kfree_rcu(old, rcu);
	if (t) {
		maglev_conn_set_max(t, nc->conn_max);
		for (i = 0; i < __MAGLEV_CONN_S_MAX; i++)
			maglev_conn_set_timeout(t, i, nc->timeouts[i]);
	}
	k = 0;
	list_for_each_entry(svc, &mn->services, node)
		maglev_svc_publish(mn, svc, confs[k++]);
	kvfree(confs);
	if (!new_source)
		return 0;
	/*
	 * Packets still on the old configurations may cache routes with the
	 * old source until they are gone; only then does a reset stick.
	 */
	synchronize_rcu();
	list_for_each_entry(svc, &mn->services, node) {
		struct maglev_svc_conf *conf = maglev_svc_conf(mn, svc);

		for (i = 0; i < conf->n_backends; i++)
			maglev_route_cache_reset(&conf->be[i].be->rcache);
	}
	return 0;

nomem:
	NL_SET_ERR_MSG_MOD(extack, "out of memory rebuilding the services");
free_confs:
	for (i = 0; confs && i < mn->n_services; i++)
		if (confs[i])
			maglev_svc_conf_free(confs[i]);
	kvfree(confs);
free_nc:
	kfree(nc);
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
	maglev_frag_conf_init(nc);
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
	maglev_flush(mn, false);
	maglev_conn_table_destroy(maglev_conns(mn));
	mutex_unlock(&mn->lock);
	kfree_rcu(rcu_dereference_protected(mn->conf, 1), rcu);
	maglev_stats_free(&mn->stats);
}
