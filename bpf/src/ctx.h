/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few packet accessors that code shared by the XDP and the TC programs needs, for the
 * program type of the object including it: an XDP object defines FERRY_XDP first.
 */
#ifndef FERRY_CTX_H
#define FERRY_CTX_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifdef FERRY_XDP
typedef struct xdp_md ctx_t;

static __always_inline int ctx_load_bytes(ctx_t *ctx, __u32 off, void *to, __u32 len)
{
	return bpf_xdp_load_bytes(ctx, off, to, len);
}

static __always_inline int ctx_store_bytes(ctx_t *ctx, __u32 off, void *from, __u32 len)
{
	return bpf_xdp_store_bytes(ctx, off, from, len);
}

/* Grows or shrinks the frame at its end to len bytes. */
static __always_inline int ctx_set_len(ctx_t *ctx, __u32 len)
{
	return bpf_xdp_adjust_tail(ctx, (int)len - (int)bpf_xdp_get_buff_len(ctx));
}
#else
typedef struct __sk_buff ctx_t;

static __always_inline int ctx_load_bytes(ctx_t *ctx, __u32 off, void *to, __u32 len)
{
	return bpf_skb_load_bytes(ctx, off, to, len);
}

static __always_inline int ctx_store_bytes(ctx_t *ctx, __u32 off, void *from, __u32 len)
{
	return bpf_skb_store_bytes(ctx, off, from, len, 0);
}

static __always_inline int ctx_set_len(ctx_t *ctx, __u32 len)
{
	return bpf_skb_change_tail(ctx, len, 0);
}
#endif

#endif /* FERRY_CTX_H */
