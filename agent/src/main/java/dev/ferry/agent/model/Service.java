package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.List;

/**
 * A Service as the datapath needs it: its virtual IPs, ports and traffic policy. Headless and
 * ExternalName services never become one of these (the converter drops them).
 *
 * @param clusterIps          all of spec.clusterIPs (IPv4)
 * @param externalIps         spec.externalIPs and status.loadBalancer.ingress IPs: from pods they
 *                            are served by the cluster-wide endpoints, as kube-proxy short-circuits them
 * @param internalLocal       internalTrafficPolicy: Local, for the cluster IPs
 * @param affinityTimeoutSeconds sessionAffinity ClientIP's timeout; 0 without affinity
 */
public record Service(ServiceName name, List<Inet4Address> clusterIps, List<Inet4Address> externalIps,
                      List<ServicePort> ports, boolean internalLocal, int affinityTimeoutSeconds) {
    public Service {
        clusterIps = List.copyOf(clusterIps);
        externalIps = List.copyOf(externalIps);
        ports = List.copyOf(ports);
    }

    public Service(ServiceName name, List<Inet4Address> clusterIps, List<ServicePort> ports) {
        this(name, clusterIps, List.of(), ports, false, 0);
    }
}
