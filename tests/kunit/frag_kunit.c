// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_frag": the fragment table (module/frag.c), fragment
 * parsing, and forwarder pool ownership (module/pool.c).
 */
#include "frag.c"
#include "pool.c"
#include "route.c"
#include "stats.c"

#include <kunit/test.h>
#include <linux/delay.h>
#include "parse.h"

struct test_ctx {
	struct maglev_stats stats;
	struct maglev_frag_table *t;
	struct maglev_frag_limits lim;
};

static struct test_ctx *test_setup(struct kunit *test)
{
	struct test_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, maglev_stats_init(&c->stats, MAGLEV_CTR_MAX), 0);
	c->t = maglev_frag_table_create(&c->stats);
	KUNIT_ASSERT_NOT_NULL(test, c->t);
	c->lim.max = 16;
	c->lim.hold = 4;
	c->lim.hold_bytes = 1 << 20;
	c->lim.timeout_ms = 10000;
	return c;
}

static void test_teardown(struct test_ctx *c)
{
	maglev_frag_table_destroy(c->t);
	maglev_stats_free(&c->stats);
}

static u64 test_ctr(struct test_ctx *c, enum maglev_ctr ctr)
{
	u64 v[MAGLEV_CTR_MAX];

	maglev_stats_read(&c->stats, v);
	return v[ctr];
}

static void test_key(struct maglev_frag_key *k, u32 id)
{
	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	k->proto = IPPROTO_UDP;
	k->saddr.v4 = htonl(0xc0000201);
	k->daddr.v4 = htonl(0x0a000064);
	k->id = htonl(id);
}

static struct sk_buff *test_frag_skb(struct kunit *test, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put(skb, len);
	return skb;
}

/* The packet path's context. */
static enum maglev_frag_res test_later(struct test_ctx *c,
				       const struct maglev_frag_key *k,
				       struct sk_buff *skb, bool create,
				       struct maglev_frag_owner *o)
{
	enum maglev_frag_res r;

	local_bh_disable();
	r = maglev_frag_later(c->t, k, skb, create, &c->lim, o);
	local_bh_enable();
	return r;
}

static enum maglev_frag_res test_first(struct test_ctx *c,
				       const struct maglev_frag_key *k,
				       struct maglev_frag_owner *o)
{
	enum maglev_frag_res r;
	u32 bucket;

	local_bh_disable();
	r = maglev_frag_first_at(c->t, k, o, &bucket);
	local_bh_enable();
	return r;
}

static struct sk_buff *test_record(struct test_ctx *c,
				   const struct maglev_frag_key *k,
				   const struct maglev_frag_owner *o)
{
	struct sk_buff *l;

	local_bh_disable();
	l = maglev_frag_record_at(c->t, k, maglev_frag_hash(c->t, k), o,
				  &c->lim);
	local_bh_enable();
	return l;
}

static void test_free_list(struct sk_buff *l)
{
	struct sk_buff *next;

	for (; l; l = next) {
		next = l->next;
		skb_mark_not_on_list(l);
		kfree_skb(l);
	}
}

/* In order: the first records, later ones follow; duplicates too. */
static void maglev_frag_test_first_later(struct kunit *test)
{
	struct test_ctx *c = test_setup(test);
	struct maglev_frag_owner o = { .svc_id = 3, .be_id = 7 }, got;
	struct maglev_frag_key k;
	struct sk_buff *skb;

	test_key(&k, 1);
	KUNIT_EXPECT_EQ(test, test_first(c, &k, &got), MAGLEV_FRAG_NEW);
	KUNIT_EXPECT_NULL(test, test_record(c, &k, &o));
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_FIRST), 1);
	KUNIT_EXPECT_EQ(test, maglev_frag_count(c->t), 1);

	skb = test_frag_skb(test, 100);
	memset(&got, 0, sizeof(got));
	KUNIT_EXPECT_EQ(test, test_later(c, &k, skb, false, &got),
			MAGLEV_FRAG_SEND);
	KUNIT_EXPECT_EQ(test, got.svc_id, 3);
	KUNIT_EXPECT_EQ(test, got.be_id, 7);
	kfree_skb(skb);

	/* A duplicate first fragment follows the record too. */
	memset(&got, 0, sizeof(got));
	KUNIT_EXPECT_EQ(test, test_first(c, &k, &got), MAGLEV_FRAG_SEND);
	KUNIT_EXPECT_EQ(test, got.be_id, 7);

	/* Another datagram (id) is unknown. */
	test_key(&k, 2);
	skb = test_frag_skb(test, 100);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, skb, false, &got),
			MAGLEV_FRAG_UNKNOWN);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, maglev_frag_count(c->t), 1);
	test_teardown(c);
}

