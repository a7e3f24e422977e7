package dev.ferry.agent.model;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** IPv4 addresses: strict parsing (no host names, no DNS), their 32-bit form, numeric order. */
public final class Ipv4 {
    private Ipv4() {
    }

    /** @throws IllegalArgumentException for anything but a dotted quad such as "10.96.0.10" */
    public static Inet4Address parse(String text) {
        if (text == null || !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                || Arrays.stream(text.split("\\.")).anyMatch(octet -> Integer.parseInt(octet) > 255)) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        String[] octets = text.split("\\.");
        return of(Integer.parseInt(octets[0]) << 24 | Integer.parseInt(octets[1]) << 16
                | Integer.parseInt(octets[2]) << 8 | Integer.parseInt(octets[3]));
    }

    /** The address whose network-order bits are {@code address}. */
    public static Inet4Address of(int address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{
                    (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    public static int toInt(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** Numeric order, so dumps read 10.0.0.2 before 10.0.0.10. */
    public static int compare(Inet4Address a, Inet4Address b) {
        return Integer.compareUnsigned(toInt(a), toInt(b));
    }
}
