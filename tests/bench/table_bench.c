// SPDX-License-Identifier: GPL-2.0
/*
 * Times maglev_table_fill() of module/table.c (included as is, over the
 * shims in kshim/) against the Maglev paper's Pseudocode 1 (NSDI 2016, 3.4)
 * for N equal-weight backends 10.x.y.z at M = 65537 and 655373. Both get the
 * same offsets and skips from maglev_perm_init(), outside the timed part, so
 * only the population loop differs; and both, and maglev_table_build(), must
 * produce the same table: equal weights are exactly Pseudocode 1. Unequal
 * weights (the fill's rounds and heap paths) are checked against Pseudocode
 * 1 weighted as table.c documents it, untimed.
 * Per M: a warm-up run of each, then R timed runs (CLOCK_MONOTONIC), ours
 * and naive alternating; median, min and max in ms. Human-readable lines go
 * to stderr, one JSON object to stdout. Built with -O2 (the kernel's level)
 * by tests/bench/table-bench.   Usage: table_bench [-r R] [-n N] [-m M]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* No FPU/SIMD registers in kernel code: the same here, for both fills. */
#if defined(__x86_64__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("general-regs-only")
#endif
#include "kshim.h"
#include "../../module/table.c"

/*
 * Pseudocode 1 as written, the straightforward way: permutation[i][j] is
 * computed on the fly as (offset + j * skip) % M, in 64 bits as j * skip
 * passes 2^32. The precomputed N x M matrix that the pseudocode indexes
 * would take N * M * 4 bytes, 2.6 GB at N = 1000, M = 655373: building it
 * would cost more than the fill, and reading it would miss the cache.
 */
static int naive_fill(int32_t *entry, u32 m, const struct maglev_perm *perm,
		      u32 n)
{
	u32 *next = malloc(n * sizeof(*next));
	u32 i, c, filled = 0;

	if (!next)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		next[i] = 0;
	for (c = 0; c < m; c++)
		entry[c] = -1;
	for (;;) {
		for (i = 0; i < n; i++) {
			c = (perm[i].offset + (u64)next[i] * perm[i].skip) % m;
			while (entry[c] >= 0) {
				next[i]++;
				c = (perm[i].offset +
				     (u64)next[i] * perm[i].skip) % m;
			}
			entry[c] = i;
			next[i]++;
			if (++filled == m) {
				free(next);
				return 0;
			}
		}
	}
}
#if defined(__x86_64__) && !defined(__clang__)
#pragma GCC pop_options
#endif

#ifdef __clang__
#define CC_NAME "clang " __VERSION__
#else
#define CC_NAME "gcc " __VERSION__
#endif

