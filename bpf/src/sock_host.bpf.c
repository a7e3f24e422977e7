// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Host sockets reaching Services, as Cilium's socket LB does: cgroup sock_addr hooks translate
 * at the system call, so a process in the node's own network namespace (a hostNetwork pod, the
 * kubelet, a node-local daemon) talks straight to a backend. No packet ever carries the VIP, so
 * nothing is NATed or tracked on the way, and the pod veth programs see a plain node -> pod flow.
 *
 *   sock_connect4      connect() of TCP and UDP: VIP:port -> a backend (random or affinity)
 *   sock_sendmsg4      sendto()/sendmsg() with an address on UDP: the same, per datagram
 *   sock_recvmsg4      recvfrom()/recvmsg() on UDP: a backend's source becomes the VIP again
 *   sock_getpeername4  getpeername(): the VIP the socket was connected to
 *
 * Frontends are the internal scope of services_v2 (ClusterIPs, this node's addresses with
 * NodePorts, externalIPs and LoadBalancer IPs), the same entries pods use, shared by pin name
 * with tc_pod.bpf.o; so are slots_v1, backends_v2 and affinity_v1.
 *
 * A service that can not be reached is refused at the system call: kube-proxy rejects a service
 * without endpoints with ICMP port unreachable / TCP RST, which a local client sees as
 * ECONNREFUSED, so that is the errno set here (bpf_set_retval, kernel 5.18+; a bare "return 0"
 * would surface as EPERM, which reads like a firewall). Where kube-proxy drops instead
 * (internalTrafficPolicy Local without a local endpoint, an unallocated address in a
 * ServiceCIDR) a system call can not time out, and letting it through would send the VIP to the
 * default route, so it fails with EHOSTUNREACH, the errno Cilium's socket LB uses for every
 * unreachable service.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "ferry_abi.h"
#include "config.h"
#include "clock.h"
#include "maps.h"
#include "lb.h"

/* What a sock_addr program returns: 1 lets the call proceed, 0 fails it (with bpf_set_retval's errno). */
#define SOCK_PROCEED 1
#define SOCK_REFUSE  0

/*
 * The affinity "client" of every host socket. kube-proxy sees all of a node's own clients with
 * the node's address as source, so sessionAffinity ClientIP gives them one shared backend; the
 * address is unknown before routing, so 0 (never a pod's) stands for it.
 */
#define SOCK_AFFINITY_CLIENT 0

/*
 * Cgroups are not per network namespace: every socket of every process in the cgroup passes
 * these hooks, whatever namespace it lives in. On a real node that is the host namespace and
 * every pod; pods are served by tc_pod.bpf.o on their veth (translating them here too would
 * hide their service flows from it). In the lab several nodes, each a namespace with its own
 * agent, its own maps and its own copy of these programs, attach to the same cgroup of the one
 * machine; each copy must translate its own node's sockets only, with its own node's maps.
 * So a socket is translated only when its namespace is the agent's, by cookie.
 */
static __always_inline bool own_namespace(struct bpf_sock_addr *ctx)
{
	return netns_cookie != 0 && bpf_get_netns_cookie(ctx) == netns_cookie;
}

static __always_inline __u16 sock_port(const struct bpf_sock_addr *ctx)
{
	return (__u16)ctx->user_port; /* (be) in the low 16 bits of a 32-bit field */
}

static __always_inline int refuse(int err)
{
	bpf_set_retval(-err);
	return SOCK_REFUSE;
}

/* A VIP with no frontend on this port: refused as kube-proxy rejects (or drops) it, or left alone. */
static __always_inline int no_frontend(__u32 addr)
{
	int ret = lb_unserved_address(addr);

	if (ret == REASON_REJECT_NO_PORT)
		return refuse(ECONNREFUSED);
	if (ret < 0)
		return refuse(EHOSTUNREACH);
	return SOCK_PROCEED;
}

/* Remembers which VIP the socket asked for, so replies and getpeername() show it again. */
static __always_inline int remember_vip(struct bpf_sock_addr *ctx, const struct backend *be,
					__u32 vip, __u16 vip_port)
{
	struct sock_revnat_key k = {
		.cookie = bpf_get_socket_cookie(ctx),
		.backend_addr = be->addr,
		.backend_port = be->port,
	};
	struct sock_revnat_value v = { .vip = vip, .vip_port = vip_port };

	return bpf_map_update_elem(&sock_revnat_v1, &k, &v, BPF_ANY);
}

/* connect4 and sendmsg4: a VIP becomes one of its backends before the kernel routes anything. */
static __always_inline int translate_to_backend(struct bpf_sock_addr *ctx)
{
	__u32 vip = ctx->user_ip4;
	__u16 vip_port = sock_port(ctx);
	__u8 proto = ctx->protocol;
	/* What backend selection looks at: the client (for affinity) and the frontend tuple. */
	struct pkt4 flow = { .saddr = SOCK_AFFINITY_CLIENT, .daddr = vip, .dport = vip_port, .proto = proto };
	struct svc_value *svc;
	struct backend *be;
	__u32 backend_id = 0;

	if (!own_namespace(ctx) || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return SOCK_PROCEED;
	svc = lb_lookup_frontend(vip, vip_port, proto, SVC_SCOPE_INTERNAL);
	if (!svc)
		return no_frontend(vip);
	if (svc->backend_count == 0)
		return refuse(svc->flags & SVC_F_LOCAL_ONLY ? EHOSTUNREACH : ECONNREFUSED);
	be = lb_pick_backend(svc, &flow, datapath_now(), &backend_id);
	if (!be)
		return refuse(EHOSTUNREACH); /* slot or backend missing mid-update, as tc_pod drops */
	/* Without the entry a UDP reply would come from an address the client never asked. */
	if (remember_vip(ctx, be, vip, vip_port) < 0)
		return refuse(ENOMEM);
	ctx->user_ip4 = be->addr;
	ctx->user_port = (__u32)be->port;
	return SOCK_PROCEED;
}

/* recvmsg4 and getpeername4: a backend the socket was sent to shows as the VIP it asked for. */
static __always_inline int translate_to_vip(struct bpf_sock_addr *ctx)
{
	struct sock_revnat_key k = {};
	struct sock_revnat_value *v;

	if (!own_namespace(ctx))
		return SOCK_PROCEED;
	k.cookie = bpf_get_socket_cookie(ctx);
	k.backend_addr = ctx->user_ip4;
	k.backend_port = sock_port(ctx);
	v = bpf_map_lookup_elem(&sock_revnat_v1, &k);
	if (v) {
		ctx->user_ip4 = v->vip;
		ctx->user_port = (__u32)v->vip_port;
	}
	return SOCK_PROCEED; /* the kernel accepts nothing else from these two hooks */
}

SEC("cgroup/connect4")
int sock_connect4(struct bpf_sock_addr *ctx)
{
	return translate_to_backend(ctx);
}

SEC("cgroup/sendmsg4")
int sock_sendmsg4(struct bpf_sock_addr *ctx)
{
	return translate_to_backend(ctx);
}

SEC("cgroup/recvmsg4")
int sock_recvmsg4(struct bpf_sock_addr *ctx)
{
	return translate_to_vip(ctx);
}

SEC("cgroup/getpeername4")
int sock_getpeername4(struct bpf_sock_addr *ctx)
{
	return translate_to_vip(ctx);
}

char LICENSE[] SEC("license") = "GPL";
