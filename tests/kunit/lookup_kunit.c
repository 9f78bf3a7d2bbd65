// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_lookup": the namespace's service set (module/lookup.c):
 * exact and port-0 matches, the VIP index and its per-VIP protocols, which
 * fragments are matched by; the flow hash, against siphash() of the bytes
 * every forwarder hashes.
 */
#include "lookup.c"

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/random.h>

#define T_SVCS	8

struct t_svcs {
	struct list_head list;
	struct maglev_service svc[T_SVCS];
	unsigned int n;
};

static void t_add(struct t_svcs *s, u8 family, const char *addr, u8 proto,
		  u16 port)
{
	struct maglev_service *svc = &s->svc[s->n++];

	memset(&svc->key, 0, sizeof(svc->key));
	svc->key.family = family;
	svc->key.proto = proto;
	svc->key.port = htons(port);
	if (family == AF_INET)
		svc->key.addr.v4 = in_aton(addr);
	else
		in6_pton(addr, -1, svc->key.addr.v6.s6_addr, -1, NULL);
	list_add_tail(&svc->node, &s->list);
}

static struct t_svcs *t_new(struct kunit *test)
{
	struct t_svcs *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	INIT_LIST_HEAD(&s->list);
	return s;
}

static struct maglev_svc_set *t_build(struct kunit *test, struct t_svcs *s,
				      const struct maglev_service *skip)
{
	struct maglev_svc_set *set;

	set = maglev_svc_set_build(&s->list, s->n, skip);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, set);
	return set;
}

static void t_free(struct maglev_svc_set *set)
{
	kfree(set);
}

static struct maglev_flow t_flow(u8 family, const char *daddr, u8 proto,
				 u16 dport)
{
	struct maglev_flow f = { .family = family, .proto = proto,
				 .sport = htons(40000), .dport = htons(dport) };

	if (family == AF_INET)
		f.daddr.v4 = in_aton(daddr);
	else
		in6_pton(daddr, -1, f.daddr.v6.s6_addr, -1, NULL);
	return f;
}

static union maglev_addr t_addr(u8 family, const char *a)
{
	union maglev_addr r;

	memset(&r, 0, sizeof(r));
	if (family == AF_INET)
		r.v4 = in_aton(a);
	else
		in6_pton(a, -1, r.v6.s6_addr, -1, NULL);
	return r;
}

static void maglev_lookup_test_match(struct kunit *test)
{
	struct t_svcs *s = t_new(test);
	struct maglev_svc_set *set;
	struct maglev_flow f;

	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 0);
	t_add(s, AF_INET6, "fd00::100", IPPROTO_UDP, 53);
	set = t_build(test, s, NULL);

	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	KUNIT_EXPECT_PTR_EQ(test, maglev_svc_match(set, &f), &s->svc[0]);
	/* another port: the port-0 service */
	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_TCP, 443);
	KUNIT_EXPECT_PTR_EQ(test, maglev_svc_match(set, &f), &s->svc[1]);
	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_UDP, 80);
	KUNIT_EXPECT_NULL(test, maglev_svc_match(set, &f));
	f = t_flow(AF_INET6, "fd00::100", IPPROTO_UDP, 53);
	KUNIT_EXPECT_PTR_EQ(test, maglev_svc_match(set, &f), &s->svc[2]);
	f = t_flow(AF_INET6, "fd00::100", IPPROTO_UDP, 54);
	KUNIT_EXPECT_NULL(test, maglev_svc_match(set, &f));
	t_free(set);

	/* Without the port-0 service (being deleted), 443 matches nothing. */
	set = t_build(test, s, &s->svc[1]);
	f = t_flow(AF_INET, "10.0.0.100", IPPROTO_TCP, 443);
	KUNIT_EXPECT_NULL(test, maglev_svc_match(set, &f));
	t_free(set);
}

static void maglev_lookup_test_vip_proto(struct kunit *test)
{
	struct t_svcs *s = t_new(test);
	union maglev_addr v4 = t_addr(AF_INET, "10.0.0.100");
	union maglev_addr v6 = t_addr(AF_INET6, "fd00::100");
	union maglev_addr other = t_addr(AF_INET, "10.0.0.101");
	struct maglev_svc_set *set;

	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	t_add(s, AF_INET6, "fd00::100", IPPROTO_SCTP, 0);
	set = t_build(test, s, NULL);
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip(set, AF_INET, &v4));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip(set, AF_INET, &other));
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_TCP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_UDP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_GRE));
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET6, &v6, IPPROTO_SCTP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET6, &v6, IPPROTO_TCP));
	/* The same first four bytes in the other family are another VIP. */
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET6, &v4, IPPROTO_TCP));
	t_free(set);

	/* A second service on the VIP adds its protocol to the VIP's entry. */
	t_add(s, AF_INET, "10.0.0.100", IPPROTO_UDP, 53);
	set = t_build(test, s, NULL);
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_UDP));
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_TCP));
	t_free(set);

	/* ... and leaving the first one out keeps only the second's. */
	set = t_build(test, s, &s->svc[0]);
	KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_UDP));
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &v4, IPPROTO_TCP));
	t_free(set);
}

