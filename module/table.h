/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev lookup table population (NSDI 2016, section 3.4).
 */
#ifndef _MAGLEV_TABLE_H
#define _MAGLEV_TABLE_H

#include <linux/siphash.h>
#include <linux/types.h>

/**
 * struct maglev_perm - a backend's permutation of the table's slots
 * @offset: first preferred slot, < M
 * @skip: distance between preferred slots, 1 <= skip < M
 *
 * The backend's j-th preference is (offset + j * skip) mod M.
 */
struct maglev_perm {
	u32 offset;
	u32 skip;
};

/**
 * struct maglev_table_be - one backend as the table builder sees it
 * @id: the backend's identity (its address bytes, network order)
 * @id_len: length of @id (4 or 16)
 * @weight: 0..65535; 0 means the backend gets no slot
 * @slots: out: number of slots the backend holds
 */
struct maglev_table_be {
	const void *id;
	u32 id_len;
	u32 weight;
	u32 slots;
};

bool maglev_is_prime(u32 n);
void maglev_perm_init(struct maglev_perm *perm, const siphash_key_t *seed,
		      const void *id, u32 id_len, u32 m);
int maglev_table_fill(u16 *table, u32 m, const struct maglev_perm *perm,
		      const u32 *weight, u32 n, u32 *slots);
int maglev_table_build(u16 *table, u32 m, const siphash_key_t *seed,
		       struct maglev_table_be *be, u32 n);

/**
 * maglev_table_slot - the slot a flow hash selects
 * @hash: 32-bit flow hash
 * @m: table size
 *
 * Multiply-shift instead of a modulo; uniform for a uniform @hash.
 */
static inline u32 maglev_table_slot(u32 hash, u32 m)
{
	return (u32)(((u64)hash * m) >> 32);
}

#endif /* _MAGLEV_TABLE_H */
