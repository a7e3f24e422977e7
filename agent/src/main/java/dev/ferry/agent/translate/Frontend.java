package dev.ferry.agent.translate;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;

import java.net.Inet4Address;
import java.util.Comparator;

/** What a packet is matched on: a virtual IP, a port and a protocol. */
public record Frontend(Inet4Address vip, int port, Protocol protocol) implements Comparable<Frontend> {
    private static final Comparator<Frontend> ORDER = Comparator
            .comparing(Frontend::vip, Ipv4::compare)
            .thenComparingInt(Frontend::port)
            .thenComparing(Frontend::protocol);

    @Override
    public int compareTo(Frontend o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return vip.getHostAddress() + ":" + port + "/" + protocol;
    }

}
