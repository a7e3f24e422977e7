/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Service conntrack: each flow owns two ct_v1 entries, FORWARD keyed by the client's tuple
 * (client -> VIP) and REPLY keyed by the tuple the backend answers with (backend -> client,
 * backend -> hairpin_addr, or backend -> node address:SNAT port). A packet in either direction
 * refreshes both (at most about once a second, see CT_REFRESH_NS), so one-way streams keep
 * their backend. Shared by the TC and XDP programs.
 */
#ifndef FERRY_CONNTRACK_H
#define FERRY_CONNTRACK_H

#include <stdbool.h>
#include "backends.h"
#include "config.h"
#include "hash.h"
#include "maps.h"
#include "parse.h"

static __always_inline struct ct_key ct_key_of(const struct pkt4 *p, enum ct_dir dir)
{
	struct ct_key k = {
		.saddr = p->saddr,
		.daddr = p->daddr,
		.sport = p->sport,
		.dport = p->dport,
		.proto = p->proto,
		.dir = dir,
	};

	return k;
}

/* A conntrack key's hash: its slot of flow_versions_v1, and of xdp_flows_v2 (xdp_flows.h). */
static __always_inline __u32 ct_key_hash(const struct ct_key *k)
{
	return mix32(k->saddr ^ rol32(k->daddr, 11) ^ rol32((__u32)k->sport << 16 | k->dport, 22) ^
		     ((__u32)k->dir << 8 | k->proto));
}

/* The counter of changes to entries of keys with this hash (flow_versions_v1). */
static __always_inline __u32 *ct_version_slot(__u32 hash)
{
	__u32 slot = hash % FLOW_VERSION_SLOTS;

	return bpf_map_lookup_elem(&flow_versions_v1, &slot);
}

/* That counter's value; 0 if unreadable. */
static __always_inline __u32 ct_version(__u32 hash)
{
	__u32 *version = ct_version_slot(hash);

	return version ? *version : 0;
}

/*
 * The entry of this key was created or deleted: caches of it are void (xdp_flows.h). Called
 * after the change, so a cache filled before it carries the older count. (Inlined: as a global
 * function, verified once, its mere presence made every established XDP frame 20 ns dearer.)
 */
static __always_inline void ct_changed(const struct ct_key *key)
{
	__u32 *version = ct_version_slot(ct_key_hash(key));

	if (version)
		__sync_fetch_and_add(version, 1);
}

/* The reply key belonging to a forward entry: the backend answers whoever the flow came from. */
static __always_inline struct ct_key ct_reply_key(const struct ct_key *fwd,
						  const struct ct_value *v)
{
	struct ct_key k = {
		.saddr = v->nat_addr,
		.daddr = fwd->saddr,
		.sport = v->nat_port,
		.dport = fwd->sport,
		.proto = fwd->proto,
		.dir = CT_REPLY,
	};

	if (v->flags & CT_F_HAIRPIN)
		k.daddr = hairpin_addr;
	if (v->flags & CT_F_SNAT) {
		k.daddr = v->peer_addr;
		k.dport = v->peer_port;
	}
	return k;
}

/* The forward key belonging to a reply entry: the client's own tuple. */
static __always_inline struct ct_key ct_forward_key(const struct ct_key *rep,
						    const struct ct_value *v)
{
	struct ct_key k = {
		.saddr = rep->daddr,
		.daddr = v->nat_addr,
		.sport = rep->dport,
		.dport = v->nat_port,
		.proto = rep->proto,
		.dir = CT_FORWARD,
	};

	if (v->flags & (CT_F_HAIRPIN | CT_F_SNAT))
		k.saddr = v->peer_addr;
	if (v->flags & CT_F_SNAT)
		k.sport = v->peer_port;
	return k;
}

static __always_inline bool ct_expired(const struct ct_value *v, __u64 now)
{
	return v->expires_ns <= now;
}

/*
 * A packet of a tracked flow (service or policy entry alike): FIN/RST moves a TCP flow to
 * CLOSING; the deadline restarts with the matching timeout.
 */
