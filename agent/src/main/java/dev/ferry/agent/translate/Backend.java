package dev.ferry.agent.translate;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.Comparator;

/** Where a frontend's traffic goes: an endpoint address and its target port. */
public record Backend(Inet4Address address, int port) implements Comparable<Backend> {
    private static final Comparator<Backend> ORDER = Comparator
            .comparing(Backend::address, Backend::compareAddresses)
            .thenComparingInt(Backend::port);

    @Override
    public int compareTo(Backend o) {
        return ORDER.compare(this, o);
    }

    /** Numeric order, so dumps read 10.0.0.2 before 10.0.0.10. */
    public static int compareAddresses(Inet4Address a, Inet4Address b) {
        return Arrays.compareUnsigned(a.getAddress(), b.getAddress());
    }

    @Override
    public String toString() {
        return address.getHostAddress() + ":" + port;
    }
}
