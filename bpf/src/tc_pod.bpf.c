// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Pod veth datapath, attached with tcx on the host side of each pod's veth:
 *   from_pod  (tcx ingress: packets leaving the pod)  service DNAT with conntrack, rejects and
 *             drops for service addresses without a frontend or backends, hairpin, then the
 *             pod's egress policy on the real destination;
 *   to_pod    (tcx egress: packets entering the pod)  the pod's ingress policy, then reverse NAT
 *             of replies, after routing.
 *
 * Leaving:  pkt4_parse -> frag_track -> ct_reverse -> ct_established -> lb_new_flow -> policy -> finish.
 * Entering: pkt4_parse -> frag_track -> policy -> ct_reverse -> finish.
 * Every step returns a drop reason (< 0), a final reason, or STEP_NEXT; finish turns the result
 * into a verdict and counts the packet once.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "ferry_abi.h"
#include "config.h"
#include "clock.h"
#include "maps.h"
#include "parse.h"
#include "frag.h"
#include "conntrack.h"
#include "addr_filter.h"
#include "lb.h"
#include "nat.h"
#include "reject.h"
#include "fib.h"
#include "policy.h"
#include "events.h"
#include "counters.h"

/*
 * Where a handled packet goes when it is not simply passed on: back into the pod it came from
 * (hairpin, rejects), or out of a node interface towards a next hop (NodePort replies).
 */
struct tc_out {
	bool back_to_pod;
	__u32 ifindex;
	__u32 nexthop;        /* (be) */
	__u32 peer_identity;  /* who a policy drop refused, for its event */
};

/*
 * A NodePort reply leaving a local backend, already rewritten to come from the frontend: a
 * node address as source would be a martian to input routing, so it goes straight out of the
 * node interface the route to the client names, its TTL decremented as routing would.
 */
static __always_inline int out_to_node_interface(struct __sk_buff *skb, const struct pkt4 *p,
						 struct tc_out *out)
{
	struct bpf_fib_lookup fib;
	__u32 ttl_off = ETH_HLEN + offsetof(struct iphdr, ttl);
	__u16 old_word, new_word;
	int ret = fib_route(skb, p, skb->ifindex, &fib);

	if (ret != BPF_FIB_LKUP_RET_SUCCESS && ret != BPF_FIB_LKUP_RET_NO_NEIGH)
		return -REASON_DROP_NO_ROUTE;
	/* The TTL shares a 16-bit word with the protocol; the header checksum covers it. */
	if (bpf_skb_load_bytes(skb, ttl_off, &old_word, sizeof(old_word)) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	if (*(__u8 *)&old_word <= 1)
		return -REASON_DROP_TTL_EXCEEDED;
	new_word = old_word;
	*(__u8 *)&new_word -= 1;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_word, new_word, sizeof(new_word)) < 0 ||
	    bpf_skb_store_bytes(skb, ttl_off, &new_word, sizeof(new_word), 0) < 0)
		return -REASON_DROP_REWRITE_FAILED;
	out->ifindex = fib.ifindex;
	out->nexthop = fib.ipv4_dst;
	return 0;
}

/*
 * A reply of a service flow (backend -> client): the source becomes the VIP again, as the
 * reply enters the client's pod, after routing (netfilter, too, un-DNATs replies after
 * routing). Done while the reply still leaves the backend, a VIP that is one of the node's
 * own addresses (a NodePort) would be a martian source and dropped by the kernel. Two
 * exceptions turn around here: hairpin replies (client and backend share the veth) and
 * replies to clients outside the cluster, which never enter a pod (they leave through a node
 * interface, past routing).
 */
static __always_inline int ct_reverse(struct __sk_buff *skb, struct pkt4 *p, __u64 now,
				      bool leaving_pod, struct tc_out *out)
{
	struct ct_key key = ct_key_of(p, CT_REPLY);
	struct ct_value *v = ct_lookup_reply(&key, CT_ANY, p, now);
	bool turns_here;
	int ret, route;

	if (!v)
		return STEP_NEXT;
	turns_here = v->flags & (CT_F_HAIRPIN | CT_F_NODEPORT);
	if ((leaving_pod && !turns_here) || (!leaving_pod && (v->flags & CT_F_NODEPORT)))
		return REASON_PASS;
	ret = nat_reverse(skb, p, v->nat_addr, v->nat_port, v->flags & CT_F_HAIRPIN,
			  v->peer_addr, &out->back_to_pod);
	if (ret < 0 || !(v->flags & CT_F_NODEPORT))
		return ret;
	route = out_to_node_interface(skb, p, out);
	return route < 0 ? route : ret;
}

