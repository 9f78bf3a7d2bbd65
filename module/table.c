// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev lookup table population (NSDI 2016, section 3.4).
 *
 * Every backend has a permutation of the M slots, (offset + j * skip) mod M,
 * from two keyed hashes of its address. Backends take turns claiming their
 * next preferred slot that is still free until every slot is taken. A
 * backend's weight sets how often it gets a turn; with equal weights this is
 * exactly the paper's Pseudocode 1.
 *
 * Speed: the "taken" marks live in a bitmap (8 KiB for M = 65537, so it stays
 * in L1 while the table does not), a backend's cursor and skip sit in two
 * dense arrays, and the next preference is found with an add, a lea and a
 * conditional move instead of a modulo (maglev_step()); a probe of a taken
 * slot is those and a bit test, 9 instructions. Filling the last E free slots
 * costs about M/E probes each, half of all probes for the last few hundred;
 * so once E is small, a backend's first free preference is found instead by
 * computing, for each free slot, how many steps of the backend's permutation
 * lead there, and taking the nearest: the same slot, in E steps.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <uapi/linux/maglev.h>

#include "table.h"

/* Longest backend identity hashed (an IPv6 address). */
#define MAGLEV_ID_MAX		16

/* Domain-separation tags for the two hashes of a backend's identity. */
#define MAGLEV_TAG_OFFSET	0x6f	/* 'o' */
#define MAGLEV_TAG_SKIP		0x73	/* 's' */

/* Claims between two cond_resched() calls. */
#define MAGLEV_RESCHED_MASK	0xfff

/*
 * A step of the free-slot scan (a multiply and a division) costs about as
 * much as this many probes; the scan takes over when it is cheaper, once
 * E * E * MAGLEV_FEW_COST < M.
 */
#define MAGLEV_FEW_COST		8

/**
 * maglev_is_prime - whether a number is prime
 * @n: number to test
 *
 * Trial division by odd numbers up to the square root: at most ~512
 * divisions for the largest table size.
 *
 * Return: true if @n is prime.
 */
bool maglev_is_prime(u32 n)
{
	u32 d;

	if (n < 4)
		return n >= 2;
	if (!(n & 1))
		return false;
	for (d = 3; d <= n / d; d += 2)
		if (!(n % d))
			return false;
	return true;
}

static u64 maglev_id_hash(const siphash_key_t *seed, u8 tag, const void *id,
			  u32 id_len)
{
	u8 buf[1 + MAGLEV_ID_MAX];

	buf[0] = tag;
	memcpy(buf + 1, id, id_len);
	return siphash(buf, 1 + id_len, seed);
}

/**
 * maglev_perm_init - compute a backend's permutation of the table's slots
 * @perm: out: the permutation
 * @seed: cluster-wide hash key; forwarders sharing it build the same tables
 * @id: the backend's identity (its address bytes, network order)
 * @id_len: length of @id, at most 16
 * @m: table size, a prime
 *
 * offset = h1 mod M and skip = h2 mod (M - 1) + 1, where h1 and h2 are
 * SipHash-2-4 of @id under @seed, each prefixed with its own one-byte tag so
 * that they are independent. SipHash reads its input as bytes, so the result
 * is the same on every machine and byte order.
 *
 * Context: any.
 */
void maglev_perm_init(struct maglev_perm *perm, const siphash_key_t *seed,
		      const void *id, u32 id_len, u32 m)
{
	u64 h1, h2;
	u32 rem;

	if (WARN_ON_ONCE(id_len > MAGLEV_ID_MAX))
		id_len = MAGLEV_ID_MAX;
	if (m < 2) {
		perm->offset = 0;
		perm->skip = 1;
		return;
	}
	h1 = maglev_id_hash(seed, MAGLEV_TAG_OFFSET, id, id_len);
	h2 = maglev_id_hash(seed, MAGLEV_TAG_SKIP, id, id_len);
	div_u64_rem(h1, m, &rem);
	perm->offset = rem;
	div_u64_rem(h2, m - 1, &rem);
	perm->skip = rem + 1;
}

/*
 * Scratch state of one fill, over the backends with a weight, in the order
 * they take turns. The cursor and skip are read on every claim and packed
 * densely; the rest is colder.
 */
