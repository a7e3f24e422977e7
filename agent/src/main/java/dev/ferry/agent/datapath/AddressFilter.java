package dev.ferry.agent.datapath;

import java.net.Inet4Address;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One of the address bitmaps the programs ask before lookups an address can not need
 * (bpf/src/addr_filter.h): {@link #FRONTEND_ADDRS}, what XDP translates frames to, and
 * {@link #SVC_ADDRS}, what conntrack and the services need from a pod's packet. Every address
 * something in the maps is there for must have its bit set while that entry exists, so callers
 * {@link #acquire} an address before the map entry that needs it is written and {@link #release}
 * it after that entry is gone; a bit clears once nothing holds an address that maps to it.
 * {@link #publish} writes the whole bitmap and marks it complete, before the programs that read
 * it are attached: until then they look at every packet.
 * <p>
 * Holds are counted per bit, not per address, and changed words go out in one batch:
 * svc_addrs_v1 holds every backend of the cluster (100,000 at 10,000 services of 10), and with
 * a count per address and a write per changed word the agent's full sync took 963-1,136 ms and
 * its RSS was 243-246 MiB (a full control run), where a quick run of this measured 720-750 ms
 * and 237-240 MiB.
 */
public final class AddressFilter {
    /** A bitmap map: its name and FRONTEND_ADDR_BITS or SVC_ADDR_BITS (bpf/src/ferry_abi.h). */
    public record Shape(String map, int bits) {
        int words() {
            return bits / 64;
        }

        /** The bit of an address: mix32 of the address as the programs load it from the packet (addr_filter_may_hold). */
        int bitOf(Inet4Address address) {
            return FlowHash.mix32(FlowHash.loaded(address)) & (bits - 1);
        }
    }

    public static final Shape FRONTEND_ADDRS = new Shape("frontend_addrs_v1", 65536);
    public static final Shape SVC_ADDRS = new Shape("svc_addrs_v1", 1 << 20);

    private final MapTable<Integer, Long> table;
    private final Shape shape;
    private final long[] words;
    /** How often the addresses of each bit are held: a bit clears when its count returns to 0. */
    private final int[] holdsOfBit;
    /** Words changed in {@link #words} but not yet in the map (a failed write leaves them for the next change). */
    private final Set<Integer> unwritten = new TreeSet<>();

    public AddressFilter(MapTable<Integer, Long> table, Shape shape) {
        this.table = table;
        this.shape = shape;
        this.words = new long[shape.words()];
        this.holdsOfBit = new int[shape.bits()];
    }

    /** Holds these addresses (once more each); their bits are written before this returns. */
    public synchronized void acquire(Collection<Inet4Address> addresses) {
        for (Inet4Address address : addresses) {
            int bit = shape.bitOf(address);
            if (holdsOfBit[bit]++ == 0) setBit(bit, true);
        }
        flush();
    }

    /** Lets go of these addresses (once each); bits nothing holds any more are cleared. */
    public synchronized void release(Collection<Inet4Address> addresses) {
        for (Inet4Address address : addresses) {
            int bit = shape.bitOf(address);
            if (holdsOfBit[bit] == 0) throw new IllegalStateException(address + " released more often than acquired");
            if (--holdsOfBit[bit] == 0) setBit(bit, false);
        }
        flush();
    }

    private void setBit(int bit, boolean on) {
        long mask = 1L << (bit % 64);
        words[bit / 64] = on ? words[bit / 64] | mask : words[bit / 64] & ~mask;
        unwritten.add(bit / 64);
    }

    /**
     * Writes the words changed since the last write that went through. A failure is thrown on;
     * the words stay unwritten, because the counts already say what the map should hold and the
     * next change may not touch those bits again.
     */
    private void flush() {
        Map<Integer, Long> values = new TreeMap<>();
        for (int word : unwritten) values.put(word, words[word]);
        table.putAll(values);
        unwritten.clear();
    }

    /** Writes every word (whatever a pinned map held before), then marks the bitmap complete. */
    public synchronized void publish() {
        for (int word = 0; word < words.length; word++) unwritten.add(word);
        flush();
        table.put(words.length, 1L);
    }

    /** Whether the programs look a packet with this address up (false: its bit is clear). */
    public synchronized boolean mayHold(Inet4Address address) {
        int bit = shape.bitOf(address);
        return (words[bit / 64] & (1L << (bit % 64))) != 0;
    }
}
