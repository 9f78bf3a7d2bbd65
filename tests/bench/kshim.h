/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's API for module/table.c to build in userspace:
 * types, bit operations, allocation (malloc), sort (qsort), and SipHash-2-4
 * as in lib/siphash.c (same key layout, same output for the same bytes).
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
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define max(a, b)		((a) > (b) ? (a) : (b))
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

typedef struct {
	u64 key[2];
} siphash_key_t;

static inline u64 rol64(u64 w, unsigned int s)
{
	return w << s | w >> (64 - s);
}

#define SIPROUND							\
	do {								\
		v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32); \
		v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32); \
	} while (0)

/* SipHash-2-4; message words and key words are little endian. */
static inline u64 siphash(const void *data, size_t len,
			  const siphash_key_t *key)
{
	const u8 *p = data, *end = p + (len & ~(size_t)7);
	u64 v0 = 0x736f6d6570736575ULL ^ key->key[0];
	u64 v1 = 0x646f72616e646f6dULL ^ key->key[1];
	u64 v2 = 0x6c7967656e657261ULL ^ key->key[0];
	u64 v3 = 0x7465646279746573ULL ^ key->key[1];
	u64 b = (u64)len << 56, m;
	int i;

	for (; p != end; p += 8) {
		for (m = 0, i = 7; i >= 0; i--)
			m = m << 8 | p[i];
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < (int)(len & 7); i++)
		b |= (u64)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND;
	return (v0 ^ v1) ^ (v2 ^ v3);
}

#endif /* _MAGLEV_KSHIM_H */
