/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * NetworkPolicy for the pods of this node that policies isolate (endpoints_v1). A flow is judged
 * once, by its first packet, on the tuple it really has (after service DNAT as it leaves its
 * client, before reverse NAT as replies arrive): its peer's identity comes from the ipcache, and
 * an allow entry in policy_v1 must exist for that identity, the peer's ipBlock identity, or any
 * peer. An allowed flow goes into policy_ct_v1, so its later packets and all its replies pass
 * without a rule. An endpoint's flows are tracked in both directions even when only one is
 * isolated: replies into the other direction need the entry.
 */
#ifndef FERRY_POLICY_H
#define FERRY_POLICY_H

#include <stdbool.h>
#include "config.h"
#include "maps.h"
#include "parse.h"
#include "conntrack.h"

static __always_inline struct endpoint *policy_endpoint(__u32 addr)
{
	return bpf_map_lookup_elem(&endpoints_v1, &addr);
}

static __always_inline struct policy_ct_key policy_ct_key_of(const struct pkt4 *p, __u8 dir, bool reversed)
{
	struct policy_ct_key k = {
		.saddr = reversed ? p->daddr : p->saddr,
		.daddr = reversed ? p->saddr : p->daddr,
		.sport = reversed ? p->dport : p->sport,
		.dport = reversed ? p->sport : p->dport,
		.proto = p->proto,
		.dir = dir,
	};

	return k;
}

/*
 * Refreshes a live entry, as service entries are, once a second (CT_REFRESH_NS) or when FIN/RST
 * start the short closing timeout. NULL: none, or expired.
 */
static __always_inline struct policy_ct_value *policy_ct_lookup(const struct policy_ct_key *k,
								 const struct pkt4 *p, __u64 now)
{
	struct policy_ct_value *v = bpf_map_lookup_elem(&policy_ct_v1, k);

	if (!v || v->expires_ns <= now)
		return NULL;
	if (flow_refresh_due(v->flags, v->expires_ns, p, now))
		flow_refresh(&v->flags, &v->expires_ns, p, now);
	return v;
}

/* Records a flow; a full table only costs its replies their shortcut: they are judged as new flows. */
static __always_inline void policy_ct_record(const struct policy_ct_key *k, const struct pkt4 *p, __u64 now)
{
	struct policy_ct_value v = {};

	flow_refresh(&v.flags, &v.expires_ns, p, now);
	bpf_map_update_elem(&policy_ct_v1, k, &v, BPF_ANY);
}

/* p is a reply of a flow that began the other way: into the endpoint if p leaves it, and so on. */
static __always_inline bool policy_is_reply(const struct pkt4 *p, __u8 dir_of_p, __u64 now)
{
	struct policy_ct_key k = policy_ct_key_of(p, dir_of_p == POLICY_EGRESS ? POLICY_INGRESS : POLICY_EGRESS, true);

	return policy_ct_lookup(&k, p, now) != NULL;
}

static __always_inline bool policy_entry_allows(__u32 identity, const struct endpoint *ep, __u8 dir,
						const struct pkt4 *p)
{
	struct policy_key k = {
		.prefixlen = POLICY_PREFIX_PORT,
		.identity = identity,
		.endpoint_id = ep->id,
		.dir = dir,
		.proto = p->proto,
		.dport = p->dport,
	};

	return bpf_map_lookup_elem(&policy_v1, &k) != NULL;
}

/*
 * Whether the endpoint's policy lets a new flow with peer_addr start. The node itself always
 * may (kubelet probes, host-network clients, hairpin); *identity says who the peer was.
 */
static __always_inline bool policy_allows(const struct endpoint *ep, __u8 dir, __u32 peer_addr,
					  const struct pkt4 *p, __u32 *identity)
{
	struct ipcache_key k = { .prefixlen = 32, .addr = peer_addr };
	struct ipcache_value *id = bpf_map_lookup_elem(&ipcache_v1, &k);
	__u32 own = id ? id->identity : IDENTITY_WORLD;
	__u32 block = id ? id->block : IDENTITY_WORLD;

	*identity = own;
	if (own == IDENTITY_HOST)
		return true;
	if (policy_entry_allows(own, ep, dir, p))
		return true;
	if (block != own && policy_entry_allows(block, ep, dir, p))
		return true;
	return policy_entry_allows(IDENTITY_ANY, ep, dir, p);
}

/*
 * p goes dir (as seen from the endpoint) and is no reply: a packet of a flow already let in,
 * or the first of a new one, judged and recorded. A new TCP connection reusing the tuple of a
 * closing one is judged afresh. Returns 0, or the policy drop reason with *identity set.
 */
static __always_inline int policy_judge(const struct endpoint *ep, __u32 ep_addr, __u8 dir,
					const struct pkt4 *p, __u64 now, __u32 *identity)
{
	struct policy_ct_key k = policy_ct_key_of(p, dir, false);
	struct policy_ct_value *known = policy_ct_lookup(&k, p, now);
	__u32 peer = dir == POLICY_EGRESS ? p->daddr : p->saddr;
	__u16 isolated = dir == POLICY_EGRESS ? ENDPOINT_F_EGRESS : ENDPOINT_F_INGRESS;

	if (known && !((known->flags & CT_F_CLOSING) && (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN))
		return 0;
	/* A pod reaching itself through a service: what a pod does to itself is never policed. */
	if ((ep->flags & isolated) && peer != ep_addr && !policy_allows(ep, dir, peer, p, identity))
		return dir == POLICY_EGRESS ? -REASON_DROP_POLICY_EGRESS : -REASON_DROP_POLICY_INGRESS;
	policy_ct_record(&k, p, now);
	return 0;
}

#endif /* FERRY_POLICY_H */
