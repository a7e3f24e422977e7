/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's clock, for deadlines and idle times in maps (conntrack, affinity, next hops):
 * CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(), as of the last tick (at most a tick late:
 * 4 ms at HZ=250). Every timeout it measures is a second or more. It costs no clocksource read,
 * which bpf_ktime_get_ns() makes per packet: an indirect call (a retpoline here) and a
 * serializing rdtsc, about 15 ns of an established frame measured in a KVM guest. Deadlines
 * written by older objects with bpf_ktime_get_ns() compare alike: same clock, same origin.
 */
#ifndef FERRY_CLOCK_H
#define FERRY_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u64 datapath_now(void)
{
	return bpf_ktime_get_coarse_ns();
}

#endif /* FERRY_CLOCK_H */
