/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Ferry ABI: every struct, enum and constant shared between the eBPF programs and the Java agent.
 *
 * This header is the single source of truth. The Java codecs in
 * agent/src/main/java/dev/ferry/agent/datapath/abi mirror it, and AbiLayoutTest compares them
 * with the BTF of the compiled objects (size and every field offset).
 *
 * Rules: fixed-width fields, explicit padding, no bitfields. Byte order is noted per field:
 * (be) = network byte order, (host) = the CPU's order. Pinned maps outlive upgrades, so a layout
 * change needs a new map name suffix (_v2) rather than an edit in place.
 */
#ifndef FERRY_ABI_H
#define FERRY_ABI_H

#include <linux/types.h>

#define FERRY_ABI_VERSION 1

/*
 * services_v2: one entry per service frontend (VIP:port/protocol) and scope. Written by the agent.
 * Internal frontends serve pods and the node's own sockets: ClusterIPs, and NodePorts, externalIPs
 * and LoadBalancer IPs short-circuited to the cluster-wide endpoints, as kube-proxy does. External
 * frontends serve what arrives from outside on a node interface (XDP): NodePorts, externalIPs and
 * LoadBalancer IPs with externalTrafficPolicy, source ranges and Maglev.
 */
#define SVC_SCOPE_INTERNAL 0
#define SVC_SCOPE_EXTERNAL 1

struct svc_key {
	__u32 vip;            /* (be) IPv4 address of the frontend */
	__u16 port;           /* (be) frontend port */
	__u8  proto;          /* IPPROTO_TCP or IPPROTO_UDP */
	__u8  scope;          /* SVC_SCOPE_*; was padding (0) before scopes existed */
};

struct svc_value {
	__u32 svc_id;         /* (host) frontend id: slot namespace and reverse-NAT index, never 0 */
	__u16 backend_count;  /* (host) slots 0..backend_count-1 exist; 0 means reject */
	__u16 flags;          /* (host) SVC_F_* */
	__u32 affinity_timeout_s; /* (host) SVC_F_AFFINITY: how long a client keeps its backend */
	__u32 pad;
};

/*
 * internalTrafficPolicy Local: backends are this node's endpoints only, and with none the
 * packet is dropped rather than rejected (kube-proxy: "has no local endpoints" -> DROP).
 */
#define SVC_F_LOCAL_ONLY 0x1
/* sessionAffinity ClientIP: new flows of a client reuse its backend within the timeout. */
#define SVC_F_AFFINITY   0x2
/* loadBalancerSourceRanges: a new flow's source must be in src_ranges_v1 under this svc_id. */
#define SVC_F_SOURCE_RANGES 0x4
/* Backends are picked from the frontend's Maglev table (maglev_v1), the same on every node. */
#define SVC_F_MAGLEV     0x8

/*
 * maglev_v1: svc_id (host) -> __u32 backend ids[maglev_table_size], a Maglev lookup table that
 * every node computes identically from the backend addresses, so every node sends a flow to the
 * same backend. The value size is set at load time from maglev_table_size. Written by the agent.
 */

/* src_ranges_v1: LPM trie of loadBalancerSourceRanges per frontend -> __u32 (1). Written by the agent. */
struct src_range_key {
	__u32 prefixlen;      /* (host) 32 (the svc_id) + the range's prefix length */
	__u32 svc_id;         /* (host) always matched in full (prefixlen >= 32) */
	__u32 addr;           /* (be) network address of the range */
};

/*
 * nodeport_ifs_v1: ifindex (host) of a node interface XDP is attached to -> its address, the
 * source of flows SNATed out through it towards a backend on another node. Written by the agent.
 */
struct nodeport_if {
	__u32 snat_addr;      /* (be) */
	__u32 pad;
};

/*
 * nexthops_v1: per CPU, a direct-mapped cache of bpf_fib_lookup's answers for the frames XDP
 * forwards itself (fib.h): slot (a hash of the route input) -> the route input it holds and
 * where such a frame goes. Written by the datapath; an answer older than NEXTHOP_RECHECK_NS is
 * asked for again before it is used.
 */
#define NEXTHOP_SLOTS 8192  /* per CPU (40 bytes each); a power of two: slots are a hash's low bits */

