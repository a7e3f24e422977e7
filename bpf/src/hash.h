/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Jenkins' lookup3 hash of up to three words, as the kernel's jhash_3words: the flow hash that
 * indexes Maglev tables. Every node runs the same code with the same seed, so every node hashes
 * a flow to the same table entry. And mix32, the cheaper hash of the per-CPU caches' slots.
 */
#ifndef FERRY_HASH_H
#define FERRY_HASH_H

#include <linux/types.h>

#define JHASH_INITVAL 0xdeadbeef

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

static __always_inline __u32 jhash_3words(__u32 a, __u32 b, __u32 c, __u32 seed)
{
	__u32 init = seed + JHASH_INITVAL + (3 << 2);

	a += init;
	b += init;
	c += init;
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/*
 * murmur3's 32-bit finaliser: every bit of h reaches every bit of the result, so the low bits a
 * direct-mapped cache takes its slot from depend on all of h. (A multiply alone only carries
 * bits upwards: addresses that differ in their last octet, the top byte of a big-endian word
 * loaded on x86, would all share a few slots.)
 */
static __always_inline __u32 mix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

#endif /* FERRY_HASH_H */