/* Many VIPs sharing probes: every one found, with its own protocols. */
static void maglev_lookup_test_many(struct kunit *test)
{
	struct t_svcs *s = t_new(test);
	struct maglev_svc_set *set;
	union maglev_addr a;
	char buf[16];
	unsigned int i;

	for (i = 0; i < T_SVCS; i++) {
		snprintf(buf, sizeof(buf), "10.0.0.%u", 1 + i / 2);
		t_add(s, AF_INET, buf, i % 2 ? IPPROTO_UDP : IPPROTO_TCP, 1000 + i);
	}
	set = t_build(test, s, NULL);
	for (i = 0; i < T_SVCS / 2; i++) {
		snprintf(buf, sizeof(buf), "10.0.0.%u", 1 + i);
		a = t_addr(AF_INET, buf);
		KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &a, IPPROTO_TCP));
		KUNIT_EXPECT_TRUE(test, maglev_svc_vip_proto(set, AF_INET, &a, IPPROTO_UDP));
		KUNIT_EXPECT_FALSE(test, maglev_svc_vip_proto(set, AF_INET, &a, IPPROTO_SCTP));
	}
	a = t_addr(AF_INET, "10.0.0.200");
	KUNIT_EXPECT_FALSE(test, maglev_svc_vip(set, AF_INET, &a));
	t_free(set);
}

static void maglev_lookup_test_empty(struct kunit *test)
{
	struct t_svcs *s = t_new(test);

	t_add(s, AF_INET, "10.0.0.100", IPPROTO_TCP, 80);
	/* the only service left out: no set at all */
	KUNIT_EXPECT_NULL(test, maglev_svc_set_build(&s->list, s->n, &s->svc[0]));
}

/*
 * The flow hash as the module defined it before its fixed-layout SipHash,
 * and as every forwarder of a cluster must keep computing it: siphash() of
 * the flow's fields in network order. *@len: the bytes hashed.
 */
static u32 t_flow_hash_ref(const struct maglev_flow *flow, u8 mode,
			   const siphash_key_t *seed, unsigned int *len)
{
	unsigned int alen = flow->family == AF_INET ? 4 : 16, n;
	u8 buf[2 * sizeof(struct in6_addr) + 5];

	memcpy(buf, &flow->saddr, alen);
	n = alen;
	if (mode != MAGLEV_HASH_SRC) {
		memcpy(buf + n, &flow->daddr, alen);
		n += alen;
	}
	if (mode == MAGLEV_HASH_5TUPLE) {
		memcpy(buf + n, &flow->sport, 2);
		n += 2;
	}
	if (mode == MAGLEV_HASH_5TUPLE || mode == MAGLEV_HASH_NO_SPORT) {
		memcpy(buf + n, &flow->dport, 2);
		n += 2;
		buf[n++] = flow->proto;
	}
	*len = n;
	return (u32)siphash(buf, n, seed);
}

#define T_HASH_FLOWS	4096

/*
 * maglev_flow_hash() is siphash() of the flow's bytes, bit for bit: random
 * flows and seeds (every byte of the fields random, including those a mode
 * leaves out), both families, every mode.
 */
static void maglev_lookup_test_flow_hash(struct kunit *test)
{
	/* bytes hashed per mode (MAGLEV_HASH_*), IPv4 then IPv6 */
	static const unsigned int lens[2][MAGLEV_HASH_MAX + 1] = {
		[0] = {
			[MAGLEV_HASH_5TUPLE] = 13, [MAGLEV_HASH_SRC] = 4,
			[MAGLEV_HASH_SRC_DST] = 8, [MAGLEV_HASH_NO_SPORT] = 11,
		},
		[1] = {
			[MAGLEV_HASH_5TUPLE] = 37, [MAGLEV_HASH_SRC] = 16,
			[MAGLEV_HASH_SRC_DST] = 32, [MAGLEV_HASH_NO_SPORT] = 35,
		},
	};
	struct maglev_flow f;
	siphash_key_t seed;
	unsigned int i, len, v6;
	u32 got, want;
	u8 mode;

	for (i = 0; i < T_HASH_FLOWS; i++) {
		get_random_bytes(&f, sizeof(f));
		get_random_bytes(&seed, sizeof(seed));
		v6 = i & 1;
		f.family = v6 ? AF_INET6 : AF_INET;
		for (mode = 0; mode <= MAGLEV_HASH_MAX; mode++) {
			want = t_flow_hash_ref(&f, mode, &seed, &len);
			KUNIT_ASSERT_EQ(test, len, lens[v6][mode]);
			got = maglev_flow_hash(&f, mode, &seed);
			KUNIT_ASSERT_EQ_MSG(test, got, want,
					    "family %u mode %u flow %*phN key %016llx%016llx",
					    f.family, mode, (int)sizeof(f), &f,
					    seed.key[0], seed.key[1]);
		}
	}
}

