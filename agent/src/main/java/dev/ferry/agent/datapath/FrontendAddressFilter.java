package dev.ferry.agent.datapath;

import java.net.Inet4Address;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * frontend_addrs_v1: the bitmap XDP asks before it looks a frame up (xdp_maybe_ours in
 * bpf/src/xdp_node.bpf.c). Every address XDP translates frames to must have its bit set while
 * anything uses it, so callers {@link #acquire} an address before the map entry that needs it is
 * written and {@link #release} it after that entry is gone; a bit clears once no address held
 * maps to it. {@link #publish} writes the whole bitmap and marks it complete, before the XDP
 * programs that read it are attached: until then XDP looks at every frame.
 */
public final class FrontendAddressFilter {
    /** FRONTEND_ADDR_BITS and FRONTEND_ADDR_WORDS (bpf/src/ferry_abi.h). */
    static final int BITS = 65536, WORDS = BITS / 64;
    private static final int COMPLETE = WORDS;

    private final MapTable<Integer, Long> table;
    private final long[] words = new long[WORDS];
    private final Map<Inet4Address, Integer> held = new HashMap<>();

    public FrontendAddressFilter(MapTable<Integer, Long> table) {
        this.table = table;
    }

    /** The bit of an address: mix32 of the address as XDP loads it from the frame (xdp_maybe_ours). */
    static int bitOf(Inet4Address address) {
        return FlowHash.mix32(FlowHash.loaded(address)) & (BITS - 1);
    }

    /** Holds these addresses (once more each); their bits are written before this returns. */
    public synchronized void acquire(Collection<Inet4Address> addresses) {
        TreeSet<Integer> changed = new TreeSet<>();
        for (Inet4Address address : addresses) {
            if (held.merge(address, 1, Integer::sum) > 1) continue;
            int bit = bitOf(address);
            long mask = 1L << (bit % 64);
            if ((words[bit / 64] & mask) == 0) {
                words[bit / 64] |= mask;
                changed.add(bit / 64);
            }
        }
        changed.forEach(this::write);
    }

    /** Lets go of these addresses (once each); bits no held address needs any more are cleared. */
    public synchronized void release(Collection<Inet4Address> addresses) {
        TreeSet<Integer> touched = new TreeSet<>();
        for (Inet4Address address : addresses) {
            Integer count = held.get(address);
            if (count == null) throw new IllegalStateException(address + " released more often than acquired");
            if (count > 1) {
                held.put(address, count - 1);
            } else {
                held.remove(address);
                touched.add(bitOf(address) / 64);
            }
        }
        for (int word : touched) {
            long bits = 0;
            for (Inet4Address address : held.keySet()) {
                int bit = bitOf(address);
                if (bit / 64 == word) bits |= 1L << (bit % 64);
            }
            if (bits != words[word]) {
                words[word] = bits;
                write(word);
            }
        }
    }

    /** Writes every word (whatever a pinned map held before), then marks the bitmap complete. */
    public synchronized void publish() {
        Map<Integer, Long> all = new HashMap<>();
        for (int word = 0; word < WORDS; word++) all.put(word, words[word]);
        table.putAll(all);
        table.put(COMPLETE, 1L);
    }

    /** Whether XDP may take a frame to this address for one of its own (false: it passes at once). */
    public synchronized boolean mayBeOurs(Inet4Address address) {
        int bit = bitOf(address);
        return (words[bit / 64] & (1L << (bit % 64))) != 0;
    }

    private void write(int word) {
        table.put(word, words[word]);
    }
}
