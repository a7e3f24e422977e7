package dev.ferry.agent.translate;

import dev.ferry.agent.model.Ipv4;

import java.net.Inet4Address;
import java.util.Comparator;

/**
 * Where a frontend's traffic goes: an endpoint address and its target port. {@code local}: the
 * endpoint runs on this node, so traffic from outside reaches it without SNAT.
 */
public record Backend(Inet4Address address, int port, boolean local) implements Comparable<Backend> {
    private static final Comparator<Backend> ORDER = Comparator
            .comparing(Backend::address, Ipv4::compare)
            .thenComparingInt(Backend::port)
            .thenComparing(Backend::local);

    public Backend(Inet4Address address, int port) {
        this(address, port, false);
    }

    @Override
    public int compareTo(Backend o) {
        return ORDER.compare(this, o);
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
