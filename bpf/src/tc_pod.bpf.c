// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Pod veth datapath, attached with tcx on the host side of each pod's veth:
 *   from_pod  (tcx ingress: packets leaving the pod)  service DNAT with conntrack, rejects and
 *             drops for service addresses without a frontend or backends, hairpin;
 *   to_pod    (tcx egress: packets entering the pod)  reverse NAT of replies, after routing.
 *
 * One packet: pkt4_parse -> frag_track -> ct_reverse -> ct_established -> lb_new_flow -> finish.
 * Every step returns a drop reason (< 0), a final reason, or STEP_NEXT; finish turns the result
 * into a verdict and counts the packet once.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "ferry_abi.h"
#include "config.h"
#include "maps.h"
#include "parse.h"
#include "frag.h"
#include "conntrack.h"
#include "lb.h"
#include "nat.h"
#include "reject.h"
#include "counters.h"

/*
 * A reply of a service flow (backend -> client): the source becomes the VIP again, as the
 * reply enters the client's pod, after routing (netfilter, too, un-DNATs replies after
 * routing). Done while the reply still leaves the backend, a VIP that is one of the node's
 * own addresses (a NodePort) would be a martian source and dropped by the kernel. Hairpin
 * replies are the exception: client and backend share the veth, so they turn around here.
 */
static __always_inline int ct_reverse(struct __sk_buff *skb, struct pkt4 *p, __u64 now,
				      bool leaving_pod, bool *back_to_pod)
{
	struct ct_key key = ct_key_of(p, CT_REPLY);
	struct ct_value *v = bpf_map_lookup_elem(&ct_v1, &key);
	struct ct_key fwd_key;

	if (!v || ct_expired(v, now))
		return STEP_NEXT;
	fwd_key = ct_forward_key(&key, v);
	ct_touch_pair(v, &fwd_key, p, now);
	if (leaving_pod && !(v->flags & CT_F_HAIRPIN))
		return REASON_PASS;
	return nat_reverse(skb, p, v->nat_addr, v->nat_port, v->flags & CT_F_HAIRPIN,
			   v->peer_addr, back_to_pod);
}

/* A known flow to a VIP keeps its backend while the entry is live and the backend exists. */
static __always_inline int ct_established(struct __sk_buff *skb, struct pkt4 *p, __u64 now,
					  bool *back_to_pod)
{
	struct ct_key key = ct_key_of(p, CT_FORWARD);
	struct ct_value *v = bpf_map_lookup_elem(&ct_v1, &key);
	struct ct_key rep_key;

	if (!v)
		return STEP_NEXT;
	rep_key = ct_reply_key(&key, v);
	if (ct_expired(v, now) ||
	    !bpf_map_lookup_elem(&backends_v1, &v->backend_id) ||
	    ((v->flags & CT_F_CLOSING) && (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)) {
		ct_delete_flow(&key, v);
		return STEP_NEXT;
	}
	ct_touch_pair(v, &rep_key, p, now);
	return nat_forward(skb, p, v->nat_addr, v->nat_port, v->flags & CT_F_HAIRPIN, back_to_pod);
}

/* First packet to a VIP: pick a backend, record the flow, DNAT (reject, or drop, without backends). */
static __always_inline int lb_new_flow(struct __sk_buff *skb, struct pkt4 *p, __u64 now,
				       bool *back_to_pod)
{
	struct svc_value *svc = lb_lookup_service(p);
	struct ct_key key = ct_key_of(p, CT_FORWARD);
	struct backend *be;
	__u32 backend_id = 0;
	bool hairpin;
	int ret;

	if (!svc) {
		ct_retire_superseded(p);
		ret = lb_no_frontend(p);
		return ret == REASON_REJECT_NO_PORT ? reject_flow(skb, p, ret, back_to_pod) : ret;
	}
	if (svc->backend_count == 0 && (svc->flags & SVC_F_LOCAL_ONLY))
		return -REASON_DROP_NO_LOCAL_BACKEND;
	if (svc->backend_count == 0)
		return reject_flow(skb, p, REASON_REJECT_NO_BACKEND, back_to_pod);
	be = lb_pick_backend(svc, p->saddr, now, &backend_id);
	if (!be)
		return -REASON_DROP_NO_SLOT;
	hairpin = be->addr == p->saddr;
	ret = ct_create(&key, be, backend_id, svc->svc_id, hairpin, p, now);
	if (ret < 0)
		return ret;
	return nat_forward(skb, p, be->addr, be->port, hairpin, back_to_pod);
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
 * egress of the same veth, with its MACs swapped.
 */
static __always_inline int finish(struct __sk_buff *skb, __u32 len, int ret,
				  bool back_to_pod)
{
	if (ret == STEP_NEXT)
		ret = REASON_PASS;
	if (ret >= 0 && back_to_pod && nat_swap_macs(skb) < 0)
		ret = -REASON_DROP_REWRITE_FAILED;
	if (ret < 0) {
		count_packet(-ret, len);
		return TC_ACT_SHOT;
	}
	count_packet(ret, len);
	return back_to_pod ? bpf_redirect(skb->ifindex, 0) : TC_ACT_OK;
}

/*
 * Leaving the pod: every step. Entering the pod: reverse NAT of replies only; service traffic
 * was DNATed as it left its client pod, and a hairpin reply here already heads into the pod,
 * so nothing bounces. The clock is read once per packet.
 */
static __always_inline int pod_datapath(struct __sk_buff *skb, bool leaving_pod)
{
	__u32 len = skb->len;
	bool back_to_pod = false;
	struct pkt4 p = {};
	__u64 now;
	int ret;

	ret = load_packet(skb, &p);
	if (ret != STEP_NEXT)
		return finish(skb, len, ret, false);
	now = bpf_ktime_get_ns();
	ret = ct_reverse(skb, &p, now, leaving_pod, &back_to_pod);
	if (!leaving_pod)
		return finish(skb, len, ret, false);
	if (ret == STEP_NEXT)
		ret = ct_established(skb, &p, now, &back_to_pod);
	if (ret == STEP_NEXT)
		ret = lb_new_flow(skb, &p, now, &back_to_pod);
	return finish(skb, len, ret, back_to_pod);
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