/* A known flow to a VIP keeps its backend while the entry is live and the backend exists. */
static __always_inline int ct_established(struct __sk_buff *skb, struct pkt4 *p, __u64 now,
					  struct tc_out *out)
{
	struct ct_key key = ct_key_of(p, CT_FORWARD);
	struct ct_value *v = ct_lookup_forward(&key, CT_ANY, p, now);

	if (!v)
		return STEP_NEXT;
	return nat_forward(skb, p, v->nat_addr, v->nat_port, v->flags & CT_F_HAIRPIN,
			   &out->back_to_pod);
}

/* First packet to a VIP: pick a backend, record the flow, DNAT (reject, or drop, without backends). */
static __always_inline int lb_new_flow(struct __sk_buff *skb, struct pkt4 *p, __u64 now,
				       struct tc_out *out)
{
	struct svc_value *svc = lb_lookup_service(p, SVC_SCOPE_INTERNAL);
	struct ct_key key = ct_key_of(p, CT_FORWARD);
	struct ct_value fwd = {};
	struct backend *be;
	__u32 backend_id = 0;
	bool hairpin;
	int ret;

	if (!svc) {
		ct_retire_superseded(p);
		ret = lb_no_frontend(p);
		return ret == REASON_REJECT_NO_PORT ? reject_flow(skb, p, ret, &out->back_to_pod) : ret;
	}
	if (!lb_source_allowed(svc, p->saddr))
		return -REASON_DROP_SOURCE_RANGE;
	if (svc->backend_count == 0 && (svc->flags & SVC_F_LOCAL_ONLY))
		return -REASON_DROP_NO_LOCAL_BACKEND;
	if (svc->backend_count == 0)
		return reject_flow(skb, p, REASON_REJECT_NO_BACKEND, &out->back_to_pod);
	be = lb_pick_backend(svc, p, now, &backend_id);
	if (!be)
		return -REASON_DROP_NO_SLOT;
	hairpin = be->addr == p->saddr;
	fwd.nat_addr = be->addr;
	fwd.nat_port = be->port;
	fwd.flags = hairpin ? CT_F_HAIRPIN : 0;
	fwd.svc_id = svc->svc_id;
	fwd.backend_id = backend_id;
	ret = ct_create(&key, &fwd, p, now);
	if (ret < 0)
		return ret;
	return nat_forward(skb, p, be->addr, be->port, hairpin, &out->back_to_pod);
}

/* Parse and place fragments; STEP_NEXT when p is a TCP/UDP packet with known ports. */
static __always_inline int load_packet(struct __sk_buff *skb, struct pkt4 *p)
{
	int ret = pkt4_parse(skb, p);

	if (ret != STEP_NEXT)
		return ret;
	return frag_track(p);
}

/*
 * The only place a step result becomes a verdict; every packet is counted exactly once.
 * back_to_pod (hairpin, rejects): the frame returns into the pod it came from, through the
 * egress of the same veth, with its MACs swapped. ifindex: out of that node interface, the
 * next hop's MAC from the neighbour table.
 */
static __always_inline int finish(struct __sk_buff *skb, __u32 len, int ret, struct tc_out *out,
				  const struct pkt4 *p)
{
	struct bpf_redir_neigh nh = { .nh_family = AF_INET };

	if (ret == STEP_NEXT)
		ret = REASON_PASS;
	if (ret >= 0 && out->back_to_pod && nat_swap_macs(skb) < 0)
		ret = -REASON_DROP_REWRITE_FAILED;
	if (event_wanted(ret < 0 ? -ret : ret))
		event_emit(ret < 0 ? -ret : ret, p, out->peer_identity, skb->ifindex);
	if (ret < 0) {
		count_packet(-ret, len);
		return TC_ACT_SHOT;
	}
	count_packet(ret, len);
	if (out->back_to_pod)
		return bpf_redirect(skb->ifindex, 0);
	if (out->ifindex) {
		nh.ipv4_nh = out->nexthop;
		return bpf_redirect_neigh(out->ifindex, &nh, sizeof(nh), 0);
	}
	return TC_ACT_OK;
}

/*
 * Egress policy of the pod p leaves, on the tuple service handling left (the real destination
 * after DNAT). Replies of flows into the pod pass; so do a service reply turned around here
 * (its flow was judged on the way in) and the pod's flows Ferry rejected, which are recorded
 * unjudged: the reject entering the pod is their reply.
 */