/* Out of order: later fragments are held and come back in arrival order. */
static void maglev_frag_test_held(struct kunit *test)
{
	struct test_ctx *c = test_setup(test);
	struct maglev_frag_owner o = { .svc_id = 1, .be_id = 2 }, got;
	struct sk_buff *a, *b, *l;
	struct maglev_frag_key k;

	test_key(&k, 9);
	a = test_frag_skb(test, 100);
	b = test_frag_skb(test, 200);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, a, true, &got),
			MAGLEV_FRAG_STOLEN);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, b, false, &got),
			MAGLEV_FRAG_STOLEN);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_HELD), 2);
	KUNIT_EXPECT_EQ(test, maglev_frag_held_bytes(c->t),
			a->truesize + b->truesize);

	KUNIT_EXPECT_EQ(test, test_first(c, &k, &got), MAGLEV_FRAG_NEW);
	l = test_record(c, &k, &o);
	KUNIT_EXPECT_PTR_EQ(test, l, a);
	KUNIT_EXPECT_PTR_EQ(test, l ? l->next : NULL, b);
	KUNIT_EXPECT_NULL(test, b->next);
	test_free_list(l);
	KUNIT_EXPECT_EQ(test, maglev_frag_held_bytes(c->t), 0);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_FIRST), 1);
	test_teardown(c);
}

/* Held fragments whose first never comes are freed and counted. */
static void maglev_frag_test_expiry(struct kunit *test)
{
	struct test_ctx *c = test_setup(test);
	struct maglev_frag_owner got = {};
	struct maglev_frag_key k;
	int i;

	c->lim.timeout_ms = 20;
	test_key(&k, 5);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, test_frag_skb(test, 100),
					 true, &got), MAGLEV_FRAG_STOLEN);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, test_frag_skb(test, 100),
					 true, &got), MAGLEV_FRAG_STOLEN);
	/* The sweep timer frees them. */
	for (i = 0; i < 100 && maglev_frag_count(c->t); i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, maglev_frag_count(c->t), 0);
	KUNIT_EXPECT_EQ(test, maglev_frag_held_bytes(c->t), 0);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_EXPIRED), 2);

	/* An expired record is forgotten: its next fragment is unknown. */
	KUNIT_EXPECT_EQ(test, test_first(c, &k, &got), MAGLEV_FRAG_NEW);
	KUNIT_EXPECT_NULL(test, test_record(c, &k, &got));
	msleep(50);
	KUNIT_EXPECT_EQ(test, test_first(c, &k, &got), MAGLEV_FRAG_NEW);
	test_teardown(c);
}

/* Over the hold limits a datagram is poisoned: the rest is dropped. */
static void maglev_frag_test_poison(struct kunit *test)
{
	struct test_ctx *c = test_setup(test);
	struct maglev_frag_owner got, o = { .svc_id = 1, .be_id = 1 };
	struct maglev_frag_key k;
	struct sk_buff *skb;
	int i;

	c->lim.hold = 2;
	test_key(&k, 6);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test,
				test_later(c, &k, test_frag_skb(test, 100),
					   true, &got), MAGLEV_FRAG_STOLEN);
	skb = test_frag_skb(test, 100);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, skb, true, &got),
			MAGLEV_FRAG_DROP);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_POISONED), 1);
	/* The two held and the third. */
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_DROP), 3);
	KUNIT_EXPECT_EQ(test, maglev_frag_held_bytes(c->t), 0);
	/* The first fragment of a poisoned datagram is dropped too. */
	KUNIT_EXPECT_EQ(test, test_first(c, &k, &got), MAGLEV_FRAG_DROP);
	skb = test_frag_skb(test, 100);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, skb, true, &got),
			MAGLEV_FRAG_DROP);
	kfree_skb(skb);

	/* The byte bound, over all datagrams. */
	c->lim.hold = 100;
	skb = test_frag_skb(test, 100);
	c->lim.hold_bytes = skb->truesize;
	test_key(&k, 7);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, skb, true, &got),
			MAGLEV_FRAG_STOLEN);
	test_key(&k, 8);
	skb = test_frag_skb(test, 100);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, skb, true, &got),
			MAGLEV_FRAG_DROP);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_POISONED), 2);
	/* Datagram 7 still completes. */
	test_key(&k, 7);
	test_free_list(test_record(c, &k, &o));
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_FIRST), 1);
	test_teardown(c);
}

