/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-reason accounting; called once per packet by an entry point, nowhere else. */
#ifndef FERRY_COUNTERS_H
#define FERRY_COUNTERS_H

#include "maps.h"

static __always_inline void count_packet(__u32 reason, __u32 len)
{
	struct counter *c = bpf_map_lookup_elem(&counters_v1, &reason);

	if (c) {
		c->packets += 1;
		c->bytes += len;
	}
}

#endif /* FERRY_COUNTERS_H */
