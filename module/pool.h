/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fragments of VIP traffic, stage 1: the forwarder pool that decides which
 * forwarder handles a datagram's fragments.
 */
#ifndef _MAGLEV_POOL_H
#define _MAGLEV_POOL_H

#include <linux/rcupdate.h>
#include <linux/siphash.h>

#include <uapi/linux/maglev.h>

#include "maglev.h"
#include "route.h"

struct maglev_frag_key;

/* Members of a pool, and the size of its Maglev table (a prime). */
#define MAGLEV_POOL_MAX		MAGLEV_POOL_MAX_MEMBERS
#define MAGLEV_POOL_TABLE_SIZE	4093

/**
 * struct maglev_pool_member - one forwarder of the pool
 * @addr: its address
 * @family: AF_INET or AF_INET6
 * @rcache: routes to it, for redirected fragments (route.c)
 */
struct maglev_pool_member {
	union maglev_addr addr;
	u8 family;
	struct maglev_route_cache rcache;
};

/**
 * struct maglev_pool - an immutable forwarder pool
 * @rcu: frees it after a grace period
 * @seed: the cluster seed the table was built with
 * @n: members
 * @table: MAGLEV_POOL_TABLE_SIZE member indices
 * @m: members, in the order given
 */
struct maglev_pool {
	struct rcu_head rcu;
	siphash_key_t seed;
	u32 n;
	u16 table[MAGLEV_POOL_TABLE_SIZE];
	struct maglev_pool_member m[];
};

struct maglev_pool *maglev_pool_build(const union maglev_addr *addr,
				      const u8 *family, u32 n,
				      const siphash_key_t *seed);
void maglev_pool_free(struct maglev_pool *pool);
void maglev_pool_free_rcu(struct maglev_pool *pool);
const struct maglev_pool_member *
maglev_pool_owner(const struct maglev_pool *pool,
		  const struct maglev_frag_key *key);
int maglev_pool_find(const struct maglev_pool *pool, u8 family,
		     const union maglev_addr *addr);

#endif /* _MAGLEV_POOL_H */
