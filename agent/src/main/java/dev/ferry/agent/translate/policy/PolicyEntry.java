package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.Direction;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;

import java.net.Inet4Address;
import java.util.Comparator;

/**
 * One allow rule of one local pod: traffic in {@code direction} with a peer of identity
 * {@code peer} ({@link Identity.Reserved#ANY}: every peer), protocol {@code protocol} (null:
 * every protocol, every port) and destination port in [firstPort, lastPort].
 * For INGRESS the port is the local pod's, for EGRESS the peer's.
 */
public record PolicyEntry(Inet4Address endpoint, Direction direction, Identity peer, Protocol protocol,
                          int firstPort, int lastPort) implements Comparable<PolicyEntry> {
    private static final Comparator<PolicyEntry> ORDER = Comparator
            .comparing(PolicyEntry::endpoint, Ipv4::compare)
            .thenComparing(PolicyEntry::direction)
            .thenComparing(PolicyEntry::peer, Identity.ORDER)
            .thenComparing(e -> e.protocol == null ? -1 : e.protocol.number())
            .thenComparingInt(PolicyEntry::firstPort)
            .thenComparingInt(PolicyEntry::lastPort);

    public PolicyEntry {
        if (protocol == null && (firstPort != 0 || lastPort != 65535)) {
            throw new IllegalArgumentException("every protocol means every port");
        }
        if (firstPort < 0 || lastPort > 65535 || firstPort > lastPort) {
            throw new IllegalArgumentException("port range " + firstPort + "-" + lastPort);
        }
    }

    /** Every port of every protocol. */
    public static PolicyEntry allTraffic(Inet4Address endpoint, Direction direction, Identity peer) {
        return new PolicyEntry(endpoint, direction, peer, null, 0, 65535);
    }

    @Override
    public int compareTo(PolicyEntry o) {
        return ORDER.compare(this, o);
    }

    /** "80/TCP", "1000-2000/UDP", "all/TCP", or "all". */
    public String ports() {
        if (protocol == null) return "all";
        String range = firstPort == 0 && lastPort == 65535 ? "all"
                : firstPort == lastPort ? Integer.toString(firstPort) : firstPort + "-" + lastPort;
        return range + "/" + protocol;
    }
}
