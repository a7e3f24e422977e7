package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/**
 * struct clock_sample: one run of bpf/src/clock_probe.bpf.c, the jiffies counter and then
 * CLOCK_MONOTONIC in ns (System.nanoTime()'s clock), both unsigned 64-bit.
 */
public record ClockSample(long jiffies, long monotonicNs) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("jiffies"), U64.withName("monotonic_ns")).withName("clock_sample");
    private static final long JIFFIES = offset(LAYOUT, "jiffies"), MONOTONIC = offset(LAYOUT, "monotonic_ns");

    public static final Codec<ClockSample> CODEC = codec(LAYOUT,
            s -> new ClockSample(s.get(U64, JIFFIES), s.get(U64, MONOTONIC)),
            (v, s) -> {
                s.set(U64, JIFFIES, v.jiffies);
                s.set(U64, MONOTONIC, v.monotonicNs);
            });
}
