package dev.ferry.bench.kubeproxy;

/**
 * The per-node settings kube-proxy's rules depend on.
 *
 * @param clusterCidr  --cluster-cidr: pod traffic is "local" (detect-local by CIDR); traffic to a
 *                     ClusterIP from outside it is masqueraded
 * @param serviceCidr  the ServiceCIDR (nftables mode drops traffic to its unallocated addresses)
 * @param nodeIp       the node's address NodePorts answer on (nftables' nodeport-ips set; iptables
 *                     mode matches every local address with addrtype LOCAL instead)
 */
public record ProxyConfig(String clusterCidr, String serviceCidr, String nodeIp) {
    /** kube-proxy's default --iptables-masquerade-bit 14; the nftables proxier uses the same mark. */
    public static final String MASQUERADE_MARK = "0x4000";
}
