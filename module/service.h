/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual services, their backends and the per-namespace configuration.
 */
#ifndef _MAGLEV_SERVICE_H
#define _MAGLEV_SERVICE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/siphash.h>
#include <net/netns/generic.h>
#include <uapi/linux/maglev.h>

#include "conn.h"
#include "encap.h"
#include "lookup.h"
#include "maglev.h"
#include "route.h"
#include "stats.h"

struct netlink_ext_ack;

/**
 * struct maglev_svc_key - what identifies a service
 * @addr: the VIP; for IPv4 the bytes after @addr.v4 are zero
 * @port: destination port, network order; 0 = every port
 * @family: AF_INET or AF_INET6
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
 */
struct maglev_svc_key {
	union maglev_addr addr;
	__be16 port;
	u8 family;
	u8 proto;
};

/**
 * struct maglev_backend - a backend's long-lived state
 * @addr: address; for IPv4 the bytes after @addr.v4 are zero
 * @family: AF_INET or AF_INET6
 * @id: unique in the namespace: what connection entries record
 * @ref: one per service configuration that lists the backend
 * @rcache: routes to the backend (route.c)
 * @stats: packets and bytes sent to it
 *
 * Shared by successive configurations of one service so that statistics
 * and cached routes survive a rebuild.
 */
struct maglev_backend {
	union maglev_addr addr;
	u8 family;
	u32 id;
	refcount_t ref;
	struct maglev_route_cache rcache;
	struct maglev_stats stats;
};

/**
 * struct maglev_be_conf - a backend as one service configuration has it
 * @be: the backend
 * @encap: how the packet path reaches it
 * @weight: 0..MAGLEV_WEIGHT_MAX
 * @slots: table slots it holds
 * @state: enum maglev_be_state
 */
struct maglev_be_conf {
	struct maglev_backend *be;
	struct maglev_encap encap;
	u32 weight;
	u32 slots;
	u8 state;
};

/**
 * struct maglev_svc_params - a service's settings
 * @table_size: M, a prime
 * @flags: enum maglev_svc_flags
 * @gre_key: GRE key, host order
 * @hash: enum maglev_hash
 */
struct maglev_svc_params {
	u32 table_size;
	u32 flags;
	u32 gre_key;
	u8 hash;
};

/**
 * struct maglev_be_params - a backend's settings
 * @addr: address
 * @family: AF_INET or AF_INET6
 * @weight: weight
 * @state: enum maglev_be_state
 */
struct maglev_be_params {
	union maglev_addr addr;
	u8 family;
	u32 weight;
	u8 state;
};

/**
 * struct maglev_svc_conf - one immutable configuration of a service
 * @rcu: frees it after a grace period
 * @seed: the cluster seed @table was built with: the packet path hashes
 *	flows with it, never with the namespace's current one, so that a
 *	flow always indexes a table built with its own seed
 * @params: settings
 * @table: @params.table_size backend indices or MAGLEV_SLOT_EMPTY
 * @id_slot: backend indices by id (open addressing; MAGLEV_SLOT_EMPTY ends
 *	a probe), for connection entries
 * @id_mask: entries in @id_slot - 1
 * @n_backends: entries in @be
 * @be: backends, sorted by address
 */
struct maglev_svc_conf {
	struct rcu_head rcu;
	siphash_key_t seed;
	struct maglev_svc_params params;
	u16 *table;
	u16 *id_slot;
	u32 id_mask;
	u32 n_backends;
	struct maglev_be_conf be[];
};

/**
 * struct maglev_service - a virtual service
 * @key: protocol, VIP and port
 * @id: unique in the namespace: what connection entries record
 * @conf: current configuration (RCU)
 * @stats: packets and bytes forwarded
 * @node: in &maglev_net.services (config mutex)
 * @rcu: frees it after a grace period
 */
struct maglev_service {
	struct maglev_svc_key key;
	u32 id;
	struct maglev_svc_conf __rcu *conf;
	struct maglev_stats stats;
	struct list_head node;
	struct rcu_head rcu;
};

/**
 * struct maglev_ns_conf - immutable per-namespace settings
 * @rcu: frees it after a grace period
 * @seed: cluster seed keying the table and flow hashes
 * @source4: outer IPv4 source; zero lets routing choose
 * @source6: outer IPv6 source; zero lets routing choose
 * @default_table_size: M for services created without one
 * @conn_max: connection table bound
 * @timeouts: connection timeouts per enum maglev_conn_state, seconds
 * @ttl: outer TTL; 0 = the route's default
 * @default_hash: hash fields for services created without them
 * @expire_nodest: enum maglev_expire_nodest
 * @probe_mark: marks of tunnelled probes, under @probe_mask (probe.c)
 * @probe_mask: 0 = probes off
 * @icmp_off: ICMP handling (icmp.c) switched off; zero, the default, is on
 * @frag_max: fragment table: datagrams tracked
 * @frag_hold: fragments held per datagram
 * @frag_hold_bytes: bytes held in all
 * @frag_timeout: ms a datagram is tracked
 */
