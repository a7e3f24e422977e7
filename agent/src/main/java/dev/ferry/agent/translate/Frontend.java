package dev.ferry.agent.translate;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;

import java.net.Inet4Address;

/**
 * What a packet is matched on: a virtual IP, a port, a protocol, and where the packet comes from.
 * INTERNAL frontends serve pods and the node's own sockets (TC, cgroup hooks); EXTERNAL ones serve
 * traffic arriving on a node interface from outside (XDP).
 */
public record Frontend(Inet4Address vip, int port, Protocol protocol, Scope scope) implements Comparable<Frontend> {
    public enum Scope { INTERNAL, EXTERNAL }

    public Frontend(Inet4Address vip, int port, Protocol protocol) {
        this(vip, port, protocol, Scope.INTERNAL);
    }

    // Spelled out for C1: see Backend.
    @Override
    public boolean equals(Object o) {
        return o instanceof Frontend f && port == f.port && protocol == f.protocol && scope == f.scope && vip.equals(f.vip);
    }

    @Override
    public int hashCode() {
        return ((vip.hashCode() * 31 + port) * 31 + protocol.ordinal()) * 2 + scope.ordinal();
    }

    @Override
    public int compareTo(Frontend o) {
        int c = Ipv4.compare(vip, o.vip);
        if (c == 0) c = Integer.compare(port, o.port);
        if (c == 0) c = protocol.compareTo(o.protocol);
        return c != 0 ? c : scope.compareTo(o.scope);
    }

    @Override
    public String toString() {
        return vip.getHostAddress() + ":" + port + "/" + protocol + (scope == Scope.EXTERNAL ? " external" : "");
    }
}
