// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet work of the module that lives in files that build
 * natively (module/parse.c, conn.c, conn_sweep.c, table.c, lookup.c, each
 * compiled on its own over the shims in kshim_pkt.h, as the module's
 * objects are), driven as hook.c drives it, for counting instructions with
 * callgrind (tests/bench/callgrind-bench runs it; instruction counts
 * repeat exactly from run to run, unlike timings on a shared host or
 * under TCG).
 *
 * Per packet: maglev_parse_ipv4()/_ipv6(), maglev_conn_lookup(), then for
 * an established flow the backend check (maglev_be_by_id()) and
 * maglev_conn_update(), for a new flow the Maglev pick (maglev_select():
 * SipHash-2-4 of the 5-tuple under the cluster seed, one table slot) and
 * maglev_conn_insert(). The service's configuration is lookup.c's struct
 * maglev_svc_conf, built here as service.c would; the flow hash is checked
 * against siphash() of the flow's bytes first (flow_hash_test()). Not
 * counted: the service match (maglev_svc_match()), routing,
 * encapsulation, transmission, counters (hook.c, encap.c, stats.c).
 *
 * Phases (each one callgrind dump, named): established (ESTABLISHED
 * flows, every packet a hit) and new (every packet a new UDP flow: a miss,
 * a pick and an insert) at 2 and 1000 backends, 0 and 1M other connection
 * entries (conn_max 1500000: 2^20 buckets, as make bench), IPv4; and
 * IPv6 at 2 backends, 0 entries. M = 65537. Usage: path_bench [-p PKTS]
 */
#ifndef KSHIM_PKT
#define KSHIM_PKT
#endif
#include "kshim.h"

#include <unistd.h>
#include <uapi/linux/maglev.h>
#include <valgrind/callgrind.h>

#include "../../module/conn.h"
#include "../../module/frag.h"
#include "../../module/icmp.h"
#include "../../module/lookup.h"
#include "../../module/parse.h"
#include "../../module/service.h"
#include "../../module/stats.h"
#include "../../module/table.h"

#define BENCH_M		65537
#define BENCH_EST	1024		/* established flows per phase */
#define BENCH_CONN_MAX	1500000
#define BENCH_PRELOAD	1000000

/*
 * A service as the packet path sees it: its id (struct maglev_service) and
 * its configuration, which maglev_select() and maglev_be_by_id() read.
 */
struct bench_svc {
	u32 id;
	struct maglev_svc_conf *conf;
};

/* maglev_pick() of module/hook.c, less its counters and drop cases. */
static __always_inline const struct maglev_be_conf *
bench_pick(const struct bench_svc *svc, struct maglev_conn_table *t,
	   const struct maglev_flow *flow)
{
	const struct maglev_be_conf *bc = NULL;
	enum maglev_conn_res res;
	struct maglev_conn *c;
	u32 hash, slot, svc_id, be_id, bucket;

	c = maglev_conn_lookup_at(t, flow, &bucket);
	if (c) {
follow:
		be_id = maglev_conn_owner(c, &svc_id);
		if (svc_id == svc->id) {
			bc = maglev_be_by_id(svc->conf, be_id);
			if (bc && (bc->state != MAGLEV_BE_STATE_UP ||
				   !bc->weight))
				bc = NULL;
		}
		if (maglev_conn_update(t, c, flow->tcp_flags))
			bc = NULL;
	}
	if (bc)
		return bc;
	bc = maglev_select(svc->conf, flow, &hash, &slot);
	if (!bc)
		return NULL;
	if (c) {
		maglev_conn_set_backend(c, svc->id, bc->be->id);
	} else {
		c = maglev_conn_insert_at(t, flow, bucket, svc->id, bc->be->id,
					  maglev_conn_state_new(flow), &res);
		if (res == MAGLEV_CONN_EXISTS) {
			bc = NULL;
			goto follow;
		}
	}
	return bc;
}

