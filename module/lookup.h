/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet path's reads of the configuration (lookup.c).
 */
#ifndef _MAGLEV_LOOKUP_H
#define _MAGLEV_LOOKUP_H

#include <linux/hash.h>
#include <linux/types.h>

struct list_head;
struct maglev_be_conf;
struct maglev_flow;
struct maglev_service;
struct maglev_svc_conf;
struct maglev_svc_key;
struct maglev_svc_set;
union maglev_addr;

struct maglev_service *maglev_svc_lookup(const struct maglev_svc_set *set,
					 const struct maglev_svc_key *key);
struct maglev_service *maglev_svc_match(const struct maglev_svc_set *set,
					const struct maglev_flow *flow);
bool maglev_svc_vip(const struct maglev_svc_set *set, u8 family,
		    const union maglev_addr *addr);
bool maglev_svc_vip_proto(const struct maglev_svc_set *set, u8 family,
			  const union maglev_addr *addr, u8 proto);
const struct maglev_be_conf *
maglev_select(const struct maglev_svc_conf *conf, const struct maglev_flow *flow,
	      u32 *hash, u32 *slot);
const struct maglev_be_conf *
maglev_be_by_id(const struct maglev_svc_conf *conf, u32 id);

struct maglev_svc_set *maglev_svc_set_build(const struct list_head *services,
					    unsigned int n,
					    const struct maglev_service *skip);
void maglev_svc_set_free_rcu(struct maglev_svc_set *set);

/* A backend id's first slot in &struct maglev_svc_conf.id_slot. */
static inline u32 maglev_id_hash(u32 id, u32 mask)
{
	return hash_32(id, 31) & mask;
}

#endif /* _MAGLEV_LOOKUP_H */
