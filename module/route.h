/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routes to backends, cached per CPU and handed out without a reference.
 */
#ifndef _MAGLEV_ROUTE_H
#define _MAGLEV_ROUTE_H

#include <linux/percpu.h>
#include <linux/types.h>
#include "maglev.h"

struct dst_entry;
struct maglev_encap;
struct net;

struct maglev_route_pcpu;

/**
 * struct maglev_route_cache - one destination's routes, one per CPU
 * @pcpu: each CPU's cached route (referenced by the cache)
 * @gen: bumped by maglev_route_cache_reset(); an entry cached under an
 *	older value is looked up again
 */
struct maglev_route_cache {
	struct maglev_route_pcpu __percpu *pcpu;
	u32 gen;
};

int maglev_route_cache_init(struct maglev_route_cache *rc, gfp_t gfp);
void maglev_route_cache_destroy(struct maglev_route_cache *rc);
void maglev_route_cache_reset(struct maglev_route_cache *rc);
struct dst_entry *maglev_route_get(struct net *net,
				   const struct maglev_encap *e,
				   union maglev_addr *saddr);

#endif /* _MAGLEV_ROUTE_H */