struct nexthop {
	__u32 daddr;          /* (be) route input: the frame's destination as rewritten */
	__u32 saddr;          /* (be) route input: its source (policy routing may choose by it) */
	__u32 in_ifindex;     /* (host) route input: the interface it came in on */
	__u8  proto;          /* route input: IPPROTO_TCP or IPPROTO_UDP (so may routing rules) */
	__u8  pad;
	__u16 mtu;            /* (host) the route's MTU; a longer frame is looked up afresh */
	__u64 checked_ns;     /* (host) CLOCK_MONOTONIC ns (clock.h) of the answer; 0: an empty slot */
	__u32 ifindex;        /* (host) the interface the route leaves through */
	__u8  dmac[6];        /* the next hop's MAC */
	__u8  smac[6];        /* the MAC of the interface it leaves through */
};

/*
 * frontend_addrs_v1: a bitmap of the addresses XDP translates frames to, the addresses of
 * external frontends (node addresses with NodePorts, LoadBalancer IPs, externalIPs) and SNAT
 * addresses: word i (host) holds bits 64i..64i+63, an address's bit is
 * mix32(address) % FRONTEND_ADDR_BITS (hash.h). Slot FRONTEND_ADDR_WORDS is nonzero once the agent
 * has written them all; until then every frame is looked at. Written by the agent.
 */
#define FRONTEND_ADDR_BITS 65536
#define FRONTEND_ADDR_WORDS (FRONTEND_ADDR_BITS / 64)

/*
 * svc_addrs_v1: the same kind of bitmap for the pod veth programs, of every address a pod's packet
 * must carry for conntrack or a service to have anything for it: every frontend's address, of
 * either scope (a forward entry's destination), and every backend's address (a reply entry's
 * source). Larger than frontend_addrs_v1, since a cluster has a backend per pod: 110,000
 * addresses set 10 % of its bits. Word SVC_ADDR_WORDS is nonzero once the agent has written them
 * all; until then every packet is looked up. Written by the agent.
 */
#define SVC_ADDR_BITS (1 << 20)
#define SVC_ADDR_WORDS (SVC_ADDR_BITS / 64)

/* affinity_v1: LRU (client, frontend) -> the backend its last new flow used. Written by the datapath. */
struct affinity_key {
	__u32 client_addr;    /* (be) */
	__u32 svc_id;         /* (host) */
};

struct affinity_value {
	__u32 backend_id;     /* (host) */
	__u32 slot;           /* (host) where backend_id sat; re-checked so a removed backend is never reused */
	__u64 last_used_ns;   /* (host) CLOCK_MONOTONIC ns (clock.h) of the client's last new flow */
};

/* slots_v1: (svc_id, slot) -> backend id; the random pick indexes these. Written by the agent. */
struct slot_key {
	__u32 svc_id;         /* (host) */
	__u32 slot;           /* (host) 0..backend_count-1 */
};

/*
 * backends_v2: an array; slot (id % BACKEND_SLOTS) -> the backend with that id. Written by the
 * agent. An entry answers only for the id it holds: ids are never reused, but slots are, and a
 * flow whose backend was removed must find it gone, not a newcomer in its slot. An empty slot,
 * or one a removed backend left, holds id 0 (no backend has it). backends_v1, the hash map
 * before it (id -> addr, port, flags: this struct without its id), is carried over and unpinned
 * by the agent.
 */
#define BACKEND_SLOTS 262144  /* a power of two: an id's slot is its low bits */

struct backend {
	__u32 id;             /* (host) the backend id this slot holds; 0: none */
	__u32 addr;           /* (be) IPv4 address of the endpoint */
	__u16 port;           /* (be) target port */
	__u16 flags;          /* (host) BACKEND_F_* */
};
_Static_assert(sizeof(struct backend) == 12, "struct backend: ferry_abi.h and BackendValue.java");

/* The endpoint runs on this node: traffic from outside is DNATed and passed up, never SNATed. */
#define BACKEND_F_LOCAL 0x1

/*
 * vips_v1: __u32 address (be) -> __u32 VIP_F_*: every allocated ClusterIP. A new flow to one
 * on a port no frontend serves is rejected. Written by the agent.
 */
#define VIP_F_CLUSTER_IP 0x1

/*
 * svc_cidrs_v1: LPM trie of the ServiceCIDRs -> __u32 (1). A new flow to an address inside one
 * that is no allocated ClusterIP is dropped (kube-proxy nftables: "Drop traffic to unallocated
 * ClusterIPs"). Written by the agent.
 */
struct svc_cidr_key {
	__u32 prefixlen;      /* (host) LPM trie prefix length in bits, first as the kernel requires */
	__u32 addr;           /* (be) network address */
};

