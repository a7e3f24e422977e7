/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rejects for services without backends, as kube-proxy does: a TCP RST for TCP, an ICMP port
 * unreachable for UDP. The answer is built in place of the client's packet: the headers we need
 * are copied to the stack first, the frame is resized at its tail (headers stay at the front),
 * then the new headers are stored from offset 0 with checksums computed from scratch. The entry
 * point swaps the MACs and sends the frame back where it came from: into the pod (TC) or out of
 * the node interface (XDP_TX). Shared by both through ctx.h.
 *
 * The skb keeps its ip_summed: a CHECKSUM_PARTIAL skb from the pod stays "partial", which the
 * receiving pod treats as verified, so the computed checksums are only seen by capture tools.
 */
#ifndef FERRY_REJECT_H
#define FERRY_REJECT_H

#include <stdbool.h>
#include "csum.h"
#include "ctx.h"

#define IP_DF      0x4000
#define REJECT_TTL 64
/* The code of ICMP_DEST_UNREACH (parse.h) for a port nobody serves. */
#define ICMP_PORT_UNREACH 3

struct icmp_err_hdr {
	__u8  type;
	__u8  code;
	__u16 checksum;
	__u32 unused;
};

/* Quoted by ICMP errors: the offending IPv4 header with options plus 8 bytes of L4. */
#define ICMP_QUOTE_MAX (IPV4_MAX_HLEN + 8)

/* The IPv4 header of the answer: VIP -> client, no options, checksum filled in. */
static __always_inline void reject_ip_hdr(struct iphdr *ip, const struct pkt4 *p, __u8 proto,
					  __u16 l4_len, __u8 tos, __u16 frag_off)
{
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = tos;
	ip->tot_len = bpf_htons(sizeof(*ip) + l4_len);
	ip->id = 0;
	ip->frag_off = bpf_htons(frag_off);
	ip->ttl = REJECT_TTL;
	ip->protocol = proto;
	ip->check = 0;
	ip->saddr = p->daddr;
	ip->daddr = p->saddr;
	ip->check = csum_ipv4_hdr(ip);
}

/* Resizes the frame to Ethernet + ip + l4_len and stores ip and the L4 header. */
static __always_inline int reject_emit(ctx_t *ctx, struct iphdr *ip, void *l4,
				       __u32 l4_hdr_len, __u32 l4_len)
{
	if (ctx_set_len(ctx, ETH_HLEN + sizeof(*ip) + l4_len) < 0 ||
	    ctx_store_bytes(ctx, ETH_HLEN, ip, sizeof(*ip)) < 0 ||
	    ctx_store_bytes(ctx, ETH_HLEN + sizeof(*ip), l4, l4_hdr_len) < 0)
		return -REASON_DROP_REJECT_FAILED;
	return 0;
}

/* RST as Linux sends it: seq = their ack if ACK was set, else ACK of everything they sent. */
static __always_inline int reject_tcp_rst(ctx_t *ctx, const struct pkt4 *p)
{
	struct tcphdr in, th = {};
	struct iphdr ip;
	__u32 data_len = 0;

	if (ctx_load_bytes(ctx, p->l4_off, &in, sizeof(in)) < 0)
		return -REASON_DROP_REJECT_FAILED;
	th.source = in.dest;
	th.dest = in.source;
	th.doff = sizeof(th) / 4;
	th.rst = 1;
	if (in.ack) {
		th.seq = in.ack_seq;
	} else {
		if (p->tot_len > p->ihl * 4 + in.doff * 4)
			data_len = p->tot_len - p->ihl * 4 - in.doff * 4;
		th.ack_seq = bpf_htonl(bpf_ntohl(in.seq) + data_len + in.syn + in.fin);
		th.ack = 1;
	}
	reject_ip_hdr(&ip, p, IPPROTO_TCP, sizeof(th), 0, IP_DF);
	th.check = csum_fold(csum_add_bytes(&th, sizeof(th),
					    csum_pseudo_hdr(ip.saddr, ip.daddr, IPPROTO_TCP, sizeof(th))));
	return reject_emit(ctx, &ip, &th, sizeof(th), sizeof(th));
}

/* ICMP destination unreachable / port unreachable from the VIP, quoting the datagram's start. */
static __always_inline int reject_icmp_port_unreach(ctx_t *ctx, const struct pkt4 *p)
{
	struct icmp_err_hdr ic = { .type = ICMP_DEST_UNREACH, .code = ICMP_PORT_UNREACH };
	__u8 quote[ICMP_QUOTE_MAX] = {};
	/* 8..68 by construction: the variable-length helpers below need a bounded, non-zero size. */
	__u32 qlen = (p->ihl & 0xf) * 4 + 8;
	struct iphdr ip;
	__s64 sum;

	if (ctx_load_bytes(ctx, ETH_HLEN, quote, qlen) < 0)
		return -REASON_DROP_REJECT_FAILED;
	sum = csum_add_bytes(&ic, sizeof(ic), 0);
	ic.checksum = csum_fold(csum_add_bytes(quote, qlen, sum));
	/* tos 0xc0 = IPTOS_PREC_INTERNETCONTROL, as Linux marks its ICMP errors */
	reject_ip_hdr(&ip, p, IPPROTO_ICMP, sizeof(ic) + qlen, 0xc0, 0);
	if (reject_emit(ctx, &ip, &ic, sizeof(ic), sizeof(ic) + qlen) < 0 ||
	    ctx_store_bytes(ctx, ETH_HLEN + sizeof(ip) + sizeof(ic), quote, qlen) < 0)
		return -REASON_DROP_REJECT_FAILED;
	return 0;
}

/*
 * Answers the flow with a TCP RST or ICMP port unreachable and returns {@code reason} (a
 * REASON_REJECT_*) with *bounce set (send the frame back where it came from); the same reason
 * as a drop for packets that get no answer: RSTs (never answer a RST) and later fragments
 * (their first fragment was answered).
 */
static __always_inline int reject_flow(ctx_t *ctx, const struct pkt4 *p, int reason,
				       bool *bounce)
{
	int ret;

	if (p->frag == FRAG_LATER || (p->tcp_flags & TCPF_RST))
		return -reason;
	ret = p->proto == IPPROTO_TCP ? reject_tcp_rst(ctx, p) : reject_icmp_port_unreach(ctx, p);
	if (ret < 0)
		return ret;
	*bounce = true;
	return reason;
}

#endif /* FERRY_REJECT_H */