/* A full table: a first fragment goes unrecorded, a later one is dropped. */
static void maglev_frag_test_full(struct kunit *test)
{
	struct test_ctx *c = test_setup(test);
	struct maglev_frag_owner got, o = { .svc_id = 1, .be_id = 1 };
	struct maglev_frag_key k;
	struct sk_buff *skb;

	c->lim.max = 1;
	test_key(&k, 1);
	KUNIT_EXPECT_NULL(test, test_record(c, &k, &o));
	test_key(&k, 2);
	KUNIT_EXPECT_NULL(test, test_record(c, &k, &o));
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_TABLE_FULL), 1);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_FIRST), 1);
	test_key(&k, 3);
	skb = test_frag_skb(test, 100);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, skb, true, &got),
			MAGLEV_FRAG_DROP);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_TABLE_FULL), 2);
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_DROP), 1);
	KUNIT_EXPECT_EQ(test, maglev_frag_count(c->t), 1);

	/* Not forwarded (owner NULL): held fragments are dropped with it. */
	c->lim.max = 16;
	test_key(&k, 4);
	KUNIT_EXPECT_EQ(test, test_later(c, &k, test_frag_skb(test, 100),
					 true, &got), MAGLEV_FRAG_STOLEN);
	KUNIT_EXPECT_NULL(test, test_record(c, &k, NULL));
	KUNIT_EXPECT_EQ(test, test_ctr(c, MAGLEV_CTR_FRAG_DROP), 2);
	KUNIT_EXPECT_EQ(test, test_first(c, &k, &got), MAGLEV_FRAG_DROP);
	test_teardown(c);
}

#define TEST_PKT_MAX	256

static struct sk_buff *test_pkt_skb(struct kunit *test, const u8 *b,
				    unsigned int len, __be16 proto)
{
	struct sk_buff *skb = alloc_skb(len + 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_put_data(skb, b, len);
	skb_reset_network_header(skb);
	skb->protocol = proto;
	return skb;
}

static const struct in6_addr test_s6 = {
	{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }
};

static const struct in6_addr test_d6 = {
	{ { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 2 } }
};

/* Build an IPv6 UDP packet, with a fragment header (and a destination
 * options header after it) when @frag_off is not negative.
 */
static unsigned int test_udp6(u8 *b, int frag_off, bool more, bool dstopt)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)b;
	unsigned int len = sizeof(*ip6h);
	u8 *nh = &ip6h->nexthdr;
	struct udphdr *uh;

	memset(b, 0, TEST_PKT_MAX);
	ip6h->version = 6;
	ip6h->hop_limit = 64;
	ip6h->saddr = test_s6;
	ip6h->daddr = test_d6;
	if (frag_off >= 0) {
		struct frag_hdr *fh = (struct frag_hdr *)(b + len);

		*nh = NEXTHDR_FRAGMENT;
		nh = &fh->nexthdr;
		fh->frag_off = htons(frag_off << 3 | (more ? IP6_MF : 0));
		fh->identification = htonl(0x12345678);
		len += sizeof(*fh);
	}
	if (dstopt) {
		struct ipv6_opt_hdr *h = (struct ipv6_opt_hdr *)(b + len);

		*nh = NEXTHDR_DEST;
		nh = &h->nexthdr;
		b[len + 2] = 1;	/* PadN, 4 bytes */
		b[len + 3] = 4;
		len += 8;
	}
	*nh = IPPROTO_UDP;
	uh = (struct udphdr *)(b + len);
	uh->source = htons(40000);
	uh->dest = htons(53);
	len += sizeof(*uh) + 16;
	ip6h->payload_len = htons(len - sizeof(*ip6h));
	return len;
}