/* ct_v1 key direction */
enum ct_dir {
	CT_FORWARD = 0,       /* key is the client's original tuple: client -> VIP */
	CT_REPLY   = 1,       /* key is the reply tuple as the backend sends it: backend -> client */
};

/* ct_v1: LRU conntrack. Written by the datapath; the agent reads, and deletes for removed services. */
struct ct_key {
	__u32 saddr;          /* (be) */
	__u32 daddr;          /* (be) */
	__u16 sport;          /* (be) */
	__u16 dport;          /* (be) */
	__u8  proto;          /* IPPROTO_TCP or IPPROTO_UDP */
	__u8  dir;            /* enum ct_dir */
	__u16 pad;
};

#define CT_F_HAIRPIN  0x1     /* client is its own backend: the source was rewritten to hairpin_addr */
#define CT_F_CLOSING  0x2     /* TCP FIN or RST seen: expires after ct_closing_timeout_ns */
/* From outside through XDP to a local backend: its replies are reverse-NATed as they leave the pod. */
#define CT_F_NODEPORT 0x4
/* From outside to a backend on another node: the source became peer_addr:peer_port (SNAT). */
#define CT_F_SNAT     0x8

struct ct_value {
	__u32 nat_addr;       /* (be) forward: backend address; reply: VIP */
	__u16 nat_port;       /* (be) forward: backend port; reply: VIP port */
	__u16 flags;          /* (host) CT_F_* */
	__u32 svc_id;         /* (host) the frontend that created the flow */
	__u32 backend_id;     /* (host) the backend chosen for the flow */
	/*
	 * The other side's rewrite. Forward with CT_F_SNAT: the node address and port the packet
	 * leaves with. Reply with CT_F_HAIRPIN or CT_F_SNAT: the client's address and port to restore.
	 */
	__u32 peer_addr;      /* (be) */
	__u16 peer_port;      /* (be) */
	__u16 pad;
	__u64 expires_ns;     /* (host) CLOCK_MONOTONIC deadline in ns (clock.h); expired: a new flow */
};

/*
 * xdp_flows_v2: per CPU, a two-way cache of what XDP last did to a tracked flow's frames
 * (xdp_flows.h): CPU x xdp_flow_slots + slot (a hash of the frame's conntrack key, or its
 * neighbour slot ^ 1) -> that key and the frame as it leaves: its tuple, its next hop, the reason
 * it is counted under. Written by the datapath; an
 * entry stops answering at valid_until_ns, when its conntrack entries are due for a refresh or
 * its next hop for a recheck, and when the key's flow_versions_v1 counter has moved on since it
 * was filled.
 */
#define XDP_FLOW_SLOTS 16384  /* entries (one CPU's), unless the loader sizes it and sets xdp_flow_slots (config.h); 64 bytes each */

struct xdp_flow {
	struct ct_key key;    /* the frame's tuple as it arrives, as conntrack keys it */
	__u64 valid_until_ns; /* (host) CLOCK_MONOTONIC ns (clock.h); 0: an empty slot */
	__u32 saddr;          /* (be) the frame's source as it leaves */
	__u32 daddr;          /* (be) its destination as it leaves */
	__u16 sport;          /* (be) */
	__u16 dport;          /* (be) */
	__u32 backend_id;     /* (host) the flow's backend: gone (backends_v2), the entry answers no more */
	__u32 version;        /* (host) flow_versions_v1 of the key when the entry was filled */
	__u32 ifindex;        /* (host) the interface the frame leaves through; 0: up the stack */
	__u16 mtu;            /* (host) that route's MTU; a longer frame asks conntrack and the FIB */
	__u8  reason;         /* enum ferry_reason: REASON_DNAT or REASON_REVNAT */
	__u8  pad;
	__u8  dmac[6];        /* the next hop's MAC (ifindex != 0) */
	__u8  smac[6];        /* the MAC of the interface it leaves through (ifindex != 0) */
};

/*
 * flow_versions_v1: slot (the conntrack key's hash, ct_key_hash in conntrack.h) -> how often a
 * ct_v1 entry of a key with that hash was created or deleted. Shared by all CPUs, so a flow one
 * CPU replaces (a reused client port, an SNAT port taken over) or the agent ends stops
 * answering from every CPU's xdp_flows_v2. Written by the datapath, and by the agent
 * (Conntrack.endFlowsOf, FlowHash.ctKeyHash) for the entries it deletes.
 */
#define FLOW_VERSION_SLOTS 65536

