package dev.ferry.agent.reconcile;

import java.util.ArrayList;
import java.util.List;

/**
 * A port range as the fewest prefixes an LPM trie can hold: 1000-2000 is 1000/13, 1008/12,
 * 1024/7, 1536/8, 1792/9, 1920/10, 1984/12, 2000/16 (port/matched bits). At most 30 for any
 * range of 16-bit ports; one for a single port or for all of them (0/0).
 */
public final class PortPrefixes {
    /** One prefix: the first {@code bits} of {@code port} are matched. */
    public record Prefix(int port, int bits) {
    }

    private PortPrefixes() {
    }

    public static List<Prefix> of(int first, int last) {
        if (first < 0 || last > 0xffff || first > last) throw new IllegalArgumentException("port range " + first + "-" + last);
        List<Prefix> out = new ArrayList<>();
        int port = first;
        while (port <= last) {
            // The largest aligned block starting at port that stays inside the range.
            int size = port == 0 ? 0x10000 : Integer.lowestOneBit(port);
            while (port + size - 1 > last) size >>= 1;
            out.add(new Prefix(port, 16 - Integer.numberOfTrailingZeros(size)));
            port += size;
        }
        return out;
    }
}
