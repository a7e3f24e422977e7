/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The fast path of tracked external flows: xdp_flows_v2 remembers, per CPU, what XDP last did to
 * a flow's frames (the tuple they leave with, the next hop, the reason counted), so the next frame
 * of the flow is rewritten without asking conntrack. The conntrack lookup is a call into the
 * kernel (hashing, a bucket walk, a compare): about 37 ns of the 100 an established NodePort
 * frame costs beyond the empty program here, where this cache is an inlined array lookup and a
 * compare. Like nexthops_v1 (fib.h), it is an array of slots holding the key they answer for,
 * per CPU, so no CPU reads a slot another is writing: one array, each CPU's slots in a block of
 * their own, rather than a per-CPU array, whose lookup loads a pointer to the CPU's value from a
 * table of its own first, a second cache miss for a flow whose slot is cold.
 *
 * Two ways: a flow's entry lives in its home slot (its key's hash) or in the home's neighbour
 * (the slot index ^ 1, the other line of the same 128 bytes), looked up in that order. Direct
 * mapped, two flows sharing a home evicted each other at every frame and both took the slow
 * path: with 10,000 flows on one CPU's 131,072 slots that was 737 flows, 7.4 % of the frames
 * (the packet benchmark's flows; 139 with two ways). A new entry goes where its key already is,
 * else to a way that answers for nothing any more, else over the way filled first. Keys sharing
 * a home share their flow_versions_v1 counter too (both indexes are low bits of one hash), so a
 * flow created there voids the entry of the flow at home: one slow frame, not a wrong answer.
 *
 * The cache never decides anything conntrack would decide otherwise:
 *   - an entry answers only until its flow's conntrack entries are due for a refresh
 *     (ct_refresh_due_ns) and its next hop for a recheck (NEXTHOP_RECHECK_NS), so refreshes and
 *     route changes happen as without it;
 *   - SYN, FIN and RST frames always take the slow path (a SYN may start a new flow over a
 *     closing one, FIN and RST move the flow to closing), and so do fragments and frames longer
 *     than the route's MTU;
 *   - a flow whose backend is gone (backends_v2) is not answered: the slow path deletes it;
 *   - every creation and deletion of a ct_v1 entry, by the datapath on any CPU (ct_changed) or by
 *     the agent (Conntrack.endFlowsOf), moves the key's counter in flow_versions_v1 on: entries
 *     filled before no longer answer. So a client port reused for a new flow, an SNAT port
 *     another flow took over, or a flow of a removed frontend never gets the old translation
 *     from a CPU that cached it. The counter is read before the conntrack lookup whose answer is
 *     remembered and moved after the change, so an entry read before a change never carries the
 *     count after it.
 * A flow that conntrack's LRU evicts keeps its translation for up to a second, like a flow whose
 * entries were evicted between two frames.
 */
#ifndef FERRY_XDP_FLOWS_H
#define FERRY_XDP_FLOWS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "backends.h"
#include "config.h"
#include "conntrack.h"
#include "fib.h"
#include "maps.h"
#include "parse.h"
#include "xdp_nat.h"

/* The longest an entry answers after it was filled, whatever conntrack and the FIB allow. */
#define XDP_FLOW_RECHECK_NS NSEC_PER_SEC

/*
 * A frame's conntrack key, the way on this CPU that holds it (NULL: neither), the index of its
 * home slot, and the key's version, read before ct_v1. One pointer, not one per way: with two
 * that may each be NULL, from_node's paths multiplied past the verifier's million instructions,
 * so the slow path looks the ways up again to pick one (xdp_flow_free_way). Ways are missing
 * only if the array held fewer than xdp_flow_slots per CPU, as the loader sizes it (bpftool,
 * which loads the object as it was built, leaves one CPU's worth: the other CPUs go without the
 * cache).
 */
struct xdp_flow_probe {
	struct ct_key key;
	struct xdp_flow *slot;
	__u32 home;
	__u32 version;
};

static __always_inline bool ct_key_equal(const struct ct_key *a, const struct ct_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

/* The way at index that holds key, or NULL. */
static __always_inline struct xdp_flow *xdp_flow_holding(__u32 index, const struct ct_key *key)
{
	struct xdp_flow *f = bpf_map_lookup_elem(&xdp_flows_v2, &index);

	return f && ct_key_equal(&f->key, key) ? f : NULL;
}

static __always_inline struct xdp_flow_probe xdp_flow_probe_of(const struct pkt4 *p, enum ct_dir dir)
{
	struct xdp_flow_probe probe = { .key = ct_key_of(p, dir) };
	__u32 hash = ct_key_hash(&probe.key);

	probe.version = ct_version(hash);
	probe.home = bpf_get_smp_processor_id() * xdp_flow_slots + (hash & (xdp_flow_slots - 1));
	probe.slot = xdp_flow_holding(probe.home, &probe.key);
	if (!probe.slot)
		probe.slot = xdp_flow_holding(probe.home ^ 1, &probe.key);
	return probe;
}

/*
 * The frame p rewritten as its flow's last frame was, when the cache may answer for it: the
 * reason to count (action set for a frame sent on), or STEP_NEXT for the slow path.
 */
static __always_inline int xdp_flow_replay(struct xdp_md *ctx, struct pkt4 *p,
					   const struct xdp_flow_probe *probe, __u64 now, int *action)
{
	const struct xdp_flow *f = probe->slot;

	if (!f || now >= f->valid_until_ns ||
	    f->version != probe->version || p->frag != FRAG_NONE ||
	    (p->tcp_flags & (TCPF_SYN | TCPF_FIN | TCPF_RST)) ||
	    (f->ifindex && p->tot_len > f->mtu) || !backend_lookup(f->backend_id))
		return STEP_NEXT;
	if ((f->saddr != p->saddr || f->sport != p->sport) &&
	    xnat_rewrite(ctx, p, NAT_SRC, f->saddr, f->sport) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	if ((f->daddr != p->daddr || f->dport != p->dport) &&
	    xnat_rewrite(ctx, p, NAT_DST, f->daddr, f->dport) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	if (f->ifindex) {
		int ret = xnat_send_on(ctx, f->ifindex, f->dmac, f->smac, action);

		if (ret < 0)
			return ret;
	}
	return f->reason;
}

/*
 * The way a new entry for a key not in the cache goes to: one that answers for nothing now
 * (empty, or past its time), else the one filled first, which answers for the shorter time. (A
 * key is never in both ways: a key found goes back where it was.)
 */
static __always_inline struct xdp_flow *xdp_flow_free_way(__u32 home_index, __u64 now)
{
	__u32 other_index = home_index ^ 1;
	struct xdp_flow *home = bpf_map_lookup_elem(&xdp_flows_v2, &home_index);
	struct xdp_flow *other = bpf_map_lookup_elem(&xdp_flows_v2, &other_index);

	if (!home || !other)
		return home;
	if (home->valid_until_ns <= now)
		return home;
	if (other->valid_until_ns <= now)
		return other;
	return home->valid_until_ns <= other->valid_until_ns ? home : other;
}

/*
 * Remembers what the slow path did to a frame of the flow v belongs to: p as it now leaves,
 * sent on along nh (NULL: up the stack), counted under reason.
 */
static __always_inline void xdp_flow_remember(const struct xdp_flow_probe *probe, const struct pkt4 *p,
					      const struct ct_value *v, const struct nexthop *nh,
					      __u8 reason, __u64 now)
{
	struct xdp_flow *f = probe->slot ? probe->slot : xdp_flow_free_way(probe->home, now);
	__u64 until = now + XDP_FLOW_RECHECK_NS;
	__u64 due = ct_refresh_due_ns(v, p->proto);

	if (!f)
		return;
	if (due < until)
		until = due;
	if (nh && nh->checked_ns + NEXTHOP_RECHECK_NS < until)
		until = nh->checked_ns + NEXTHOP_RECHECK_NS;
	f->key = probe->key;
	f->valid_until_ns = until;
	f->saddr = p->saddr;
	f->daddr = p->daddr;
	f->sport = p->sport;
	f->dport = p->dport;
	f->backend_id = v->backend_id;
	f->version = probe->version;
	f->ifindex = nh ? nh->ifindex : 0;
	f->mtu = nh ? nh->mtu : 0;
	f->reason = reason;
	if (nh) {
		__builtin_memcpy(f->dmac, nh->dmac, ETH_ALEN);
		__builtin_memcpy(f->smac, nh->smac, ETH_ALEN);
	}
}

#endif /* FERRY_XDP_FLOWS_H */