struct maglev_fill {
	u16 *table;
	unsigned long *taken;
	u32 m;
	u32 n;		/* backends with a weight */
	u32 *next;	/* slot the backend tries next */
	u32 *skip;
	u32 *weight;
	u32 *credit;
	u32 *count;	/* slots claimed */
	u16 *owner;	/* value written to the table for the backend */
	u64 *heap;	/* weighted turns: (round << 16 | backend), min-heap */
	u32 few;	/* free slots below which the free list is scanned */
	u32 nfree;
	u32 *free;	/* the free slots, once there are few */
};

/* The inverse of @a modulo the prime @m, 0 < @a < @m. */
static u32 maglev_inverse(u32 a, u32 m)
{
	s64 t = 0, nt = 1, tmp;
	u32 r = m, nr = a, q, tr;

	while (nr) {
		q = r / nr;
		tmp = t - (s64)q * nt;
		t = nt;
		nt = tmp;
		tr = r - q * nr;
		r = nr;
		nr = tr;
	}
	return t < 0 ? t + m : t;
}

static void maglev_collect_free(struct maglev_fill *f)
{
	u32 c;

	f->nfree = 0;
	for_each_clear_bit(c, f->taken, f->m)
		f->free[f->nfree++] = c;
}

/*
 * Backend @i's first free preference, from few free slots: slot e is
 * (e - next) / skip steps (mod M) down the backend's permutation.
 */
static u32 maglev_first_free(struct maglev_fill *f, u32 i)
{
	u32 m = f->m, c = f->next[i];
	u32 inv = maglev_inverse(f->skip[i], m);
	u32 best = 0, bestd = U32_MAX;
	u32 k, d, e;

	for (k = 0; k < f->nfree; k++) {
		e = f->free[k];
		d = e >= c ? e - c : e + m - c;
		div_u64_rem((u64)d * inv, m, &d);
		if (d < bestd) {
			bestd = d;
			best = k;
		}
	}
	e = f->free[best];
	f->free[best] = f->free[--f->nfree];
	return e;
}

/*
 * The slot after @c in a permutation of step @s: c + s, less M if that
 * reaches M. With @d = s - M (mod 2^32), c + d is c + s - M when c + s >= M
 * and wraps around past c + s otherwise, so the smaller of the two is the
 * answer: an add, a lea, a compare and a conditional move, without
 * reading M (c + s < 2M < 2^32).
 */
static __always_inline u32 maglev_step(u32 c, u32 s, u32 d)
{
	return min(c + s, c + d);
}

/*
 * The first slot from @c on in a permutation of step @s (@d = s - M) that
 * is not taken, which is then marked taken. The probe loop keeps nothing
 * but @c: the taken word's address and the bit are computed again after
 * it, as otherwise gcc would carry them through every probe.
 */
static __always_inline u32 maglev_probe(unsigned long *taken, u32 c, u32 s,
					u32 d)
{
	unsigned long w;

	for (;;) {
		w = taken[BIT_WORD(c)];
		if (!(w & BIT_MASK(c)))
			break;
		c = maglev_step(c, s, d);
	}
	OPTIMIZER_HIDE_VAR(c);
	taken[BIT_WORD(c)] = w | BIT_MASK(c);
	return c;
}

/* Backend @i claims its next preferred free slot; @left slots are free. */
static __always_inline void maglev_claim(struct maglev_fill *f, u32 i,
					 u32 left)
{
	u32 skip = f->skip[i], d = skip - f->m;
	u32 c = f->next[i];

	if (likely(left > f->few)) {
		c = maglev_probe(f->taken, c, skip, d);
	} else {
		if (left == f->few)
			maglev_collect_free(f);
		c = maglev_first_free(f, i);
	}
	f->table[c] = f->owner[i];
	f->count[i]++;
	f->next[i] = maglev_step(c, skip, d);
}

/*
 * Backends take turns in rounds. In each round a backend earns its weight in
 * credit and claims a slot only when its credit reaches the largest weight,
 * which then is spent; as no weight exceeds the largest, that is at most one
 * claim per round.
 */