/*
 * Known values, so that a change of both t_flow_hash_ref() and
 * maglev_flow_hash() is caught too: each mode's fields take the bytes 0x00,
 * 0x01, ... in order, under lib/test_siphash.c's key, whose
 * test_vectors_siphash[len] are SipHash-2-4 of those bytes (low 32 bits).
 */
static void maglev_lookup_test_flow_hash_vectors(struct kunit *test)
{
	static const siphash_key_t seed = {
		{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
	};
	/* per mode (MAGLEV_HASH_*), IPv4 then IPv6 */
	static const u32 want[2][MAGLEV_HASH_MAX + 1] = {
		[0] = {
			[MAGLEV_HASH_5TUPLE] = 0xc0843d90U,	/* 13 bytes */
			[MAGLEV_HASH_SRC] = 0x277187b7U,	/* 4 */
			[MAGLEV_HASH_SRC_DST] = 0x9a932462U,	/* 8 */
			[MAGLEV_HASH_NO_SPORT] = 0x226bada7U,	/* 11 */
		},
		[1] = {
			[MAGLEV_HASH_5TUPLE] = 0x29623981U,	/* 37 */
			[MAGLEV_HASH_SRC] = 0x57c29bdbU,	/* 16 */
			[MAGLEV_HASH_SRC_DST] = 0x72f27cceU,	/* 32 */
			[MAGLEV_HASH_NO_SPORT] = 0x0fa197aeU,	/* 35 */
		},
	};
	u8 in[2 * sizeof(struct in6_addr) + 5];
	unsigned int i, v6, len, alen, n;
	struct maglev_flow f;
	u8 mode;

	for (i = 0; i < sizeof(in); i++)
		in[i] = i;
	for (v6 = 0; v6 < 2; v6++) {
		alen = v6 ? 16 : 4;
		for (mode = 0; mode <= MAGLEV_HASH_MAX; mode++) {
			/* The fields a mode hashes take the next bytes. */
			memset(&f, 0xee, sizeof(f));
			f.family = v6 ? AF_INET6 : AF_INET;
			n = 0;
			memcpy(&f.saddr, in + n, alen);
			n += alen;
			if (mode != MAGLEV_HASH_SRC) {
				memcpy(&f.daddr, in + n, alen);
				n += alen;
			}
			if (mode == MAGLEV_HASH_5TUPLE) {
				memcpy(&f.sport, in + n, 2);
				n += 2;
			}
			if (mode == MAGLEV_HASH_5TUPLE ||
			    mode == MAGLEV_HASH_NO_SPORT) {
				memcpy(&f.dport, in + n, 2);
				n += 2;
				f.proto = in[n++];
			}
			KUNIT_EXPECT_EQ_MSG(test,
					    maglev_flow_hash(&f, mode, &seed),
					    want[v6][mode], "family %u mode %u",
					    f.family, mode);
			KUNIT_EXPECT_EQ(test,
					t_flow_hash_ref(&f, mode, &seed, &len),
					want[v6][mode]);
			KUNIT_EXPECT_EQ(test, len, n);
		}
	}
}

static struct kunit_case maglev_lookup_cases[] = {
	KUNIT_CASE(maglev_lookup_test_match),
	KUNIT_CASE(maglev_lookup_test_vip_proto),
	KUNIT_CASE(maglev_lookup_test_many),
	KUNIT_CASE(maglev_lookup_test_empty),
	KUNIT_CASE(maglev_lookup_test_flow_hash),
	KUNIT_CASE(maglev_lookup_test_flow_hash_vectors),
	{}
};

static struct kunit_suite maglev_lookup_suite = {
	.name = "maglev_lookup",
	.test_cases = maglev_lookup_cases,
};

kunit_test_suite(maglev_lookup_suite);
