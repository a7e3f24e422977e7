/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rewriting XDP frames in place: addresses, ports, TTL and MACs, with incremental checksum
 * updates (csum.h). The TC side does the same through skb helpers (nat.h), because skbs may
 * carry partial checksums and XDP frames never do.
 */
#ifndef FERRY_XDP_NAT_H
#define FERRY_XDP_NAT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ferry_abi.h"
#include "csum.h"
#include "nat.h"
#include "parse.h"

/* Rewrites one side's address and port; p follows the frame. */
static __always_inline int xnat_rewrite(struct xdp_md *ctx, struct pkt4 *p, enum nat_side side,
					__u32 addr, __u16 port)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u32 old_addr = side == NAT_SRC ? p->saddr : p->daddr;
	__u16 old_port = side == NAT_SRC ? p->sport : p->dport;
	__u16 *l4_check, *l4_port;
	void *l4;

	if ((void *)(ip + 1) > data_end)
		return -REASON_DROP_REWRITE_FAILED;
	csum_replace4(&ip->check, old_addr, addr);
	if (side == NAT_SRC)
		ip->saddr = addr;
	else
		ip->daddr = addr;
	nat_follow(p, side, addr, port);
	/* A later fragment has no L4 header: the first fragment's checksum covers its ports. */
	if (p->frag == FRAG_LATER)
		return 0;
	/*
	 * Always true after parsing; it tells the verifier (6.18) that the offset is small, or it
	 * will not learn the packet range from the bounds checks below (off + 0xffff > 64 KiB).
	 */
	if (p->l4_off > ETH_HLEN + IPV4_MAX_HLEN)
		return -REASON_DROP_REWRITE_FAILED;
	l4 = data + p->l4_off;
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return -REASON_DROP_REWRITE_FAILED;
		l4_check = &th->check;
		l4_port = side == NAT_SRC ? &th->source : &th->dest;
	} else {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return -REASON_DROP_REWRITE_FAILED;
		l4_check = uh->check ? &uh->check : NULL; /* no UDP checksum stays none */
		l4_port = side == NAT_SRC ? &uh->source : &uh->dest;
	}
	if (l4_check) {
		csum_replace4(l4_check, old_addr, addr); /* the pseudo header */
		csum_replace2(l4_check, old_port, port);
		if (p->proto == IPPROTO_UDP && !*l4_check)
			*l4_check = 0xffff; /* 0 would mean "no checksum" */
	}
	*l4_port = port;
	return 0;
}

/*
 * A frame XDP sends on itself (XDP_TX or redirect): the next hop's MAC and the MAC of the
 * interface it leaves through, and the TTL decremented as a router would; a frame without a
 * hop left is dropped.
 */
static __always_inline int xnat_route(struct xdp_md *ctx, const __u8 *dmac, const __u8 *smac)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + ETH_HLEN;
	__u16 *ttl_word = (__u16 *)&ip->ttl;
	__u16 old_word;

	if ((void *)(ip + 1) > data_end)
		return -REASON_DROP_REWRITE_FAILED;
	if (ip->ttl <= 1)
		return -REASON_DROP_TTL_EXCEEDED;
	/* The TTL shares a 16-bit word with the protocol; the header checksum covers it. */
	old_word = *ttl_word;
	ip->ttl -= 1;
	csum_replace2(&ip->check, old_word, *ttl_word);
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	return 0;
}

/*
 * Routes the frame (xnat_route) and sends it out of ifindex: XDP_TX when that is the interface
 * it came in on, a redirect otherwise.
 */
static __always_inline int xnat_send_on(struct xdp_md *ctx, __u32 ifindex, const __u8 *dmac,
					const __u8 *smac, int *action)
{
	int ret = xnat_route(ctx, dmac, smac);

	if (ret < 0)
		return ret;
	*action = ifindex == ctx->ingress_ifindex ? XDP_TX : bpf_redirect(ifindex, 0);
	return 0;
}

/* Source and destination MAC swapped: a reject goes back out where the request came in. */
static __always_inline int xnat_swap_macs(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return 0;
}

#endif /* FERRY_XDP_NAT_H */
