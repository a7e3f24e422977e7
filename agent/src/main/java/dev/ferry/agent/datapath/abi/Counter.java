package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct counter: one CPU's packets and bytes for one reason of counters_v1. */
public record Counter(long packets, long bytes) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("packets"), U64.withName("bytes")).withName("counter");
    private static final long PACKETS = offset(LAYOUT, "packets"), BYTES = offset(LAYOUT, "bytes");

    public static final Codec<Counter> CODEC = codec(LAYOUT,
            s -> new Counter(s.get(U64, PACKETS), s.get(U64, BYTES)),
            (v, s) -> {
                s.set(U64, PACKETS, v.packets);
                s.set(U64, BYTES, v.bytes);
            });

    public Counter plus(Counter o) {
        return new Counter(packets + o.packets, bytes + o.bytes);
    }
}
