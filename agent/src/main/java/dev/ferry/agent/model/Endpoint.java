package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.Objects;
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

    // Spelled out for C1: see translate.Backend.
    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && ready == e.ready && serving == e.serving && terminating == e.terminating
                && address.equals(e.address) && Objects.equals(nodeName, e.nodeName)
                && zoneHints.equals(e.zoneHints) && nodeHints.equals(e.nodeHints);
    }

    @Override
    public int hashCode() {
        int h = ((address.hashCode() * 31 + Objects.hashCode(nodeName)) * 31 + zoneHints.hashCode()) * 31 + nodeHints.hashCode();
        return h * 8 + (ready ? 4 : 0) + (serving ? 2 : 0) + (terminating ? 1 : 0);
    }
}