/* Key bytes 00..0f, as in the SipHash paper and tests/kunit/table_kunit.c. */
static const siphash_key_t seed = {
	{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
};

static void die(const char *msg)
{
	fprintf(stderr, "table_bench: FAIL: %s\n", msg);
	exit(1);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		die("out of memory");
	return p;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @t; "median":..,"min":..,"max":.. into @buf; returns the median. */
static double stats(double *t, int r, char *buf, size_t len)
{
	double med;

	qsort(t, r, sizeof(*t), cmp_double);
	med = r & 1 ? t[r / 2] : (t[r / 2 - 1] + t[r / 2]) / 2;
	snprintf(buf, len, "{\"median\":%.3f,\"min\":%.3f,\"max\":%.3f}",
		 med, t[0], t[r - 1]);
	return med;
}

/*
 * Pseudocode 1 weighted as table.c documents it (tests/kunit/table_kunit.c's
 * test_ref_fill()): rounds in which a backend earns its weight and claims
 * when its credit reaches the largest weight; a modulo per preference.
 */
static void naive_fill_weighted(u16 *table, u32 m,
				const struct maglev_perm *perm,
				const u32 *weight, u32 n)
{
	u32 *next = calloc(n, sizeof(*next));
	u32 *credit = calloc(n, sizeof(*credit));
	u32 wmax = 0, filled = 0, i, c;

	if (!next || !credit)
		die("out of memory");
	for (c = 0; c < m; c++)
		table[c] = MAGLEV_SLOT_EMPTY;
	for (i = 0; i < n; i++)
		wmax = max(wmax, weight[i]);
	while (wmax && filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			credit[i] += weight[i];
			if (!weight[i] || credit[i] < wmax)
				continue;
			credit[i] -= wmax;
			do {
				c = (perm[i].offset +
				     (u64)next[i]++ * perm[i].skip) % m;
			} while (table[c] != MAGLEV_SLOT_EMPTY);
			table[c] = i;
			filled++;
		}
	}
	free(next);
	free(credit);
}

/*
 * maglev_table_fill()'s other paths, against naive_fill_weighted(): any
 * weights (the rounds), one heavy backend among many light ones (the
 * heap), some weights zero.
 */
static int check_weighted(u32 m)
{
	static const u32 ns[] = { 1000, 300, 1000 };
	u32 state = 12345, k, i, n;
	int ok = 1;

	for (k = 0; k < 3; k++) {
		struct maglev_perm *perm;
		u16 *table, *want;
		u32 *weight;
		u8 id[4];

		n = ns[k];
		perm = xmalloc(n * sizeof(*perm));
		weight = xmalloc(n * sizeof(*weight));
		table = xmalloc(m * sizeof(*table));
		want = xmalloc(m * sizeof(*want));
		for (i = 0; i < n; i++) {
			id[0] = 10;
			id[1] = (i + 1) >> 16;
			id[2] = (i + 1) >> 8;
			id[3] = i + 1;
			maglev_perm_init(&perm[i], &seed, id, 4, m);
			state = state * 1103515245 + 12345;
			if (k == 0)
				weight[i] = 1 + (state >> 8) % 100;
			else if (k == 1)
				weight[i] = i ? 1 + (state >> 8) % 3 : 100;
			else
				weight[i] = (state >> 8) % 4 ?
					    1 + (state >> 12) % 3 : 0;
		}
		/* maglev_fill(): not counted as maglev_table_fill() is */
		if (maglev_fill(table, m, perm, weight, NULL, n, NULL))
			die("a weighted fill failed");
		naive_fill_weighted(want, m, perm, weight, n);
		for (i = 0; i < m; i++) {
			if (table[i] == want[i])
				continue;
			fprintf(stderr,
				"table_bench: FAIL: M %u weights %u slot %u: ours %u, naive %u\n",
				m, k, i, table[i], want[i]);
			ok = 0;
			break;
		}
		free(perm);
		free(weight);
		free(table);
		free(want);
	}
	return ok;
}

/* SipHash reference vectors, and a known answer of tests/kunit. */
static void self_test(void)
{
	static const u8 v4[4] = { 192, 0, 2, 1 };
	struct maglev_perm p;
	u8 msg[15];
	int i;

	for (i = 0; i < 15; i++)
		msg[i] = i;
	if (siphash(msg, 0, &seed) != 0x726fdb47dd0e0e31ULL ||
	    siphash(msg, 8, &seed) != 0x93f5f5799a932462ULL ||
	    siphash(msg, 15, &seed) != 0xa129ca6149be45e5ULL)
		die("siphash() does not match the reference vectors");
	maglev_perm_init(&p, &seed, v4, 4, 65537);
	if (p.offset != 35670 || p.skip != 14081)
		die("maglev_perm_init() does not match tests/kunit");
}

int main(int argc, char **argv)
{
	u32 ms[2] = { 65537, 655373 }, nm = 2, n = 1000, m, i, k;
	int reps = 11, opt, r, identical = 1;
	struct maglev_table_be *be;
	struct maglev_perm *perm;
	double *tours, *tnaive, t, mo, mn;
	char so[128], sn[128];
	u32 *weight;
	u8 (*ids)[4];

	while ((opt = getopt(argc, argv, "r:n:m:")) != -1) {
		if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 'm')
			ms[0] = strtoul(optarg, NULL, 0), nm = 1;
		else
			die("usage: table_bench [-r R] [-n N] [-m M]");
	}
	if (reps < 1 || n < 1 || n >= MAGLEV_SLOT_EMPTY)
		die("need R >= 1 and 1 <= N < 65535");
	for (k = 0; k < nm; k++)
		if (!maglev_is_prime(ms[k]))
			die("M must be prime");
	self_test();

	ids = xmalloc(n * sizeof(*ids));
	be = xmalloc(n * sizeof(*be));
	perm = xmalloc(n * sizeof(*perm));
	weight = xmalloc(n * sizeof(*weight));
	tours = xmalloc(reps * sizeof(*tours));
	tnaive = xmalloc(reps * sizeof(*tnaive));
	/* 10.0.0.1, 10.0.0.2, ...: ascending, the order build sorts into. */
	for (i = 0; i < n; i++) {
		ids[i][0] = 10;
		ids[i][1] = (i + 1) >> 16;
		ids[i][2] = (i + 1) >> 8;
		ids[i][3] = i + 1;
		be[i] = (struct maglev_table_be){ ids[i], 4, 1, 0 };
		weight[i] = 1;
	}

	printf("{\"n\":%u,\"reps\":%d,\"results\":[", n, reps);
	for (k = 0; k < nm; k++) {
		u16 *table, *built;
		int32_t *entry;

		m = ms[k];
		table = xmalloc(m * sizeof(*table));
		built = xmalloc(m * sizeof(*built));
		entry = xmalloc(m * sizeof(*entry));
		for (i = 0; i < n; i++)
			maglev_perm_init(&perm[i], &seed, ids[i], 4, m);

		/* Correctness, and the warm-up run of each. */
		if (maglev_table_fill(table, m, perm, weight, n, NULL) ||
		    naive_fill(entry, m, perm, n) ||
		    maglev_table_build(built, m, &seed, be, n))
			die("a fill failed");
		for (i = 0; i < m; i++) {
			if (table[i] == entry[i] && built[i] == entry[i])
				continue;
			fprintf(stderr,
				"table_bench: FAIL: M %u slot %u: ours %u, build %u, naive %d: NOT Pseudocode 1\n",
				m, i, table[i], built[i], entry[i]);
			identical = 0;
			break;
		}
		if (!check_weighted(m))
			identical = 0;

		for (r = 0; r < reps; r++) {
			t = now_ms();
			if (maglev_table_fill(table, m, perm, weight, n, NULL))
				die("maglev_table_fill() failed");
			tours[r] = now_ms() - t;
			t = now_ms();
			if (naive_fill(entry, m, perm, n))
				die("naive_fill() failed");
			tnaive[r] = now_ms() - t;
		}
		mo = stats(tours, reps, so, sizeof(so));
		mn = stats(tnaive, reps, sn, sizeof(sn));
		fprintf(stderr,
			"N %u M %u: ours %.3f ms (%.3f..%.3f), naive %.3f ms (%.3f..%.3f), ours/naive %.3f\n",
			n, m, mo, tours[0], tours[reps - 1], mn, tnaive[0],
			tnaive[reps - 1], mo / mn);
		printf("%s{\"m\":%u,\"ours_ms\":%s,\"naive_ms\":%s,\"ratio_median\":%.3f}",
		       k ? "," : "", m, so, sn, mo / mn);
		free(table);
		free(built);
		free(entry);
	}
	printf("],\"identical\":%s,\"cc\":\"%s\"}\n",
	       identical ? "true" : "false", CC_NAME);
	return identical ? 0 : 1;
}
