/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-reason accounting; called once per packet by an entry point, nowhere else. */
#ifndef FERRY_COUNTERS_H
#define FERRY_COUNTERS_H

#include "maps.h"

/*
 * BTF only carries types that something has; nothing else has type enum ferry_reason, so this
 * read-only global anchors it. The agent's ABI check and bpftool's pretty-printer read the enum
 * from the object's BTF. Never read at run time.
 */
const volatile enum ferry_reason ferry_reason_btf = REASON_PASS;

static __always_inline void count_packet(__u32 reason, __u32 len)
{
	struct counter *c = bpf_map_lookup_elem(&counters_v1, &reason);

	if (c) {
		c->packets += 1;
		c->bytes += len;
	}
}

#endif /* FERRY_COUNTERS_H */