static void maglev_fill_rounds(struct maglev_fill *f, u32 wmax)
{
	u32 left = f->m;
	u32 i;

	for (i = 0; i < f->n; i++)
		f->credit[i] = 0;
	for (;;) {
		for (i = 0; i < f->n; i++) {
			f->credit[i] += f->weight[i];
			if (f->credit[i] < wmax)
				continue;
			f->credit[i] -= wmax;
			maglev_claim(f, i, left);
			if (!--left)
				return;
			if (!(left & MAGLEV_RESCHED_MASK))
				cond_resched();
		}
	}
}

/* maglev_claim() while more than few slots are free, for the loop below. */
static __always_inline void maglev_claim_probe(unsigned long *taken,
					       u16 *table, u32 *next,
					       const u32 *skip,
					       const u16 *owner, u32 m, u32 i)
{
	u32 s = skip[i], d = s - m;
	u32 c = maglev_probe(taken, next[i], s, d);

	table[c] = owner[i];
	next[i] = maglev_step(c, s, d);
}

/*
 * Equal weights: every backend claims once per round, in order; the paper's
 * round robin, and the common case. The same claims as maglev_claim() in
 * maglev_fill_rounds(), with what costs per claim and not per probe taken
 * out of the loop: the arrays and bounds sit in locals (the kernel builds
 * without strict aliasing, so every store to the table would otherwise
 * reload them from @f), whole rounds run as a plain loop over the
 * backends, the probing and the free-slot phases are separate loops,
 * rescheduling is checked between rounds, and the slots a backend got
 * follow from its position: backend i of n claims M / n slots, one more
 * if i < M mod n.
 */
static noinline void maglev_fill_equal(struct maglev_fill *f)
{
	unsigned long *taken = f->taken;
	const u16 *owner = f->owner;
	const u32 *skip = f->skip;
	u16 *table = f->table;
	u32 *next = f->next;
	u32 m = f->m, n = f->n, few = f->few;
	u32 left = m, i, budget = 0;

	/* Whole rounds while they leave more than few slots free. */
	while (left - few >= n) {
		for (i = 0; i < n; i++)
			maglev_claim_probe(taken, table, next, skip, owner, m, i);
		left -= n;
		budget += n;
		if (budget > MAGLEV_RESCHED_MASK) {
			budget = 0;
			cond_resched();
		}
	}
	/* A partial round down to few free slots, then the free-slot scan. */
	for (i = 0; left > few; i++, left--)
		maglev_claim_probe(taken, table, next, skip, owner, m, i);
	if (left)
		maglev_collect_free(f);
	for (; left; left--, i++) {
		u32 c;

		if (i == n)
			i = 0;
		c = maglev_first_free(f, i);
		table[c] = owner[i];
		c += skip[i];
		if (c >= m)
			c -= m;
		next[i] = c;
	}
	for (i = 0; i < n; i++)
		f->count[i] = m / n + (i < m % n);
}

/*
 * The same rounds, when most backends would not claim in most rounds (one
 * backend of weight 65535 among thousands of weight 1) and visiting every
 * backend every round would be slow: the turns come from a min-heap keyed by
 * (round of the next claim, position), which yields the rounds' order.
 */
static u64 maglev_turn_key(struct maglev_fill *f, u32 i, u64 round, u32 wmax)
{
	u32 w = f->weight[i];
	u32 k = (wmax - f->credit[i] + w - 1) / w;	/* rounds to wait */

	f->credit[i] = f->credit[i] + k * w - wmax;
	return (round + k) << 16 | i;
}

static void maglev_heap_sift_down(u64 *heap, u32 n, u32 pos)
{
	u64 key = heap[pos];
	u32 child;

	while ((child = 2 * pos + 1) < n) {
		if (child + 1 < n && heap[child + 1] < heap[child])
			child++;
		if (key <= heap[child])
			break;
		heap[pos] = heap[child];
		pos = child;
	}
	heap[pos] = key;
}

static void maglev_fill_weighted(struct maglev_fill *f, u32 wmax)
{
	u64 *heap = f->heap;
	u32 left = f->m;
	u32 i;

	for (i = 0; i < f->n; i++) {
		f->credit[i] = 0;
		heap[i] = maglev_turn_key(f, i, 0, wmax);
	}
	for (i = f->n / 2; i-- > 0; )
		maglev_heap_sift_down(heap, f->n, i);

	for (;;) {
		u64 top = heap[0];

		i = top & 0xffff;
		maglev_claim(f, i, left);
		if (!--left)
			return;
		if (!(left & MAGLEV_RESCHED_MASK))
			cond_resched();
		heap[0] = maglev_turn_key(f, i, top >> 16, wmax);
		maglev_heap_sift_down(heap, f->n, 0);
	}
}

