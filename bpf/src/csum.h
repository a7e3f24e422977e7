/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * All checksum code of the datapath.
 *
 * XDP writes the frame directly and updates full checksums incrementally (RFC 1624):
 * csum_replace4/csum_replace2. A frame seen by XDP carries full checksums (a real NIC delivers
 * no CHECKSUM_PARTIAL; in the lab the sending veth has tx offload off).
 *
 * TC:
 * Rewrites use the skb helpers: bpf_l3_csum_replace for the IPv4 header, bpf_l4_csum_replace
 * with BPF_F_PSEUDO_HDR for addresses (correct for CHECKSUM_PARTIAL skbs from local veths, where
 * the L4 field holds only the pseudo-header sum) and without it for ports. UDP uses
 * BPF_F_MARK_MANGLED_0 so that a zero ("no checksum") UDP checksum stays zero.
 * Packets built from scratch (rejects) sum their bytes with bpf_csum_diff and fold.
 */
#ifndef FERRY_CSUM_H
#define FERRY_CSUM_H

#include <stddef.h>
#include "parse.h"

#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))

static __always_inline __u32 l4_csum_off(const struct pkt4 *p)
{
	return p->l4_off + (p->proto == IPPROTO_TCP ? offsetof(struct tcphdr, check)
						    : offsetof(struct udphdr, check));
}

static __always_inline __u64 l4_csum_flags(const struct pkt4 *p)
{
	return p->proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
}

/* An IPv4 address changes: IP header checksum, and the L4 pseudo header unless no L4 header. */
static __always_inline int csum_replace_addr(struct __sk_buff *skb, const struct pkt4 *p,
					     __u32 from, __u32 to)
{
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, from, to, sizeof(to)) < 0)
		return -1;
	if (p->frag == FRAG_LATER)
		return 0;
	return bpf_l4_csum_replace(skb, l4_csum_off(p), from, to,
				   BPF_F_PSEUDO_HDR | l4_csum_flags(p) | sizeof(to));
}

/* A TCP/UDP port changes (never called for later fragments: they carry no L4 header). */
static __always_inline int csum_replace_port(struct __sk_buff *skb, const struct pkt4 *p,
					     __u16 from, __u16 to)
{
	return bpf_l4_csum_replace(skb, l4_csum_off(p), from, to, l4_csum_flags(p) | sizeof(to));
}

static __always_inline __u32 csum_fold16(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

/* A 32-bit word covered by *check changes from `from` to `to`; all three as they sit in the frame. */
static __always_inline void csum_replace4(__u16 *check, __u32 from, __u32 to)
{
	__u32 s = (__u16)~*check;

	s += (__u16)~(from & 0xffff) + (__u16)~(from >> 16) + (to & 0xffff) + (to >> 16);
	*check = (__u16)~csum_fold16(s);
}

/* The same for a 16-bit word (a port, or the TTL/protocol word of the IPv4 header). */
static __always_inline void csum_replace2(__u16 *check, __u16 from, __u16 to)
{
	__u32 s = (__u16)~*check;

	s += (__u16)~from + to;
	*check = (__u16)~csum_fold16(s);
}

static __always_inline __u16 csum_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* Unfolded one's complement sum of len bytes (a multiple of 4) at buf, added to seed. */
static __always_inline __s64 csum_add_bytes(void *buf, __u32 len, __s64 seed)
{
	return bpf_csum_diff(NULL, 0, buf, len, (__u32)seed);
}

/* Header checksum of a 20-byte IPv4 header whose check field is 0. */
static __always_inline __u16 csum_ipv4_hdr(struct iphdr *ip)
{
	return csum_fold(csum_add_bytes(ip, sizeof(*ip), 0));
}

struct pseudo_hdr4 {
	__u32 saddr;
	__u32 daddr;
	__u8  zero;
	__u8  proto;
	__u16 len;        /* (be) L4 length */
};

/* TCP/UDP/ICMP-style seed: the IPv4 pseudo header sum, to be continued with csum_add_bytes. */
static __always_inline __s64 csum_pseudo_hdr(__u32 saddr, __u32 daddr, __u8 proto, __u16 l4_len)
{
	struct pseudo_hdr4 ph = {
		.saddr = saddr,
		.daddr = daddr,
		.proto = proto,
		.len = bpf_htons(l4_len),
	};

	return csum_add_bytes(&ph, sizeof(ph), 0);
}

#endif /* FERRY_CSUM_H */
