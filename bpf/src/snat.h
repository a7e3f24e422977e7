/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Source ports for flows SNATed to a node address (NodePort traffic to a backend on another
 * node). A port is free for a backend when no live reply entry (backend -> node:port) holds
 * it. The client's own port is kept when it is in range and free, as Cilium does; otherwise
 * random ports in [snat_port_min, snat_port_max] are tried.
 */
#ifndef FERRY_SNAT_H
#define FERRY_SNAT_H

#include "config.h"
#include "conntrack.h"

#define SNAT_ATTEMPTS 32

static __always_inline bool snat_port_free(struct ct_key *rep_key, __u64 now)
{
	struct ct_value *v = bpf_map_lookup_elem(&ct_v1, rep_key);

	if (!v)
		return true;
	if (!ct_expired(v, now))
		return false;
	/* An expired flow's reply entry would block the insert (BPF_NOEXIST): retire it. */
	bpf_map_delete_elem(&ct_v1, rep_key);
	ct_changed(rep_key);
	return true;
}

/*
 * Picks the SNAT port for a flow whose reply key (backend -> snat address) is in rep_key;
 * returns it (be) in rep_key->dport, or -REASON_DROP_NO_SNAT_PORT.
 */
static __always_inline int snat_pick_port(struct ct_key *rep_key, __u16 client_port, __u64 now)
{
	__u32 range = (__u32)snat_port_max - snat_port_min + 1;
	__u16 port = bpf_ntohs(client_port);

	for (int i = 0; i < SNAT_ATTEMPTS; i++) {
		if (i > 0 || port < snat_port_min || port > snat_port_max)
			port = snat_port_min + bpf_get_prandom_u32() % range;
		rep_key->dport = bpf_htons(port);
		if (snat_port_free(rep_key, now))
			return 0;
	}
	return -REASON_DROP_NO_SNAT_PORT;
}

#endif /* FERRY_SNAT_H */