static __always_inline __u64 flow_timeout(__u16 flags, __u8 proto)
{
	if (flags & CT_F_CLOSING)
		return ct_closing_timeout_ns;
	return proto == IPPROTO_TCP ? ct_tcp_timeout_ns : ct_udp_timeout_ns;
}

static __always_inline void flow_refresh(__u16 *flags, __u64 *expires_ns, const struct pkt4 *p, __u64 now)
{
	if (p->tcp_flags & (TCPF_FIN | TCPF_RST))
		*flags |= CT_F_CLOSING;
	*expires_ns = now + flow_timeout(*flags, p->proto);
}

/*
 * Deadlines of live entries move in steps of at least CT_REFRESH_NS: a packet that changes no
 * flag writes nothing until its deadline would lie that much beyond the one written, so a busy
 * flow refreshes its entries about once a second, not per packet. That spares a flow's packets
 * the write to a shared cache line and, for service flows, the lookup of the other direction's
 * entry (a second hash lookup, usually a cache miss on a node with many flows). The price: an
 * idle entry expires up to CT_REFRESH_NS before its timeout after the flow's last packet. One
 * second is far below every timeout (10 s closing, 60 s UDP, 6 h TCP); Cilium's lifetimes are
 * whole seconds (bpf_mono_now()), so its entries, too, may end up to a second early. And the
 * other direction's entry is marked used for the LRU only by its own packets and by these
 * refreshes: under a churn that turns all of ct_v1 over within a second, a flow whose packets
 * all go one way may lose the entry of the other way.
 */
#define CT_REFRESH_NS NSEC_PER_SEC

/* Whether p would change the entry: a new flag (CLOSING), or a deadline CT_REFRESH_NS later. */
static __always_inline bool flow_refresh_due(__u16 flags, __u64 expires_ns, const struct pkt4 *p,
					     __u64 now)
{
	__u16 want = flags;
	__u64 deadline = 0;

	flow_refresh(&want, &deadline, p, now);
	return want != flags || deadline >= expires_ns + CT_REFRESH_NS;
}

/*
 * From when on a packet without FIN or RST is due to refresh the entry v (flow_refresh_due):
 * until then such packets leave the flow's entries as they are.
 */
static __always_inline __u64 ct_refresh_due_ns(const struct ct_value *v, __u8 proto)
{
	return v->expires_ns + CT_REFRESH_NS - flow_timeout(v->flags, proto);
}

static __always_inline void ct_touch(struct ct_value *v, const struct pkt4 *p, __u64 now)
{
	flow_refresh(&v->flags, &v->expires_ns, p, now);
}

/*
 * Refreshes an entry and its peer (looked up by peer_key; a missing peer is left alone) when
 * the refresh is due (flow_refresh_due). Both are always written together, so the entry p hit
 * speaks for the pair.
 */
static __always_inline void ct_touch_pair(struct ct_value *v, const struct ct_key *peer_key,
					  const struct pkt4 *p, __u64 now)
{
	struct ct_value *peer;

	if (!flow_refresh_due(v->flags, v->expires_ns, p, now))
		return;
	peer = bpf_map_lookup_elem(&ct_v1, peer_key);
	ct_touch(v, p, now);
	if (peer)
		ct_touch(peer, p, now);
}

/*
 * Inserts both entries of a new flow. fwd_key is the client's tuple; fwd says where it goes
 * (nat_*, svc_id, backend_id, flags, and peer_* for SNAT); the reply entry is derived from them.
 * An SNAT reply entry is inserted only if its tuple is still free, so two CPUs picking the same
 * SNAT port never steal each other's flow.
 */
static __always_inline int ct_create(const struct ct_key *fwd_key, struct ct_value *fwd,
				     const struct pkt4 *p, __u64 now)
{
	struct ct_value rep = {
		.nat_addr = fwd_key->daddr,
		.nat_port = fwd_key->dport,
		.flags = fwd->flags,
		.svc_id = fwd->svc_id,
		.backend_id = fwd->backend_id,
		.peer_addr = fwd_key->saddr,
		.peer_port = fwd_key->sport,
	};
	struct ct_key rep_key = ct_reply_key(fwd_key, fwd);

	ct_touch(fwd, p, now);
	ct_touch(&rep, p, now);
	if (bpf_map_update_elem(&ct_v1, &rep_key, &rep,
				(fwd->flags & CT_F_SNAT) ? BPF_NOEXIST : BPF_ANY) < 0)
		return -REASON_DROP_CT_FULL;
	ct_changed(&rep_key);
	if (bpf_map_update_elem(&ct_v1, fwd_key, fwd, BPF_ANY) < 0) {
		bpf_map_delete_elem(&ct_v1, &rep_key);
		return -REASON_DROP_CT_FULL;
	}
	ct_changed(fwd_key);
	return 0;
}

