/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Self-test object for ffm-bindings: one of every map kind Ferry uses, a struct and an enum for
 * the BTF reader, load-time globals, and three programs (XDP, TC, cgroup connect4) whose effect a test can observe.
 * Not part of the datapath; nothing in the agent loads it.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* BTF reader check: 4 + 2 + 2 (pad) + 8 = 16 bytes. */
struct selftest_pair {
	__u32 first;   /* (host) written into the packet by selftest_tc */
	__u16 second;  /* (host) */
	__u16 pad;
	__u8  tag[8];
};

enum selftest_color {
	SELFTEST_RED   = 1,
	SELFTEST_GREEN = 2,
	SELFTEST_BLUE  = 40,
};

/* Load-time configuration (.rodata), set from Java before load. */
const volatile __u32 stamp = 0;                        /* (host) written to packet bytes 0..3 */
const volatile __u64 big_stamp = 0;                    /* (host) only read back through BTF */
const volatile enum selftest_color color = SELFTEST_GREEN;
const volatile __u32 refused_port = 0;                 /* (host) selftest_connect4 refuses connect() to it */

/* Pinned by name so two opens of the same pin root share it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct selftest_pair);
	__uint(max_entries, 64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} st_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 64);
} st_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} st_array SEC(".maps");

/* Counts selftest_tc runs in slot 0, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} st_percpu SEC(".maps");

/* Records selftest_ringbuf emits: the first 8 bytes of each frame it sees. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} st_events SEC(".maps");

/* Sends the frame's first 8 bytes to st_events. */
SEC("xdp")
int selftest_ringbuf(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 first;

	/* Helpers may not read packet memory: copy to the stack first. */
	if (data + 8 > data_end)
		return XDP_PASS;
	__builtin_memcpy(&first, data, 8);
	bpf_ringbuf_output(&st_events, &first, 8, 0);
	return XDP_PASS;
}

SEC("xdp")
int selftest_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Writes `stamp` into packet bytes 0..3 and st_hash[1].first into bytes 4..7 (0 if absent). */
SEC("tc")
int selftest_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 *words = data;
	__u32 key = 1, slot = 0;
	struct selftest_pair *pair;
	__u64 *runs;

	if ((void *)(words + 2) > data_end)
		return TC_ACT_OK;
	pair = bpf_map_lookup_elem(&st_hash, &key);
	words[0] = stamp;
	words[1] = pair ? pair->first : 0;
	runs = bpf_map_lookup_elem(&st_percpu, &slot);
	if (runs)
		*runs += 1;
	return color == SELFTEST_BLUE ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Fails connect() to port refused_port with EPERM, in the cgroup it is attached to. */
SEC("cgroup/connect4")
int selftest_connect4(struct bpf_sock_addr *ctx)
{
	__u16 port = (__u16)ctx->user_port; /* (be) in the low 16 bits */

	return port == bpf_htons(refused_port) ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
