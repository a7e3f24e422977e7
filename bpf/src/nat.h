/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Address/port rewriting of parsed packets: DNAT, reverse NAT, hairpin SNAT. */
#ifndef FERRY_NAT_H
#define FERRY_NAT_H

#include <stdbool.h>
#include "config.h"
#include "csum.h"

enum nat_side {
	NAT_SRC = 0,
	NAT_DST = 1,
};

/* The parsed packet follows a rewrite of one side. */
static __always_inline void nat_follow(struct pkt4 *p, enum nat_side side, __u32 addr, __u16 port)
{
	if (side == NAT_SRC) {
		p->saddr = addr;
		p->sport = port;
	} else {
		p->daddr = addr;
		p->dport = port;
	}
}

/* Rewrites one side's address and port, with checksums; p follows the packet. */
static __always_inline int nat_rewrite(struct __sk_buff *skb, struct pkt4 *p, enum nat_side side,
				       __u32 addr, __u16 port)
{
	__u32 old_addr = side == NAT_SRC ? p->saddr : p->daddr;
	__u16 old_port = side == NAT_SRC ? p->sport : p->dport;
	__u32 addr_off = ETH_HLEN + (side == NAT_SRC ? offsetof(struct iphdr, saddr)
						      : offsetof(struct iphdr, daddr));
	/* source port at L4 offset 0, destination port at 2: same for TCP and UDP */
	__u32 port_off = p->l4_off + (side == NAT_SRC ? 0 : sizeof(__u16));

	if (addr != old_addr) {
		if (csum_replace_addr(skb, p, old_addr, addr) < 0 ||
		    bpf_skb_store_bytes(skb, addr_off, &addr, sizeof(addr), 0) < 0)
			return -REASON_DROP_REWRITE_FAILED;
	}
	/* A later fragment has no L4 header: the first fragment's checksum covers its ports. */
	if (port != old_port && p->frag != FRAG_LATER) {
		if (csum_replace_port(skb, p, old_port, port) < 0 ||
		    bpf_skb_store_bytes(skb, port_off, &port, sizeof(port), 0) < 0)
			return -REASON_DROP_REWRITE_FAILED;
	}
	nat_follow(p, side, addr, port);
	return 0;
}

/* Source and destination MAC swapped, for a frame sent back into the pod it came from. */
static __always_inline int nat_swap_macs(struct __sk_buff *skb)
{
	__u8 macs[2 * ETH_ALEN];
	__u8 swapped[2 * ETH_ALEN];

	if (bpf_skb_load_bytes(skb, 0, macs, sizeof(macs)) < 0)
		return -1;
	__builtin_memcpy(swapped, macs + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(swapped + ETH_ALEN, macs, ETH_ALEN);
	return bpf_skb_store_bytes(skb, 0, swapped, sizeof(swapped), 0);
}

/*
 * Client -> VIP becomes client -> backend. Hairpin (the client is the backend): the source
 * becomes hairpin_addr, because the pod would drop a packet from its own address, and the frame
 * goes straight back into the pod (*back_to_pod), bypassing host routing and rp_filter.
 */
static __always_inline int nat_forward(struct __sk_buff *skb, struct pkt4 *p, __u32 addr,
				       __u16 port, bool hairpin, bool *back_to_pod)
{
	if (nat_rewrite(skb, p, NAT_DST, addr, port) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	if (!hairpin)
		return REASON_DNAT;
	if (nat_rewrite(skb, p, NAT_SRC, hairpin_addr, p->sport) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	*back_to_pod = true;
	return REASON_DNAT;
}

/* Backend -> client becomes VIP -> client; hairpin also restores the client's own address. */
static __always_inline int nat_reverse(struct __sk_buff *skb, struct pkt4 *p, __u32 vip,
				       __u16 vport, bool hairpin, __u32 client, bool *back_to_pod)
{
	if (nat_rewrite(skb, p, NAT_SRC, vip, vport) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	if (!hairpin)
		return REASON_REVNAT;
	if (nat_rewrite(skb, p, NAT_DST, client, p->dport) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	*back_to_pod = true;
	return REASON_REVNAT;
}

#endif /* FERRY_NAT_H */