/* Deletes both entries of a flow, and voids their caches after. */
static __always_inline void ct_delete_pair(const struct ct_key *fwd_key, const struct ct_key *rep_key)
{
	bpf_map_delete_elem(&ct_v1, rep_key);
	bpf_map_delete_elem(&ct_v1, fwd_key);
	ct_changed(rep_key);
	ct_changed(fwd_key);
}

/* Removes a stale forward entry and its reply entry. */
static __always_inline void ct_delete_flow(const struct ct_key *fwd_key, const struct ct_value *v)
{
	struct ct_key rep_key = ct_reply_key(fwd_key, v);

	ct_delete_pair(fwd_key, &rep_key);
}

/*
 * ct_lookup_* take the flags an entry must carry one of (CT_ANY: none needed). An entry without
 * them belongs to another program: it is left as it is, neither refreshed nor retired.
 */
#define CT_ANY 0

static __always_inline bool ct_belongs(const struct ct_value *v, __u16 flags)
{
	return flags == CT_ANY || (v->flags & flags);
}

/* A flow's live entry for a reply p, refreshed with its forward entry; NULL when there is none. */
static __always_inline struct ct_value *ct_lookup_reply(const struct ct_key *key, __u16 flags,
							const struct pkt4 *p, __u64 now)
{
	struct ct_value *v = bpf_map_lookup_elem(&ct_v1, key);
	struct ct_key fwd_key;

	if (!v || !ct_belongs(v, flags) || ct_expired(v, now))
		return NULL;
	fwd_key = ct_forward_key(key, v);
	ct_touch_pair(v, &fwd_key, p, now);
	return v;
}

/*
 * A flow's live forward entry, refreshed with its reply entry. A stale one (expired, its
 * backend removed, or closing and hit by a new SYN) is deleted: p then starts a new flow.
 */
static __always_inline struct ct_value *ct_lookup_forward(const struct ct_key *key, __u16 flags,
							  const struct pkt4 *p, __u64 now)
{
	struct ct_value *v = bpf_map_lookup_elem(&ct_v1, key);
	struct ct_key rep_key;

	if (!v || !ct_belongs(v, flags))
		return NULL;
	rep_key = ct_reply_key(key, v);
	if (ct_expired(v, now) ||
	    !backend_lookup(v->backend_id) ||
	    ((v->flags & CT_F_CLOSING) && (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)) {
		ct_delete_flow(key, v);
		return NULL;
	}
	ct_touch_pair(v, &rep_key, p, now);
	return v;
}

/*
 * A pod opening a plain (non-service) flow whose tuple, seen from the peer, is the reply tuple
 * of a tracked service flow: the old flow is over (the client reuses an ephemeral port, e.g.
 * while the old entry is still closing), and its reply entry would otherwise reverse-NAT the
 * new flow's replies into "from the VIP". As netfilter does for a new connection, the new flow
 * wins. TCP only on a pure SYN; UDP has no handshake, so any such packet.
 */
static __always_inline void ct_retire_superseded(const struct pkt4 *p)
{
	struct ct_key rep_key = {
		.saddr = p->daddr, .daddr = p->saddr, .sport = p->dport, .dport = p->sport,
		.proto = p->proto, .dir = CT_REPLY,
	};
	struct ct_value *v;
	struct ct_key fwd_key;

	if (!pkt4_opens_flow(p))
		return;
	v = bpf_map_lookup_elem(&ct_v1, &rep_key);
	if (!v)
		return;
	fwd_key = ct_forward_key(&rep_key, v);
	ct_delete_pair(&fwd_key, &rep_key);
}

#endif /* FERRY_CONNTRACK_H */