static __always_inline enum maglev_parse
bench_parse(const struct sk_buff *skb, struct maglev_flow *flow)
{
	if (skb->data[0] >> 4 == 4)
		return maglev_parse_ipv4(skb, flow);
	return maglev_parse_ipv6(skb, flow);
}

/* An unfragmented packet: parse, then maglev_pick(). */
static noinline const struct maglev_be_conf *
bench_packet(const struct bench_svc *svc, struct maglev_conn_table *t,
	     struct sk_buff *skb)
{
	struct maglev_flow flow;

	if (bench_parse(skb, &flow) != MAGLEV_PARSE_OK)
		return NULL;
	return bench_pick(svc, t, &flow);
}

/*
 * Fragments (module/frag_path.c's stage 2, no pool): the hook's parse says
 * FRAGMENT, maglev_frag_parse() reads the datagram's key (and a first
 * fragment's ports), then a first fragment asks the fragment table
 * (maglev_frag_first_at()), picks as an unfragmented packet of its 5-tuple
 * would and records the pick (maglev_frag_record_at()); a later fragment
 * finds the record (maglev_frag_later()) and the backend by its id. Not
 * counted, as for whole packets: the service match (and
 * maglev_svc_vip_proto()), transmission and its counters.
 */
static struct maglev_frag_table *bench_frags;
/* The namespace's counters (stats.c's maglev_stats_init(), one CPU). */
static struct maglev_stats bench_stats;
static const struct maglev_frag_limits bench_frag_lim = {
	.max = MAGLEV_FRAG_MAX_LIMIT,
	.hold = MAGLEV_FRAG_HOLD_DEFAULT,
	.hold_bytes = MAGLEV_FRAG_HOLD_BYTES_DEFAULT,
	.timeout_ms = MAGLEV_FRAG_TIMEOUT_DEFAULT,
};

static noinline const struct maglev_be_conf *
bench_frag_first(const struct bench_svc *svc, struct maglev_conn_table *t,
		 struct sk_buff *skb)
{
	struct maglev_frag_owner owner;
	struct maglev_frag_info fi;
	const struct maglev_be_conf *bc;
	struct maglev_flow flow;
	u32 bucket;

	if (bench_parse(skb, &flow) != MAGLEV_PARSE_FRAGMENT ||
	    !maglev_frag_parse(skb, &fi) || !fi.first || !fi.ports)
		return NULL;
	if (maglev_frag_first_at(bench_frags, &fi.key, &owner, &bucket) !=
	    MAGLEV_FRAG_NEW)
		return NULL;
	bc = bench_pick(svc, t, &fi.flow);
	if (!bc)
		return NULL;
	owner.flow = fi.flow;
	owner.svc_id = svc->id;
	owner.be_id = bc->be->id;
	if (maglev_frag_record_at(bench_frags, &fi.key, bucket, &owner,
				  &bench_frag_lim))
		return NULL;
	return bc;
}

static noinline const struct maglev_be_conf *
bench_frag_later(const struct bench_svc *svc, struct maglev_conn_table *t,
		 struct sk_buff *skb)
{
	struct maglev_frag_owner owner;
	struct maglev_frag_info fi;
	struct maglev_flow flow;

	if (bench_parse(skb, &flow) != MAGLEV_PARSE_FRAGMENT ||
	    !maglev_frag_parse(skb, &fi) || fi.first)
		return NULL;
	if (maglev_frag_later(bench_frags, &fi.key, skb, true, &bench_frag_lim,
			      &owner) != MAGLEV_FRAG_SEND ||
	    owner.svc_id != svc->id)
		return NULL;
	return maglev_be_by_id(svc->conf, owner.be_id);
}

