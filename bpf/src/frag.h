/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IPv4 fragments: the first fragment's ports are remembered under (saddr, daddr, id, proto) as
 * the packet arrives (pre-NAT), so later fragments, which carry no L4 header, find the same
 * conntrack entry and get the same L3 rewrite.
 */
#ifndef FERRY_FRAG_H
#define FERRY_FRAG_H

#include "maps.h"
#include "parse.h"

static __always_inline struct frag_key frag_key_of(const struct pkt4 *p)
{
	struct frag_key k = {
		.saddr = p->saddr,
		.daddr = p->daddr,
		.id = p->ip_id,
		.proto = p->proto,
	};

	return k;
}

/* STEP_NEXT when p has ports; REASON_FRAG_UNKNOWN for a later fragment we can not place. */
static __always_inline int frag_track(struct pkt4 *p)
{
	struct frag_key k;
	struct frag_value *v;

	if (p->frag == FRAG_NONE)
		return STEP_NEXT;
	k = frag_key_of(p);
	if (p->frag == FRAG_FIRST) {
		struct frag_value nv = { .sport = p->sport, .dport = p->dport };

		/* LRU map: a failed insert only costs the later fragments their NAT. */
		bpf_map_update_elem(&frag_v1, &k, &nv, BPF_ANY);
		return STEP_NEXT;
	}
	v = bpf_map_lookup_elem(&frag_v1, &k);
	if (!v)
		return REASON_FRAG_UNKNOWN;
	p->sport = v->sport;
	p->dport = v->dport;
	return STEP_NEXT;
}

#endif /* FERRY_FRAG_H */
