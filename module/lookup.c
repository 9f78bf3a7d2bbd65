// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path's reads of the configuration: which service a packet
 * belongs to (the namespace's service set: by exact key, by VIP, by VIP
 * and protocol for fragments) and which backend a service's Maglev table
 * gives a flow. Everything here reads immutable objects published with
 * RCU (see DOC: Locking in service.c); the set is built here, under the
 * config mutex, and replaced whole.
 */
#include <linux/hash.h>
#include <linux/in.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>

#include "lookup.h"
#include "service.h"
#include "table.h"

/**
 * struct maglev_svc_set - an immutable hash of the services, for lookups
 * @rcu: frees it after a grace period
 * @mask: number of slots - 1 (a power of two, at least twice the services)
 * @wildcard: some service has port 0
 * @vip: one service per VIP address, hashed by address alone (the second
 *	half of @slot; same probing)
 * @vip_protos: for each entry of @vip, the protocols its VIP has services
 *	for (MAGLEV_PROTO_BIT()), so that a fragment, which has no port, is
 *	matched in one probe
 * @slot: open addressing with linear probing; NULL ends a probe
 */
struct maglev_svc_set {
	struct rcu_head rcu;
	u32 mask;
	bool wildcard;
	struct maglev_service **vip;
	u8 *vip_protos;
	struct maglev_service *slot[];
};

/* The protocols a service can have, as bits of maglev_svc_set.vip_protos. */
static u8 maglev_proto_bit(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return BIT(0);
	case IPPROTO_UDP:
		return BIT(1);
	case IPPROTO_SCTP:
		return BIT(2);
	}
	return 0;
}

static u32 maglev_vip_hash(const union maglev_addr *addr)
{
	return jhash2((const u32 *)addr, sizeof(*addr) / sizeof(u32), 0);
}

/* The @vip entry of an address, or -1. */
static int maglev_vip_slot(const struct maglev_svc_set *set, u8 family,
			   const union maglev_addr *addr)
{
	union maglev_addr a;
	struct maglev_service *svc;
	u32 i;

	if (family == AF_INET) {
		memset(&a, 0, sizeof(a));
		a.v4 = addr->v4;
	} else {
		a.v6 = addr->v6;
	}
	i = maglev_vip_hash(&a) & set->mask;
	while ((svc = READ_ONCE(set->vip[i]))) {
		if (svc->key.family == family &&
		    !memcmp(&svc->key.addr, &a, sizeof(a)))
			return i;
		i = (i + 1) & set->mask;
	}
	return -1;
}

/**
 * maglev_svc_vip - whether an address is the VIP of some service
 * @set: the set (RCU or the config mutex)
 * @family: AF_INET or AF_INET6
 * @addr: the address; for IPv4 the bytes after @addr->v4 are ignored
 *
 * Return: true if a service of any protocol and port has this VIP.
 */
bool maglev_svc_vip(const struct maglev_svc_set *set, u8 family,
		    const union maglev_addr *addr)
{
	return maglev_vip_slot(set, family, addr) >= 0;
}

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

/**
 * maglev_svc_vip_proto - whether some service has this VIP and protocol
 * @set: the set
 * @family: AF_INET or AF_INET6
 * @addr: the address
 * @proto: the protocol
 *
 * For fragments, which have no port: one probe of the VIP index.
 *
 * Return: true if a service, whatever its port, matches.
 */
bool maglev_svc_vip_proto(const struct maglev_svc_set *set, u8 family,
			  const union maglev_addr *addr, u8 proto)
{
	int i = maglev_vip_slot(set, family, addr);

	return i >= 0 && (READ_ONCE(set->vip_protos[i]) & maglev_proto_bit(proto));
}

/*
 * The flow hash is SipHash-2-4 (lib/siphash.c's siphash()) of the flow's
 * fields as bytes in network order: saddr, then for every mode but
 * MAGLEV_HASH_SRC daddr, then for the 5-tuple sport, and for the 5-tuple
 * and MAGLEV_HASH_NO_SPORT dport and proto; 4 bytes per IPv4 and 16 per
 * IPv6 address, so 4, 8, 13 or 11 bytes for IPv4, 16, 32, 37 or 35 for
 * IPv6. Every forwarder of a cluster must pick the same backend, whatever
 * its version: the value must stay siphash()'s of those bytes.
 *
 * The layout being fixed, the message words are built from the fields
 * rather than read from a buffer: SipHash reads the bytes as little-endian
 * 64-bit words, and its last word holds the 0 to 7 bytes past the last
 * whole word with the length in its top byte. The addresses' lengths are
 * multiples of 8 bytes, or 4 for IPv4 (a whole word with daddr, the tail
 * alone without it), so the ports and protocol always start the last
 * word.
 */

/* The little-endian value of 4 bytes in network order, as SipHash reads. */
static inline u64 maglev_hash_le32(__be32 w)
{
	return le32_to_cpu((__force __le32)w);
}

/* The little-endian value of 8 bytes in network order: two __be32. */
static inline u64 maglev_hash_le64(__be32 lo, __be32 hi)
{
	return maglev_hash_le32(hi) << 32 | maglev_hash_le32(lo);
}

static inline u64 maglev_hash_le16(__be16 w)
{
	return le16_to_cpu((__force __le16)w);
}

/*
 * The SipHash state, v0 to v3, is an array that the compiler keeps in
 * registers once these are inlined.
 */