/*
 * The fill behind maglev_table_fill() and maglev_table_build(): backend i
 * takes turns in array order and is written to the table as @owner[i] (as i
 * when @owner is NULL).
 */
static int maglev_fill(u16 *table, u32 m, const struct maglev_perm *perm,
		       const u32 *weight, const u16 *owner, u32 n, u32 *slots)
{
	struct maglev_fill f = { .table = table, .m = m };
	bool equal = true;
	u64 wsum = 0;
	u32 wmax = 0;
	u32 i, k;
	u32 *a;

	if (!maglev_is_prime(m) || n >= MAGLEV_SLOT_EMPTY)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (perm[i].offset >= m || !perm[i].skip || perm[i].skip >= m ||
		    weight[i] > MAGLEV_WEIGHT_MAX)
			return -EINVAL;
		if (!weight[i])
			continue;
		if (wmax && weight[i] != wmax)
			equal = false;
		wmax = max(wmax, weight[i]);
		wsum += weight[i];
		f.n++;
	}
	if (slots)
		memset(slots, 0, n * sizeof(*slots));
	if (!f.n) {
		for (i = 0; i < m; i++)
			table[i] = MAGLEV_SLOT_EMPTY;
		return 0;
	}

	f.few = int_sqrt(m / MAGLEV_FEW_COST);
	/* the bitmap, then the free list */
	f.taken = kvcalloc(BITS_TO_LONGS(m) +
			   DIV_ROUND_UP(f.few * sizeof(u32), sizeof(long)),
			   sizeof(unsigned long), GFP_KERNEL);
	/* next, skip, weight, credit, count (u32); heap (u64); owner (u16) */
	a = kvmalloc_array(f.n, 5 * sizeof(u32) + sizeof(u64) + sizeof(u16),
			   GFP_KERNEL);
	if (!f.taken || !a) {
		kvfree(f.taken);
		kvfree(a);
		return -ENOMEM;
	}
	f.heap = (u64 *)a;
	f.next = (u32 *)(f.heap + f.n);
	f.skip = f.next + f.n;
	f.weight = f.skip + f.n;
	f.credit = f.weight + f.n;
	f.count = f.credit + f.n;
	f.owner = (u16 *)(f.count + f.n);
	f.free = (u32 *)(f.taken + BITS_TO_LONGS(m));

	for (i = 0, k = 0; i < n; i++) {
		if (!weight[i])
			continue;
		f.next[k] = perm[i].offset;
		f.skip[k] = perm[i].skip;
		f.weight[k] = weight[i];
		f.count[k] = 0;
		f.owner[k] = owner ? owner[i] : i;
		k++;
	}

	/* Rounds if on average at least one backend in 8 claims per round. */
	if (equal)
		maglev_fill_equal(&f);
	else if (wsum * 8 >= (u64)wmax * f.n)
		maglev_fill_rounds(&f, wmax);
	else
		maglev_fill_weighted(&f, wmax);

	if (slots)
		for (i = 0, k = 0; i < n; i++)
			if (weight[i])
				slots[i] = f.count[k++];

	kvfree(a);
	kvfree(f.taken);
	return 0;
}

/**
 * maglev_table_fill - populate a lookup table from backends' permutations
 * @table: out: @m entries, each the index in @perm of the slot's backend, or
 *	MAGLEV_SLOT_EMPTY when no backend has a weight
 * @m: table size, a prime
 * @perm: the backends' permutations, each with offset < @m and
 *	1 <= skip < @m (a full cycle of the slots, as @m is prime)
 * @weight: the backends' weights, at most MAGLEV_WEIGHT_MAX; 0 means the
 *	backend gets no slot
 * @n: number of backends, fewer than MAGLEV_SLOT_EMPTY
 * @slots: out, may be NULL: number of slots each backend got
 *
 * Backends take turns in array order, each claiming the first slot in its
 * permutation not taken yet, until the table is full. A backend gets a turn
 * in a round when its accumulated weight reaches the largest weight, so
 * with equal weights every backend gets one turn per round: the paper's
 * Pseudocode 1, and every backend holds floor(M/N) or ceil(M/N) slots.
 * Otherwise a backend's slots differ from M * weight / sum(weights) by
 * less than 1 + weight / mean(weights): a backend has claimed
 * floor(rounds * weight / max(weights)) slots after some rounds.
 *
 * Context: process context; sleeps (GFP_KERNEL, cond_resched()).
 * Return: 0, -EINVAL for an @m that is not prime, a bad permutation or
 * weight or too many backends, or -ENOMEM.
 */
