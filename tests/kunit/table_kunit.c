// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_table": lookup table population (module/table.c).
 */
#include "table.c"

#include <kunit/test.h>

#define TEST_M		65537
#define TEST_N		1000

/* Deterministic pseudo-random numbers (xorshift32) for reproducible runs. */
static u32 test_rand(u32 *state)
{
	u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static const siphash_key_t test_seed = {
	{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
};

/* IPv4 identities 10.0.x.y, network order. */
static __be32 *test_ids(struct kunit *test, u32 n)
{
	__be32 *ids = kunit_kmalloc_array(test, n, sizeof(*ids), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ids);
	for (i = 0; i < n; i++)
		ids[i] = cpu_to_be32(0x0a000000 + i);
	return ids;
}

static struct maglev_perm *test_perms(struct kunit *test, const __be32 *ids,
				      u32 n, u32 m)
{
	struct maglev_perm *perm;
	u32 i;

	perm = kunit_kmalloc_array(test, n, sizeof(*perm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, perm);
	for (i = 0; i < n; i++)
		maglev_perm_init(&perm[i], &test_seed, &ids[i], sizeof(ids[i]),
				 m);
	return perm;
}

static u32 *test_u32s(struct kunit *test, u32 n, u32 value)
{
	u32 *a = kunit_kmalloc_array(test, n, sizeof(*a), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	for (i = 0; i < n; i++)
		a[i] = value;
	return a;
}

static u16 *test_table(struct kunit *test, u32 m)
{
	u16 *table = kunit_kmalloc_array(test, m, sizeof(*table), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, table);
	return table;
}

static struct maglev_table_be *test_bes(struct kunit *test, const __be32 *ids,
					u32 n)
{
	struct maglev_table_be *be;
	u32 i;

	be = kunit_kcalloc(test, n, sizeof(*be), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, be);
	for (i = 0; i < n; i++) {
		be[i].id = &ids[i];
		be[i].id_len = sizeof(ids[i]);
		be[i].weight = 1;
	}
	return be;
}

/*
 * The paper's Pseudocode 1, weighted as table.c documents it: rounds in
 * which a backend earns its weight and claims when its credit reaches the
 * largest weight; the j-th preference computed with a modulo.
 */
static void test_ref_fill(struct kunit *test, u16 *table, u32 m,
			  const struct maglev_perm *perm, const u32 *weight,
			  u32 n)
{
	u32 *next = test_u32s(test, n, 0);
	u32 *credit = test_u32s(test, n, 0);
	u32 wmax = 0, filled = 0, i, c;

	for (i = 0; i < m; i++)
		table[i] = MAGLEV_SLOT_EMPTY;
	for (i = 0; i < n; i++)
		wmax = max(wmax, weight[i]);
	while (wmax) {
		for (i = 0; i < n; i++) {
			credit[i] += weight[i];
			if (!weight[i] || credit[i] < wmax)
				continue;
			credit[i] -= wmax;
			do {
				c = ((u64)next[i] * perm[i].skip +
				     perm[i].offset) % m;
				next[i]++;
			} while (table[c] != MAGLEV_SLOT_EMPTY);
			table[c] = i;
			if (++filled == m)
				return;
		}
	}
}

static void test_expect_table(struct kunit *test, const u16 *table,
			      const u16 *want, u32 m, const char *what)
{
	u32 i;

	for (i = 0; i < m; i++)
		KUNIT_EXPECT_EQ_MSG(test, table[i], want[i], "%s: slot %u",
				    what, i);
}

static void maglev_table_test_is_prime(struct kunit *test)
{
	static const u32 primes[] = {
		2, 3, 5, 7, 11, 4093, 65521, 65537, 655373, 1048573,
		4294967291U,
	};
	static const u32 composites[] = {
		0, 1, 4, 9, 25, 49, 4095, 65535, 65541, 655371,
		1018081 /* 1009^2 */, 1048575, 1048576, 4294967295U,
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(primes); i++)
		KUNIT_EXPECT_TRUE_MSG(test, maglev_is_prime(primes[i]),
				      "%u is prime", primes[i]);
	for (i = 0; i < ARRAY_SIZE(composites); i++)
		KUNIT_EXPECT_FALSE_MSG(test, maglev_is_prime(composites[i]),
				       "%u is not prime", composites[i]);
}

/* Section 3.4, Table 1. */
static void maglev_table_test_paper(struct kunit *test)
{
	static const struct maglev_perm perm[] = { { 3, 4 }, { 0, 2 }, { 3, 1 } };
	static const struct maglev_perm perm_no_b2[] = { { 3, 4 }, { 3, 1 } };
	static const u32 weight[] = { 1, 1, 1 };
	static const u16 before[] = { 1, 0, 1, 0, 2, 2, 0 };
	static const u16 after[] = { 0, 0, 0, 0, 1, 1, 1 };
	u32 slots[3];
	u16 table[7];

	KUNIT_ASSERT_EQ(test, maglev_table_fill(table, 7, perm, weight, 3,
						slots), 0);
	test_expect_table(test, table, before, 7, "B0..B2");
	KUNIT_EXPECT_EQ(test, slots[0], 3);
	KUNIT_EXPECT_EQ(test, slots[1], 2);
	KUNIT_EXPECT_EQ(test, slots[2], 2);

	KUNIT_ASSERT_EQ(test, maglev_table_fill(table, 7, perm_no_b2, weight,
						2, slots), 0);
	test_expect_table(test, table, after, 7, "B2 removed");
	KUNIT_EXPECT_EQ(test, slots[0], 4);
	KUNIT_EXPECT_EQ(test, slots[1], 3);
}

/*
 * Known answers: offset and skip depend only on the seed, the identity's
 * bytes and M, on every machine (computed with an independent SipHash-2-4).
 */
static void maglev_table_test_perm_known(struct kunit *test)
{
	static const u8 v4[4] = { 192, 0, 2, 1 };
	static const u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct maglev_perm p;

	maglev_perm_init(&p, &test_seed, v4, sizeof(v4), 65537);
	KUNIT_EXPECT_EQ(test, p.offset, 35670);
	KUNIT_EXPECT_EQ(test, p.skip, 14081);
	maglev_perm_init(&p, &test_seed, v6, sizeof(v6), 65537);
	KUNIT_EXPECT_EQ(test, p.offset, 36077);
	KUNIT_EXPECT_EQ(test, p.skip, 2464);
	maglev_perm_init(&p, &test_seed, v4, sizeof(v4), 7);
	KUNIT_EXPECT_EQ(test, p.offset, 2);
	KUNIT_EXPECT_EQ(test, p.skip, 5);
	maglev_perm_init(&p, &test_seed, v6, sizeof(v6), 7);
	KUNIT_EXPECT_EQ(test, p.offset, 0);
	KUNIT_EXPECT_EQ(test, p.skip, 4);
}

/* offset < M, 1 <= skip < M, and both spread over their ranges. */
static void maglev_table_test_perm_range(struct kunit *test)
{
	static const u32 ms[] = { 7, 13, 4093, 65537, 1048573 };
	__be32 *ids = test_ids(test, 2000);
	u32 i, k, seen_off, seen_skip;
	struct maglev_perm p;

	for (k = 0; k < ARRAY_SIZE(ms); k++) {
		u32 m = ms[k];

		seen_off = 0;
		seen_skip = 0;
		for (i = 0; i < 2000; i++) {
			maglev_perm_init(&p, &test_seed, &ids[i], 4, m);
			KUNIT_ASSERT_LT_MSG(test, p.offset, m, "M %u id %u",
					    m, i);
			KUNIT_ASSERT_GE_MSG(test, p.skip, 1, "M %u id %u",
					    m, i);
			KUNIT_ASSERT_LT_MSG(test, p.skip, m, "M %u id %u",
					    m, i);
			/* small M: every value shows up among 2000 ids */
			if (m <= 13) {
				seen_off |= BIT(p.offset);
				seen_skip |= BIT(p.skip);
			}
		}
		if (m <= 13) {
			KUNIT_EXPECT_EQ_MSG(test, seen_off, (u32)BIT(m) - 1,
					    "offsets at M %u", m);
			KUNIT_EXPECT_EQ_MSG(test, seen_skip, (u32)BIT(m) - 2,
					    "skips at M %u", m);
		}
	}
}

/*
 * Equal weights: every backend holds floor(M/N) or ceil(M/N) slots. Every N
 * in 1..1000 took 20 s on the KASAN kernel under TCG (19 ms a table, 32 ms
 * at N = 1000; 0.5 s natively), so: every N in 1..100, then every multiple
 * of 37 and a few powers of two and their neighbours up to 1000, about 3 s.
 */
#define BALANCE_ALL	100
#define BALANCE_TIMED	10

static void maglev_table_test_balance(struct kunit *test)
{
	static const u32 spread[] = {
		111, 127, 128, 129, 148, 185, 222, 255, 256, 257, 259, 296,
		333, 370, 407, 444, 481, 511, 512, 513, 518, 555, 592, 629,
		666, 703, 740, 777, 814, 851, 888, 925, 962, 999, 1000,
	};
	__be32 *ids = test_ids(test, TEST_N);
	struct maglev_perm *perm = test_perms(test, ids, TEST_N, TEST_M);
	u32 *weight = test_u32s(test, TEST_N, 1);
	u32 *slots = test_u32s(test, TEST_N, 0);
	u16 *table = test_table(test, TEST_M);
	u32 k, n, i, lo, hi, total;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (k = 0; k < BALANCE_ALL + ARRAY_SIZE(spread); k++) {
		n = k < BALANCE_ALL ? k + 1 : spread[k - BALANCE_ALL];
		KUNIT_ASSERT_EQ(test, maglev_table_fill(table, TEST_M, perm,
							weight, n, slots), 0);
		lo = TEST_M / n;
		hi = DIV_ROUND_UP(TEST_M, n);
		total = 0;
		for (i = 0; i < n; i++) {
			KUNIT_EXPECT_TRUE_MSG(test, slots[i] == lo ||
					      slots[i] == hi,
					      "N %u: backend %u has %u slots, not %u or %u",
					      n, i, slots[i], lo, hi);
			total += slots[i];
		}
		KUNIT_EXPECT_EQ_MSG(test, total, TEST_M, "N %u", n);
		for (i = 0; i < TEST_M; i++)
			if (table[i] >= n)
				break;
		KUNIT_EXPECT_EQ_MSG(test, i, TEST_M, "N %u: bad entry", n);
	}
	t1 = ktime_get_ns();
	/* the clock may tick in jiffies: time several fills */
	for (i = 0; i < BALANCE_TIMED; i++)
		KUNIT_ASSERT_EQ(test, maglev_table_fill(table, TEST_M, perm,
							weight, TEST_N, NULL),
				0);
	kunit_info(test, "%u tables in %llu ms; M %u N %u: %llu us a table\n",
		   k, (t1 - t0) / NSEC_PER_MSEC, TEST_M, TEST_N,
		   (ktime_get_ns() - t1) / BALANCE_TIMED / NSEC_PER_USEC);
}

/*
 * Weights: with M > 100 * N, each backend's slots are within 1% of its
 * expected share E = M * weight / sum(weights), i.e. |slots - E| <= E / 100
 * (the weights are chosen so that every E is over 100 slots).
 */
static void test_weights(struct kunit *test, const u32 *weight, u32 n)
{
	__be32 *ids = test_ids(test, n);
	struct maglev_perm *perm = test_perms(test, ids, n, TEST_M);
	u32 *slots = test_u32s(test, n, 0);
	u16 *table = test_table(test, TEST_M);
	u64 sum = 0, dev, expect100;
	u32 i, total = 0, worst = 0;

	KUNIT_ASSERT_GT(test, TEST_M, 100 * n);
	KUNIT_ASSERT_EQ(test, maglev_table_fill(table, TEST_M, perm, weight, n,
						slots), 0);
	for (i = 0; i < n; i++)
		sum += weight[i];
	for (i = 0; i < n; i++) {
		/* in hundredths of a slot */
		expect100 = div64_u64((u64)TEST_M * weight[i] * 100, sum);
		dev = abs((s64)slots[i] * 100 - (s64)expect100);
		worst = max_t(u32, worst, dev);
		KUNIT_EXPECT_LE_MSG(test, dev, expect100 / 100 + 1,
				    "N %u: backend %u weight %u: %u slots, expected %llu.%02llu",
				    n, i, weight[i], slots[i], expect100 / 100,
				    expect100 % 100);
		total += slots[i];
	}
	KUNIT_EXPECT_EQ(test, total, TEST_M);
	kunit_info(test, "N %u: largest deviation from share %u.%02u slots\n",
		   n, worst / 100, worst % 100);
}

static void maglev_table_test_weights(struct kunit *test)
{
	static const u32 mixed[] = { 1, 2, 3, 5, 8 };
	u32 weight[100];
	u32 i;

	for (i = 0; i < 10; i++)
		weight[i] = i + 1;
	test_weights(test, weight, 10);

	for (i = 0; i < 100; i++)
		weight[i] = mixed[i % ARRAY_SIZE(mixed)];
	test_weights(test, weight, 100);

	/* the same ratios at the top of the weight range */
	for (i = 0; i < 100; i++)
		weight[i] = mixed[i % ARRAY_SIZE(mixed)] * 8191;
	test_weights(test, weight, 100);
}

/* The fill matches the plain algorithm above, whichever path it takes. */
static void maglev_table_test_reference(struct kunit *test)
{
	static const struct {
		u32 m, n, kind;
	} cases[] = {
		{ 7, 3, 0 }, { 13, 20, 0 }, { 4093, 50, 0 }, { 4093, 50, 1 },
		{ 4093, 50, 2 }, { 4093, 300, 3 }, { 65537, 100, 2 },
		{ 65537, 100, 3 }, { 65537, 3, 1 },
	};
	u32 state = 12345;
	u32 k, i;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		u32 m = cases[k].m, n = cases[k].n;
		__be32 *ids = test_ids(test, n);
		struct maglev_perm *perm = test_perms(test, ids, n, m);
		u32 *weight = test_u32s(test, n, 1);
		u32 *slots = test_u32s(test, n, 0);
		u16 *table = test_table(test, m);
		u16 *want = test_table(test, m);
		u32 count;

		for (i = 0; i < n; i++) {
			switch (cases[k].kind) {
			case 1:	/* any weights: rounds */
				weight[i] = test_rand(&state) % 65536;
				break;
			case 2:	/* one heavy, many light: heap */
				weight[i] = i ? 1 + test_rand(&state) % 100 :
					    MAGLEV_WEIGHT_MAX;
				break;
			case 3:	/* some zero */
				weight[i] = test_rand(&state) % 4 ?
					    1 + test_rand(&state) % 3 : 0;
				break;
			}
		}
		KUNIT_ASSERT_EQ(test, maglev_table_fill(table, m, perm, weight,
							n, slots), 0);
		test_ref_fill(test, want, m, perm, weight, n);
		for (i = 0; i < m; i++)
			if (table[i] != want[i])
				break;
		KUNIT_EXPECT_EQ_MSG(test, i, m,
				    "case %u (M %u N %u): slot %u is %u, not %u",
				    k, m, n, i, i < m ? table[i] : 0,
				    i < m ? want[i] : 0);
		for (i = 0; i < n; i++) {
			u32 s;

			for (count = 0, s = 0; s < m; s++)
				count += table[s] == i;
			KUNIT_EXPECT_EQ_MSG(test, slots[i], count,
					    "case %u backend %u", k, i);
		}
	}
}

static void test_expect_empty(struct kunit *test, const u16 *table, u32 m,
			      const char *what)
{
	u32 i;

	for (i = 0; i < m; i++)
		if (table[i] != MAGLEV_SLOT_EMPTY)
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, m, "%s: slot %u not empty", what, i);
}

static void maglev_table_test_zero(struct kunit *test)
{
	const u32 m = 4093, n = 20;
	__be32 *ids = test_ids(test, n);
	struct maglev_perm *perm = test_perms(test, ids, n, m);
	u32 *weight = test_u32s(test, n, 1);
	u32 *slots = test_u32s(test, n, 7);
	struct maglev_table_be *be = test_bes(test, ids, n);
	u16 *table = test_table(test, m);
	u32 i, total = 0;

	/* every third backend has weight 0 */
	for (i = 0; i < n; i += 3)
		weight[i] = 0;
	KUNIT_ASSERT_EQ(test, maglev_table_fill(table, m, perm, weight, n,
						slots), 0);
	for (i = 0; i < n; i++) {
		if (!weight[i])
			KUNIT_EXPECT_EQ_MSG(test, slots[i], 0, "backend %u", i);
		total += slots[i];
	}
	KUNIT_EXPECT_EQ(test, total, m);
	for (i = 0; i < m; i++)
		KUNIT_EXPECT_TRUE_MSG(test, table[i] < n && weight[table[i]],
				      "slot %u owned by %u", i, table[i]);

	/* all weights 0 */
	memset(weight, 0, n * sizeof(*weight));
	KUNIT_ASSERT_EQ(test, maglev_table_fill(table, m, perm, weight, n,
						slots), 0);
	test_expect_empty(test, table, m, "all weights 0");
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, slots[i], 0, "backend %u", i);

	/* no backends */
	memset(table, 0, m * sizeof(*table));
	KUNIT_ASSERT_EQ(test, maglev_table_fill(table, m, NULL, NULL, 0, NULL),
			0);
	test_expect_empty(test, table, m, "fill, n = 0");
	memset(table, 0, m * sizeof(*table));
	KUNIT_ASSERT_EQ(test, maglev_table_build(table, m, &test_seed, NULL, 0),
			0);
	test_expect_empty(test, table, m, "build, n = 0");

	/* build: weight 0 gets nothing, all 0 leaves every slot empty */
	for (i = 0; i < n; i++)
		be[i].weight = i % 3 ? 1 : 0;
	KUNIT_ASSERT_EQ(test, maglev_table_build(table, m, &test_seed, be, n),
			0);
	for (i = 0; i < n; i++)
		if (!be[i].weight)
			KUNIT_EXPECT_EQ_MSG(test, be[i].slots, 0, "backend %u",
					    i);
	for (i = 0; i < n; i++)
		be[i].weight = 0;
	KUNIT_ASSERT_EQ(test, maglev_table_build(table, m, &test_seed, be, n),
			0);
	test_expect_empty(test, table, m, "build, all weights 0");
}

static void maglev_table_test_invalid(struct kunit *test)
{
	struct maglev_perm perm[2] = { { 0, 1 }, { 3, 4 } };
	u32 weight[2] = { 1, 1 };
	u16 table[9];

	KUNIT_EXPECT_EQ_MSG(test, maglev_table_fill(table, 9, perm, weight, 2,
						    NULL), -EINVAL, "M 9");
	KUNIT_EXPECT_EQ_MSG(test, maglev_table_fill(table, 1, perm, weight, 0,
						    NULL), -EINVAL, "M 1");
	perm[1].skip = 0;
	KUNIT_EXPECT_EQ_MSG(test, maglev_table_fill(table, 7, perm, weight, 2,
						    NULL), -EINVAL, "skip 0");
	perm[1].skip = 7;
	KUNIT_EXPECT_EQ_MSG(test, maglev_table_fill(table, 7, perm, weight, 2,
						    NULL), -EINVAL, "skip M");
	perm[1].skip = 1;
	perm[1].offset = 7;
	KUNIT_EXPECT_EQ_MSG(test, maglev_table_fill(table, 7, perm, weight, 2,
						    NULL), -EINVAL, "offset M");
	perm[1].offset = 0;
	weight[1] = MAGLEV_WEIGHT_MAX + 1;
	KUNIT_EXPECT_EQ_MSG(test, maglev_table_fill(table, 7, perm, weight, 2,
						    NULL), -EINVAL, "weight");
	weight[1] = MAGLEV_WEIGHT_MAX;
	KUNIT_EXPECT_EQ(test, maglev_table_fill(table, 7, perm, weight, 2,
						NULL), 0);
	KUNIT_EXPECT_EQ_MSG(test, maglev_table_fill(table, 7, NULL, NULL,
						    MAGLEV_SLOT_EMPTY, NULL),
			    -EINVAL, "too many backends");
}

/*
 * Disruption: removing 10 of 1000 backends at M = 65537. The paper counts
 * every changed slot; the slots of the removed backends (about 1%) must
 * change, so the assertion is on the others: at most 3.5% of M of them
 * change owner.
 */
static void maglev_table_test_disruption(struct kunit *test)
{
	__be32 *ids = test_ids(test, TEST_N);
	struct maglev_table_be *be = test_bes(test, ids, TEST_N);
	struct maglev_table_be *kept = test_bes(test, ids, TEST_N);
	u16 *before = test_table(test, TEST_M);
	u16 *after = test_table(test, TEST_M);
	u32 i, k = 0, changed = 0, moved = 0;

	KUNIT_ASSERT_EQ(test, maglev_table_build(before, TEST_M, &test_seed,
						 be, TEST_N), 0);
	/* remove every 100th backend */
	for (i = 0; i < TEST_N; i++)
		if (i % 100 != 42)
			kept[k++] = be[i];
	KUNIT_ASSERT_EQ(test, k, TEST_N - 10);
	KUNIT_ASSERT_EQ(test, maglev_table_build(after, TEST_M, &test_seed,
						 kept, k), 0);
	for (i = 0; i < TEST_M; i++) {
		const __be32 *was = be[before[i]].id;
		const __be32 *now = kept[after[i]].id;

		if (was == now)
			continue;
		changed++;
		if ((was - ids) % 100 != 42)
			moved++;
	}
	kunit_info(test, "removed 10 of %u: %u slots changed (%u.%02u%% of M), %u of them held by kept backends (%u.%02u%%)\n",
		   TEST_N, changed, changed * 100 / TEST_M,
		   changed * 10000 / TEST_M % 100, moved,
		   moved * 100 / TEST_M, moved * 10000 / TEST_M % 100);
	KUNIT_EXPECT_LE_MSG(test, moved * 1000, 35 * TEST_M,
			    "%u slots of kept backends moved", moved);
	KUNIT_EXPECT_LE_MSG(test, changed, TEST_M / 20,
			    "%u slots changed", changed);
}

/* Same backends and seed: the same table by identity, in any order. */
static void maglev_table_test_determinism(struct kunit *test)
{
	const u32 n = 300, m = 65537;
	__be32 *ids = test_ids(test, n);
	struct maglev_table_be *be = test_bes(test, ids, n);
	struct maglev_table_be *shuf = test_bes(test, ids, n);
	u16 *a = test_table(test, m);
	u16 *b = test_table(test, m);
	siphash_key_t other = test_seed;
	u32 state = 1, round, i, j, diff;
	u32 *slots = test_u32s(test, n, 0);

	for (i = 0; i < n; i++)
		be[i].weight = 1 + i % 4;
	KUNIT_ASSERT_EQ(test, maglev_table_build(a, m, &test_seed, be, n), 0);
	for (i = 0; i < n; i++)
		slots[i] = be[i].slots;

	for (round = 0; round < 3; round++) {
		memcpy(shuf, be, n * sizeof(*be));
		for (i = n - 1; i > 0; i--) {
			struct maglev_table_be t;

			j = test_rand(&state) % (i + 1);
			t = shuf[i];
			shuf[i] = shuf[j];
			shuf[j] = t;
		}
		KUNIT_ASSERT_EQ(test, maglev_table_build(b, m, &test_seed, shuf,
							 n), 0);
		for (i = 0; i < m; i++)
			if (be[a[i]].id != shuf[b[i]].id)
				break;
		KUNIT_EXPECT_EQ_MSG(test, i, m, "shuffle %u: slot %u differs",
				    round, i);
		for (i = 0; i < n; i++) {
			j = (const __be32 *)shuf[i].id - ids;
			KUNIT_EXPECT_EQ_MSG(test, shuf[i].slots, slots[j],
					    "shuffle %u: backend %u", round, j);
		}
	}

	other.key[1] ^= 1;
	KUNIT_ASSERT_EQ(test, maglev_table_build(b, m, &other, be, n), 0);
	for (diff = 0, i = 0; i < m; i++)
		diff += a[i] != b[i];
	/* unrelated tables agree on about 1/N of slots */
	KUNIT_EXPECT_GT_MSG(test, diff, m / 2,
			    "another seed changed only %u slots", diff);
}

static struct kunit_case maglev_table_cases[] = {
	KUNIT_CASE(maglev_table_test_is_prime),
	KUNIT_CASE(maglev_table_test_paper),
	KUNIT_CASE(maglev_table_test_perm_known),
	KUNIT_CASE(maglev_table_test_perm_range),
	KUNIT_CASE(maglev_table_test_balance),
	KUNIT_CASE(maglev_table_test_weights),
	KUNIT_CASE(maglev_table_test_reference),
	KUNIT_CASE(maglev_table_test_zero),
	KUNIT_CASE(maglev_table_test_invalid),
	KUNIT_CASE(maglev_table_test_disruption),
	KUNIT_CASE(maglev_table_test_determinism),
	{}
};

static struct kunit_suite maglev_table_suite = {
	.name = "maglev_table",
	.test_cases = maglev_table_cases,
};

kunit_test_suites(&maglev_table_suite);
