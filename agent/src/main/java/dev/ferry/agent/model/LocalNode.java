package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.List;

/**
 * This agent's node as only the node itself knows it: its name (--hostname-override) and the
 * local IPv4 addresses NodePorts answer on (filtered by --nodeport-addresses).
 */
public record LocalNode(String name, List<Inet4Address> nodePortAddresses) {
    public LocalNode {
        nodePortAddresses = List.copyOf(nodePortAddresses);
    }

    public static LocalNode named(String name) {
        return new LocalNode(name, List.of());
    }
}
