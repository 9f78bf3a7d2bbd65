// SPDX-License-Identifier: GPL-2.0
/*
 * Fragments of VIP traffic, stage 1: the forwarder pool (paper section
 * 4.3). With ECMP in front of several forwarders, the fragments of one
 * datagram may reach different forwarders, and only the one that got the
 * first fragment knows its ports. Every forwarder is given the same pool
 * (the forwarders' addresses, itself included), and a Maglev table over
 * the pool, built with the cluster seed, names one owner per (source,
 * destination, protocol): every fragment of a datagram goes to its owner,
 * which handles it with the fragment table (frag.c).
 *
 * The table is built like a service's (table.c): which member owns a slot
 * depends only on the seed and the set of addresses, not their order.
 *
 * DOC: Locking
 *
 * A pool is immutable: built under the config mutex, published in
 * &maglev_net.pool with RCU, freed after a grace period
 * (maglev_pool_free_rcu()).
 */
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "frag.h"
#include "pool.h"
#include "table.h"

/**
 * maglev_pool_free() - free a pool no reader can reach
 * @pool: the pool, or NULL
 */
void maglev_pool_free(struct maglev_pool *pool)
{
	u32 i;

	if (!pool)
		return;
	for (i = 0; i < pool->n; i++)
		maglev_route_cache_destroy(&pool->m[i].rcache);
	kfree(pool);
}

static void maglev_pool_free_cb(struct rcu_head *rcu)
{
	maglev_pool_free(container_of(rcu, struct maglev_pool, rcu));
}

/**
 * maglev_pool_free_rcu() - free a pool after a grace period
 * @pool: the pool, or NULL
 */
void maglev_pool_free_rcu(struct maglev_pool *pool)
{
	if (pool)
		call_rcu(&pool->rcu, maglev_pool_free_cb);
}

/**
 * maglev_pool_find() - a member's index
 * @pool: the pool
 * @family: AF_INET or AF_INET6
 * @addr: the address
 *
 * Return: its index, or -1.
 */
int maglev_pool_find(const struct maglev_pool *pool, u8 family,
		     const union maglev_addr *addr)
{
	u32 i;

	for (i = 0; i < pool->n; i++) {
		if (pool->m[i].family != family)
			continue;
		if (family == AF_INET ? pool->m[i].addr.v4 == addr->v4 :
		    ipv6_addr_equal(&pool->m[i].addr.v6, &addr->v6))
			return i;
	}
	return -1;
}

/**
 * maglev_pool_build() - build a pool
 * @addr: the members' addresses
 * @family: their families
 * @n: 1..MAGLEV_POOL_MAX members, no duplicates
 * @seed: the cluster seed
 *
 * Context: process context; sleeps.
 * Return: the pool or an ERR_PTR.
 */
struct maglev_pool *maglev_pool_build(const union maglev_addr *addr,
				      const u8 *family, u32 n,
				      const siphash_key_t *seed)
{
	struct maglev_table_be *be;
	struct maglev_pool *pool;
	int err = -ENOMEM;
	u32 i;

	if (!n || n > MAGLEV_POOL_MAX)
		return ERR_PTR(-EINVAL);
	pool = kzalloc(struct_size(pool, m, n), GFP_KERNEL_ACCOUNT);
	be = kcalloc(n, sizeof(*be), GFP_KERNEL);
	if (!pool || !be)
		goto free;
	pool->seed = *seed;
	for (i = 0; i < n; i++) {
		if (maglev_route_cache_init(&pool->m[i].rcache,
					    GFP_KERNEL_ACCOUNT))
			goto free;
		pool->n = i + 1;
		pool->m[i].addr = addr[i];
		pool->m[i].family = family[i];
		be[i].id = &pool->m[i].addr;
		be[i].id_len = family[i] == AF_INET ? 4 : 16;
		be[i].weight = 1;
	}
	err = maglev_table_build(pool->table, MAGLEV_POOL_TABLE_SIZE, seed,
				 be, n);
	if (err)
		goto free;
	kfree(be);
	return pool;
free:
	kfree(be);
	maglev_pool_free(pool);
	return ERR_PTR(err);
}

/**
 * maglev_pool_owner() - the member that handles a datagram's fragments
 * @pool: the pool
 * @key: the datagram (its addresses and protocol are hashed, not its id,
 *	so that every datagram of a flow has the same owner)
 *
 * Return: the member.
 */
const struct maglev_pool_member *
maglev_pool_owner(const struct maglev_pool *pool,
		  const struct maglev_frag_key *key)
{
	unsigned int alen = key->family == AF_INET ? 4 : 16;
	u8 buf[2 * sizeof(struct in6_addr) + 2];
	u32 hash;
	u16 idx;

	memcpy(buf, &key->saddr, alen);
	memcpy(buf + alen, &key->daddr, alen);
	buf[2 * alen] = key->proto;
	buf[2 * alen + 1] = key->family;
	hash = (u32)siphash(buf, 2 * alen + 2, &pool->seed);
	idx = pool->table[maglev_table_slot(hash, MAGLEV_POOL_TABLE_SIZE)];
	if (idx >= pool->n)
		idx = 0;
	return &pool->m[idx];
}
