package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.Set;

/**
 * One address of an EndpointSlice endpoint: its conditions (read as kube-proxy reads them),
 * the node it runs on, and the topology hints the EndpointSlice controller gave it.
 */
public record Endpoint(Inet4Address address, boolean ready, boolean serving, boolean terminating, String nodeName,
                       Set<String> zoneHints, Set<String> nodeHints) {
    public Endpoint {
        zoneHints = Set.copyOf(zoneHints);
        nodeHints = Set.copyOf(nodeHints);
    }

    public Endpoint(Inet4Address address, boolean ready, boolean serving, boolean terminating, String nodeName) {
        this(address, ready, serving, terminating, nodeName, Set.of(), Set.of());
    }
}
