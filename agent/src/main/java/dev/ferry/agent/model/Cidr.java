package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 prefix, normalised to its network address. */
public record Cidr(Inet4Address network, int prefixLength) implements Comparable<Cidr> {
    public Cidr {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength);
        network = mask(network, prefixLength);
    }

    /** @throws IllegalArgumentException for anything but "a.b.c.d/n" */
    public static Cidr parse(String text) {
        String[] parts = text.split("/");
        if (parts.length != 2 || !parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}") || !parts[1].matches("\\d{1,2}")
                || Integer.parseInt(parts[1]) > 32) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 CIDR");
        }
        try {
            if (Arrays.stream(parts[0].split("\\.")).anyMatch(o -> Integer.parseInt(o) > 255)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 CIDR");
            }
            return new Cidr((Inet4Address) InetAddress.getByName(parts[0]), Integer.parseInt(parts[1]));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
        }
    }

    private static Inet4Address mask(Inet4Address address, int prefixLength) {
        byte[] b = address.getAddress();
        for (int bit = prefixLength; bit < 32; bit++) b[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public boolean contains(Inet4Address address) {
        return mask(address, prefixLength).equals(network);
    }

    @Override
    public int compareTo(Cidr o) {
        int c = Arrays.compareUnsigned(network.getAddress(), o.network.getAddress());
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
