// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * For bench/ only: from_node's code, maps and configuration exactly (this file includes
 * xdp_node.bpf.c), run in BPF_PROG_TEST_RUN's repeat loop on a fresh frame each repetition
 * (bench_frame.h). The bench loads it with the datapath's settings and pins, so it reads and
 * writes the maps the agent programmed.
 */
#include "xdp_node.bpf.c"
#include "bench_frame.h"

/* Restore the frame, vary the flow, then from_node's whole path. */
SEC("xdp")
int bench_from_node(struct xdp_md *ctx)
{
	if (bench_restore((void *)(long)ctx->data, (void *)(long)ctx->data_end) < 0)
		return XDP_ABORTED;
	return handle_from_node(ctx);
}

/* Restore and vary only: the harness's own cost, subtracted from bench_from_node's. */
SEC("xdp")
int bench_restore_xdp(struct xdp_md *ctx)
{
	if (bench_restore((void *)(long)ctx->data, (void *)(long)ctx->data_end) < 0)
		return XDP_ABORTED;
	return XDP_PASS;
}
