/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Forwarding the datapath does itself, past the kernel's input routing: translated NodePort
 * traffic carries a node address as its source, which input routing would drop as a martian.
 * The route comes from bpf_fib_lookup; the TTL is decremented as a router would.
 */
#ifndef FERRY_FIB_H
#define FERRY_FIB_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"

#ifndef AF_INET
#define AF_INET 2
#endif

/* The route for p (as rewritten so far) entering on in_ifindex; returns BPF_FIB_LKUP_RET_*. */
static __always_inline int fib_route(void *ctx, const struct pkt4 *p, __u32 in_ifindex,
				     struct bpf_fib_lookup *fib)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = AF_INET;
	fib->l4_protocol = p->proto;
	fib->tot_len = p->tot_len;
	fib->ifindex = in_ifindex;
	fib->ipv4_src = p->saddr;
	fib->ipv4_dst = p->daddr;
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

#endif /* FERRY_FIB_H */
