/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's API for module/table.c to build in userspace:
 * types, bit operations, allocation (malloc), sort (qsort), and SipHash-2-4
 * as in lib/siphash.c (same key layout, same output for the same bytes;
 * kshim/lib.c, linked in). With KSHIM_PKT defined, kshim_pkt.h adds what
 * parse.c, conn.c and conn_sweep.c need (tests/bench/callgrind-bench).
 */
#ifndef _MAGLEV_KSHIM_H
#define _MAGLEV_KSHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define U32_MAX			UINT32_MAX
#define GFP_KERNEL		0
#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define OPTIMIZER_HIDE_VAR(var)	__asm__ ("" : "=r" (var) : "0" (var))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define might_sleep()		do { } while (0)
#define cond_resched()		do { } while (0)
#define WARN_ON_ONCE(c)							\
	({ bool __c = !!(c);						\
	   if (unlikely(__c))						\
		fputs("WARNING: " #c "\n", stderr);			\
	   __c; })

#define kvcalloc(n, size, gfp)		calloc(n, size)
#define kvmalloc_array(n, size, gfp)	malloc((size_t)(n) * (size))
#define kvfree(p)			free(p)

#define BITS_PER_LONG		(8 * sizeof(long))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BITS_TO_LONGS(nr)	DIV_ROUND_UP(nr, BITS_PER_LONG)

/* A word at a time, as the kernel's. */
static inline unsigned long find_next_zero_bit(const unsigned long *addr,
					       unsigned long size,
					       unsigned long bit)
{
	unsigned long w;

	for (; bit < size; bit = (BIT_WORD(bit) + 1) * BITS_PER_LONG) {
		w = ~addr[BIT_WORD(bit)] & (~0UL << (bit % BITS_PER_LONG));
		if (w) {
			bit = BIT_WORD(bit) * BITS_PER_LONG + __builtin_ctzl(w);
			return bit < size ? bit : size;
		}
	}
	return size;
}

#define for_each_clear_bit(bit, addr, size)				\
	for ((bit) = find_next_zero_bit(addr, size, 0); (bit) < (size);	\
	     (bit) = find_next_zero_bit(addr, size, (bit) + 1))

static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}

#define sort(base, num, size, cmp, swap)	qsort(base, num, size, cmp)

static inline unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/*
 * SipHash-2-4 and hsiphash as lib/siphash.c computes them on x86-64
 * (64-bit words, efficient unaligned access; hsiphash is SipHash-1-3
 * there): out of line in kshim/lib.c, as the kernel's are exported.
 */
typedef struct {
	u64 key[2];
} siphash_key_t;

static inline u64 rol64(u64 word, unsigned int shift)
{
	return word << (shift & 63) | word >> ((-shift) & 63);
}

/* linux/siphash.h's raw permutation and constants (module/lookup.c). */
#define SIPHASH_PERMUTATION(a, b, c, d) ( \
	(a) += (b), (b) = rol64((b), 13), (b) ^= (a), (a) = rol64((a), 32), \
	(c) += (d), (d) = rol64((d), 16), (d) ^= (c), \
	(a) += (d), (d) = rol64((d), 21), (d) ^= (a), \
	(c) += (b), (b) = rol64((b), 17), (b) ^= (c), (c) = rol64((c), 32))

#define SIPHASH_CONST_0 0x736f6d6570736575ULL
#define SIPHASH_CONST_1 0x646f72616e646f6dULL
#define SIPHASH_CONST_2 0x6c7967656e657261ULL
#define SIPHASH_CONST_3 0x7465646279746573ULL

typedef struct {
	unsigned long key[2];
} hsiphash_key_t;

u64 __siphash_unaligned(const void *data, size_t len,
			const siphash_key_t *key);
u64 siphash_1u64(u64 a, const siphash_key_t *key);
u64 siphash_2u64(u64 a, u64 b, const siphash_key_t *key);
u64 siphash_1u32(u32 a, const siphash_key_t *key);
u64 siphash_3u32(u32 a, u32 b, u32 c, const siphash_key_t *key);
u32 __hsiphash_unaligned(const void *data, size_t len,
			 const hsiphash_key_t *key);
u32 hsiphash_1u32(u32 a, const hsiphash_key_t *key);
u32 hsiphash_2u32(u32 a, u32 b, const hsiphash_key_t *key);
u32 hsiphash_3u32(u32 a, u32 b, u32 c, const hsiphash_key_t *key);
u32 hsiphash_4u32(u32 a, u32 b, u32 c, u32 d, const hsiphash_key_t *key);

static inline u64 siphash_2u32(u32 a, u32 b, const siphash_key_t *key)
{
	return siphash_1u64((u64)b << 32 | a, key);
}

static inline u64 siphash_4u32(u32 a, u32 b, u32 c, u32 d,
			       const siphash_key_t *key)
{
	return siphash_2u64((u64)b << 32 | a, (u64)d << 32 | c, key);
}

/* x86 has CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS: always the unaligned. */
static inline u64 siphash(const void *data, size_t len,
			  const siphash_key_t *key)
{
	return __siphash_unaligned(data, len, key);
}

static inline u32 hsiphash(const void *data, size_t len,
			   const hsiphash_key_t *key)
{
	return __hsiphash_unaligned(data, len, key);
}

#ifdef KSHIM_PKT
#include "kshim_pkt.h"
#endif

#endif /* _MAGLEV_KSHIM_H */
