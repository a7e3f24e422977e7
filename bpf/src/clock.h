/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's clock, for deadlines and idle times in maps (conntrack, affinity, next hops):
 * CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns() and Java's System.nanoTime(), at tick
 * granularity (at most a tick late: 4 ms at HZ=250). Every timeout it measures is a second or
 * more. Deadlines written by older objects (bpf_ktime_get_ns, then bpf_ktime_get_coarse_ns)
 * compare alike: same clock, same origin.
 *
 * It is computed from jiffies, which the kernel advances in whole ticks in lockstep with
 * CLOCK_MONOTONIC (tick_do_update_jiffies64 in kernel/time/tick-sched.c moves
 * last_jiffies_update by TICK_NSEC per jiffy), so jiffies * TICK_NSEC + a constant is
 * CLOCK_MONOTONIC at the start of the current tick. For JITed programs on 64-bit kernels the
 * verifier inlines bpf_jiffies64() as one load of jiffies_64 (do_misc_fixups in
 * kernel/bpf/verifier.c), where bpf_ktime_get_coarse_ns() stays a helper call: about 20 ns of an
 * established XDP frame on this KVM guest, whose calls return through the SRSO safe-RET thunk.
 * BPF can not see HZ, so the agent measures TICK_NSEC and the constant before it loads the
 * datapath (config.h, clock_probe.bpf.c).
 */
#ifndef FERRY_CLOCK_H
#define FERRY_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "config.h"

static __always_inline __u64 datapath_now(void)
{
	/* A constant after load: the verifier drops the branch not taken, helper call and all. */
	if (!clock_tick_ns)
		return bpf_ktime_get_coarse_ns();
	return bpf_jiffies64() * clock_tick_ns + clock_offset_ns;
}

#endif /* FERRY_CLOCK_H */
