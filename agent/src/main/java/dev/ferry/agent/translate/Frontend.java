package dev.ferry.agent.translate;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;

import java.net.Inet4Address;
import java.util.Comparator;

/**
 * What a packet is matched on: a virtual IP, a port, a protocol, and where the packet comes from.
 * INTERNAL frontends serve pods and the node's own sockets (TC, cgroup hooks); EXTERNAL ones serve
 * traffic arriving on a node interface from outside (XDP).
 */
public record Frontend(Inet4Address vip, int port, Protocol protocol, Scope scope) implements Comparable<Frontend> {
    public enum Scope { INTERNAL, EXTERNAL }

    private static final Comparator<Frontend> ORDER = Comparator
            .comparing(Frontend::vip, Ipv4::compare)
            .thenComparingInt(Frontend::port)
            .thenComparing(Frontend::protocol)
            .thenComparing(Frontend::scope);

    public Frontend(Inet4Address vip, int port, Protocol protocol) {
        this(vip, port, protocol, Scope.INTERNAL);
    }

    @Override
    public int compareTo(Frontend o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return vip.getHostAddress() + ":" + port + "/" + protocol + (scope == Scope.EXTERNAL ? " external" : "");
    }
}
