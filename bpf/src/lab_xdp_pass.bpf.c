// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP_PASS, for the lab's switch ports (agent/.../lab/Lab.java), not for nodes. A veth flushes
 * the XDP_TX frames of its peer only when it runs an XDP program itself (veth_xdp_flush in
 * drivers/net/veth.c, 6.18): without one, frames that Ferry's XDP on a node's eth0 sends back
 * out wait in the port's ring until some other packet wakes it. A real NIC has no such quirk.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int lab_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
