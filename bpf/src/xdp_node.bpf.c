// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Node interface datapath, XDP on the interfaces named by --nodeport-interfaces: traffic from
 * outside the cluster to NodePorts, externalIPs and LoadBalancer IPs (external frontends).
 *   local backend:  DNAT, and up the stack to the pod; the pod's replies are reverse-NATed by
 *                   from_pod (tc_pod.bpf.c) and sent straight out, so the client IP is kept.
 *   remote backend: DNAT and SNAT to this interface's address, out again (XDP_TX/redirect);
 *                   the backend's replies come back here and are translated back to the client.
 *
 * One frame: pkt4_parse_data -> xdp_maybe_ours -> frag_track -> xdp_reply -> xdp_established ->
 * xdp_new_flow -> finish. Anything else (the node's own traffic, pod traffic between nodes)
 * passes untouched, most of it right after parsing (xdp_maybe_ours).
 * Frames of tracked flows first ask xdp_flows_v2 (xdp_flows.h), which repeats what the last
 * frame of their flow got without a conntrack lookup.
 */
#define FERRY_XDP
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ferry_abi.h"
#include "config.h"
#include "clock.h"
#include "maps.h"
#include "parse.h"
#include "frag.h"
#include "conntrack.h"
#include "lb.h"
#include "addr_filter.h"
#include "fib.h"
#include "snat.h"
#include "xdp_nat.h"
#include "xdp_flows.h"
#include "reject.h"
#include "events.h"
#include "counters.h"

/*
 * Whether a frame to daddr may be ours: false for an address no external frontend and no SNAT
 * has (pod traffic between nodes, most of the node's own), which passes without the conntrack,
 * flow cache and service lookups, each a cache miss on a busy node: in the traffic benchmark
 * they made from_node cost 460 ns a frame of pod traffic, against 90 without them. A bit shared
 * with another address only costs those lookups. Until the agent has written the bitmap
 * (frontend_addrs_v1's last slot), every frame may be ours.
 */
static __always_inline bool xdp_maybe_ours(__u32 daddr)
{
	return addr_filter_may_hold(&frontend_addrs_v1, FRONTEND_ADDR_WORDS, daddr);
}

/*
 * Sends the translated frame on towards its next hop (xnat_send_on). A next hop without a
 * resolved neighbour is a drop (XDP can not resolve it; the agent keeps next hops resolved).
 */
static __always_inline int xdp_send_on(struct xdp_md *ctx, const struct nexthop *nh, int *action)
{
	return xnat_send_on(ctx, nh->ifindex, nh->dmac, nh->smac, action);
}

/* The next hop of p as the frame is now; -REASON_DROP_NO_ROUTE when there is none usable. */
static __always_inline int xdp_route(struct xdp_md *ctx, const struct pkt4 *p, __u64 now,
				     struct nexthop *nh)
{
	return fib_nexthop(ctx, p, now, nh) == 0 ? 0 : -REASON_DROP_NO_ROUTE;
}

/* A remote backend's reply to an SNATed flow: from the frontend to the client again, and out. */
static __always_inline int xdp_reply(struct xdp_md *ctx, struct pkt4 *p, __u64 now, int *action)
{
	struct xdp_flow_probe probe;
	struct nexthop nh;
	struct ct_value *v;
	__u16 dport = bpf_ntohs(p->dport);
	int ret;

	/*
	 * Only replies to SNATed flows are ours, and they come back to an SNAT port, which
	 * snat_pick_port only ever takes from [snat_port_min, snat_port_max]: every other frame
	 * (all client traffic to NodePorts) skips this conntrack lookup, a cache miss per frame
	 * on a node with many flows. (Narrowing that range at a reload would orphan the replies of
	 * flows SNATed to ports outside it; the agent sets no other range today.)
	 */
	if (dport < snat_port_min || dport > snat_port_max)
		return STEP_NEXT;
	probe = xdp_flow_probe_of(p, CT_REPLY);
	ret = xdp_flow_replay(ctx, p, &probe, now, action);
	if (ret != STEP_NEXT)
		return ret;
	/* Reply entries of pod flows (no CT_F_SNAT) belong to to_pod, after routing. */
	v = ct_lookup_reply(&probe.key, CT_F_SNAT, p, now);
	if (!v)
		return STEP_NEXT;
	if (xnat_rewrite(ctx, p, NAT_SRC, v->nat_addr, v->nat_port) < 0 ||
	    xnat_rewrite(ctx, p, NAT_DST, v->peer_addr, v->peer_port) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	ret = xdp_route(ctx, p, now, &nh);
	if (ret == 0)
		ret = xdp_send_on(ctx, &nh, action);
	if (ret < 0)
		return ret;
	xdp_flow_remember(&probe, p, v, &nh, REASON_REVNAT, now);
	return REASON_REVNAT;
}

/*
 * The rewrite of a tracked external flow (probe: its forward key): DNAT, plus SNAT and
 * forwarding for a remote backend, along route when the caller has looked it up already (NULL:
 * looked up here); remembered for the flow's next frames.
 */
static __always_inline int xdp_translate(struct xdp_md *ctx, struct pkt4 *p,
					 const struct xdp_flow_probe *probe, const struct ct_value *v,
					 const struct nexthop *route, __u64 now, int *action)
{
	struct nexthop nh;
	int ret = 0;

	if (xnat_rewrite(ctx, p, NAT_DST, v->nat_addr, v->nat_port) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	if (!(v->flags & CT_F_SNAT)) {
		/* local backend: up the stack, routed to the pod */
		xdp_flow_remember(probe, p, v, NULL, REASON_DNAT, now);
		return REASON_DNAT;
	}
	if (xnat_rewrite(ctx, p, NAT_SRC, v->peer_addr, v->peer_port) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	if (!route) {
		ret = xdp_route(ctx, p, now, &nh);
		route = &nh;
	}
	if (ret == 0)
		ret = xdp_send_on(ctx, route, action);
	if (ret < 0)
		return ret;
	xdp_flow_remember(probe, p, v, route, REASON_DNAT, now);
	return REASON_DNAT;
}

/* A known external flow keeps its backend (and its SNAT port). */
static __always_inline int xdp_established(struct xdp_md *ctx, struct pkt4 *p,
					   const struct xdp_flow_probe *probe, __u64 now, int *action)
{
	struct ct_value *v;
	int ret = xdp_flow_replay(ctx, p, probe, now, action);

	if (ret != STEP_NEXT)
		return ret;
	v = ct_lookup_forward(&probe->key, CT_F_NODEPORT | CT_F_SNAT, p, now);
	if (!v)
		return STEP_NEXT;
	return xdp_translate(ctx, p, probe, v, NULL, now, action);
}

/*
 * For a remote backend: the next hop towards it (into nh), the SNAT address (that of the
 * interface the route leaves through) and a free port (into fwd).
 */
static __always_inline int xdp_snat_for(struct xdp_md *ctx, const struct pkt4 *p,
					const struct backend *be, struct ct_value *fwd,
					struct nexthop *nh, __u64 now)
{
	struct pkt4 to_backend = *p;
	struct nodeport_if *nif;
	struct ct_key rep_key;
	int ret;

	to_backend.daddr = be->addr;
	to_backend.dport = be->port;
	ret = xdp_route(ctx, &to_backend, now, nh);
	if (ret < 0)
		return ret;
	nif = bpf_map_lookup_elem(&nodeport_ifs_v1, &nh->ifindex);
	if (!nif)
		return -REASON_DROP_NO_ROUTE; /* leaves through an interface Ferry has no address for */
	fwd->flags = CT_F_SNAT;
	fwd->peer_addr = nif->snat_addr;
	rep_key = ct_reply_key(&(struct ct_key){ .saddr = p->saddr, .sport = p->sport,
						 .proto = p->proto }, fwd);
	ret = snat_pick_port(&rep_key, p->sport, now);
	if (ret < 0)
		return ret;
	fwd->peer_port = rep_key.dport;
	return 0;
}

/* First frame of an external flow: checks, a Maglev pick, conntrack, translation. */
static __always_inline int xdp_new_flow(struct xdp_md *ctx, struct pkt4 *p,
					const struct xdp_flow_probe *probe, __u64 now, int *action,
					bool *bounce)
{
	struct svc_value *svc = lb_lookup_service(p, SVC_SCOPE_EXTERNAL);
	struct ct_value fwd = {};
	struct nexthop nh;
	bool remote;
	struct backend *be;
	__u32 backend_id = 0;
	int ret;

	if (!svc)
		return REASON_PASS;
	if (!lb_source_allowed(svc, p->saddr))
		return -REASON_DROP_SOURCE_RANGE;
	if (svc->backend_count == 0 && (svc->flags & SVC_F_LOCAL_ONLY))
		return -REASON_DROP_NO_LOCAL_BACKEND;
	if (svc->backend_count == 0)
		return reject_flow(ctx, p, REASON_REJECT_NO_BACKEND, bounce);
	be = lb_pick_backend(svc, p, now, &backend_id);
	if (!be)
		return -REASON_DROP_NO_SLOT;
	fwd.nat_addr = be->addr;
	fwd.nat_port = be->port;
	fwd.svc_id = svc->svc_id;
	fwd.backend_id = backend_id;
	fwd.flags = CT_F_NODEPORT;
	remote = !(be->flags & BACKEND_F_LOCAL);
	if (remote) {
		ret = xdp_snat_for(ctx, p, be, &fwd, &nh, now);
		if (ret < 0)
			return ret;
	}
	ret = ct_create(&probe->key, &fwd, p, now);
	if (ret < 0)
		return ret;
	return xdp_translate(ctx, p, probe, &fwd, remote ? &nh : NULL, now, action);
}

/*
 * The only place a step result becomes a verdict; every frame is counted exactly once, and
 * rejects are reported as events (p is the client's packet, const to the reject builder).
 */
static __always_inline int finish(struct xdp_md *ctx, __u32 len, int ret, int action, bool bounce,
				  const struct pkt4 *p)
{
	if (ret == STEP_NEXT)
		ret = REASON_PASS;
	if (ret >= 0 && bounce && xnat_swap_macs(ctx) < 0)
		ret = -REASON_DROP_REWRITE_FAILED;
	if (event_wanted(ret < 0 ? -ret : ret))
		event_emit(ret < 0 ? -ret : ret, p, 0, ctx->ingress_ifindex);
	if (ret < 0) {
		count_packet(-ret, len);
		return XDP_DROP;
	}
	count_packet(ret, len);
	return bounce ? XDP_TX : action;
}

/* The whole path of one frame; also run by bench_xdp_node.bpf.c, which includes this file. */
static __always_inline int handle_from_node(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;
	int action = XDP_PASS;
	bool bounce = false;
	struct pkt4 p = {};
	__u64 now;
	int ret;

	ret = pkt4_parse_data(data, data_end, &p);
	if (ret == STEP_NEXT && !xdp_maybe_ours(p.daddr))
		ret = REASON_PASS;
	if (ret == STEP_NEXT)
		ret = frag_track(&p);
	if (ret != STEP_NEXT)
		return finish(ctx, len, ret, action, bounce, &p);
	now = datapath_now();
	ret = xdp_reply(ctx, &p, now, &action);
	if (ret == STEP_NEXT) {
		struct xdp_flow_probe fwd = xdp_flow_probe_of(&p, CT_FORWARD);

		ret = xdp_established(ctx, &p, &fwd, now, &action);
		if (ret == STEP_NEXT)
			ret = xdp_new_flow(ctx, &p, &fwd, now, &action, &bounce);
	}
	return finish(ctx, len, ret, action, bounce, &p);
}

SEC("xdp")
int from_node(struct xdp_md *ctx)
{
	return handle_from_node(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