int maglev_table_fill(u16 *table, u32 m, const struct maglev_perm *perm,
		      const u32 *weight, u32 n, u32 *slots)
{
	might_sleep();
	return maglev_fill(table, m, perm, weight, NULL, n, slots);
}

/* The canonical turn order: by identity length, then identity bytes. */
static int maglev_be_cmp(const void *a, const void *b)
{
	const struct maglev_table_be *x = *(const struct maglev_table_be **)a;
	const struct maglev_table_be *y = *(const struct maglev_table_be **)b;
	int r;

	if (x->id_len != y->id_len)
		return x->id_len < y->id_len ? -1 : 1;
	r = memcmp(x->id, y->id, x->id_len);
	if (r)
		return r;
	/* Duplicate identities: keep the caller's order, deterministically. */
	return x < y ? -1 : x > y;
}

/**
 * maglev_table_build - populate a lookup table from backends' identities
 * @table: out: @m entries, each the index in @be of the slot's backend, or
 *	MAGLEV_SLOT_EMPTY when no backend has a weight
 * @m: table size, a prime
 * @seed: cluster-wide hash key (see maglev_perm_init())
 * @be: the backends; their @slots are set
 * @n: number of backends, fewer than MAGLEV_SLOT_EMPTY
 *
 * As maglev_table_fill(), with each backend's permutation computed from its
 * identity, and turns taken in order of identity (length, then bytes) rather
 * than in the order of @be: which backend owns each slot depends only on
 * @seed, @m and the set of (identity, weight) pairs.
 *
 * Context: process context; sleeps (GFP_KERNEL, cond_resched()).
 * Return: 0, -EINVAL (see maglev_table_fill(), or an identity longer than
 * 16 bytes) or -ENOMEM.
 */
int maglev_table_build(u16 *table, u32 m, const siphash_key_t *seed,
		       struct maglev_table_be *be, u32 n)
{
	const struct maglev_table_be **order;
	struct maglev_perm *perm;
	u32 *weight, *slots;
	u16 *owner;
	u32 i;
	int err;

	might_sleep();
	if (n >= MAGLEV_SLOT_EMPTY || !maglev_is_prime(m))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (be[i].id_len > MAGLEV_ID_MAX)
			return -EINVAL;
		be[i].slots = 0;
	}
	if (!n)
		return maglev_fill(table, m, NULL, NULL, NULL, 0, NULL);

	order = kvmalloc_array(n, sizeof(*order), GFP_KERNEL);
	perm = kvmalloc_array(n, sizeof(*perm), GFP_KERNEL);
	/* weight, slots (u32); owner (u16) */
	weight = kvmalloc_array(n, 2 * sizeof(u32) + sizeof(u16), GFP_KERNEL);
	if (!order || !perm || !weight) {
		err = -ENOMEM;
		goto out;
	}
	slots = weight + n;
	owner = (u16 *)(slots + n);

	for (i = 0; i < n; i++)
		order[i] = &be[i];
	sort(order, n, sizeof(*order), maglev_be_cmp, NULL);

	for (i = 0; i < n; i++) {
		const struct maglev_table_be *b = order[i];

		maglev_perm_init(&perm[i], seed, b->id, b->id_len, m);
		weight[i] = b->weight;
		owner[i] = b - be;
	}
	err = maglev_fill(table, m, perm, weight, owner, n, slots);
	if (!err)
		for (i = 0; i < n; i++)
			be[owner[i]].slots = slots[i];
out:
	kvfree(weight);
	kvfree(perm);
	kvfree(order);
	return err;
}
