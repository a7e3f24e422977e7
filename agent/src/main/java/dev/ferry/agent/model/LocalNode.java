package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.util.List;

/**
 * This agent's node as only the node itself knows it: its name (--hostname-override), the
 * local IPv4 addresses NodePorts answer on (filtered by --nodeport-addresses), and all of its
 * IPv4 addresses (with the hairpin source), which NetworkPolicy always lets reach local pods.
 */
public record LocalNode(String name, List<Inet4Address> nodePortAddresses, List<Inet4Address> hostAddresses) {
    public LocalNode {
        nodePortAddresses = List.copyOf(nodePortAddresses);
        hostAddresses = List.copyOf(hostAddresses);
    }

    /** A node whose addresses are all NodePort addresses. */
    public LocalNode(String name, List<Inet4Address> nodePortAddresses) {
        this(name, nodePortAddresses, nodePortAddresses);
    }

    public static LocalNode named(String name) {
        return new LocalNode(name, List.of());
    }
}