/* frag_v1: ports of fragmented datagrams, learnt from the first fragment. Written by the datapath. */
struct frag_key {
	__u32 saddr;          /* (be) */
	__u32 daddr;          /* (be) */
	__u16 id;             /* (be) IPv4 identification */
	__u8  proto;
	__u8  pad;
};

struct frag_value {
	__u16 sport;          /* (be) */
	__u16 dport;          /* (be) */
};

/*
 * counters_v1: per-CPU packets and bytes by reason, indexed by enum ferry_reason.
 * Helpers return -REASON for a drop; each entry point counts a packet exactly once.
 */
enum ferry_reason {
	REASON_PASS            = 0,   /* not for a service: passed untouched */
	REASON_DNAT            = 1,   /* new or established flow to a service, destination rewritten */
	REASON_REVNAT          = 2,   /* reply of a service flow, source rewritten back to the VIP */
	REASON_REJECT_NO_BACKEND = 3, /* service without backends: TCP RST or ICMP port unreachable */
	REASON_DROP_MALFORMED  = 4,   /* truncated or invalid IPv4/L4 header */
	REASON_DROP_NO_SLOT    = 5,   /* slot or backend missing mid-update: dropped, the client retries */
	REASON_DROP_CT_FULL    = 6,   /* conntrack insert failed */
	REASON_FRAG_UNKNOWN    = 7,   /* later fragment whose first fragment was not seen: passed */
	REASON_DROP_REJECT_FAILED = 8,/* building the reject packet failed */
	REASON_DROP_REWRITE_FAILED = 9,/* an skb store or checksum helper failed mid-rewrite */
	REASON_DROP_NO_LOCAL_BACKEND = 10, /* SVC_F_LOCAL_ONLY frontend without a local endpoint */
	REASON_REJECT_NO_PORT  = 11,  /* allocated ClusterIP, port not served: TCP RST or ICMP unreachable */
	REASON_DROP_UNALLOCATED_VIP = 12, /* inside a ServiceCIDR but no allocated ClusterIP */
	REASON_DROP_SOURCE_RANGE = 13,/* source outside the frontend's loadBalancerSourceRanges */
	REASON_DROP_NO_SNAT_PORT = 14,/* no free source port to SNAT a flow to a backend on another node */
	REASON_DROP_NO_ROUTE   = 15,  /* forwarding found no route or no resolved neighbor */
	REASON_DROP_TTL_EXCEEDED = 16,/* a frame Ferry forwards itself has no hop left */
	REASON_DROP_POLICY_EGRESS = 17, /* a new flow out of a pod that no egress policy allows */
	REASON_DROP_POLICY_INGRESS = 18,/* a new flow into a pod that no ingress policy allows */
	REASON_MAX             = 19,
};

struct counter {
	__u64 packets;        /* (host) */
	__u64 bytes;          /* (host) */
};

/* ---- NetworkPolicy (policy.h) ---- */

/*
 * Identities: a number per class of peers that policy rules tell apart (pods alike in namespace,
 * labels, namespace labels and named ports; one ipBlock prefix). Numbered per node by the agent;
 * never part of a packet. Reserved numbers below IDENTITY_FIRST_ALLOCATED.
 */
#define IDENTITY_ANY   0      /* in policy_key only: the entry matches every peer */
#define IDENTITY_HOST  1      /* this node's own addresses: always allowed, both ways */
#define IDENTITY_WORLD 2      /* an address no pod and no ipBlock prefix covers */
#define IDENTITY_FIRST_ALLOCATED 256

/* ipcache_v1: LPM trie of addresses and prefixes -> identities. Written by the agent. */
struct ipcache_key {
	__u32 prefixlen;      /* (host) */
	__u32 addr;           /* (be) network address */
};

struct ipcache_value {
	__u32 identity;       /* (host) the address's own identity: a pod's, HOST, or its block's */
	__u32 block;          /* (host) identity of the most specific ipBlock prefix containing it, or WORLD */
};

/* endpoints_v1: __u32 pod address (be) -> struct endpoint, this node's pods that policy isolates. */
#define ENDPOINT_F_INGRESS 0x1   /* new flows into the pod need an ingress allow entry */
#define ENDPOINT_F_EGRESS  0x2   /* new flows out of the pod need an egress allow entry */

struct endpoint {
	__u16 id;             /* (host) the pod's number in policy_key, never 0 */
	__u16 flags;          /* (host) ENDPOINT_F_* */
	__u32 pad;
};

