/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Service frontend lookup and backend selection (random over the service's slots). */
#ifndef FERRY_LB_H
#define FERRY_LB_H

#include "maps.h"
#include "parse.h"

static __always_inline struct svc_value *lb_lookup_service(const struct pkt4 *p)
{
	struct svc_key k = { .vip = p->daddr, .port = p->dport, .proto = p->proto };

	return bpf_map_lookup_elem(&services_v1, &k);
}

/* A random slot's backend, or NULL when slot or backend is missing (agent mid-update). */
static __always_inline struct backend *lb_pick_backend(const struct svc_value *svc,
						       __u32 *backend_id)
{
	struct slot_key k = { .svc_id = svc->svc_id };
	__u32 *id;

	if (svc->backend_count == 0)
		return NULL;
	k.slot = bpf_get_prandom_u32() % svc->backend_count;
	id = bpf_map_lookup_elem(&slots_v1, &k);
	if (!id)
		return NULL;
	*backend_id = *id;
	return bpf_map_lookup_elem(&backends_v1, id);
}

#endif /* FERRY_LB_H */
