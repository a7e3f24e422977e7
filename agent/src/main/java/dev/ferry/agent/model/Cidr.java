package dev.ferry.agent.model;

import java.net.Inet4Address;

/** An IPv4 prefix, normalised to its network address. */
public record Cidr(Inet4Address network, int prefixLength) implements Comparable<Cidr> {
    public Cidr {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength);
        network = mask(network, prefixLength);
    }

    /** @throws IllegalArgumentException for anything but "a.b.c.d/n" */
    public static Cidr parse(String text) {
        String[] parts = text.split("/");
        try {
            if (parts.length != 2 || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 32) {
                throw new IllegalArgumentException("bad prefix length");
            }
            return new Cidr(Ipv4.parse(parts[0]), Integer.parseInt(parts[1]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 CIDR");
        }
    }

    private static Inet4Address mask(Inet4Address address, int prefixLength) {
        int netmask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return Ipv4.of(Ipv4.toInt(address) & netmask);
    }

    public boolean contains(Inet4Address address) {
        return mask(address, prefixLength).equals(network);
    }

    /** Whether every address of {@code other} is in this prefix. */
    public boolean contains(Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    @Override
    public int compareTo(Cidr o) {
        int c = Ipv4.compare(network, o.network);
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