/*
 * An ICMP error about an established flow (module/icmp.c's
 * maglev_icmp_rcv() for a VIP): the hook's parse says OTHER for ICMP,
 * then the ICMP header, the embedded packet (maglev_icmp_parse_inner(),
 * compiled from icmp.c), the reversed flow (maglev_icmp_reverse()), the
 * flow's entry without counting or refreshing it (maglev_conn_find()) and
 * the backend it follows. Not counted: the VIP and service matches, the
 * ICMP checksum over the quoted bytes (skb_checksum() unless the device
 * verified it), transmission and counters.
 */
static noinline const struct maglev_be_conf *
bench_icmp(const struct bench_svc *svc, struct maglev_conn_table *t,
	   struct sk_buff *skb)
{
	struct maglev_flow outer, inner, flow;
	const struct maglev_be_conf *bc;
	struct maglev_conn *c;
	u8 _ih[8];
	const u8 *ih;
	u32 svc_id, be_id;
	int off;

	if (bench_parse(skb, &outer) != MAGLEV_PARSE_OTHER ||
	    !maglev_icmp_proto(&outer))
		return NULL;
	if (outer.family == AF_INET) {
		off = (skb->data[0] & 15) * 4;
	} else {
		u8 nexthdr = skb->data[6];
		__be16 frag_off;

		off = ipv6_skip_exthdr(skb, 40, &nexthdr, &frag_off);
	}
	ih = off < 0 ? NULL : skb_header_pointer(skb, off, sizeof(_ih), _ih);
	if (!ih || ih[0] != (outer.family == AF_INET ? 3 : 2))
		return NULL;
	if (maglev_icmp_parse_inner(skb, off + 8, outer.family, &inner) !=
	    MAGLEV_ICMP_INNER_OK ||
	    memcmp(&inner.saddr, &outer.daddr, outer.family == AF_INET ?
		   sizeof(inner.saddr.v4) : sizeof(inner.saddr.v6)))
		return NULL;
	maglev_icmp_reverse(&inner, &flow);
	c = maglev_conn_find(t, &flow);
	if (!c)
		return NULL;
	be_id = maglev_conn_owner(c, &svc_id);
	if (svc_id != svc->id)
		return NULL;
	bc = maglev_be_by_id(svc->conf, be_id);
	if (!bc || bc->state != MAGLEV_BE_STATE_UP)
		return NULL;
	return bc;
}

static void die(const char *msg)
{
	fprintf(stderr, "path_bench: FAIL: %s\n", msg);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory");
	return p;
}