/* The first fragment's 5-tuple is the unfragmented packet's. */
static void maglev_frag_test_parse6(struct kunit *test)
{
	u8 *b = kunit_kzalloc(test, TEST_PKT_MAX, GFP_KERNEL);
	struct maglev_frag_info fi;
	struct maglev_flow flow;
	struct sk_buff *skb;
	unsigned int len;
	bool dstopt;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (dstopt = false; ; dstopt = true) {
		len = test_udp6(b, -1, false, dstopt);
		skb = test_pkt_skb(test, b, len, htons(ETH_P_IPV6));
		KUNIT_EXPECT_EQ(test, maglev_parse_ipv6(skb, &flow),
				MAGLEV_PARSE_OK);
		KUNIT_EXPECT_FALSE(test, maglev_frag_parse(skb, &fi));
		kfree_skb(skb);

		len = test_udp6(b, 0, true, dstopt);
		skb = test_pkt_skb(test, b, len, htons(ETH_P_IPV6));
		KUNIT_EXPECT_EQ(test, maglev_parse_ipv6(skb, &fi.flow),
				MAGLEV_PARSE_FRAGMENT);
		KUNIT_EXPECT_TRUE(test, maglev_frag_parse(skb, &fi));
		kfree_skb(skb);
		KUNIT_EXPECT_TRUE(test, fi.first);
		KUNIT_EXPECT_TRUE(test, fi.ports);
		KUNIT_EXPECT_EQ(test, memcmp(&fi.flow, &flow, sizeof(flow)), 0);
		KUNIT_EXPECT_EQ(test, ntohl(fi.key.id), 0x12345678);
		KUNIT_EXPECT_EQ(test, fi.key.proto,
				dstopt ? NEXTHDR_DEST : IPPROTO_UDP);

		/* A later fragment: same key, no ports. */
		len = test_udp6(b, 100, false, dstopt);
		skb = test_pkt_skb(test, b, len, htons(ETH_P_IPV6));
		KUNIT_EXPECT_TRUE(test, maglev_frag_parse(skb, &fi));
		kfree_skb(skb);
		KUNIT_EXPECT_FALSE(test, fi.first);
		KUNIT_EXPECT_FALSE(test, fi.ports);
		KUNIT_EXPECT_EQ(test, fi.key.proto,
				dstopt ? NEXTHDR_DEST : IPPROTO_UDP);
		if (dstopt)
			break;
	}

	/* An atomic fragment (offset 0, no M) is an ordinary packet. */
	len = test_udp6(b, 0, false, false);
	skb = test_pkt_skb(test, b, len, htons(ETH_P_IPV6));
	KUNIT_EXPECT_FALSE(test, maglev_frag_parse(skb, &fi));
	KUNIT_EXPECT_EQ(test, maglev_parse_ipv6(skb, &fi.flow),
			MAGLEV_PARSE_OK);
	kfree_skb(skb);
}

