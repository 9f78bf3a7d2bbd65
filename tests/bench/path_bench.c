// SPDX-License-Identifier: GPL-2.0
/*
 * The per-packet work of the module that lives in files that build
 * natively (module/parse.c, conn.c, conn_sweep.c, table.c, each compiled
 * on its own over the shims in kshim_pkt.h, as the module's objects are),
 * driven as hook.c drives it, for counting instructions with callgrind
 * (tests/bench/callgrind-bench runs it; instruction counts repeat exactly
 * from run to run, unlike timings on a shared host or under TCG).
 *
 * Per packet: maglev_parse_ipv4()/_ipv6(), maglev_conn_lookup(), then for
 * an established flow the backend check (maglev_be_by_id()) and
 * maglev_conn_update(), for a new flow the Maglev pick (maglev_select():
 * SipHash-2-4 of the 5-tuple under the cluster seed, one table slot) and
 * maglev_conn_insert(). maglev_select(), maglev_flow_hash() and
 * maglev_be_by_id() live in module/service.c, which needs the whole
 * kernel: bench_select() and bench_be_by_id() below copy them, adapted to
 * a minimal service record. Not counted: the service match
 * (maglev_svc_match()), routing, encapsulation, transmission, counters
 * (hook.c, encap.c, stats.c).
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
#include "../../module/parse.h"
#include "../../module/table.h"

#define BENCH_M		65537
#define BENCH_EST	1024		/* established flows per phase */
#define BENCH_CONN_MAX	1500000
#define BENCH_PRELOAD	1000000

/* A service as the packet path sees it (struct maglev_svc_conf). */
struct bench_be {
	u32 id;
	u32 weight;
	u8 state;
};

struct bench_svc {
	u32 id;
	siphash_key_t seed;
	u8 hash;
	u32 m;
	u16 *table;
	u16 *id_slot;
	u32 id_mask;
	u32 n;
	struct bench_be *be;
};

/* Copy of maglev_flow_hash() (module/service.c). */
static u32 bench_flow_hash(const struct maglev_flow *flow, u8 mode,
			   const siphash_key_t *seed)
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
	return (u32)siphash(buf, len, seed);
}

/* Copy of maglev_select() (module/service.c): an exported call there. */
static noinline const struct bench_be *
bench_select(const struct bench_svc *svc, const struct maglev_flow *flow,
	     u32 *hash, u32 *slot)
{
	u16 idx;

	*hash = bench_flow_hash(flow, svc->hash, &svc->seed);
	*slot = maglev_table_slot(*hash, svc->m);
	idx = svc->table[*slot];
	if (idx == MAGLEV_SLOT_EMPTY || idx >= svc->n)
		return NULL;
	return &svc->be[idx];
}

/* Copy of maglev_be_by_id() (module/service.c). */
static noinline const struct bench_be *
bench_be_by_id(const struct bench_svc *svc, u32 id)
{
	u32 i = hash_32(id, 31) & svc->id_mask;
	u16 idx;

	while ((idx = svc->id_slot[i]) != MAGLEV_SLOT_EMPTY) {
		if (svc->be[idx].id == id)
			return &svc->be[idx];
		i = (i + 1) & svc->id_mask;
	}
	return NULL;
}

