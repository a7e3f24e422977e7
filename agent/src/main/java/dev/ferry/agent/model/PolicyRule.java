package dev.ferry.agent.model;

import java.util.List;

/**
 * One ingress or egress rule of a NetworkPolicy: traffic with any of {@code peers} on any of
 * {@code ports}. No peers (from/to absent or empty) means every peer; no ports, every port.
 */
public record PolicyRule(List<PolicyPeer> peers, List<PolicyPort> ports) {
    public PolicyRule {
        peers = List.copyOf(peers);
        ports = List.copyOf(ports);
    }
}
