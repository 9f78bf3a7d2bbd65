// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "maglev_probe": probe mark matching and the rules for the
 * probe-mark setting (module/probe.h).
 */
#include "probe.h"

#include <kunit/test.h>

#define TEST_MARK	0x4d470000U
#define TEST_MASK	0xffff0000U

static void maglev_probe_test_match(struct kunit *test)
{
	u32 id = 0;

	KUNIT_EXPECT_TRUE(test, maglev_probe_id(TEST_MARK | 7, TEST_MARK,
						TEST_MASK, &id));
	KUNIT_EXPECT_EQ(test, id, 7U);
	KUNIT_EXPECT_TRUE(test, maglev_probe_id(TEST_MARK | 0xffff, TEST_MARK,
						TEST_MASK, &id));
	KUNIT_EXPECT_EQ(test, id, 0xffffU);
	/* The bare mark names id 0, which no backend has. */
	KUNIT_EXPECT_TRUE(test, maglev_probe_id(TEST_MARK, TEST_MARK,
						TEST_MASK, &id));
	KUNIT_EXPECT_EQ(test, id, 0U);
	/* A non-contiguous mask: the id is every bit outside it. */
	KUNIT_EXPECT_TRUE(test, maglev_probe_id(0x80000005, 0x80000005,
						0x8000000f, &id));
	KUNIT_EXPECT_EQ(test, id, 0U);
	KUNIT_EXPECT_FALSE(test, maglev_probe_id(0x7ffffff5, 0x80000005,
						 0x8000000f, &id));
	KUNIT_EXPECT_TRUE(test, maglev_probe_id(0x80001235, 0x80000005,
						0x8000000f, &id));
	KUNIT_EXPECT_EQ(test, id, 0x1230U);
}

static void maglev_probe_test_no_match(struct kunit *test)
{
	u32 id = 12345;

	/* Unmarked packets, other marks, one bit off under the mask. */
	KUNIT_EXPECT_FALSE(test, maglev_probe_id(0, TEST_MARK, TEST_MASK, &id));
	KUNIT_EXPECT_FALSE(test, maglev_probe_id(0x12340007, TEST_MARK,
						 TEST_MASK, &id));
	KUNIT_EXPECT_FALSE(test, maglev_probe_id(TEST_MARK ^ 0x00010000,
						 TEST_MARK, TEST_MASK, &id));
	KUNIT_EXPECT_FALSE(test, maglev_probe_id(TEST_MARK ^ 0x80000000,
						 TEST_MARK, TEST_MASK, &id));
	/* Mask 0: probes off, whatever the mark. */
	KUNIT_EXPECT_FALSE(test, maglev_probe_id(0, 0, 0, &id));
	KUNIT_EXPECT_FALSE(test, maglev_probe_id(TEST_MARK, TEST_MARK, 0, &id));
	KUNIT_EXPECT_EQ(test, id, 12345U);
}

static void maglev_probe_test_check(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, maglev_probe_check(0, 0), MAGLEV_PROBE_CFG_OK);
	KUNIT_EXPECT_EQ(test, maglev_probe_check(TEST_MARK, TEST_MASK),
			MAGLEV_PROBE_CFG_OK);
	KUNIT_EXPECT_EQ(test, maglev_probe_check(1, 0xffffffff),
			MAGLEV_PROBE_CFG_OK);
	KUNIT_EXPECT_EQ(test, maglev_probe_check(TEST_MARK, 0),
			MAGLEV_PROBE_CFG_NO_MASK);
	KUNIT_EXPECT_EQ(test, maglev_probe_check(TEST_MARK | 1, TEST_MASK),
			MAGLEV_PROBE_CFG_OUTSIDE);
	/* Mark 0 under a mask would make every unmarked packet a probe. */
	KUNIT_EXPECT_EQ(test, maglev_probe_check(0, TEST_MASK),
			MAGLEV_PROBE_CFG_ZERO);
}

/* Every valid setting leaves unmarked packets alone. */
static void maglev_probe_test_unmarked(struct kunit *test)
{
	static const u32 masks[] = { 1, 0x80000000, TEST_MASK, 0xffffffff,
				     0x00ff00ff };
	u32 id, mark, i, b;

	for (i = 0; i < ARRAY_SIZE(masks); i++)
		for (b = 0; b < 32; b++) {
			mark = masks[i] & (1U << b);
			if (maglev_probe_check(mark, masks[i]))
				continue;
			KUNIT_EXPECT_FALSE(test, maglev_probe_id(0, mark,
								 masks[i],
								 &id));
		}
}

static struct kunit_case maglev_probe_cases[] = {
	KUNIT_CASE(maglev_probe_test_match),
	KUNIT_CASE(maglev_probe_test_no_match),
	KUNIT_CASE(maglev_probe_test_check),
	KUNIT_CASE(maglev_probe_test_unmarked),
	{}
};

static struct kunit_suite maglev_probe_suite = {
	.name = "maglev_probe",
	.test_cases = maglev_probe_cases,
};

kunit_test_suites(&maglev_probe_suite);