static __always_inline void maglev_sipround(u64 v[4])
{
	SIPHASH_PERMUTATION(v[0], v[1], v[2], v[3]);
}

/* One message word of SipHash-2-4. */
static __always_inline void maglev_siphash_word(u64 v[4], u64 m)
{
	v[3] ^= m;
	maglev_sipround(v);
	maglev_sipround(v);
	v[0] ^= m;
}

/* The 128 bits of an IPv6 address: two message words. */
static __always_inline void maglev_siphash_in6(u64 v[4],
					       const struct in6_addr *a)
{
	maglev_siphash_word(v, maglev_hash_le64(a->s6_addr32[0],
						a->s6_addr32[1]));
	maglev_siphash_word(v, maglev_hash_le64(a->s6_addr32[2],
						a->s6_addr32[3]));
}

static u32 maglev_flow_hash(const struct maglev_flow *flow, u8 mode,
			    const siphash_key_t *seed)
{
	u64 v[4] = {
		SIPHASH_CONST_0 ^ seed->key[0],
		SIPHASH_CONST_1 ^ seed->key[1],
		SIPHASH_CONST_2 ^ seed->key[0],
		SIPHASH_CONST_3 ^ seed->key[1],
	};
	u64 b, len;

	/* The bytes after the addresses: the last word, and their count. */
	if (mode == MAGLEV_HASH_SRC || mode == MAGLEV_HASH_SRC_DST) {
		b = 0;
		len = 0;
	} else if (mode == MAGLEV_HASH_5TUPLE) {
		b = maglev_hash_le16(flow->sport) |
		    maglev_hash_le16(flow->dport) << 16 |
		    (u64)flow->proto << 32;
		len = 5;
	} else {
		b = maglev_hash_le16(flow->dport) | (u64)flow->proto << 16;
		len = 3;
	}

	if (flow->family == AF_INET) {
		if (mode == MAGLEV_HASH_SRC) {
			b = maglev_hash_le32(flow->saddr.v4);
			len = 4;
		} else {
			maglev_siphash_word(v,
					    maglev_hash_le64(flow->saddr.v4,
							     flow->daddr.v4));
			len += 8;
		}
	} else {
		maglev_siphash_in6(v, &flow->saddr.v6);
		if (mode == MAGLEV_HASH_SRC) {
			len = 16;
		} else {
			maglev_siphash_in6(v, &flow->daddr.v6);
			len += 32;
		}
	}

	/* The last word, then the finalization, as siphash(). */
	maglev_siphash_word(v, b | len << 56);
	v[2] ^= 0xff;
	maglev_sipround(v);
	maglev_sipround(v);
	maglev_sipround(v);
	maglev_sipround(v);
	return (u32)((v[0] ^ v[1]) ^ (v[2] ^ v[3]));
}

/**
 * maglev_select - the backend the Maglev table picks for a flow
 * @conf: the service's configuration
 * @flow: the flow
 * @hash: out: the flow hash
 * @slot: out: the table slot
 *
 * Return: the backend, or NULL when the slot is empty (no usable backend).
 */
const struct maglev_be_conf *
maglev_select(const struct maglev_svc_conf *conf, const struct maglev_flow *flow,
	      u32 *hash, u32 *slot)
{
	u16 idx;

	*hash = maglev_flow_hash(flow, conf->params.hash, &conf->seed);
	*slot = maglev_table_slot(*hash, conf->params.table_size);
	idx = conf->table[*slot];
	if (idx == MAGLEV_SLOT_EMPTY || idx >= conf->n_backends)
		return NULL;
	return &conf->be[idx];
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
 * maglev_svc_set_build - the lookup set of a namespace's services
 * @services: every service (&struct maglev_service.node)
 * @n: how many
 * @skip: a service to leave out (being deleted), or NULL
 *
 * Context: the config mutex held.
 * Return: the set, NULL when it would be empty, or ERR_PTR(-ENOMEM).
 */
struct maglev_svc_set *maglev_svc_set_build(const struct list_head *services,
					    unsigned int n,
					    const struct maglev_service *skip)
{
	struct maglev_svc_set *set;
	struct maglev_service *svc;
	size_t bytes;
	u32 size;
	int v;

	n -= skip ? 1 : 0;
	if (!n)
		return NULL;
	size = roundup_pow_of_two(2 * n);
	bytes = size_add(struct_size(set, slot, 2 * size), size);
	set = kzalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->mask = size - 1;
	set->vip = &set->slot[size];
	set->vip_protos = (u8 *)&set->slot[2 * size];
	list_for_each_entry(svc, services, node) {
		u32 i = maglev_key_hash(&svc->key) & set->mask;

		if (svc == skip)
			continue;
		while (set->slot[i])
			i = (i + 1) & set->mask;
		set->slot[i] = svc;
		if (!svc->key.port)
			set->wildcard = true;
		v = maglev_vip_slot(set, svc->key.family, &svc->key.addr);
		if (v < 0) {
			i = maglev_vip_hash(&svc->key.addr) & set->mask;
			while (set->vip[i])
				i = (i + 1) & set->mask;
			set->vip[i] = svc;
			v = i;
		}
		set->vip_protos[v] |= maglev_proto_bit(svc->key.proto);
	}
	return set;
}

/**
 * maglev_svc_set_free_rcu - free a set after a grace period
 * @set: the set, unpublished, or NULL
 */
void maglev_svc_set_free_rcu(struct maglev_svc_set *set)
{
	if (set)
		kfree_rcu(set, rcu);
}