/* Key bytes 00..0f, as tests/kunit/table_kunit.c. */
static const siphash_key_t seed = {
	{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
};

/* lib/test_siphash.c's vectors: the shims hash as the kernel does. */
static void self_test(void)
{
	const hsiphash_key_t hkey = {
		{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
	};
	u8 in[64];
	int i;

	for (i = 0; i < 64; i++)
		in[i] = i;
	if (hsiphash(in, 0, &hkey) != 0x050fc4dcU ||
	    hsiphash(in, 4, &hkey) != 0x88d38328U ||
	    hsiphash(in, 16, &hkey) != 0x7d908b66U ||
	    hsiphash(in, 40, &hkey) != 0x99e41531U ||
	    hsiphash_1u32(0x03020100, &hkey) != 0x88d38328U ||
	    hsiphash_4u32(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
			  &hkey) != 0x7d908b66U)
		die("hsiphash() does not match lib/test_siphash.c");
	if (siphash(in, 15, &seed) != 0xa129ca6149be45e5ULL ||
	    siphash_2u64(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
			 &seed) != 0x3f2acc7f57c29bdbULL ||
	    siphash_4u32(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
			 &seed) != 0x3f2acc7f57c29bdbULL)
		die("siphash() does not match lib/test_siphash.c");
}

/*
 * The flow hash's bytes as the module hashed them before its fixed-layout
 * SipHash (and as every forwarder must keep hashing them): the fields in
 * network order, then siphash() of the buffer.
 */
static u32 ref_flow_hash(const struct maglev_flow *flow, u8 mode,
			 const siphash_key_t *key)
{
	unsigned int alen = flow->family == AF_INET ? 4 : 16, len;
	u8 buf[2 * sizeof(struct in6_addr) + 5];

	memcpy(buf, &flow->saddr, alen);
	len = alen;
	if (mode == MAGLEV_HASH_SRC)
		goto out;
	memcpy(buf + len, &flow->daddr, alen);
	len += alen;
	if (mode == MAGLEV_HASH_SRC_DST)
		goto out;
	if (mode == MAGLEV_HASH_5TUPLE) {
		memcpy(buf + len, &flow->sport, 2);
		len += 2;
	}
	memcpy(buf + len, &flow->dport, 2);
	len += 2;
	buf[len++] = flow->proto;
out:
	return (u32)siphash(buf, len, key);
}

/*
 * lookup.c's flow hash (maglev_flow_hash(), static: read through
 * maglev_select()'s @hash) against ref_flow_hash(), random flows and seeds,
 * both families, every mode. A one-slot table: only the hash matters.
 */
static void flow_hash_test(void)
{
	struct maglev_svc_conf *conf = xcalloc(1, sizeof(*conf));
	u16 table[1] = { MAGLEV_SLOT_EMPTY };
	u64 x = 0x9e3779b97f4a7c15ULL;
	struct maglev_flow f;
	unsigned int i, j;
	u32 hash, slot;
	u8 mode, *p;

	conf->table = table;
	conf->params.table_size = 1;
	for (i = 0; i < 20000; i++) {
		/* xorshift64: every byte of the flow and seed random */
		p = (u8 *)&f;
		for (j = 0; j < sizeof(f); j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[j] = x;
		}
		conf->seed.key[0] = x * 0x2545f4914f6cdd1dULL;
		conf->seed.key[1] = x ^ (x >> 29);
		f.family = i & 1 ? AF_INET6 : AF_INET;
		for (mode = 0; mode <= MAGLEV_HASH_MAX; mode++) {
			conf->params.hash = mode;
			hash = ~ref_flow_hash(&f, mode, &conf->seed);
			if (maglev_select(conf, &f, &hash, &slot) ||
			    hash != ref_flow_hash(&f, mode, &conf->seed)) {
				fprintf(stderr, "family %u mode %u flow %u\n",
					f.family, mode, i);
				die("maglev_flow_hash() differs from siphash() of the flow's bytes");
			}
		}
	}
	free(conf);
}

static struct bench_svc *bench_svc_new(u32 id, u32 n)
{
	struct bench_svc *svc = xcalloc(1, sizeof(*svc));
	struct maglev_svc_conf *conf;
	struct maglev_backend *be = xcalloc(n, sizeof(*be));
	struct maglev_table_be *tb = xcalloc(n, sizeof(*tb));
	u8 (*addr)[4] = xcalloc(n, sizeof(*addr));
	u32 i, j, size = 4;

	conf = xcalloc(1, struct_size(conf, be, n));
	svc->id = id;
	svc->conf = conf;
	conf->seed = seed;
	conf->params.hash = MAGLEV_HASH_5TUPLE;
	conf->params.table_size = BENCH_M;
	conf->n_backends = n;
	conf->table = xcalloc(BENCH_M, sizeof(*conf->table));
	while (size < 2 * n)
		size <<= 1;
	conf->id_mask = size - 1;
	conf->id_slot = xcalloc(size, sizeof(*conf->id_slot));
	for (i = 0; i < size; i++)
		conf->id_slot[i] = MAGLEV_SLOT_EMPTY;
	for (i = 0; i < n; i++) {
		addr[i][0] = 10;
		addr[i][1] = 200;
		addr[i][2] = (i + 1) >> 8;
		addr[i][3] = i + 1;
		tb[i] = (struct maglev_table_be){ addr[i], 4, 1, 0 };
		be[i].id = id * 100000 + i + 1;
		be[i].family = AF_INET;
		memcpy(&be[i].addr.v4, addr[i], 4);
		conf->be[i].be = &be[i];
		conf->be[i].weight = 1;
		conf->be[i].state = MAGLEV_BE_STATE_UP;
		j = maglev_id_hash(be[i].id, conf->id_mask);
		while (conf->id_slot[j] != MAGLEV_SLOT_EMPTY)
			j = (j + 1) & conf->id_mask;
		conf->id_slot[j] = i;
	}
	if (maglev_table_build(conf->table, BENCH_M, &seed, tb, n))
		die("maglev_table_build()");
	free(tb);
	return svc;
}

/* What a test packet is. */
enum bench_kind {
	BENCH_UDP,		/* a UDP packet */
	BENCH_SYN,		/* a TCP SYN */
	BENCH_FRAG1,		/* a UDP datagram's first fragment */
	BENCH_FRAG2,		/* its second (last) fragment */
	BENCH_ICMP,		/* frag. needed / packet too big about the flow */
};

/*
 * A packet of client @cl:@sport's flow to the VIP's @dport: 60 bytes
 * (IPv4) or 80 (IPv6); an ICMP error (from a router, quoting the VIP's
 * UDP packet to the client) 56 or 96.
 */
#define BENCH_PKT	128
static void bench_pkt(struct sk_buff *skb, unsigned char *buf, bool v6,
		      u32 cl, u16 sport, u16 dport, enum bench_kind kind)
{
	u8 proto = kind == BENCH_SYN ? IPPROTO_TCP : IPPROTO_UDP;
	unsigned char *l4, *ip = buf;
	bool icmp = kind == BENCH_ICMP;

	memset(buf, 0, BENCH_PKT);
	if (icmp) {
		/* The outer header, then the quoted packet's. */
		if (!v6) {
			buf[0] = 0x45;
			buf[3] = 56;
			buf[8] = 64;
			buf[9] = IPPROTO_ICMP;
			buf[12] = 10;		/* from router 10.255.0.1 */
			buf[13] = 255;
			buf[15] = 1;
			buf[16] = 192;		/* to the VIP */
			buf[18] = 2;
			buf[19] = 1;
			buf[20] = 3;		/* ICMP_DEST_UNREACH */
			buf[21] = 4;		/* ICMP_FRAG_NEEDED */
			buf[26] = 1300 >> 8;
			buf[27] = 1300 & 0xff;
			ip = buf + 28;
			skb->len = 56;
		} else {
			buf[0] = 0x60;
			buf[5] = 56;
			buf[6] = IPPROTO_ICMPV6;
			buf[7] = 64;
			buf[8] = 0x20;		/* from 2001:db8:ff::1 */
			buf[9] = 0x01;
			buf[10] = 0x0d;
			buf[11] = 0xb8;
			buf[13] = 0xff;
			buf[23] = 1;
			buf[24] = 0x20;		/* to the VIP */
			buf[25] = 0x01;
			buf[26] = 0x0d;
			buf[27] = 0xb8;
			buf[29] = 1;
			buf[39] = 1;
			buf[40] = 2;		/* ICMPV6_PKT_TOOBIG */
			buf[46] = 1280 >> 8;
			buf[47] = 1280 & 0xff;
			ip = buf + 48;
			skb->len = 96;
		}
	}
	if (!v6) {
		ip[0] = 0x45;
		ip[3] = 60;
		ip[6] = 0x40;			/* DF */
		ip[8] = 64;
		ip[9] = proto;
		/* client 10.x.y.z, VIP 192.0.2.1 (swapped when quoted) */
		ip[icmp ? 16 : 12] = 10;
		ip[icmp ? 17 : 13] = cl >> 16;
		ip[icmp ? 18 : 14] = cl >> 8;
		ip[icmp ? 19 : 15] = cl;
		ip[icmp ? 12 : 16] = 192;
		ip[icmp ? 14 : 18] = 2;
		ip[icmp ? 15 : 19] = 1;
		l4 = ip + 20;
		if (kind == BENCH_FRAG1 || kind == BENCH_FRAG2) {
			ip[4] = cl >> 8;	/* IP ID */
			ip[5] = cl;
			/* MF, or offset 1480 without MF */
			ip[6] = kind == BENCH_FRAG1 ? 0x20 : 0x00;
			ip[7] = kind == BENCH_FRAG1 ? 0 : 185;
		}
		if (!icmp)
			skb->len = 60;
	} else {
		unsigned int c = icmp ? 24 : 8, v = icmp ? 8 : 24;

		ip[0] = 0x60;
		ip[5] = 40;
		ip[6] = proto;
		ip[7] = 64;
		ip[c] = 0x20;			/* client 2001:db8::cl */
		ip[c + 1] = 0x01;
		ip[c + 2] = 0x0d;
		ip[c + 3] = 0xb8;
		ip[c + 13] = cl >> 16;
		ip[c + 14] = cl >> 8;
		ip[c + 15] = cl;
		ip[v] = 0x20;			/* VIP 2001:db8:1::1 */
		ip[v + 1] = 0x01;
		ip[v + 2] = 0x0d;
		ip[v + 3] = 0xb8;
		ip[v + 5] = 1;
		ip[v + 15] = 1;
		l4 = ip + 40;
		if (kind == BENCH_FRAG1 || kind == BENCH_FRAG2) {
			ip[6] = 44;		/* NEXTHDR_FRAGMENT */
			l4[0] = proto;
			/* offset 0 with M, or 1448 without */
			l4[2] = kind == BENCH_FRAG1 ? 0 : 1448 >> 8;
			l4[3] = kind == BENCH_FRAG1 ? 1 : 1448 & 0xf8;
			l4[6] = cl >> 8;	/* identification */
			l4[7] = cl;
			l4 += 8;
		}
		if (!icmp)
			skb->len = 80;
	}
	if (kind == BENCH_FRAG2) {
		memset(l4, 0xa5, 8);		/* payload, no L4 header */
	} else if (icmp) {
		/* The VIP's answer: VIP:dport -> client:sport. */
		l4[0] = dport >> 8;
		l4[1] = dport;
		l4[2] = sport >> 8;
		l4[3] = sport;
	} else {
		l4[0] = sport >> 8;
		l4[1] = sport;
		l4[2] = dport >> 8;
		l4[3] = dport;
		if (kind == BENCH_SYN) {
			l4[12] = 0x50;		/* data offset 5 */
			l4[13] = 0x02;		/* SYN */
		} else {
			l4[5] = skb->len - (l4 - buf);
		}
	}
	skb->data_len = 0;
	skb->head = buf;
	skb->data = buf;
	skb->network_header = 0;
	skb->pkt_type = PACKET_HOST;
	skb->protocol = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
}

struct bench_pkts {
	u32 n;
	struct sk_buff *skb;
	unsigned char *buf;
};

/* @n packets of distinct flows from clients @base + i. */
static void bench_pkts_make(struct bench_pkts *p, u32 n, bool v6, u32 base,
			    u16 dport, enum bench_kind kind)
{
	u32 i;

	p->n = n;
	p->skb = xcalloc(n, sizeof(*p->skb));
	p->buf = xcalloc(n, BENCH_PKT);
	for (i = 0; i < n; i++)
		bench_pkt(&p->skb[i], p->buf + (size_t)i * BENCH_PKT, v6,
			  base + i, 1024 + (i & 0x3fff), dport, kind);
}

static void bench_pkts_free(struct bench_pkts *p)
{
	free(p->skb);
	free(p->buf);
}

typedef const struct maglev_be_conf *
(*bench_fn)(const struct bench_svc *svc, struct maglev_conn_table *t,
	    struct sk_buff *skb);

static u32 bench_run(bench_fn fn, const struct bench_svc *svc,
		     struct maglev_conn_table *t, const struct bench_pkts *p,
		     u32 passes)
{
	u32 i, k, sent = 0;

	for (k = 0; k < passes; k++)
		for (i = 0; i < p->n; i++)
			sent += !!fn(svc, t, &p->skb[i]);
	return sent;
}

static int nphase;

/* Counts @passes over @p as one dump named @name; prints a JSON line. */
static void bench_measure(const char *name, bench_fn fn,
			  const struct bench_svc *svc,
			  struct maglev_conn_table *t,
			  const struct bench_pkts *p, u32 passes)
{
	struct maglev_conn_stats st;
	u32 sent;

	rcu_barrier();
	maglev_conn_stats_read(t, &st);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_START_INSTRUMENTATION;
	sent = bench_run(fn, svc, t, p, passes);
	CALLGRIND_STOP_INSTRUMENTATION;
	CALLGRIND_DUMP_STATS_AT(name);
	if (sent != p->n * passes)
		die("a packet was not forwarded");
	printf("%s{\"phase\":\"%s\",\"dump\":%d,\"packets\":%u,\"entries_before\":%u}",
	       nphase ? "," : "", name, nphase + 1, p->n * passes, st.entries);
	nphase++;
}

static u32 next_client = 0x010000;

/* Established and new flows of @svc. */
static void bench_phases(const char *tag, const struct bench_svc *svc,
			 struct maglev_conn_table *t, bool v6, u16 dport,
			 u32 npkts)
{
	struct bench_pkts est, fresh;
	char name[64];

	bench_pkts_make(&est, BENCH_EST, v6, next_client, dport, BENCH_UDP);
	next_client += BENCH_EST;
	/* The first pass inserts, the second confirms (UDP). */
	bench_run(bench_packet, svc, t, &est, 2);
	snprintf(name, sizeof(name), "%s-est", tag);
	bench_measure(name, bench_packet, svc, t, &est,
		      DIV_ROUND_UP(npkts, BENCH_EST));
	bench_pkts_free(&est);

	bench_pkts_make(&fresh, npkts, v6, next_client, dport, BENCH_UDP);
	next_client += npkts;
	snprintf(name, sizeof(name), "%s-new", tag);
	bench_measure(name, bench_packet, svc, t, &fresh, 1);
	bench_pkts_free(&fresh);
}

/*
 * The other kinds of packet, at @svc's size and the table's entries:
 * new flows as TCP SYNs; a 2-fragment UDP datagram of a new flow (first
 * fragment, then the second, each its own phase; a datagram's cost is
 * their sum); an ICMP error about an established UDP flow.
 */
static void bench_more(const char *tag, const struct bench_svc *svc,
		       struct maglev_conn_table *t, bool v6, u16 dport,
		       u32 npkts)
{
	struct bench_pkts p, q;
	char name[64];

	bench_pkts_make(&p, npkts, v6, next_client, dport, BENCH_SYN);
	next_client += npkts;
	snprintf(name, sizeof(name), "%s-syn", tag);
	bench_measure(name, bench_packet, svc, t, &p, 1);
	bench_pkts_free(&p);

	/* At most 1024 datagrams in the table, one per chain on average. */
	bench_frags = maglev_frag_table_create(&bench_stats);
	if (!bench_frags)
		die("maglev_frag_table_create()");
	bench_pkts_make(&p, BENCH_EST, v6, next_client, dport, BENCH_FRAG1);
	bench_pkts_make(&q, BENCH_EST, v6, next_client, dport, BENCH_FRAG2);
	next_client += BENCH_EST;
	snprintf(name, sizeof(name), "%s-frag1", tag);
	bench_measure(name, bench_frag_first, svc, t, &p, 1);
	snprintf(name, sizeof(name), "%s-frag2", tag);
	bench_measure(name, bench_frag_later, svc, t, &q, 1);
	bench_pkts_free(&p);
	bench_pkts_free(&q);
	maglev_frag_table_destroy(bench_frags);
	bench_frags = NULL;

	bench_pkts_make(&p, BENCH_EST, v6, next_client, dport, BENCH_UDP);
	bench_pkts_make(&q, BENCH_EST, v6, next_client, dport, BENCH_ICMP);
	next_client += BENCH_EST;
	bench_run(bench_packet, svc, t, &p, 2);
	snprintf(name, sizeof(name), "%s-icmp", tag);
	bench_measure(name, bench_icmp, svc, t, &q,
		      DIV_ROUND_UP(npkts, BENCH_EST));
	bench_pkts_free(&p);
	bench_pkts_free(&q);
}

/* @n UDP entries of other flows, inserted directly. */
static void bench_preload(struct maglev_conn_table *t, u32 n)
{
	struct maglev_flow f = {
		.family = AF_INET,
		.proto = IPPROTO_UDP,
		.dport = htons(53),
	};
	enum maglev_conn_res res;
	u32 i;

	for (i = 0; i < n; i++) {
		f.saddr.v4 = htonl(0x64000000 + i);	/* 100.x.y.z */
		f.daddr.v4 = htonl(0xc0000201);
		f.sport = htons(1024 + (i & 0x7fff));
		if (!maglev_conn_insert(t, &f, 99, 1, MAGLEV_CONN_S_UDP, &res))
			die("preload insert");
	}
}

int main(int argc, char **argv)
{
	struct bench_svc *s2, *s1000, *s6;
	struct maglev_conn_table *t, *t0;
	static struct net net;
	u32 npkts = 4096;
	int opt;

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt == 'p')
			npkts = strtoul(optarg, NULL, 0);
		else
			die("usage: path_bench [-p PKTS]");
	}
	if (npkts < BENCH_EST)
		die("need PKTS >= 1024");
	self_test();
	flow_hash_test();
	bench_stats.n = MAGLEV_CTR_MAX;
	bench_stats.pcpu = xcalloc(1, sizeof(*bench_stats.pcpu) +
				   MAGLEV_CTR_MAX * sizeof(u64_stats_t));
	jiffies = 1000000;
	if (maglev_conn_init())
		die("maglev_conn_init()");
	t = maglev_conn_table_create(&net, BENCH_CONN_MAX);
	if (IS_ERR(t))
		die("maglev_conn_table_create()");
	s2 = bench_svc_new(1, 2);
	s1000 = bench_svc_new(2, 1000);
	s6 = bench_svc_new(3, 2);

	printf("{\"m\":%u,\"conn_max\":%u,\"buckets\":%u,\"phases\":[",
	       BENCH_M, BENCH_CONN_MAX, maglev_conn_buckets(t));
	bench_phases("v4-b2-c0", s2, t, false, 80, npkts);
	bench_phases("v4-b1000-c0", s1000, t, false, 81, npkts);
	bench_phases("v6-b2-c0", s6, t, true, 82, npkts);
	bench_preload(t, BENCH_PRELOAD);
	bench_phases("v4-b2-c1M", s2, t, false, 80, npkts);
	bench_phases("v4-b1000-c1M", s1000, t, false, 81, npkts);
	/* After those, so that their figures stay comparable to round 1's. */
	t0 = maglev_conn_table_create(&net, BENCH_CONN_MAX);
	if (IS_ERR(t0))
		die("maglev_conn_table_create()");
	bench_more("v4-b2-c0", s2, t0, false, 80, npkts);
	bench_more("v6-b2-c0", s6, t0, true, 82, npkts);
	bench_more("v4-b1000-c1M", s1000, t, false, 81, npkts);
	maglev_conn_table_destroy(t0);
	printf("]}\n");

	maglev_conn_table_destroy(t);
	rcu_barrier();
	maglev_conn_exit();
	return 0;
}
