// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Empty programs, for bench/ only: the floor that Ferry's per-packet cost is divided by. They
 * are run through BPF_PROG_TEST_RUN exactly as Ferry's programs are (same packets, same calls),
 * so what the kernel spends around any program, and its timer, is in both numbers alike.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int floor_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int floor_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