static __always_inline int policy_leaving(const struct endpoint *ep, __u32 ep_addr, bool reply,
					  int ret, struct pkt4 *p, __u64 now, struct tc_out *out)
{
	struct policy_ct_key k;

	if (!ep || reply || ret < 0 || ret == REASON_REVNAT || p->icmp_error)
		return ret;
	if (ret == REASON_REJECT_NO_BACKEND || ret == REASON_REJECT_NO_PORT) {
		k = policy_ct_key_of(p, POLICY_EGRESS, false);
		policy_ct_record(&k, p, now);
		return ret;
	}
	return policy_judge(ep, ep_addr, POLICY_EGRESS, p, now, &out->peer_identity) ?: ret;
}

/* Ingress policy of the pod p enters, before reverse NAT: on the tuple the peer really sent. */
static __always_inline int policy_entering(struct pkt4 *p, __u64 now, struct tc_out *out)
{
	struct endpoint *ep = policy_endpoint(p->daddr);

	if (!ep || p->icmp_error || policy_is_reply(p, POLICY_INGRESS, now))
		return STEP_NEXT;
	return policy_judge(ep, p->daddr, POLICY_INGRESS, p, now, &out->peer_identity) ?: STEP_NEXT;
}

/*
 * Whether conntrack or a service may hold anything for a packet from or to addr (svc_addrs_v1):
 * a flow to a service goes to a frontend's address, a reply of one comes from a backend's.
 * Packets between pods are mostly neither (a backend's replies leaving its pod, whatever
 * enters a pod that is no service's reply) and skip lookups that would miss, each a cache
 * miss or two on a busy node.
 */
static __always_inline bool pod_may_be_service(__u32 addr)
{
	return addr_filter_may_hold(&svc_addrs_v1, SVC_ADDR_WORDS, addr);
}

/*
 * A packet leaving its pod that no reply entry took: its tracked flow to a service, or a new
 * one. A packet that may open a flow goes on to the service lookup whatever its destination:
 * it may meet a reject (vips_v1, svc_cidrs_v1), or retire a reply entry it supersedes.
 */
static __always_inline int lb_leaving(struct __sk_buff *skb, struct pkt4 *p, __u64 now, struct tc_out *out)
{
	bool to_frontend = pod_may_be_service(p->daddr);
	int ret = to_frontend ? ct_established(skb, p, now, out) : STEP_NEXT;

	if (ret == STEP_NEXT && (to_frontend || pkt4_opens_flow(p)))
		ret = lb_new_flow(skb, p, now, out);
	return ret;
}

/*
 * Leaving the pod: every step. Entering the pod: policy and reverse NAT of replies; service
 * traffic was DNATed as it left its client pod, and a hairpin reply here already heads into
 * the pod, so nothing bounces. IPv4 of other protocols (ICMP...) meets policy only. The clock
 * is read once per packet. bench_tc_pod.bpf.c, which includes this file, runs it too.
 */
static __always_inline int pod_datapath(struct __sk_buff *skb, bool leaving_pod)
{
	__u32 len = skb->len;
	struct tc_out out = {};
	struct pkt4 p = {};
	struct endpoint *ep;
	__u32 ep_addr;
	bool reply;
	__u64 now;
	int ret;

	ret = load_packet(skb, &p);
	if (ret != STEP_NEXT && !(ret == REASON_PASS && p.proto))
		return finish(skb, len, ret, &out, &p);
	now = datapath_now();
	if (!leaving_pod) {
		ret = policy_entering(&p, now, &out);
		if (ret == STEP_NEXT && p.proto != IPPROTO_TCP && p.proto != IPPROTO_UDP)
			ret = REASON_PASS;
		if (ret == STEP_NEXT && pod_may_be_service(p.saddr))
			ret = ct_reverse(skb, &p, now, false, &out);
		return finish(skb, len, ret, &out, &p);
	}
	ep_addr = p.saddr;
	ep = policy_endpoint(ep_addr);
	reply = ep && policy_is_reply(&p, POLICY_EGRESS, now);
	if (ret == STEP_NEXT && pod_may_be_service(p.saddr))
		ret = ct_reverse(skb, &p, now, true, &out);
	if (ret == STEP_NEXT)
		ret = lb_leaving(skb, &p, now, &out);
	if (ret == STEP_NEXT)
		ret = REASON_PASS;
	ret = policy_leaving(ep, ep_addr, reply, ret, &p, now, &out);
	return finish(skb, len, ret, &out, &p);
}

SEC("tc")
int from_pod(struct __sk_buff *skb)
{
	return pod_datapath(skb, true);
}

SEC("tc")
int to_pod(struct __sk_buff *skb)
{
	return pod_datapath(skb, false);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
