// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * For bench/ only: from_pod's code, maps and configuration exactly (this file includes
 * tc_pod.bpf.c), run in BPF_PROG_TEST_RUN's repeat loop on a fresh frame each repetition
 * (bench_frame.h). The bench loads it with the datapath's settings and pins, so it reads and
 * writes the maps the agent programmed.
 */
#include "tc_pod.bpf.c"
#include "bench_frame.h"

/* Restore the frame, vary the flow, then from_pod's whole path. */
SEC("tc")
int bench_from_pod(struct __sk_buff *skb)
{
	if (bench_restore((void *)(long)skb->data, (void *)(long)skb->data_end) < 0)
		return TC_ACT_SHOT;
	return pod_datapath(skb, true);
}

/* Restore and vary only: the harness's own cost, subtracted from bench_from_pod's. */
SEC("tc")
int bench_restore_tc(struct __sk_buff *skb)
{
	if (bench_restore((void *)(long)skb->data, (void *)(long)skb->data_end) < 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
