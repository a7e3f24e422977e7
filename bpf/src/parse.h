/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Ethernet + IPv4 + TCP/UDP parsing into struct pkt4. Everything after parsing works on values
 * and offsets, never on packet pointers: every skb store/checksum helper invalidates them.
 */
#ifndef FERRY_PARSE_H
#define FERRY_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ferry_abi.h"

/* Steps return < 0 (a drop reason), STEP_NEXT (not decided, try the next step) or a reason. */
#define STEP_NEXT 0x100

#define IP_MF        0x2000
#define IP_OFFMASK   0x1fff
#define TCPF_FIN     0x01
#define TCPF_SYN     0x02
#define TCPF_RST     0x04
#define TCPF_ACK     0x10

#define IPV4_MAX_HLEN 60
/* Linear bytes wanted before parsing: Ethernet, IPv4 with options, a TCP header. */
#define PARSE_PULL_LEN (ETH_HLEN + IPV4_MAX_HLEN + sizeof(struct tcphdr))

enum frag_kind {
	FRAG_NONE  = 0,   /* not fragmented */
	FRAG_FIRST = 1,   /* MF set, offset 0: carries the L4 header */
	FRAG_LATER = 2,   /* offset > 0: no L4 header, ports come from frag_v1 */
};

struct pkt4 {
	__u32 saddr;      /* (be) */
	__u32 daddr;      /* (be) */
	__u16 sport;      /* (be) */
	__u16 dport;      /* (be) */
	__u16 ip_id;      /* (be) */
	__u16 tot_len;    /* (host) IPv4 total length */
	__u16 l4_off;     /* (host) offset of the L4 header from the start of the frame */
	__u8  ihl;        /* IPv4 header length in 32-bit words, 5..15 */
	__u8  proto;      /* IPPROTO_TCP or IPPROTO_UDP; any other with REASON_PASS (see below) */
	__u8  tcp_flags;  /* byte 13 of the TCP header; 0 for UDP and later fragments */
	__u8  frag;       /* enum frag_kind */
	__u8  icmp_error; /* an ICMP error about another flow (unreachable, time exceeded...) */
};

struct cursor {
	void *pos;
};

/* Returns the EtherType (be), or -1 if the frame is too short. */
static __always_inline int parse_ethhdr(struct cursor *c, void *data_end)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > data_end)
		return -1;
	c->pos = eth + 1;
	return eth->h_proto;
}

/* Returns the IP protocol, or -1 for an invalid header (version, ihl, truncation, tot_len). */
static __always_inline int parse_iphdr(struct cursor *c, void *data_end, struct iphdr **iph)
{
	struct iphdr *ip = c->pos;
	__u32 hlen;

	if ((void *)(ip + 1) > data_end)
		return -1;
	if (ip->version != 4 || ip->ihl < 5)
		return -1;
	hlen = ip->ihl * 4;
	if (c->pos + hlen > data_end)
		return -1;
	if (bpf_ntohs(ip->tot_len) < hlen)
		return -1;
	c->pos += hlen;
	*iph = ip;
	return ip->protocol;
}

/* Fills p->sport/dport/tcp_flags; returns 0 or -1 for a truncated TCP/UDP header. */
static __always_inline int parse_l4(struct cursor *c, void *data_end, struct pkt4 *p)
{
	__u32 l4_len = p->tot_len - p->ihl * 4;

	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = c->pos;

		if ((void *)(th + 1) > data_end || l4_len < sizeof(*th) || th->doff < 5)
			return -1;
		p->sport = th->source;
		p->dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
		return 0;
	}
	struct udphdr *uh = c->pos;

	if ((void *)(uh + 1) > data_end || l4_len < sizeof(*uh))
		return -1;
	p->sport = uh->source;
	p->dport = uh->dest;
	return 0;
}

