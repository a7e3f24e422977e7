/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Load-time configuration. The loader sets these by name in .rodata before load; the verifier
 * then sees them as constants. Defaults below are what an unconfigured load gets.
 */
#ifndef FERRY_CONFIG_H
#define FERRY_CONFIG_H

#include <linux/types.h>
#include <bpf/bpf_endian.h>

#define NSEC_PER_SEC 1000000000ULL

/* (be) source address of hairpinned flows (a pod reaching itself through a service). */
const volatile __u32 hairpin_addr = __bpf_constant_htonl(0xa9fe2a01); /* 169.254.42.1 */
/* Idle timeouts of conntrack entries, refreshed by every packet of the flow. */
const volatile __u64 ct_tcp_timeout_ns = 6 * 3600 * NSEC_PER_SEC;
const volatile __u64 ct_udp_timeout_ns = 60 * NSEC_PER_SEC;
const volatile __u64 ct_closing_timeout_ns = 10 * NSEC_PER_SEC;

/* ---- host sockets ---- */

/*
 * (host) SO_NETNS_COOKIE of the agent's network namespace: the only one whose sockets the
 * sock_host hooks translate. 0, which no namespace has (the kernel counts from 1), translates none.
 */
const volatile __u64 netns_cookie = 0;

#endif /* FERRY_CONFIG_H */