/* maglev_pick() of module/hook.c, less its counters and drop cases. */
static noinline const struct bench_be *
bench_packet(const struct bench_svc *svc, struct maglev_conn_table *t,
	     const struct sk_buff *skb)
{
	const struct bench_be *bc = NULL;
	enum maglev_conn_res res;
	struct maglev_flow flow;
	struct maglev_conn *c;
	u32 hash, slot, svc_id, be_id, bucket;
	enum maglev_parse parsed;

	if (skb->data[0] >> 4 == 4)
		parsed = maglev_parse_ipv4(skb, &flow);
	else
		parsed = maglev_parse_ipv6(skb, &flow);
	if (parsed != MAGLEV_PARSE_OK)
		return NULL;
	c = maglev_conn_lookup_at(t, &flow, &bucket);
	if (c) {
follow:
		be_id = maglev_conn_owner(c, &svc_id);
		if (svc_id == svc->id) {
			bc = bench_be_by_id(svc, be_id);
			if (bc && (bc->state != MAGLEV_BE_STATE_UP ||
				   !bc->weight))
				bc = NULL;
		}
		if (maglev_conn_update(t, c, flow.tcp_flags))
			bc = NULL;
	}
	if (bc)
		return bc;
	bc = bench_select(svc, &flow, &hash, &slot);
	if (!bc)
		return NULL;
	if (c) {
		maglev_conn_set_backend(c, svc->id, bc->id);
	} else {
		c = maglev_conn_insert_at(t, &flow, bucket, svc->id, bc->id,
					  maglev_conn_state_new(&flow), &res);
		if (res == MAGLEV_CONN_EXISTS) {
			bc = NULL;
			goto follow;
		}
	}
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

static struct bench_svc *bench_svc_new(u32 id, u32 n)
{
	struct bench_svc *svc = xcalloc(1, sizeof(*svc));
	struct maglev_table_be *tb = xcalloc(n, sizeof(*tb));
	u8 (*addr)[4] = xcalloc(n, sizeof(*addr));
	u32 i, j, size = 4;

	svc->id = id;
	svc->seed = seed;
	svc->hash = MAGLEV_HASH_5TUPLE;
	svc->m = BENCH_M;
	svc->n = n;
	svc->table = xcalloc(BENCH_M, sizeof(*svc->table));
	svc->be = xcalloc(n, sizeof(*svc->be));
	while (size < 2 * n)
		size <<= 1;
	svc->id_mask = size - 1;
	svc->id_slot = xcalloc(size, sizeof(*svc->id_slot));
	for (i = 0; i < size; i++)
		svc->id_slot[i] = MAGLEV_SLOT_EMPTY;
	for (i = 0; i < n; i++) {
		addr[i][0] = 10;
		addr[i][1] = 200;
		addr[i][2] = (i + 1) >> 8;
		addr[i][3] = i + 1;
		tb[i] = (struct maglev_table_be){ addr[i], 4, 1, 0 };
		svc->be[i] = (struct bench_be){ id * 100000 + i + 1, 1,
						MAGLEV_BE_STATE_UP };
		j = hash_32(svc->be[i].id, 31) & svc->id_mask;
		while (svc->id_slot[j] != MAGLEV_SLOT_EMPTY)
			j = (j + 1) & svc->id_mask;
		svc->id_slot[j] = i;
	}
	if (maglev_table_build(svc->table, BENCH_M, &seed, tb, n))
		die("maglev_table_build()");
	free(tb);
	return svc;
}

/* A 60-byte UDP packet (IPv4) or 80 (IPv6) from client @cl:@sport. */
#define BENCH_PKT	80
static void bench_pkt(struct sk_buff *skb, unsigned char *buf, bool v6,
		      u32 cl, u16 sport, u16 dport)
{
	unsigned char *l4;

	memset(buf, 0, BENCH_PKT);
	if (!v6) {
		buf[0] = 0x45;
		buf[3] = 60;
		buf[6] = 0x40;			/* DF */
		buf[8] = 64;
		buf[9] = IPPROTO_UDP;
		buf[12] = 10;
		buf[13] = cl >> 16;
		buf[14] = cl >> 8;
		buf[15] = cl;
		buf[16] = 192;			/* VIP 192.0.2.1 */
		buf[18] = 2;
		buf[19] = 1;
		l4 = buf + 20;
		skb->len = 60;
	} else {
		buf[0] = 0x60;
		buf[5] = 40;
		buf[6] = IPPROTO_UDP;
		buf[7] = 64;
		buf[8] = 0x20;			/* 2001:db8::cl */
		buf[9] = 0x01;
		buf[10] = 0x0d;
		buf[11] = 0xb8;
		buf[21] = cl >> 16;
		buf[22] = cl >> 8;
		buf[23] = cl;
		buf[24] = 0x20;			/* VIP 2001:db8:1::1 */
		buf[25] = 0x01;
		buf[26] = 0x0d;
		buf[27] = 0xb8;
		buf[29] = 1;
		buf[39] = 1;
		l4 = buf + 40;
		skb->len = 80;
	}
	l4[0] = sport >> 8;
	l4[1] = sport;
	l4[2] = dport >> 8;
	l4[3] = dport;
	l4[5] = skb->len - (l4 - buf);
	skb->data_len = 0;
	skb->head = buf;
	skb->data = buf;
	skb->network_header = 0;
	skb->pkt_type = PACKET_HOST;
}

struct bench_pkts {
	u32 n;
	struct sk_buff *skb;
	unsigned char *buf;
};

/* @n packets of distinct flows from clients @base + i. */
static void bench_pkts_make(struct bench_pkts *p, u32 n, bool v6, u32 base,
			    u16 dport)
{
	u32 i;

	p->n = n;
	p->skb = xcalloc(n, sizeof(*p->skb));
	p->buf = xcalloc(n, BENCH_PKT);
	for (i = 0; i < n; i++)
		bench_pkt(&p->skb[i], p->buf + (size_t)i * BENCH_PKT, v6,
			  base + i, 1024 + (i & 0x3fff), dport);
}

static void bench_pkts_free(struct bench_pkts *p)
{
	free(p->skb);
	free(p->buf);
}

static u32 bench_run(const struct bench_svc *svc, struct maglev_conn_table *t,
		     const struct bench_pkts *p, u32 passes)
{
	u32 i, k, sent = 0;

	for (k = 0; k < passes; k++)
		for (i = 0; i < p->n; i++)
			sent += !!bench_packet(svc, t, &p->skb[i]);
	return sent;
}

static int nphase;

/* Counts @passes over @p as one dump named @name; prints a JSON line. */
static void bench_measure(const char *name, const struct bench_svc *svc,
			  struct maglev_conn_table *t,
			  const struct bench_pkts *p, u32 passes)
{
	struct maglev_conn_stats st;
	u32 sent;

	rcu_barrier();
	maglev_conn_stats_read(t, &st);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_START_INSTRUMENTATION;
	sent = bench_run(svc, t, p, passes);
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

	bench_pkts_make(&est, BENCH_EST, v6, next_client, dport);
	next_client += BENCH_EST;
	/* The first pass inserts, the second confirms (UDP). */
	bench_run(svc, t, &est, 2);
	snprintf(name, sizeof(name), "%s-est", tag);
	bench_measure(name, svc, t, &est, DIV_ROUND_UP(npkts, BENCH_EST));
	bench_pkts_free(&est);

	bench_pkts_make(&fresh, npkts, v6, next_client, dport);
	next_client += npkts;
	snprintf(name, sizeof(name), "%s-new", tag);
	bench_measure(name, svc, t, &fresh, 1);
	bench_pkts_free(&fresh);
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
	struct maglev_conn_table *t;
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
	printf("]}\n");

	maglev_conn_table_destroy(t);
	rcu_barrier();
	maglev_conn_exit();
	return 0;
}
