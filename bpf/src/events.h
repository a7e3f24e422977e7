/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Drop events: policy drops and rejects, one struct drop_event each, into the events_v1 ring
 * buffer, where the agent names the pods and logs and counts them. Counters stay the record of
 * every packet; an event that finds the ring full is lost, never the packet's verdict.
 */
#ifndef FERRY_EVENTS_H
#define FERRY_EVENTS_H

#include <stdbool.h>
#include "maps.h"
#include "parse.h"

static __always_inline bool event_wanted(int reason)
{
	return reason == REASON_DROP_POLICY_EGRESS || reason == REASON_DROP_POLICY_INGRESS ||
	       reason == REASON_REJECT_NO_BACKEND || reason == REASON_REJECT_NO_PORT;
}

static __always_inline void event_emit(int reason, const struct pkt4 *p, __u32 identity, __u32 ifindex)
{
	struct drop_event e = {
		.time_ns = bpf_ktime_get_ns(),
		.saddr = p->saddr,
		.daddr = p->daddr,
		.sport = p->sport,
		.dport = p->dport,
		.proto = p->proto,
		.reason = reason,
		.identity = identity,
		.ifindex = ifindex,
	};

	bpf_ringbuf_output(&events_v1, &e, sizeof(e), 0);
}

#endif /* FERRY_EVENTS_H */
