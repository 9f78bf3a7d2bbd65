// SPDX-License-Identifier: GPL-2.0
/*
 * SipHash-2-4 and hsiphash for the native benchmarks, written after
 * lib/siphash.c as x86-64 builds it: 64-bit words read unaligned
 * (CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS), and hsiphash is SipHash-1-3
 * on 64-bit. The tail bytes are read with the generic switch rather than
 * load_unaligned_zeropad() (CONFIG_DCACHE_WORD_ACCESS), which may read
 * past the buffer: a few instructions more per call than the kernel's.
 */
#include "../kshim.h"

/*
 * Not kshim.h's rol64() (linux/bitops.h's, masked shifts): with this one
 * gcc emits 5 more instructions per hsiphash_4u32(), which the recorded
 * figures of conn.c include; kept so that they stay comparable.
 */
static inline u64 sip_rol64(u64 w, unsigned int s)
{
	return w << s | w >> (64 - s);
}

#define srol(w, s) sip_rol64(w, s)

static inline u64 get_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, 8);	/* little endian host */
	return v;
}

static inline u32 get_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static inline u16 get_le16(const void *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

#define SIPROUND							\
	do {								\
		v0 += v1; v1 = srol(v1, 13); v1 ^= v0; v0 = srol(v0, 32); \
		v2 += v3; v3 = srol(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = srol(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = srol(v1, 17); v1 ^= v2; v2 = srol(v2, 32); \
	} while (0)

#define PREAMBLE(len)							\
	u64 v0 = 0x736f6d6570736575ULL;					\
	u64 v1 = 0x646f72616e646f6dULL;					\
	u64 v2 = 0x6c7967656e657261ULL;					\
	u64 v3 = 0x7465646279746573ULL;					\
	u64 b = ((u64)(len)) << 56;					\
	v3 ^= key->key[1];						\
	v2 ^= key->key[0];						\
	v1 ^= key->key[1];						\
	v0 ^= key->key[0];

#define POSTAMBLE							\
	v3 ^= b;							\
	SIPROUND;							\
	SIPROUND;							\
	v0 ^= b;							\
	v2 ^= 0xff;							\
	SIPROUND;							\
	SIPROUND;							\
	SIPROUND;							\
	SIPROUND;							\
	return (v0 ^ v1) ^ (v2 ^ v3);

#define HPOSTAMBLE							\
	v3 ^= b;							\
	SIPROUND;							\
	v0 ^= b;							\
	v2 ^= 0xff;							\
	SIPROUND;							\
	SIPROUND;							\
	SIPROUND;							\
	return (v0 ^ v1) ^ (v2 ^ v3);

#define TAIL								\
	switch (left) {							\
	case 7: b |= ((u64)end[6]) << 48; /* fallthrough */		\
	case 6: b |= ((u64)end[5]) << 40; /* fallthrough */		\
	case 5: b |= ((u64)end[4]) << 32; /* fallthrough */		\
	case 4: b |= get_le32(end); break;				\
	case 3: b |= ((u64)end[2]) << 16; /* fallthrough */		\
	case 2: b |= get_le16(end); break;				\
	case 1: b |= end[0];						\
	}

#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"

u64 __siphash_unaligned(const void *data, size_t len,
			const siphash_key_t *key)
{
	const u8 *p = data, *end = p + len - (len % sizeof(u64));
	const u8 left = len & (sizeof(u64) - 1);
	u64 m;
	PREAMBLE(len)
	for (; p != end; p += sizeof(u64)) {
		m = get_le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	TAIL
	POSTAMBLE
}

u64 siphash_1u64(u64 first, const siphash_key_t *key)
{
	PREAMBLE(8)
	v3 ^= first;
	SIPROUND;
	SIPROUND;
	v0 ^= first;
	POSTAMBLE
}

u64 siphash_2u64(u64 first, u64 second, const siphash_key_t *key)
{
	PREAMBLE(16)
	v3 ^= first;
	SIPROUND;
	SIPROUND;
	v0 ^= first;
	v3 ^= second;
	SIPROUND;
	SIPROUND;
	v0 ^= second;
	POSTAMBLE
}

u64 siphash_1u32(u32 first, const siphash_key_t *key)
{
	PREAMBLE(4)
	b |= first;
	POSTAMBLE
}

u64 siphash_3u32(u32 first, u32 second, u32 third, const siphash_key_t *key)
{
	u64 combined = (u64)second << 32 | first;
	PREAMBLE(12)
	v3 ^= combined;
	SIPROUND;
	SIPROUND;
	v0 ^= combined;
	b |= third;
	POSTAMBLE
}

u32 __hsiphash_unaligned(const void *data, size_t len,
			 const hsiphash_key_t *key)
{
	const u8 *p = data, *end = p + len - (len % sizeof(u64));
	const u8 left = len & (sizeof(u64) - 1);
	u64 m;
	PREAMBLE(len)
	for (; p != end; p += sizeof(u64)) {
		m = get_le64(p);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	TAIL
	HPOSTAMBLE
}

u32 hsiphash_1u32(u32 first, const hsiphash_key_t *key)
{
	PREAMBLE(4)
	b |= first;
	HPOSTAMBLE
}

u32 hsiphash_2u32(u32 first, u32 second, const hsiphash_key_t *key)
{
	u64 combined = (u64)second << 32 | first;
	PREAMBLE(8)
	v3 ^= combined;
	SIPROUND;
	v0 ^= combined;
	HPOSTAMBLE
}

u32 hsiphash_3u32(u32 first, u32 second, u32 third,
		  const hsiphash_key_t *key)
{
	u64 combined = (u64)second << 32 | first;
	PREAMBLE(12)
	v3 ^= combined;
	SIPROUND;
	v0 ^= combined;
	b |= third;
	HPOSTAMBLE
}

u32 hsiphash_4u32(u32 first, u32 second, u32 third, u32 forth,
		  const hsiphash_key_t *key)
{
	u64 combined = (u64)second << 32 | first;
	PREAMBLE(16)
	v3 ^= combined;
	SIPROUND;
	v0 ^= combined;
	combined = (u64)forth << 32 | third;
	v3 ^= combined;
	SIPROUND;
	v0 ^= combined;
	HPOSTAMBLE
}
