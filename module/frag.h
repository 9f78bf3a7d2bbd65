/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fragments of VIP traffic (paper section 4.3), stage 2: the per-namespace
 * fragment table.
 */
#ifndef _MAGLEV_FRAG_H
#define _MAGLEV_FRAG_H

#include <linux/types.h>

#include "maglev.h"

struct maglev_frag_table;
struct maglev_stats;
struct sk_buff;

/* Defaults and bounds of the settings (uapi MAGLEV_CFG_A_FRAG_*). */
#define MAGLEV_FRAG_MAX_DEFAULT		4096
#define MAGLEV_FRAG_MAX_LIMIT		65536
#define MAGLEV_FRAG_HOLD_DEFAULT	64
#define MAGLEV_FRAG_HOLD_LIMIT		1024
#define MAGLEV_FRAG_HOLD_BYTES_DEFAULT	(4U << 20)
#define MAGLEV_FRAG_HOLD_BYTES_LIMIT	(256U << 20)
#define MAGLEV_FRAG_TIMEOUT_DEFAULT	200
#define MAGLEV_FRAG_TIMEOUT_MIN		10
#define MAGLEV_FRAG_TIMEOUT_MAX		60000

/**
 * struct maglev_frag_limits - the bounds of a fragment table
 * @max: datagrams tracked
 * @hold: fragments held per datagram
 * @hold_bytes: bytes (skb truesize) held in all
 * @timeout_ms: how long a datagram is tracked
 */
struct maglev_frag_limits {
	u32 max;
	u32 hold;
	u32 hold_bytes;
	u32 timeout_ms;
};

/**
 * struct maglev_frag_key - what identifies a datagram
 * @saddr: source address
 * @daddr: destination address
 * @id: IPv4 identification (network order, in the low bytes) or IPv6
 *	fragment identification
 * @family: AF_INET or AF_INET6
 * @proto: IPv4 protocol, or the IPv6 fragment header's next header
 */
struct maglev_frag_key {
	union maglev_addr saddr;
	union maglev_addr daddr;
	__be32 id;
	u8 family;
	u8 proto;
};

/**
 * struct maglev_frag_info - what maglev_frag_parse() extracts
 * @key: the datagram
 * @flow: for a first fragment with a readable L4 header, its flow exactly
 *	as maglev_parse_ipv4()/_ipv6() return it for the unfragmented
 *	packet; the addresses and @flow.family otherwise
 * @first: offset 0
 * @ports: @flow has the ports (first fragment, TCP/UDP/SCTP header there)
 */
struct maglev_frag_info {
	struct maglev_frag_key key;
	struct maglev_flow flow;
	bool first;
	bool ports;
};

/**
 * enum maglev_frag_res - what the fragment table says about a fragment
 * @MAGLEV_FRAG_SEND: send it to the recorded backend (its ids returned)
 * @MAGLEV_FRAG_STOLEN: held (or freed): the table owns the skb
 * @MAGLEV_FRAG_DROP: drop it (counted)
 * @MAGLEV_FRAG_UNKNOWN: a later fragment of an untracked datagram; nothing
 *	was done (call maglev_frag_hold() if it is VIP traffic)
 * @MAGLEV_FRAG_NEW: a first fragment: recorded (or not, table full); pick
 *	its backend and call maglev_frag_record_at()
 */
enum maglev_frag_res {
	MAGLEV_FRAG_SEND,
	MAGLEV_FRAG_STOLEN,
	MAGLEV_FRAG_DROP,
	MAGLEV_FRAG_UNKNOWN,
	MAGLEV_FRAG_NEW,
};

/**
 * struct maglev_frag_owner - a datagram's recorded backend
 * @flow: the first fragment's flow (ports included)
 * @svc_id: the service that chose
 * @be_id: the backend chosen
 */
struct maglev_frag_owner {
	struct maglev_flow flow;
	u32 svc_id;
	u32 be_id;
};

bool maglev_frag_parse(const struct sk_buff *skb, struct maglev_frag_info *fi);

struct maglev_frag_table *maglev_frag_table_create(struct maglev_stats *stats);
void maglev_frag_table_destroy(struct maglev_frag_table *t);
u32 maglev_frag_count(struct maglev_frag_table *t);
u32 maglev_frag_held_bytes(struct maglev_frag_table *t);

enum maglev_frag_res maglev_frag_later(struct maglev_frag_table *t,
				       const struct maglev_frag_key *key,
				       struct sk_buff *skb, bool create,
				       const struct maglev_frag_limits *lim,
				       struct maglev_frag_owner *owner);
enum maglev_frag_res maglev_frag_first_at(struct maglev_frag_table *t,
					  const struct maglev_frag_key *key,
					  struct maglev_frag_owner *owner,
					  u32 *bucket);
struct sk_buff *maglev_frag_record_at(struct maglev_frag_table *t,
				      const struct maglev_frag_key *key,
				      u32 bucket,
				      const struct maglev_frag_owner *owner,
				      const struct maglev_frag_limits *lim);

#endif /* _MAGLEV_FRAG_H */