enum policy_dir {
	POLICY_INGRESS = 0,   /* into the endpoint; dport is the endpoint's port */
	POLICY_EGRESS  = 1,   /* out of the endpoint; dport is the peer's port */
};

/*
 * policy_v1: LPM trie of allow entries -> __u32 (1). Written by the agent. The trie matches
 * identity, endpoint and dir in full (POLICY_PREFIX_PEER bits), then proto (+8), then the
 * leading bits of dport (+16): a rule for every protocol stops at POLICY_PREFIX_PEER, a rule
 * for every port of one protocol at POLICY_PREFIX_PROTO, a port range is a few prefixes.
 * identity and endpoint_id are always matched in full, so their byte order does not matter.
 */
#define POLICY_PREFIX_PEER  56
#define POLICY_PREFIX_PROTO 64
#define POLICY_PREFIX_PORT  80

struct policy_key {
	__u32 prefixlen;      /* (host) POLICY_PREFIX_PEER..POLICY_PREFIX_PORT */
	__u32 identity;       /* (host) the peer's identity; IDENTITY_ANY matches every peer */
	__u16 endpoint_id;    /* (host) struct endpoint's id */
	__u8  dir;            /* enum policy_dir */
	__u8  proto;          /* IPPROTO_* */
	__u16 dport;          /* (be) destination port */
	__u16 pad;            /* beyond every prefix: always 0 */
};

/*
 * policy_ct_v1: LRU flows of isolated pods, keyed by the tuple the flow began with (after any
 * service DNAT) and the direction the endpoint saw it in; their replies pass without a rule.
 * Written by the datapath.
 */
struct policy_ct_key {
	__u32 saddr;          /* (be) */
	__u32 daddr;          /* (be) */
	__u16 sport;          /* (be); ICMP echo: the identifier */
	__u16 dport;          /* (be) */
	__u8  proto;
	__u8  dir;            /* enum policy_dir: the first packet entered (INGRESS) or left (EGRESS) the pod */
	__u16 pad;
};

struct policy_ct_value {
	__u64 expires_ns;     /* (host) CLOCK_MONOTONIC deadline in ns (clock.h) */
	__u16 flags;          /* (host) CT_F_CLOSING */
	__u16 pad;
	__u32 pad2;
};

/* events_v1: ring buffer of policy drops and rejects, for the agent's log and metrics. */
struct drop_event {
	__u64 time_ns;        /* (host) bpf_ktime_get_ns() */
	__u32 saddr;          /* (be) as the packet was when judged (after DNAT leaving a pod) */
	__u32 daddr;          /* (be) */
	__u16 sport;          /* (be) */
	__u16 dport;          /* (be) */
	__u8  proto;
	__u8  reason;         /* enum ferry_reason */
	__u16 pad;
	__u32 identity;       /* (host) the peer's identity, 0 when not judged by policy */
	__u32 ifindex;        /* (host) the interface the packet was seen on */
};

/* ---- host sockets (sock_host.bpf.c: cgroup sock_addr hooks) ---- */

/*
 * sock_revnat_v1: LRU (client socket, backend) -> the frontend the socket asked for. Written by
 * connect4/sendmsg4 when they send a socket to a backend instead of a VIP; read by recvmsg4 (the
 * source of a UDP reply) and getpeername4 (the peer of a connected socket), which show the VIP
 * again. Socket cookies are never reused before a reboot, so a stale entry is only evicted.
 */
struct sock_revnat_key {
	__u64 cookie;         /* (host) bpf_get_socket_cookie() of the client socket */
	__u32 backend_addr;   /* (be) the address the socket was sent to instead */
	__u16 backend_port;   /* (be) */
	__u16 pad;
};

struct sock_revnat_value {
	__u32 vip;            /* (be) the frontend address the socket asked for */
	__u16 vip_port;       /* (be) */
	__u16 pad;
};

/* ---- the datapath's clock (clock.h, clock_probe.bpf.c) ---- */

/*
 * What clock_probe.bpf.c writes over the start of its test frame: the jiffies counter and
 * CLOCK_MONOTONIC, read in that order. From these the agent works out the tick length and offset
 * that turn jiffies into CLOCK_MONOTONIC (clock_tick_ns, clock_offset_ns in config.h).
 */
struct clock_sample {
	__u64 jiffies;        /* (host) bpf_jiffies64() */
	__u64 monotonic_ns;   /* (host) bpf_ktime_get_ns(), read after jiffies */
};

#endif /* FERRY_ABI_H */
