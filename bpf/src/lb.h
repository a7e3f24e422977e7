/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Service frontend lookup and backend selection: random over the slots, the client's affinity,
 * or the frontend's Maglev table; and the checks a new flow passes first.
 */
#ifndef FERRY_LB_H
#define FERRY_LB_H

#include <stdbool.h>
#include "backends.h"
#include "config.h"
#include "hash.h"
#include "maps.h"
#include "parse.h"

/* The frontend serving vip:port/proto (all be but proto) in one scope; packets and sockets alike. */
static __always_inline struct svc_value *lb_lookup_frontend(__u32 vip, __u16 port, __u8 proto, __u8 scope)
{
	struct svc_key k = { .vip = vip, .port = port, .proto = proto, .scope = scope };

	return bpf_map_lookup_elem(&services_v2, &k);
}

/* scope: SVC_SCOPE_INTERNAL for pods and the node's sockets, SVC_SCOPE_EXTERNAL for XDP. */
static __always_inline struct svc_value *lb_lookup_service(const struct pkt4 *p, __u8 scope)
{
	return lb_lookup_frontend(p->daddr, p->dport, p->proto, scope);
}

/* loadBalancerSourceRanges: without the flag every source is allowed. */
static __always_inline bool lb_source_allowed(const struct svc_value *svc, __u32 saddr)
{
	struct src_range_key k = { .prefixlen = 64, .svc_id = svc->svc_id, .addr = saddr };

	if (!(svc->flags & SVC_F_SOURCE_RANGES))
		return true;
	return bpf_map_lookup_elem(&src_ranges_v1, &k) != NULL;
}

/*
 * A new flow that matched no frontend, to a service address: an allocated ClusterIP on a port
 * it does not serve is rejected, an unallocated address inside a ServiceCIDR dropped
 * (kube-proxy nftables' cluster-ips-check). Anything else is no business of ours: pass.
 */
static __always_inline int lb_unserved_address(__u32 daddr)
{
	struct svc_cidr_key k = { .prefixlen = 32, .addr = daddr };

	if (bpf_map_lookup_elem(&vips_v1, &daddr))
		return REASON_REJECT_NO_PORT;
	if (bpf_map_lookup_elem(&svc_cidrs_v1, &k))
		return -REASON_DROP_UNALLOCATED_VIP;
	return REASON_PASS;
}

static __always_inline int lb_no_frontend(const struct pkt4 *p)
{
	if (!pkt4_opens_flow(p))
		return REASON_PASS; /* only new flows are judged, as kube-proxy judges "ct state new" */
	return lb_unserved_address(p->daddr);
}

/* The backend in one slot, or NULL when slot or backend is missing (agent mid-update). */
static __always_inline struct backend *lb_slot_backend(const struct svc_value *svc, __u32 slot,
						       __u32 *backend_id)
{
	struct slot_key k = { .svc_id = svc->svc_id, .slot = slot };
	__u32 *id = bpf_map_lookup_elem(&slots_v1, &k);

	if (!id)
		return NULL;
	*backend_id = *id;
	return backend_lookup(*id);
}

/*
 * sessionAffinity ClientIP: the client's backend if its last new flow is younger than the
 * timeout and the backend still sits in the same slot of this service (a backend removed
 * from the service is never reused, even while other services keep it alive).
 */
static __always_inline struct backend *lb_affinity_backend(const struct svc_value *svc, __u32 client,
							   __u64 now, __u32 *backend_id)
{
	struct affinity_key k = { .client_addr = client, .svc_id = svc->svc_id };
	struct affinity_value *a = bpf_map_lookup_elem(&affinity_v1, &k);
	struct backend *be;

	if (!a || a->slot >= svc->backend_count ||
	    now - a->last_used_ns > (__u64)svc->affinity_timeout_s * NSEC_PER_SEC)
		return NULL;
	be = lb_slot_backend(svc, a->slot, backend_id);
	if (!be || *backend_id != a->backend_id)
		return NULL;
	a->last_used_ns = now;
	return be;
}

/* Remembers the client's backend for its next new flow; an LRU, so a full map evicts the oldest. */
static __always_inline void lb_affinity_record(const struct svc_value *svc, __u32 client, __u32 slot,
					       __u32 backend_id, __u64 now)
{
	struct affinity_key k = { .client_addr = client, .svc_id = svc->svc_id };
	struct affinity_value v = { .backend_id = backend_id, .slot = slot, .last_used_ns = now };

	bpf_map_update_elem(&affinity_v1, &k, &v, BPF_ANY);
}

/*
 * Maglev: the flow's entry in the frontend's table. The hash leaves out the destination, so
 * every node (and every frontend of the service: each node address, the LoadBalancer IP) maps
 * one client address and port to the same backend. With sessionAffinity ClientIP the port is
 * left out too: all flows of a client then share a backend on every node, for as long as the
 * backends do not change (longer than the timeout asks, which affinity allows).
 */
static __always_inline struct backend *lb_maglev_backend(const struct svc_value *svc,
							 const struct pkt4 *p, __u32 *backend_id)
{
	__u32 *table = bpf_map_lookup_elem(&maglev_v1, &svc->svc_id);
	__u32 sport = (svc->flags & SVC_F_AFFINITY) ? 0 : p->sport;
	__u32 idx;

	if (!table)
		return NULL;
	idx = jhash_3words(p->saddr, sport, p->proto, maglev_hash_seed) % maglev_table_size;
	/* The verifier does not bound the result of a modulo; this comparison does. */
	if (idx >= maglev_table_size)
		return NULL;
	*backend_id = table[idx];
	return backend_lookup(*backend_id);
}

/*
 * A new flow's backend: the Maglev entry of an external frontend; else the client's affinity
 * when the service has it, or a random slot.
 */
static __always_inline struct backend *lb_pick_backend(const struct svc_value *svc,
						       const struct pkt4 *p, __u64 now,
						       __u32 *backend_id)
{
	__u32 client = p->saddr;
	struct backend *be;
	__u32 slot;

	if (svc->backend_count == 0)
		return NULL;
	if (svc->flags & SVC_F_MAGLEV)
		return lb_maglev_backend(svc, p, backend_id);
	if (svc->flags & SVC_F_AFFINITY) {
		be = lb_affinity_backend(svc, client, now, backend_id);
		if (be)
			return be;
	}
	slot = bpf_get_prandom_u32() % svc->backend_count;
	be = lb_slot_backend(svc, slot, backend_id);
	if (be && (svc->flags & SVC_F_AFFINITY))
		lb_affinity_record(svc, client, slot, *backend_id, now);
	return be;
}

#endif /* FERRY_LB_H */
