package dev.ferry.agent.translate;

import dev.ferry.agent.model.Ipv4;

import java.net.Inet4Address;

/**
 * Where a frontend's traffic goes: an endpoint address and its target port. {@code local}: the
 * endpoint runs on this node, so traffic from outside reaches it without SNAT.
 */
public record Backend(Inet4Address address, int port, boolean local) implements Comparable<Backend> {
    public Backend(Inet4Address address, int port) {
        this(address, port, false);
    }

    // equals, hashCode and compareTo are spelled out, as in the other records the reconciler keys
    // maps with: the generated ones go through method handles that C1 (the agent's only compiler,
    // jvm.options) does not inline, ~140 ns per hashCode and ~85 ns per equals against ~5-8 ns.
    @Override
    public boolean equals(Object o) {
        return o instanceof Backend b && port == b.port && local == b.local && address.equals(b.address);
    }

    @Override
    public int hashCode() {
        return (address.hashCode() * 31 + port) * 2 + (local ? 1 : 0);
    }

    @Override
    public int compareTo(Backend o) {
        int c = Ipv4.compare(address, o.address);
        if (c == 0) c = Integer.compare(port, o.port);
        return c != 0 ? c : Boolean.compare(local, o.local);
    }

    /** The name Maglev hashes: the same on every node, whatever the node calls local. */
    public String maglevName() {
        return address.getHostAddress() + ":" + port;
    }

    @Override
    public String toString() {
        return maglevName();
    }
}
