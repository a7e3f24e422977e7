/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * For bench/ only: what the benchmark wrappers (bench_xdp_node.bpf.c, bench_tc_pod.bpf.c) do
 * before every run of the measured code in BPF_PROG_TEST_RUN's repeat loop. The kernel runs
 * each repetition on the frame the previous one rewrote (net/bpf/test_run.c resets nothing in
 * between), so each repetition first copies the original frame back and then makes it the
 * frame of its own flow. The "restore-only" programs do just this, so that its cost can be
 * subtracted. The harness (bench/.../packet/BenchFrame.java) writes bench_frame before a run.
 */
#ifndef FERRY_BENCH_FRAME_H
#define FERRY_BENCH_FRAME_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "parse.h"
#include "csum.h"

/* Ethernet + IPv4 without options + TCP without options: every frame the benchmark sends. */
#define BENCH_FRAME_LEN 54
#define BENCH_FRAME_WORDS 7  /* 56 bytes of storage, copied as 6 words + 4 + 2 bytes */

/*
 * Repetition seq of a run sends flow i = first + seq % cycle: the frame with source port
 * + i % ports and source address + i / ports (counted in host order), checksums updated.
 */
struct bench_frame {
	__u64 words[BENCH_FRAME_WORDS]; /* flow 0's frame, checksums correct; bytes 54-55 unused */
	__u32 seq;                      /* (host) repetitions so far; the harness zeroes it */
	__u32 first;                    /* (host) flow of repetition 0 */
	__u32 cycle;                    /* (host) how many flows the run goes round, >= 1 */
	__u32 ports;                    /* (host) source ports per source address, >= 1 */
};

/* bench_frame: the one frame of the current run; private to the wrapper object, never pinned. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_frame);
} bench_frame SEC(".maps");

/* Restores the frame at data and makes it the next flow's; -1 if the frame is not one of ours. */
static __always_inline int bench_restore(void *data, void *data_end)
{
	__u32 key = 0;
	struct bench_frame *f = bpf_map_lookup_elem(&bench_frame, &key);
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *th = (void *)(ip + 1);
	__u32 flow, saddr;
	__u16 sport;

	if (!f || f->cycle == 0 || f->ports == 0 || data + BENCH_FRAME_LEN > data_end)
		return -1;
	/* Word copies: a byte-wise memcpy would be 54 loads and stores (packet alignment unknown). */
#pragma unroll
	for (int i = 0; i < 6; i++)
		((__u64 *)data)[i] = f->words[i];
	*(__u32 *)(data + 48) = (__u32)f->words[6];
	*(__u16 *)(data + 52) = (__u16)(f->words[6] >> 32);
	flow = f->first + f->seq++ % f->cycle;
	saddr = bpf_htonl(bpf_ntohl(ip->saddr) + flow / f->ports);
	sport = bpf_htons(bpf_ntohs(th->source) + flow % f->ports);
	csum_replace4(&ip->check, ip->saddr, saddr);
	csum_replace4(&th->check, ip->saddr, saddr);
	csum_replace2(&th->check, th->source, sport);
	ip->saddr = saddr;
	th->source = sport;
	return 0;
}

#endif /* FERRY_BENCH_FRAME_H */
