/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent's address bitmaps, asked before the lookups an address can not need: one word of
 * the bitmap is one cache line, where a hash lookup that misses costs the hash, the bucket and,
 * on a busy node, cache misses on both. frontend_addrs_v1 filters what XDP looks at,
 * svc_addrs_v1 what the pod veth programs look up (ferry_abi.h says what each holds). A bit
 * shared with another address only costs the lookups it would have saved.
 */
#ifndef FERRY_ADDR_FILTER_H
#define FERRY_ADDR_FILTER_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include "hash.h"

/*
 * Whether addr (be, as loaded from the packet) may be in the bitmap of words 64-bit words
 * followed by a "written" word: its bit is set, or the agent has not written the bitmap whole
 * yet (until then every address may be).
 */
static __always_inline bool addr_filter_may_hold(void *bitmap, __u32 words, __u32 addr)
{
	__u32 bit = mix32(addr) % (words * 64);
	__u32 word = bit / 64, written = words;
	__u64 *bits = bpf_map_lookup_elem(bitmap, &word);
	__u64 *complete = bpf_map_lookup_elem(bitmap, &written);

	return !complete || !*complete || !bits || (*bits >> (bit % 64)) & 1;
}

#endif /* FERRY_ADDR_FILTER_H */
