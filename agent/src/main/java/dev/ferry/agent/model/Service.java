package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.List;

/**
 * A Service as the datapath needs it: its virtual IPs, ports and traffic policy. Headless and
 * ExternalName services never become one of these (the converter drops them).
 *
 * @param clusterIps             all of spec.clusterIPs (IPv4)
 * @param internalLocal          internalTrafficPolicy: Local, for the cluster IPs
 * @param affinityTimeoutSeconds sessionAffinity ClientIP's timeout; 0 without affinity
 * @param external               externalIPs, LoadBalancer IPs and externalTrafficPolicy
 */
public record Service(ServiceName name, List<Inet4Address> clusterIps, List<ServicePort> ports, boolean internalLocal,
                      int affinityTimeoutSeconds, ExternalAccess external) {
    public Service {
        clusterIps = List.copyOf(clusterIps);
        ports = List.copyOf(ports);
    }

    public Service(ServiceName name, List<Inet4Address> clusterIps, List<ServicePort> ports) {
        this(name, clusterIps, ports, false, 0, ExternalAccess.NONE);
    }
}
