package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.List;

/**
 * How a Service is reached from outside the cluster, besides its NodePorts.
 *
 * @param externalIps         spec.externalIPs (IPv4)
 * @param loadBalancerIps     status.loadBalancer.ingress IPs of a LoadBalancer service, except
 *                            {@code ipMode: Proxy} (the load balancer proxies, so the node must not
 *                            short-circuit its IP)
 * @param local               externalTrafficPolicy: Local, for NodePorts, externalIPs and
 *                            LoadBalancer IPs: only this node's endpoints, the client IP kept
 * @param healthCheckNodePort where load balancers ask whether this node has local endpoints; 0 for none
 * @param sourceRanges        spec.loadBalancerSourceRanges (IPv4): the only sources allowed to reach the
 *                            LoadBalancer IPs; empty allows all
 */
public record ExternalAccess(List<Inet4Address> externalIps, List<Inet4Address> loadBalancerIps, boolean local,
                             int healthCheckNodePort, List<Cidr> sourceRanges) {
    public static final ExternalAccess NONE = new ExternalAccess(List.of(), List.of(), false, 0, List.of());

    public ExternalAccess {
        externalIps = List.copyOf(externalIps);
        loadBalancerIps = List.copyOf(loadBalancerIps);
        sourceRanges = List.copyOf(sourceRanges);
    }
}
