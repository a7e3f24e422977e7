package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.List;

/**
 * A Service as the datapath needs it: its virtual IPs and ports. Headless and ExternalName
 * services never become one of these (the converter drops them).
 */
public record Service(ServiceName name, List<Inet4Address> clusterIps, List<ServicePort> ports) {
    public Service {
        clusterIps = List.copyOf(clusterIps);
        ports = List.copyOf(ports);
    }
}
