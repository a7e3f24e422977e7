/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A backend by id: backends_v2, an array whose slot for an id is id % BACKEND_SLOTS. Every
 * established packet asks whether its flow's backend still exists, and every new flow looks
 * its backend up. The verifier inlines an array lookup (a bounds check and an address), where
 * a hash map lookup is a call into the kernel: about 45 ns of an established XDP frame on our
 * VM, whose returns go through the SRSO safe-RET thunk. The agent gives a new backend an id
 * whose slot is free, so a live backend never shares its slot.
 */
#ifndef FERRY_BACKENDS_H
#define FERRY_BACKENDS_H

#include "maps.h"

/*
 * The backend with this id, or NULL when it is gone: its slot is empty or holds a newer id (a
 * flow must never follow its id to a newcomer). Id 0 is never a backend; it marks empty slots.
 */
static __always_inline struct backend *backend_lookup(__u32 id)
{
	__u32 slot = id % BACKEND_SLOTS;
	struct backend *be = bpf_map_lookup_elem(&backends_v2, &slot);

	if (!be || be->id != id || id == 0)
		return NULL;
	return be;
}

#endif /* FERRY_BACKENDS_H */
