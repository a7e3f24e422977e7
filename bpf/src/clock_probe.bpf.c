// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The agent's measurement of the datapath's clock (clock.h), run through BPF_PROG_TEST_RUN
 * before the datapath loads (ClockProbe.java): each run overwrites the start of its test frame
 * with a struct clock_sample, jiffies and then CLOCK_MONOTONIC. Samples over a tenth of a second
 * give the tick length (HZ is not visible to BPF); the run read closest after a tick began gives
 * the offset between jiffies * TICK_NSEC and CLOCK_MONOTONIC. XDP only because its test runs
 * hand the frame back; the program never sees a real packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ferry_abi.h"

/*
 * Jiffies first: the clock read after them can only be at or after the start of the tick they
 * count. Not inlined, so that struct clock_sample is in the object's BTF (clang describes the
 * types of functions, not of local variables) for AbiLayoutTest to check.
 */
static __noinline void clock_sample_read(struct clock_sample *sample)
{
	sample->jiffies = bpf_jiffies64();
	sample->monotonic_ns = bpf_ktime_get_ns();
}

SEC("xdp")
int clock_probe(struct xdp_md *ctx)
{
	struct clock_sample *sample = (void *)(long)ctx->data;

	if ((void *)(sample + 1) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	clock_sample_read(sample);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