/* IPv4: the first fragment's 5-tuple is the unfragmented packet's. */
static void maglev_frag_test_parse4(struct kunit *test)
{
	u8 *b = kunit_kzalloc(test, TEST_PKT_MAX, GFP_KERNEL);
	struct iphdr *iph = (struct iphdr *)b;
	struct tcphdr *th = (struct tcphdr *)(b + sizeof(*iph));
	struct maglev_frag_info fi;
	struct maglev_flow flow;
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, b);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->id = htons(4242);
	iph->saddr = htonl(0xc0000201);
	iph->daddr = htonl(0x0a000064);
	iph->tot_len = htons(sizeof(*iph) + sizeof(*th));
	th->source = htons(40000);
	th->dest = htons(80);
	th->doff = 5;
	th->syn = 1;
	skb = test_pkt_skb(test, b, sizeof(*iph) + sizeof(*th), htons(ETH_P_IP));
	KUNIT_EXPECT_EQ(test, maglev_parse_ipv4(skb, &flow), MAGLEV_PARSE_OK);
	KUNIT_EXPECT_FALSE(test, maglev_frag_parse(skb, &fi));
	kfree_skb(skb);

	iph->frag_off = htons(IP_MF);
	skb = test_pkt_skb(test, b, sizeof(*iph) + sizeof(*th), htons(ETH_P_IP));
	KUNIT_EXPECT_TRUE(test, maglev_frag_parse(skb, &fi));
	kfree_skb(skb);
	KUNIT_EXPECT_TRUE(test, fi.first && fi.ports);
	KUNIT_EXPECT_EQ(test, memcmp(&fi.flow, &flow, sizeof(flow)), 0);
	KUNIT_EXPECT_EQ(test, ntohs((__force __be16)fi.key.id), 4242);

	iph->frag_off = htons(100);
	skb = test_pkt_skb(test, b, sizeof(*iph) + sizeof(*th), htons(ETH_P_IP));
	KUNIT_EXPECT_TRUE(test, maglev_frag_parse(skb, &fi));
	kfree_skb(skb);
	KUNIT_EXPECT_FALSE(test, fi.first);
	KUNIT_EXPECT_EQ(test, fi.key.proto, IPPROTO_TCP);
}

/* Every member, given the same pool in any order, names the same owner. */
static void maglev_frag_test_pool(struct kunit *test)
{
	static const u8 fam[4] = { AF_INET, AF_INET, AF_INET, AF_INET6 };
	static const int order[2][4] = { { 0, 1, 2, 3 }, { 3, 1, 0, 2 } };
	siphash_key_t seed = { { 0x0123456789abcdefULL, 0xfedcba9876543210ULL } };
	union maglev_addr addr[2][4];
	u8 family[2][4];
	struct maglev_pool *pool[2];
	u32 seen[4] = {}, i, j;
	struct maglev_frag_key k;

	memset(addr, 0, sizeof(addr));
	for (j = 0; j < 2; j++) {
		for (i = 0; i < 4; i++) {
			int m = order[j][i];

			family[j][i] = fam[m];
			if (fam[m] == AF_INET)
				addr[j][i].v4 = htonl(0x0a000301 + m);
			else
				addr[j][i].v6 = test_s6;
		}
		pool[j] = maglev_pool_build(addr[j], family[j], 4, &seed);
		KUNIT_ASSERT_FALSE(test, IS_ERR(pool[j]));
	}
	for (i = 0; i < 1000; i++) {
		const struct maglev_pool_member *a, *b;

		test_key(&k, i);
		k.saddr.v4 = htonl(0xc0000000 + i * 7919);
		a = maglev_pool_owner(pool[0], &k);
		b = maglev_pool_owner(pool[1], &k);
		KUNIT_EXPECT_EQ(test, a->family, b->family);
		KUNIT_EXPECT_EQ(test, memcmp(&a->addr, &b->addr,
					     sizeof(a->addr)), 0);
		seen[a - pool[0]->m]++;
		/* The id is not hashed: every datagram of a flow agrees. */
		k.id = htonl(i + 1);
		KUNIT_EXPECT_PTR_EQ(test, maglev_pool_owner(pool[0], &k), a);
	}
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_GT(test, seen[i], 150);
	KUNIT_EXPECT_EQ(test, maglev_pool_find(pool[1], AF_INET6,
					       (const union maglev_addr *)&test_s6),
			0);
	maglev_pool_free(pool[0]);
	maglev_pool_free(pool[1]);
}

static struct kunit_case maglev_frag_cases[] = {
	KUNIT_CASE(maglev_frag_test_first_later),
	KUNIT_CASE(maglev_frag_test_held),
	KUNIT_CASE(maglev_frag_test_expiry),
	KUNIT_CASE(maglev_frag_test_poison),
	KUNIT_CASE(maglev_frag_test_full),
	KUNIT_CASE(maglev_frag_test_parse6),
	KUNIT_CASE(maglev_frag_test_parse4),
	KUNIT_CASE(maglev_frag_test_pool),
	{}
};

static struct kunit_suite maglev_frag_suite = {
	.name = "maglev_frag",
	.test_cases = maglev_frag_cases,
};

kunit_test_suites(&maglev_frag_suite);
