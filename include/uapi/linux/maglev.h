/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * maglev: a Maglev load-balancer forwarder for Linux.
 *
 * Generic netlink family "maglev" (MAGLEV_GENL_NAME), version 1.
 *
 * Packets arriving at a virtual service (protocol, VIP, port) are hashed to a
 * backend with Maglev consistent hashing and GRE-encapsulated to it; the
 * backend answers the client directly. All state is per network namespace.
 *
 * Permissions: every command, reads included, needs CAP_NET_ADMIN over the
 * user namespace that owns the network namespace (GENL_UNS_ADMIN_PERM, as
 * WireGuard): reads reveal clients' addresses and ports (CONN_GET), the
 * seed (CONFIG_GET) and its effect (LOOKUP's hash), and TABLE_GET pins a
 * copy of a table per socket. So root in the initial namespaces may do
 * everything everywhere; root of a user namespace (`unshare -Urn`) may
 * configure the network namespaces its user namespace owns, and nothing
 * else; any other user gets EPERM. (GENL_ADMIN_PERM, which IPVS uses,
 * would check CAP_NET_ADMIN in the *initial* user namespace: containers
 * could not configure their own namespace.) Subscribing to the multicast
 * group needs the same capability (GENL_MCAST_CAP_NET_ADMIN). What a
 * namespace's administrator can make the module allocate is bounded (see
 * Bounds) and charged to its memory cgroup.
 *
 * Every rejection carries an extended ack message naming the attribute at
 * fault. Requests are validated strictly: unknown attributes, attributes
 * to commands that take none, nonzero reserved header fields and unknown
 * netlink flags are rejected.
 *
 * Objects and their attributes
 * ----------------------------
 *
 * A service is identified by its key: MAGLEV_SVC_A_PROTO, exactly one of
 * MAGLEV_SVC_A_ADDR4 / MAGLEV_SVC_A_ADDR6 and MAGLEV_SVC_A_PORT (0 means
 * every port; a packet matches an exact-port service before a port-0 one).
 * A backend is identified within its service by its address, exactly one of
 * MAGLEV_BE_A_ADDR4 / MAGLEV_BE_A_ADDR6; its family is independent of the
 * service's (4-in-6 and 6-in-4 both work).
 *
 * Commands (request attributes -> reply)
 * --------------------------------------
 *
 * MAGLEV_CMD_SERVICE_NEW: MAGLEV_A_SERVICE { key, [TABLE_SIZE], [HASH],
 *	[FLAGS], [GRE_KEY], [BACKENDS] }. Creates a service, with no backends
 *	unless BACKENDS lists some. -EEXIST if it exists.
 * MAGLEV_CMD_SERVICE_SET: MAGLEV_A_SERVICE { key, [TABLE_SIZE], [HASH],
 *	[FLAGS, [FLAGS_MASK]], [GRE_KEY] }. Changes the given settings; absent
 *	ones are kept. MAGLEV_SVC_F_GRE_KEY in FLAGS enables the GRE key (with
 *	GRE_KEY). With FLAGS_MASK only the FLAGS bits it has change, atomically
 *	(no read-modify-write from userspace); without it FLAGS replaces them
 *	all. NEW and REPLACE take FLAGS_MASK the same way, over flags 0.
 * MAGLEV_CMD_SERVICE_DEL: MAGLEV_A_SERVICE { key }.
 * MAGLEV_CMD_SERVICE_GET: a dump (NLM_F_DUMP), of every service or of the
 *	one MAGLEV_A_SERVICE { key } names. Reply: MAGLEV_A_SERVICE { key,
 *	TABLE_SIZE, HASH, FLAGS, [GRE_KEY], STATS { PACKETS, BYTES },
 *	BACKENDS { BACKEND { ADDR, WEIGHT, STATE, ID, SLOTS, INDEX, STATS }
 *	... } }.
 *	A service whose backends do not fit one message continues in the next
 *	ones, each repeating the key and settings; their backend lists add up.
 *	NLM_F_DUMP_INTR is set when the configuration changed mid-dump.
 * MAGLEV_CMD_SERVICE_REPLACE: MAGLEV_A_SERVICE { key, settings,
 *	BACKENDS { BACKEND { ADDR, [WEIGHT], [STATE] } ... } }. Creates the
 *	service or replaces its settings (absent ones take the namespace
 *	defaults, as for a new service) and its whole backend list in one
 *	step: readers see either the old service or the new one, and the
 *	lookup table is rebuilt once. Backends present before and after keep
 *	their statistics. This is what `maglevctl restore` uses.
 * MAGLEV_CMD_BACKEND_NEW: MAGLEV_A_SERVICE { key }, MAGLEV_A_BACKEND { ADDR,
 *	[WEIGHT], [STATE] }. -EEXIST if the backend exists.
 * MAGLEV_CMD_BACKEND_SET: MAGLEV_A_SERVICE { key }, MAGLEV_A_BACKEND { ADDR,
 *	[WEIGHT], [STATE] }.
 * MAGLEV_CMD_BACKEND_DEL: MAGLEV_A_SERVICE { key }, MAGLEV_A_BACKEND { ADDR }.
 * MAGLEV_CMD_TABLE_GET: dump; MAGLEV_A_SERVICE { key }. Each reply message
 *	has MAGLEV_A_SERVICE { key, TABLE_SIZE }, MAGLEV_A_TABLE_START (u32,
 *	first slot in this message) and MAGLEV_A_TABLE_SLOTS (an array of u16 in
 *	host order: the INDEX of the backend owning each slot, or
 *	MAGLEV_SLOT_EMPTY). The first message also carries MAGLEV_A_BACKENDS
 *	mapping INDEX to address. Slots are sent in order, as many per
 *	message as the reader's buffer takes (a 4 KiB buffer gets ~1900);
 *	-EMSGSIZE if not even one fits.
 * MAGLEV_CMD_LOOKUP: MAGLEV_A_FLOW { PROTO, SADDR, DADDR, SPORT, DPORT }.
 *	Reply: MAGLEV_A_LOOKUP { REASON, [HASH], [SLOT] }, and when a service
 *	matched MAGLEV_A_SERVICE { key } and, when a backend was chosen,
 *	MAGLEV_A_BACKEND { ADDR, WEIGHT, STATE, ID }. Answers what the packet path
 *	would do for that flow's next packet, without changing anything.
 * MAGLEV_CMD_CONFIG_GET: reply MAGLEV_A_CONFIG { SEED, [SOURCE4],
 *	[SOURCE6], TTL, DEFAULT_TABLE_SIZE, DEFAULT_HASH, MAX_SERVICES,
 *	MAX_BACKENDS, MAX_TABLE_SIZE, CONN_MAX, EXPIRE_NODEST, ICMP, TIMEOUTS {
 *	TCP_SYN, TCP_EST, TCP_FIN, TCP_CLOSE, UDP, SCTP }, PROBE_MARK,
 *	PROBE_MASK, FRAG_MAX, FRAG_HOLD, FRAG_HOLD_BYTES, FRAG_TIMEOUT,
 *	POOL { ADDR4/ADDR6 ... } }.
 * MAGLEV_CMD_CONFIG_SET: MAGLEV_A_CONFIG { [SEED], [SOURCE4], [SOURCE6],
 *	[TTL], [DEFAULT_TABLE_SIZE], [DEFAULT_HASH], [CONN_MAX],
 *	[EXPIRE_NODEST], [ICMP (0 or 1)], [TIMEOUTS { any of them,
 *	1..MAGLEV_TIMEOUT_MAX }], [PROBE_MARK], [PROBE_MASK], [FRAG_MAX],
 *	[FRAG_HOLD], [FRAG_HOLD_BYTES], [FRAG_TIMEOUT],
 *	[POOL { MAGLEV_POOL_A_ADDR4/ADDR6 ... }] }. PROBE_MARK and
 *	PROBE_MASK are checked together, a given one with the other's current
 *	value (see Health probes): -EINVAL for a nonzero mark without a mask,
 *	mark bits outside the mask, or a zero mark under a mask.
 *	Lowering CONN_MAX removes no entry; raising it past four times the
 *	connection table's hash buckets (sized from CONN_MAX when the first
 *	service is added: CONN_MAX / 2 rounded up to a power of two) is
 *	refused with -ERANGE while services exist. A SOURCE of all zeroes
 *	clears it (routing chooses the outer source). A new SEED rebuilds every
 *	service's table. All or nothing: every service is rebuilt off to the
 *	side first; if any rebuild fails nothing changes.
 * MAGLEV_CMD_STATS_GET: reply MAGLEV_A_STATS { ... } (namespace totals and
 *	drop reasons) and MAGLEV_A_CONN_STATS { ... } (connection table).
 *	Per-service and per-backend statistics come with
 *	MAGLEV_CMD_SERVICE_GET.
 * MAGLEV_CMD_STATS_ZERO: zeroes namespace, service and backend statistics.
 * MAGLEV_CMD_FLUSH: deletes every service.
 * MAGLEV_CMD_CONN_GET: dump; optional MAGLEV_A_SERVICE { key } and
 *	MAGLEV_A_BACKEND { ADDR } (which needs the service) filter it. One
 *	message per entry: MAGLEV_A_CONN { FLOW { PROTO, SADDR, DADDR, SPORT,
 *	DPORT }, [BACKEND { ADDR }], STATE, EXPIRES, [UNCONFIRMED] }.
 * MAGLEV_CMD_CONN_FLUSH: forgets every entry, or those of MAGLEV_A_SERVICE
 *	{ key }, or of its backend MAGLEV_A_BACKEND { ADDR }.
 *
 * Connection table (paper section 3.3): the forwarder records the backend
 * of each flow it forwards, and later packets of the flow follow the
 * record, not the table:
 * - a recorded backend that exists and is up keeps its flows, even with
 *   weight 0 (drained); a TCP SYN (without ACK) for a drained or down
 *   backend, or reusing a closed flow's tuple, picks a new backend;
 * - a backend set down: its flows pick new backends on their next packet;
 * - a backend removed: its entries go, and MAGLEV_CFG_A_EXPIRE_NODEST says
 *   whether their next packets pick a new backend (REHASH, the default:
 *   the flow breaks either way once its backend is gone, and rehashing
 *   lets the client's retries and new flows recover at once) or are dropped
 *   until the entries expire (DROP, IPVS's expire_nodest_conn=0);
 * - a packet of a flow without an entry (new, or moved here by ECMP from
 *   another forwarder) is forwarded by the Maglev table and recorded;
 * - an entry belongs to the service that recorded it: when an exact-port
 *   service is added beside a port-0 one, the flows it now receives pick
 *   from its table on their next packet; deleting one of them forgets only
 *   its own entries;
 * - an entry starts unconfirmed (MAGLEV_CONN_A_UNCONFIRMED): a forwarder
 *   sees only the client's half of a flow, so one spoofed packet must not
 *   buy a long-lived entry. It is confirmed by the ACK that follows a SYN,
 *   or, when created in mid-stream (TCP without SYN, UDP, SCTP), by the
 *   flow's next packet. Until then it lives at most the TCP_SYN timeout;
 * - when the table is full (MAGLEV_CFG_A_CONN_MAX) new flows are still
 *   forwarded by the Maglev table, without an entry, and counted
 *   (MAGLEV_CONN_STATS_A_FULL); confirmed established, UDP and SCTP
 *   entries are never evicted to admit new ones; unconfirmed, half-open
 *   and closing ones of the same hash bucket may be.
 * Entries expire after their state's timeout (MAGLEV_CFG_A_TIMEOUTS). The
 * table's hash is keyed by a random per-namespace secret, not the seed.
 * An entry takes 64 bytes (IPv4) or 88 bytes (IPv6).
 *
 * Notifications: every successful change is multicast to the group
 * MAGLEV_MCGRP_CONFIG with the command that made it: service commands carry
 * MAGLEV_A_SERVICE { key, settings } (the key only for a deletion), backend
 * commands MAGLEV_A_SERVICE { key } and MAGLEV_A_BACKEND { ADDR, WEIGHT,
 * STATE, ID } (for BACKEND_DEL, the deleted backend's last weight, state
 * and id);
 * CONFIG_SET, FLUSH and STATS_ZERO carry no attributes. CONFIG_SET is
 * sent only when the change was applied.
 *
 * Bounds (MAGLEV_CFG_A_MAX_*): at most 1024 services per namespace, 4096
 * backends per service, table sizes are primes between MAGLEV_TABLE_SIZE_MIN
 * and MAGLEV_TABLE_SIZE_MAX (a table holds 2 bytes per slot).
 *
 * Flow hash: MAGLEV_HASH_* chooses which fields of the packet pick the slot:
 * slot = (hash * M) >> 32 with hash = siphash(fields, seed) (see lookup's
 * MAGLEV_LOOKUP_A_HASH). Forwarders with the same seed, services and
 * backends build byte-identical tables and choose the same backend for a
 * flow. The seed is random until set.
 *
 * Health probes through the tunnel (MAGLEV_CFG_A_PROBE_MARK, _PROBE_MASK;
 * 0/0 = off, the default): a health check must travel the path client
 * traffic takes, or it passes while a backend that cannot decapsulate GRE,
 * lacks the VIP on a loopback or drops decapsulated packets by rp_filter
 * fails every client. A packet generated on the forwarder itself whose
 * mark m satisfies (m & PROBE_MASK) == (PROBE_MARK & PROBE_MASK), with a
 * nonzero mask, and whose destination (protocol, VIP, port) is a service,
 * is GRE-encapsulated as client packets are to the backend of that service
 * whose MAGLEV_BE_A_ID is m & ~PROBE_MASK, whatever its state and weight (a
 * probe must reach a backend that is down to see it come back). So a
 * controller sets SO_MARK = PROBE_MARK | id on its probe socket and
 * connects to the VIP; every packet of that socket is tunnelled. Rules:
 * - the hook runs first at LOCAL_OUT, before conntrack, NAT and iptables'
 *   raw and mangle tables: only a mark the packet has when it is sent (the
 *   socket's) counts, and the probe itself is never tracked or rewritten
 *   (the GRE packet it becomes is an ordinary local packet, mark 0);
 * - no connection entry is made, and nothing is counted in PACKETS/BYTES:
 *   MAGLEV_STATS_A_PROBE_PACKETS/_PROBE_BYTES count probes;
 * - a mark whose id names no backend of the service (removed, or never
 *   there) drops the packet with ECONNREFUSED to the sender (a TCP
 *   connect() fails at once) and counts MAGLEV_STATS_A_PROBE_DROP_NO_BACKEND;
 *   a marked packet to a destination that is not a service is untouched;
 * - replies: the backend answers from the VIP straight to the probe's
 *   source address (DSR), so the probe socket must have a source address
 *   the backends route back to the forwarder (not the VIP), and the
 *   forwarder must route the VIP somewhere (a route must exist for the
 *   socket to send at all) and accept packets from it (rp_filter loose or
 *   off on the backend-facing devices). With conntrack on the forwarder,
 *   replies belong to no tracked connection: a ruleset dropping INVALID
 *   must exempt them;
 * - a TCP probe socket's route to the VIP learns the tunnel's MTU before
 *   the first packet leaves, so the segments after the SYN fit; a packet
 *   that does not fit is dropped (MAGLEV_STATS_A_DROP_TOO_BIG);
 * - ids are unique in the namespace and start at 1; a backend keeps its id
 *   while it is in its service (SERVICE_REPLACE keeps those present before
 *   and after), one removed and added again gets a new one; ids are not
 *   reused before 2^32 backends were created. The mask must leave enough
 *   bits for them: 16 bits name ids up to 65535.
 *
 * Fragments (paper section 4.3): only a datagram's first fragment carries
 * its ports. A fragment is VIP traffic when its destination and protocol
 * (IPv6: the fragment header's next header) are a service's, whatever the
 * port; other fragments pass untouched (MAGLEV_STATS_A_FRAGMENTS). VIP
 * fragments never reach the kernel's reassembly (the hook runs at
 * PREROUTING priority -450, before nf_defrag's -400). IPv6 atomic
 * fragments are ordinary packets.
 * - Stage 2 (every forwarder): a fragment table per namespace, keyed by
 *   (family, source, destination, protocol, IP ID / IPv6 identification).
 *   The first fragment picks the backend exactly as an unfragmented packet
 *   of its 5-tuple would (connection table, then Maglev table), records it
 *   (FRAG_FIRST) and later fragments follow (FRAG_FOLLOWED). Fragments
 *   that arrive before the first are held (FRAG_HELD) and sent in arrival
 *   order right after it (FRAG_FLUSHED); if it does not come within
 *   FRAG_TIMEOUT ms they are freed (FRAG_EXPIRED). A datagram whose held
 *   fragments would exceed FRAG_HOLD, or all held fragments together
 *   FRAG_HOLD_BYTES (skb truesize), is poisoned (FRAG_POISONED): its held
 *   and later fragments are dropped (FRAG_DROP) until its entry expires.
 *   With FRAG_MAX datagrams tracked, a first fragment is sent unrecorded
 *   (FRAG_TABLE_FULL) and a later one that would need an entry is dropped
 *   (FRAG_TABLE_FULL and FRAG_DROP). A first fragment without a service
 *   on its port, or without a usable backend, is dropped, and so is the
 *   rest of its datagram. Entries live FRAG_TIMEOUT ms from creation. An
 *   entry takes about 150 bytes.
 * - Stage 1 (optional, MAGLEV_CFG_A_POOL): the forwarders behind one ECMP
 *   group, every one of them listed (itself included) identically on
 *   each. A Maglev table over the pool (built with the seed, so the order
 *   of the list does not matter) picks the owner of (source, destination,
 *   protocol); a forwarder that is not the owner sends the fragment
 *   unchanged in GRE to the owner (FRAG_REDIRECT_OUT), with the GRE
 *   recursion control field set to 1, from its outer source (SOURCE4 /
 *   SOURCE6, or the one routing picks: it must be its pool address). The
 *   owner takes GRE packets between pool members with recursion 1 in the
 *   same hook (FRAG_REDIRECT_IN), never redirects them again, and handles
 *   them with stage 2. MTU: a redirected fragment grows by 24 bytes (IPv4
 *   outer) or 44 (IPv6 outer); the path between forwarders must carry
 *   the clients' MTU plus that, or IPv4 redirected fragments are
 *   fragmented again (and lost: the owner's kernel reassembles them past
 *   the hook) and IPv6 ones refused with "packet too big".
 *
 * Outer header: IPv4 or IPv6 by the backend's family; the GRE protocol type
 * is the inner packet's family; TTL/hop limit is MAGLEV_CFG_A_TTL, or the
 * route's default when 0; the DSCP is copied from the inner packet and ECN is
 * encapsulated as RFC 6040 says. IPv4 outer packets carry DF when the inner
 * packet is IPv6 or has DF set; packets that do not fit get an ICMP "too big"
 * back to the client and are dropped (MAGLEV_STATS_A_DROP_TOO_BIG).
 *
 * ICMP (MAGLEV_CFG_A_ICMP, on by default): backends answer clients
 * directly, so a router's "fragmentation needed" / "packet too big" about a
 * response is sent to the VIP and reaches a forwarder. An ICMP error (IPv4
 * types 3, 11, 12; ICMPv6 types 1-4) whose destination is a VIP is
 * GRE-encapsulated unchanged to the backend of the flow it quotes: the
 * quoted packet (IPv4 options and IPv6 extension headers skipped, 8 bytes
 * of L4 needed) is reversed into the client's flow; its connection entry's
 * backend if it has one that still applies (none is created or
 * refreshed), else the Maglev table's pick, which every forwarder agrees on
 * (MAGLEV_STATS_A_ICMP_FWD_CONN / _FWD_TABLE). Dropped and counted: ICMP
 * fragments to a VIP (_DROP_FRAG), bad checksums (_DROP_CSUM), a quoted
 * source that is not that VIP (_DROP_SOURCE), a quoted flow of no service
 * (_DROP_NO_SERVICE) or without usable backend (DROP_NO_BACKEND), a quoted
 * later fragment (_DROP_INNER_FRAG), truncated headers (_DROP_MALFORMED).
 * Echo requests to a VIP are counted (_ECHO) and left to the forwarder's
 * stack, which answers them only if the VIP is one of its addresses: they
 * belong to no flow. An error about the forwarder's own GRE packets
 * ("fragmentation needed" / "packet too big" sent to a local address,
 * quoting a GRE packet from it) sets the path MTU of the route to the
 * backend, IPv4 and IPv6 outer alike (_PMTU), and is left to the stack;
 * the client's next packet that no longer fits gets "too big" with that
 * MTU minus the encapsulation overhead. ICMP 0 leaves all ICMP untouched.
 */
#ifndef _UAPI_LINUX_MAGLEV_H
#define _UAPI_LINUX_MAGLEV_H

#include <linux/types.h>

#define MAGLEV_GENL_NAME	"maglev"
#define MAGLEV_GENL_VERSION	1
#define MAGLEV_MCGRP_CONFIG	"config"

#define MAGLEV_TABLE_SIZE_MIN		7
#define MAGLEV_TABLE_SIZE_MAX		1048573
#define MAGLEV_TABLE_SIZE_DEFAULT	65537
#define MAGLEV_WEIGHT_MAX		65535
#define MAGLEV_WEIGHT_DEFAULT		1
#define MAGLEV_SLOT_EMPTY		0xffff

enum maglev_cmd {
	MAGLEV_CMD_UNSPEC,
	MAGLEV_CMD_SERVICE_NEW,
	MAGLEV_CMD_SERVICE_SET,
	MAGLEV_CMD_SERVICE_DEL,
	MAGLEV_CMD_SERVICE_GET,
	MAGLEV_CMD_SERVICE_REPLACE,
	MAGLEV_CMD_BACKEND_NEW,
	MAGLEV_CMD_BACKEND_SET,
	MAGLEV_CMD_BACKEND_DEL,
	MAGLEV_CMD_TABLE_GET,
	MAGLEV_CMD_LOOKUP,
	MAGLEV_CMD_CONFIG_GET,
	MAGLEV_CMD_CONFIG_SET,
	MAGLEV_CMD_STATS_GET,
	MAGLEV_CMD_STATS_ZERO,
	MAGLEV_CMD_FLUSH,
	MAGLEV_CMD_CONN_GET,
	MAGLEV_CMD_CONN_FLUSH,

	__MAGLEV_CMD_MAX
};

#define MAGLEV_CMD_MAX (__MAGLEV_CMD_MAX - 1)

/* Top-level attributes. */
enum maglev_attr {
	MAGLEV_A_UNSPEC,
	MAGLEV_A_PAD,
	MAGLEV_A_SERVICE,	/* nest: MAGLEV_SVC_A_* */
	MAGLEV_A_BACKEND,	/* nest: MAGLEV_BE_A_* */
	MAGLEV_A_BACKENDS,	/* nest of MAGLEV_A_BACKEND (TABLE_GET) */
	MAGLEV_A_CONFIG,	/* nest: MAGLEV_CFG_A_* */
	MAGLEV_A_STATS,		/* nest: MAGLEV_STATS_A_* */
	MAGLEV_A_FLOW,		/* nest: MAGLEV_FLOW_A_* */
	MAGLEV_A_LOOKUP,	/* nest: MAGLEV_LOOKUP_A_* */
	MAGLEV_A_TABLE_START,	/* u32 */
	MAGLEV_A_TABLE_SLOTS,	/* binary: u16[] */
	MAGLEV_A_CONN,		/* nest: MAGLEV_CONN_A_* */
	MAGLEV_A_CONN_STATS,	/* nest: MAGLEV_CONN_STATS_A_* */

	__MAGLEV_A_MAX
};

#define MAGLEV_A_MAX (__MAGLEV_A_MAX - 1)

/* Flow hash fields (MAGLEV_SVC_A_HASH, MAGLEV_CFG_A_DEFAULT_HASH). */
enum maglev_hash {
	MAGLEV_HASH_5TUPLE,	/* protocol, addresses, ports */
	MAGLEV_HASH_SRC,	/* source address */
	MAGLEV_HASH_SRC_DST,	/* source and destination addresses */
	MAGLEV_HASH_NO_SPORT,	/* 5-tuple without the source port */

	__MAGLEV_HASH_MAX
};

#define MAGLEV_HASH_MAX (__MAGLEV_HASH_MAX - 1)

/* MAGLEV_SVC_A_FLAGS */
enum maglev_svc_flags {
	MAGLEV_SVC_F_GRE_KEY = 1U << 0,		/* send MAGLEV_SVC_A_GRE_KEY */
	MAGLEV_SVC_F_GRE_CSUM = 1U << 1,	/* GRE checksum */

	__MAGLEV_SVC_F_ALL = MAGLEV_SVC_F_GRE_KEY | MAGLEV_SVC_F_GRE_CSUM
};

enum maglev_svc_attr {
	MAGLEV_SVC_A_UNSPEC,
	MAGLEV_SVC_A_PAD,
	MAGLEV_SVC_A_PROTO,		/* u8: IPPROTO_TCP, _UDP or _SCTP */
	MAGLEV_SVC_A_ADDR4,		/* be32 */
	MAGLEV_SVC_A_ADDR6,		/* struct in6_addr */
	MAGLEV_SVC_A_PORT,		/* u16, host order; 0 = every port */
	MAGLEV_SVC_A_TABLE_SIZE,	/* u32: a prime in [MIN, MAX] */
	MAGLEV_SVC_A_HASH,		/* u8: enum maglev_hash */
	MAGLEV_SVC_A_FLAGS,		/* u32: enum maglev_svc_flags */
	MAGLEV_SVC_A_GRE_KEY,		/* u32, host order */
	MAGLEV_SVC_A_BACKENDS,		/* nest of MAGLEV_A_BACKEND */
	MAGLEV_SVC_A_STATS,		/* nest: MAGLEV_STATS_A_PACKETS, _BYTES */
	MAGLEV_SVC_A_FLAGS_MASK,	/* u32: which FLAGS bits to change */

	__MAGLEV_SVC_A_MAX
};

#define MAGLEV_SVC_A_MAX (__MAGLEV_SVC_A_MAX - 1)

enum maglev_be_state {
	MAGLEV_BE_STATE_DOWN,
	MAGLEV_BE_STATE_UP,

	__MAGLEV_BE_STATE_MAX
};

#define MAGLEV_BE_STATE_MAX (__MAGLEV_BE_STATE_MAX - 1)

enum maglev_be_attr {
	MAGLEV_BE_A_UNSPEC,
	MAGLEV_BE_A_PAD,
	MAGLEV_BE_A_ADDR4,	/* be32 */
	MAGLEV_BE_A_ADDR6,	/* struct in6_addr */
	MAGLEV_BE_A_WEIGHT,	/* u32: 0..MAGLEV_WEIGHT_MAX; 0 = drain */
	MAGLEV_BE_A_STATE,	/* u8: enum maglev_be_state; down = no slot */
	MAGLEV_BE_A_SLOTS,	/* u32 (reply): table slots held */
	MAGLEV_BE_A_INDEX,	/* u32 (reply): index used in TABLE_SLOTS */
	MAGLEV_BE_A_STATS,	/* nest: MAGLEV_STATS_A_PACKETS, _BYTES */
	MAGLEV_BE_A_ID,		/* u32 (reply): id, unique in the namespace
				 * and kept while the backend exists; names
				 * it in probe marks
				 */

	__MAGLEV_BE_A_MAX
};

#define MAGLEV_BE_A_MAX (__MAGLEV_BE_A_MAX - 1)

enum maglev_cfg_attr {
	MAGLEV_CFG_A_UNSPEC,
	MAGLEV_CFG_A_PAD,
	MAGLEV_CFG_A_SEED,		/* 16 bytes: a 128-bit big-endian number */
	MAGLEV_CFG_A_SOURCE4,		/* be32: outer source for IPv4 */
	MAGLEV_CFG_A_SOURCE6,		/* in6_addr: outer source for IPv6 */
	MAGLEV_CFG_A_TTL,		/* u8: outer TTL; 0 = route default */
	MAGLEV_CFG_A_DEFAULT_TABLE_SIZE, /* u32: for new services */
	MAGLEV_CFG_A_DEFAULT_HASH,	/* u8: for new services */
	MAGLEV_CFG_A_MAX_SERVICES,	/* u32 (reply) */
	MAGLEV_CFG_A_MAX_BACKENDS,	/* u32 (reply): per service */
	MAGLEV_CFG_A_MAX_TABLE_SIZE,	/* u32 (reply) */
	MAGLEV_CFG_A_CONN_MAX,		/* u32: connection table bound */
	MAGLEV_CFG_A_EXPIRE_NODEST,	/* u8: enum maglev_expire_nodest */
	MAGLEV_CFG_A_TIMEOUTS,		/* nest: MAGLEV_TIMEOUT_A_*, u32 s */
	MAGLEV_CFG_A_ICMP,		/* u8: forward ICMP errors (1, default) */
	MAGLEV_CFG_A_POOL,		/* nest: MAGLEV_POOL_A_*, forwarder pool */
	MAGLEV_CFG_A_FRAG_MAX,		/* u32: datagrams tracked, 1..65536, 4096 */
	MAGLEV_CFG_A_FRAG_HOLD,		/* u32: held per datagram, 0..1024, 64 */
	MAGLEV_CFG_A_FRAG_HOLD_BYTES,	/* u32: held in all, 0..256 MiB, 4 MiB */
	MAGLEV_CFG_A_FRAG_TIMEOUT,	/* u32: ms tracked, 10..60000, 200 */
	MAGLEV_CFG_A_PROBE_MARK,	/* u32: tunnelled probes' mark value */
	MAGLEV_CFG_A_PROBE_MASK,	/* u32: mark bits that name the probe range */

	__MAGLEV_CFG_A_MAX
};

#define MAGLEV_CFG_A_MAX (__MAGLEV_CFG_A_MAX - 1)

/* All counters are u64. */
enum maglev_stats_attr {
	MAGLEV_STATS_A_UNSPEC,
	MAGLEV_STATS_A_PAD,
	MAGLEV_STATS_A_PACKETS,		/* forwarded */
	MAGLEV_STATS_A_BYTES,		/* forwarded, inner length */
	MAGLEV_STATS_A_FRAGMENTS,	/* non-VIP fragments passed untouched */
	MAGLEV_STATS_A_MALFORMED,	/* truncated L4 headers, passed untouched */
	MAGLEV_STATS_A_DROP_NO_BACKEND,	/* service has no usable backend */
	MAGLEV_STATS_A_DROP_NO_ROUTE,	/* no route to the backend */
	MAGLEV_STATS_A_DROP_TOO_BIG,	/* did not fit the path MTU */
	MAGLEV_STATS_A_DROP_ENCAP,	/* no memory for the outer headers */
	MAGLEV_STATS_A_DROP_XMIT,	/* the output path refused it */
	MAGLEV_STATS_A_DROP_NODEST,	/* recorded backend removed (drop) */
	/* ICMP errors about VIP flows (module/icmp.c) */
	MAGLEV_STATS_A_ICMP_FWD_CONN,	/* sent to the connection's backend */
	MAGLEV_STATS_A_ICMP_FWD_TABLE,	/* sent to the Maglev table's pick */
	MAGLEV_STATS_A_ICMP_DROP_FRAG,	/* the error itself was fragmented */
	MAGLEV_STATS_A_ICMP_DROP_CSUM,	/* bad ICMP checksum */
	MAGLEV_STATS_A_ICMP_DROP_SOURCE, /* inner source is not the VIP */
	MAGLEV_STATS_A_ICMP_DROP_NO_SERVICE, /* inner flow matches no service */
	MAGLEV_STATS_A_ICMP_DROP_INNER_FRAG, /* inner packet a later fragment */
	MAGLEV_STATS_A_ICMP_DROP_MALFORMED, /* truncated embedded headers */
	MAGLEV_STATS_A_ICMP_ECHO,	/* echo requests to a VIP */
	MAGLEV_STATS_A_ICMP_PMTU,	/* errors about our GRE: PMTU learnt */
	/* Fragments of VIP traffic (module/frag.c) */
	MAGLEV_STATS_A_FRAG_FIRST,	/* first fragments: datagram recorded */
	MAGLEV_STATS_A_FRAG_FOLLOWED,	/* later fragments sent after it */
	MAGLEV_STATS_A_FRAG_HELD,	/* arrived before the first, held */
	MAGLEV_STATS_A_FRAG_FLUSHED,	/* held ones sent when it came */
	MAGLEV_STATS_A_FRAG_EXPIRED,	/* held ones freed: it never came */
	MAGLEV_STATS_A_FRAG_POISONED,	/* datagrams over the hold limits */
	MAGLEV_STATS_A_FRAG_TABLE_FULL,	/* table full: first sent unrecorded, later dropped */
	MAGLEV_STATS_A_FRAG_DROP,	/* later fragments dropped */
	MAGLEV_STATS_A_FRAG_REDIRECT_OUT, /* sent to the pool's owner */
	MAGLEV_STATS_A_FRAG_REDIRECT_IN, /* received from a pool member */
	/* Health probes through the tunnel (module/probe.c) */
	MAGLEV_STATS_A_PROBE_PACKETS,	/* marked local packets tunnelled */
	MAGLEV_STATS_A_PROBE_BYTES,	/* their inner length */
	MAGLEV_STATS_A_PROBE_DROP_NO_BACKEND, /* mark names no backend: refused */

	__MAGLEV_STATS_A_MAX
};

#define MAGLEV_STATS_A_MAX (__MAGLEV_STATS_A_MAX - 1)

enum maglev_flow_attr {
	MAGLEV_FLOW_A_UNSPEC,
	MAGLEV_FLOW_A_PROTO,	/* u8 */
	MAGLEV_FLOW_A_SADDR4,	/* be32 */
	MAGLEV_FLOW_A_SADDR6,	/* struct in6_addr */
	MAGLEV_FLOW_A_DADDR4,	/* be32 */
	MAGLEV_FLOW_A_DADDR6,	/* struct in6_addr */
	MAGLEV_FLOW_A_SPORT,	/* u16, host order */
	MAGLEV_FLOW_A_DPORT,	/* u16, host order */

	__MAGLEV_FLOW_A_MAX
};

#define MAGLEV_FLOW_A_MAX (__MAGLEV_FLOW_A_MAX - 1)

/*
 * What happens to a flow whose recorded backend was removed
 * (MAGLEV_CFG_A_EXPIRE_NODEST), as IPVS's expire_nodest_conn.
 */
enum maglev_expire_nodest {
	/* Drop the packets until the entry expires (a SYN picks again). */
	MAGLEV_EXPIRE_NODEST_DROP,
	/* Forget the entries: the next packet picks from the table. */
	MAGLEV_EXPIRE_NODEST_REHASH,

	__MAGLEV_EXPIRE_NODEST_MAX
};

#define MAGLEV_EXPIRE_NODEST_MAX (__MAGLEV_EXPIRE_NODEST_MAX - 1)

/* Connection states, and the timeouts (in seconds) of each. */
enum maglev_conn_state_attr {
	MAGLEV_TIMEOUT_A_UNSPEC,
	MAGLEV_TIMEOUT_A_TCP_SYN,	/* SYN seen, half-open: 60 */
	MAGLEV_TIMEOUT_A_TCP_EST,	/* established: 900 */
	MAGLEV_TIMEOUT_A_TCP_FIN,	/* FIN seen: 120 */
	MAGLEV_TIMEOUT_A_TCP_CLOSE,	/* RST seen: 10 */
	MAGLEV_TIMEOUT_A_UDP,		/* 300 */
	MAGLEV_TIMEOUT_A_SCTP,		/* 900 */

	__MAGLEV_TIMEOUT_A_MAX
};

#define MAGLEV_TIMEOUT_A_MAX (__MAGLEV_TIMEOUT_A_MAX - 1)
#define MAGLEV_TIMEOUT_MAX (7 * 24 * 3600)

enum maglev_conn_attr {
	MAGLEV_CONN_A_UNSPEC,
	MAGLEV_CONN_A_FLOW,	/* nest: MAGLEV_FLOW_A_* */
	MAGLEV_CONN_A_BACKEND,	/* nest: MAGLEV_BE_A_ADDR4/6, when it exists */
	MAGLEV_CONN_A_STATE,	/* u8: MAGLEV_TIMEOUT_A_* of its state */
	MAGLEV_CONN_A_EXPIRES,	/* u32: milliseconds left */
	MAGLEV_CONN_A_UNCONFIRMED,	/* flag: the flow has not proven itself */

	__MAGLEV_CONN_A_MAX
};

#define MAGLEV_CONN_A_MAX (__MAGLEV_CONN_A_MAX - 1)

/* All u64 but ENTRIES and LIMIT (u32). */
enum maglev_conn_stats_attr {
	MAGLEV_CONN_STATS_A_UNSPEC,
	MAGLEV_CONN_STATS_A_PAD,
	MAGLEV_CONN_STATS_A_ENTRIES,	/* entries now */
	MAGLEV_CONN_STATS_A_LIMIT,	/* their bound */
	MAGLEV_CONN_STATS_A_INSERTS,
	MAGLEV_CONN_STATS_A_HITS,
	MAGLEV_CONN_STATS_A_MISSES,
	MAGLEV_CONN_STATS_A_EXPIRIES,
	MAGLEV_CONN_STATS_A_EVICTIONS,	/* unconfirmed, half-open, closing evicted */
	MAGLEV_CONN_STATS_A_FULL,	/* flows forwarded without an entry */
	MAGLEV_CONN_STATS_A_NOMEM,

	__MAGLEV_CONN_STATS_A_MAX
};

#define MAGLEV_CONN_STATS_A_MAX (__MAGLEV_CONN_STATS_A_MAX - 1)

/* Why the packet path would do what MAGLEV_CMD_LOOKUP reports. */
enum maglev_lookup_reason {
	MAGLEV_REASON_NO_SERVICE,	/* no service: passed untouched */
	MAGLEV_REASON_TABLE,		/* backend chosen by the Maglev table */
	MAGLEV_REASON_NO_BACKEND,	/* service has no usable backend: drop */
	MAGLEV_REASON_CONN,		/* backend recorded for the flow */
	MAGLEV_REASON_NODEST_DROP,	/* recorded backend gone: drop */

	__MAGLEV_REASON_MAX
};

#define MAGLEV_REASON_MAX (__MAGLEV_REASON_MAX - 1)

enum maglev_lookup_attr {
	MAGLEV_LOOKUP_A_UNSPEC,
	MAGLEV_LOOKUP_A_REASON,	/* u8: enum maglev_lookup_reason */
	MAGLEV_LOOKUP_A_HASH,	/* u32: the flow hash */
	MAGLEV_LOOKUP_A_SLOT,	/* u32: the table slot */

	__MAGLEV_LOOKUP_A_MAX
};

#define MAGLEV_LOOKUP_A_MAX (__MAGLEV_LOOKUP_A_MAX - 1)

/*
 * The forwarder pool (MAGLEV_CFG_A_POOL): a list of members, each one
 * MAGLEV_POOL_A_ADDR4 or MAGLEV_POOL_A_ADDR6, at most MAGLEV_POOL_MAX, no
 * duplicates, in any order. An empty nest clears the pool.
 */
enum maglev_pool_attr {
	MAGLEV_POOL_A_UNSPEC,
	MAGLEV_POOL_A_ADDR4,	/* be32 */
	MAGLEV_POOL_A_ADDR6,	/* struct in6_addr */

	__MAGLEV_POOL_A_MAX
};

#define MAGLEV_POOL_A_MAX (__MAGLEV_POOL_A_MAX - 1)
#define MAGLEV_POOL_MAX_MEMBERS	64

#endif /* _UAPI_LINUX_MAGLEV_H */