struct maglev_ns_conf {
	struct rcu_head rcu;
	siphash_key_t seed;
	__be32 source4;
	struct in6_addr source6;
	u32 default_table_size;
	u32 conn_max;
	u32 timeouts[__MAGLEV_CONN_S_MAX];
	u8 ttl;
	u8 default_hash;
	u8 expire_nodest;
	u32 probe_mark;
	u32 probe_mask;
	bool icmp_off;
	u32 frag_max;
	u32 frag_hold;
	u32 frag_hold_bytes;
	u32 frag_timeout;
};

struct maglev_frag_table;
struct maglev_pool;
struct maglev_svc_set;

/**
 * struct maglev_net - per network namespace state
 * @lock: the config mutex: serialises every change
 * @set: services by key, for the packet path (RCU)
 * @conf: namespace settings (RCU)
 * @services: every service (@lock)
 * @n_services: entries in @services
 * @stats: namespace counters
 * @conns: connection table, created with the first service (RCU)
 * @net: the namespace
 * @next_be_id: the next backend id (@lock)
 * @next_svc_id: the next service id (@lock)
 * @gen: bumped by every change, for dump consistency checks (@lock)
 * @frags: the fragment table (frag.c)
 * @pool: the forwarder pool, or NULL (RCU; pool.c)
 */
struct maglev_net {
	struct mutex lock;	/* the config mutex */
	struct maglev_svc_set __rcu *set;
	struct maglev_ns_conf __rcu *conf;
	struct list_head services;
	unsigned int n_services;
	struct maglev_stats stats;
	struct maglev_conn_table __rcu *conns;
	possible_net_t net;
	u32 next_be_id;
	u32 next_svc_id;
	unsigned int gen;
	struct maglev_frag_table *frags;
	struct maglev_pool __rcu *pool;
};

extern unsigned int maglev_net_id;
extern unsigned int maglev_max_services;
extern unsigned int maglev_max_backends;

int maglev_net_init(struct maglev_net *mn, struct net *net);
void maglev_net_exit(struct maglev_net *mn);

struct maglev_service *maglev_svc_find(struct maglev_net *mn,
				       const struct maglev_svc_key *key);
int maglev_svc_create(struct maglev_net *mn, const struct maglev_svc_key *key,
		      const struct maglev_svc_params *p,
		      const struct maglev_be_params *be, u32 n,
		      struct netlink_ext_ack *extack);
int maglev_svc_commit(struct maglev_net *mn, struct maglev_service *svc,
		      const struct maglev_svc_params *p,
		      const struct maglev_be_params *be, u32 n,
		      struct netlink_ext_ack *extack);
int maglev_svc_delete(struct maglev_net *mn, struct maglev_service *svc,
		      struct netlink_ext_ack *extack);
void maglev_flush(struct maglev_net *mn, bool wait);
void maglev_backend_put(struct maglev_backend *be);
int maglev_ns_conf_set(struct maglev_net *mn, struct maglev_ns_conf *nc,
		       struct netlink_ext_ack *extack);
void maglev_stats_zero_all(struct maglev_net *mn);

/**
 * maglev_pernet - a namespace's maglev state
 * @net: the namespace
 */
static inline struct maglev_net *maglev_pernet(const struct net *net)
{
	return net_generic(net, maglev_net_id);
}

/**
 * maglev_svc_conf - a service's configuration, under the config mutex
 * @mn: namespace
 * @svc: service
 */
static inline struct maglev_svc_conf *
maglev_svc_conf(struct maglev_net *mn, struct maglev_service *svc)
{
	return rcu_dereference_protected(svc->conf, lockdep_is_held(&mn->lock));
}

/**
 * maglev_conns - the connection table, under the config mutex
 * @mn: namespace
 *
 * Return: the table, or NULL before the first service.
 */
static inline struct maglev_conn_table *maglev_conns(struct maglev_net *mn)
{
	return rcu_dereference_protected(mn->conns, lockdep_is_held(&mn->lock));
}

/**
 * maglev_ns_conf - the namespace settings, under the config mutex
 * @mn: namespace
 */
static inline struct maglev_ns_conf *maglev_ns_conf(struct maglev_net *mn)
{
	return rcu_dereference_protected(mn->conf, lockdep_is_held(&mn->lock));
}

#endif /* _MAGLEV_SERVICE_H */