/* ICMP types (linux/icmp.h drags in glibc's socket headers, which do not build for -target bpf). */
#define ICMP_ECHOREPLY      0
#define ICMP_DEST_UNREACH   3
#define ICMP_SOURCE_QUENCH  4
#define ICMP_ECHO           8
#define ICMP_TIME_EXCEEDED  11
#define ICMP_PARAMETERPROB  12

/*
 * Other IPv4 protocols are no service traffic, but NetworkPolicy judges them too: their
 * addresses and protocol are filled in, ports 0, except that an ICMP echo carries its
 * identifier as the port of the side that sent the request (the request's sport, the reply's
 * dport), so a reply's reversed tuple is its request's. ICMP errors are marked: they belong to
 * the flow they quote.
 */
static __always_inline void parse_other_l4(struct cursor *c, void *data_end, struct pkt4 *p)
{
	__u8 *icmp = c->pos;

	if (p->proto != IPPROTO_ICMP || p->frag == FRAG_LATER || (void *)(icmp + 8) > data_end)
		return;
	if (icmp[0] == ICMP_ECHO)
		p->sport = *(__u16 *)(icmp + 4);
	else if (icmp[0] == ICMP_ECHOREPLY)
		p->dport = *(__u16 *)(icmp + 4);
	else
		p->icmp_error = icmp[0] == ICMP_DEST_UNREACH || icmp[0] == ICMP_SOURCE_QUENCH ||
				icmp[0] == ICMP_TIME_EXCEEDED || icmp[0] == ICMP_PARAMETERPROB;
}

/*
 * Parses the frame between data and data_end. Returns STEP_NEXT for an IPv4 TCP/UDP packet
 * (ports still unknown for FRAG_LATER), REASON_PASS for anything we do not handle (with
 * p->proto set for IPv4 of another protocol, see parse_other_l4), -REASON_DROP_MALFORMED for
 * broken headers.
 */
static __always_inline int pkt4_parse_data(void *data, void *data_end, struct pkt4 *p)
{
	struct cursor c = { .pos = data };
	struct iphdr *ip;
	__u16 frag_off;
	int proto;

	if (parse_ethhdr(&c, data_end) != bpf_htons(ETH_P_IP))
		return REASON_PASS;
	proto = parse_iphdr(&c, data_end, &ip);
	if (proto < 0)
		return -REASON_DROP_MALFORMED;

	p->saddr = ip->saddr;
	p->daddr = ip->daddr;
	p->ip_id = ip->id;
	p->tot_len = bpf_ntohs(ip->tot_len);
	p->ihl = ip->ihl;
	p->proto = proto;
	p->l4_off = c.pos - data;
	frag_off = bpf_ntohs(ip->frag_off);
	p->frag = (frag_off & IP_OFFMASK) ? FRAG_LATER : (frag_off & IP_MF) ? FRAG_FIRST : FRAG_NONE;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		parse_other_l4(&c, data_end, p);
		return REASON_PASS;
	}
	if (p->frag == FRAG_LATER)
		return STEP_NEXT;
	if (parse_l4(&c, data_end, p) < 0)
		return -REASON_DROP_MALFORMED;
	return STEP_NEXT;
}

/* pkt4_parse_data for TC, after pulling the headers into the linear part of the skb. */
static __always_inline int pkt4_parse(struct __sk_buff *skb, struct pkt4 *p)
{
	__u32 want = skb->len < PARSE_PULL_LEN ? skb->len : PARSE_PULL_LEN;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	/* GSO and large frames may keep headers outside the linear part. */
	if (data + want > data_end) {
		if (bpf_skb_pull_data(skb, want) < 0)
			return -REASON_DROP_MALFORMED;
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	return pkt4_parse_data(data, data_end, p);
}

/* Whether p may open a flow: a TCP SYN without ACK, or any UDP datagram (UDP has no handshake). */
static __always_inline bool pkt4_opens_flow(const struct pkt4 *p)
{
	return p->proto != IPPROTO_TCP || (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
}

#endif /* FERRY_PARSE_H */
