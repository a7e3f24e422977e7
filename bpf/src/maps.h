/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every map of the datapath. Names are the pin names under the agent's bpffs root; the TC and
 * XDP objects both declare all of them and share them through those pins.
 */
#ifndef FERRY_MAPS_H
#define FERRY_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ferry_abi.h"

/* services_v2: (VIP, port, proto) -> svc id, backend count, flags, affinity timeout; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct svc_key);
	__type(value, struct svc_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} services_v2 SEC(".maps");

/* vips_v1: allocated ClusterIP -> VIP_F_*; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vips_v1 SEC(".maps");

/* svc_cidrs_v1: ServiceCIDR prefixes (LPM); written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it for LPM tries */
	__type(key, struct svc_cidr_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_cidrs_v1 SEC(".maps");

/* maglev_v1: svc id -> Maglev table of backend ids (external frontends); written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	/* Tables exist only for external frontends: allocate on insert, not 64k x 64 KiB up front. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(__u32));
	/* No BTF value type: the loader sets the size to 4 * maglev_table_size. */
	__uint(value_size, 4 * 16381);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} maglev_v1 SEC(".maps");

/* src_ranges_v1: (svc id, source prefix) -> 1, loadBalancerSourceRanges (LPM); written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it for LPM tries */
	__type(key, struct src_range_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} src_ranges_v1 SEC(".maps");

/* nodeport_ifs_v1: ifindex of a node interface with XDP -> its SNAT address; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct nodeport_if);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nodeport_ifs_v1 SEC(".maps");

/* nexthops_v1: per CPU, hash of a route input -> that input and bpf_fib_lookup's answer (fib.h); datapath. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NEXTHOP_SLOTS);
	__type(key, __u32);
	__type(value, struct nexthop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nexthops_v1 SEC(".maps");

/* frontend_addrs_v1: bits of the addresses XDP translates frames to, then a "written" word; agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FRONTEND_ADDR_WORDS + 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} frontend_addrs_v1 SEC(".maps");

/* svc_addrs_v1: bits of every frontend's and backend's address, then a "written" word; agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SVC_ADDR_WORDS + 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_addrs_v1 SEC(".maps");

/*
 * xdp_flows_v2: CPU x slots + hash of a flow's conntrack key -> what XDP last did to its frames
 * (xdp_flows.h); datapath. Mmapable only for its layout: the values start on a page, so every
 * 64-byte entry is one cache line.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDP_FLOW_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xdp_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xdp_flows_v2 SEC(".maps");

/* flow_versions_v1: hash of a conntrack key -> count of ct_v1 creations and deletions of such keys; datapath and agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLOW_VERSION_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flow_versions_v1 SEC(".maps");

/* affinity_v1: (client, svc id) -> backend of its last new flow (sessionAffinity ClientIP); datapath. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct affinity_key);
	__type(value, struct affinity_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} affinity_v1 SEC(".maps");

/* slots_v1: (svc id, slot) -> backend id, the table the random pick indexes; written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct slot_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} slots_v1 SEC(".maps");

/* backends_v2: slot (id % BACKEND_SLOTS) -> backend id, address and port (backends.h); agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BACKEND_SLOTS);
	__type(key, __u32);
	__type(value, struct backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} backends_v2 SEC(".maps");

/* ct_v1: forward + reply NAT entries of service flows; written by the datapath, pruned by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct ct_key);
	__type(value, struct ct_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct_v1 SEC(".maps");

/* frag_v1: ports of fragmented datagrams learnt from first fragments; written by the datapath. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct frag_key);
	__type(value, struct frag_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} frag_v1 SEC(".maps");

/* counters_v1: per-CPU packets/bytes by enum ferry_reason; written by the entry points only. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REASON_MAX);
	__type(key, __u32);
	__type(value, struct counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counters_v1 SEC(".maps");

/* ---- NetworkPolicy ---- */

/* ipcache_v1: address or prefix -> identity and ipBlock identity (LPM); written by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it for LPM tries */
	__type(key, struct ipcache_key);
	__type(value, struct ipcache_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ipcache_v1 SEC(".maps");

/* endpoints_v1: address of a local pod policy isolates -> its id and isolated directions; agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct endpoint);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} endpoints_v1 SEC(".maps");

/* policy_v1: (peer identity, endpoint, dir, proto, port prefix) -> 1, the allow rules (LPM); agent. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it for LPM tries */
	__type(key, struct policy_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policy_v1 SEC(".maps");

/* policy_ct_v1: flows of isolated pods, whose replies pass without a rule; written by the datapath. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct policy_ct_key);
	__type(value, struct policy_ct_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policy_ct_v1 SEC(".maps");

/* events_v1: policy drops and rejects as struct drop_event; written by the entry points. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events_v1 SEC(".maps");

/* Puts struct drop_event into every object's BTF, where AbiLayoutTest finds it: no map names it. */
const volatile struct drop_event drop_event_btf = {};

/* ---- host sockets ---- */

/* sock_revnat_v1: (socket cookie, backend) -> VIP it asked for, for recvmsg4/getpeername4; datapath. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sock_revnat_key);
	__type(value, struct sock_revnat_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sock_revnat_v1 SEC(".maps");

#endif /* FERRY_MAPS_H */
