/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Load-time configuration. The loader sets these by name in .rodata before load; the verifier
 * then sees them as constants. Defaults below are what an unconfigured load gets.
 */
#ifndef FERRY_CONFIG_H
#define FERRY_CONFIG_H

#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include "ferry_abi.h"

#define NSEC_PER_SEC 1000000000ULL

/* (be) source address of hairpinned flows (a pod reaching itself through a service). */
const volatile __u32 hairpin_addr = __bpf_constant_htonl(0xa9fe2a01); /* 169.254.42.1 */
/* Idle timeouts of conntrack entries, refreshed by the flow's packets (once a second: conntrack.h). */
const volatile __u64 ct_tcp_timeout_ns = 6 * 3600 * NSEC_PER_SEC;
const volatile __u64 ct_udp_timeout_ns = 60 * NSEC_PER_SEC;
const volatile __u64 ct_closing_timeout_ns = 10 * NSEC_PER_SEC;
/* Entries per Maglev table (a prime); the loader sizes maglev_v1's values to match. */
const volatile __u32 maglev_table_size = 16381;
/* Seeds the flow hash; the same on every node, or nodes would pick different backends. */
const volatile __u32 maglev_hash_seed = 0x46455259; /* "FERY" */
/*
 * (host) Ports a flow SNATed to a node address may get: above Linux's default ephemeral range
 * (32768-60999), so the node's own connections never take a port a translated flow uses.
 */
const volatile __u16 snat_port_min = 61000;
const volatile __u16 snat_port_max = 65535;

/*
 * (host) Slots per CPU of xdp_flows_v2 (xdp_flows.h), a power of two; the loader sizes the map to
 * that many per possible CPU. The agent gives every CPU an equal share of as many slots as ct_v1
 * has entries.
 */
const volatile __u32 xdp_flow_slots = XDP_FLOW_SLOTS;

/* ---- the datapath's clock (clock.h) ---- */

/*
 * datapath_now() = jiffies * clock_tick_ns + clock_offset_ns: CLOCK_MONOTONIC at the start of
 * the current tick. The agent measures both with clock_probe.bpf.c before it loads the datapath
 * (DatapathClock.java). clock_tick_ns is the kernel's TICK_NSEC, (NSEC_PER_SEC + HZ/2) / HZ;
 * clock_offset_ns is CLOCK_MONOTONIC at jiffies 0, negative since jiffies start near 2^32
 * (INITIAL_JIFFIES). 0 (unprobed: bpftool loads, tests) reads bpf_ktime_get_coarse_ns() instead.
 */
const volatile __u64 clock_tick_ns = 0;
const volatile __s64 clock_offset_ns = 0;

/* ---- host sockets ---- */

/*
 * (host) SO_NETNS_COOKIE of the agent's network namespace: the only one whose sockets the
 * sock_host hooks translate. 0, which no namespace has (the kernel counts from 1), translates none.
 */
const volatile __u64 netns_cookie = 0;

#endif /* FERRY_CONFIG_H */
