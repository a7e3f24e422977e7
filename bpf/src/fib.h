/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Forwarding the datapath does itself, past the kernel's input routing: translated NodePort
 * traffic carries a node address as its source, which input routing would drop as a martian.
 * The route comes from bpf_fib_lookup (XDP: through the next-hop cache, nexthops_v1); the TTL
 * is decremented as a router would.
 */
#ifndef FERRY_FIB_H
#define FERRY_FIB_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "config.h"
#include "hash.h"
#include "maps.h"
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

/*
 * XDP asks nexthops_v1 first: bpf_fib_lookup (FIB rules and table, the MTU, the neighbour
 * table) costs about 100 ns here, a third of an established NodePort frame, and its answer for
 * one destination hardly ever changes. An answer is reused for NEXTHOP_RECHECK_NS after
 * bpf_fib_lookup gave it, then asked for again: a changed route or neighbour MAC applies within
 * a second, and so does a route or resolved neighbour gone (frames drop, as they did at once
 * before). A frame longer than the route's MTU always asks bpf_fib_lookup, which refuses it.
 *
 * The cache is an array, not a hash map: the verifier inlines an array lookup, where a hash
 * map lookup is a call into the kernel (hashing, a bucket walk, a compare); with an LRU hash
 * map keyed by the route input, an established frame cost 25 ns more here. A slot holds the
 * route input it answers for, so two inputs sharing a slot only cost each other lookups. Per
 * CPU, so no CPU ever reads a slot another is rewriting.
 */
#define NEXTHOP_RECHECK_NS NSEC_PER_SEC

static __always_inline __u32 nexthop_slot(const struct nexthop *in)
{
	return mix32(in->daddr ^ rol32(in->saddr, 13) ^ rol32(in->in_ifindex, 26) ^ in->proto) &
	       (NEXTHOP_SLOTS - 1);
}

/*
 * The next hop of the frame p (as rewritten so far) entering on ctx's interface, into *out;
 * -1 when bpf_fib_lookup finds no usable one (no route, unresolved neighbour, too long).
 */
static __always_inline int fib_nexthop(struct xdp_md *ctx, const struct pkt4 *p, __u64 now,
				       struct nexthop *out)
{
	struct nexthop in = {
		.daddr = p->daddr,
		.saddr = p->saddr,
		.in_ifindex = ctx->ingress_ifindex,
		.proto = p->proto,
	};
	__u32 slot = nexthop_slot(&in);
	struct nexthop *known = bpf_map_lookup_elem(&nexthops_v1, &slot);
	struct bpf_fib_lookup fib;

	if (!known)
		return -1; /* never: the slot is inside the array */
	if (known->daddr == in.daddr && known->saddr == in.saddr && known->in_ifindex == in.in_ifindex &&
	    known->proto == in.proto && now - known->checked_ns < NEXTHOP_RECHECK_NS &&
	    p->tot_len <= known->mtu) {
		*out = *known;
		return 0;
	}
	if (fib_route(ctx, p, ctx->ingress_ifindex, &fib) != BPF_FIB_LKUP_RET_SUCCESS)
		return -1; /* the slot stays as it was: unused once a second old */
	*out = in;
	out->checked_ns = now;
	out->ifindex = fib.ifindex;
	out->mtu = fib.mtu_result;
	__builtin_memcpy(out->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(out->smac, fib.smac, ETH_ALEN);
	*known = *out;
	return 0;
}

#endif /* FERRY_FIB_H */
