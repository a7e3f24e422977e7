package dev.ferry.agent.translate;

import dev.ferry.agent.model.Ipv4;

import java.net.Inet4Address;
import java.util.Comparator;

/** Where a frontend's traffic goes: an endpoint address and its target port. */
public record Backend(Inet4Address address, int port) implements Comparable<Backend> {
    private static final Comparator<Backend> ORDER = Comparator
            .comparing(Backend::address, Ipv4::compare)
            .thenComparingInt(Backend::port);

    @Override
    public int compareTo(Backend o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + ":" + port;
    }
}
