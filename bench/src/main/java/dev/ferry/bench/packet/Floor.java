package dev.ferry.bench.packet;

import dev.ferry.bench.packet.PerCall.Expect;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The empty program of one type, measured per call exactly as Ferry's program is, and the
 * timer overhead that comparing it with the kernel's repeat loop reveals.
 *
 * @param trialsNs   per trial: mean ns per call minus {@code overheadNs}
 * @param overheadNs median over the trials of (mean per call - ns per run in a loop of {@link #REPEAT})
 * @param loopNs     per trial: ns per run in the kernel's loop, for the profile
 */
record Floor(List<Double> trialsNs, double overheadNs, List<Double> loopNs) {
    static final int REPEAT = 1_000_000;

    static Floor measure(Program perCall, Program repeated, LongFunction<byte[]> frames, long packets, Expect expect) {
        List<Double> perCallNs = new ArrayList<>(), loop = new ArrayList<>(), overheads = new ArrayList<>();
        for (int t = 0; t < PacketCost.TRIALS; t++) {
            double mean = PerCall.meanNs(perCall, frames, packets, expect);
            double inLoop = repeated.run(frames.apply(t)).durationNs();
            perCallNs.add(mean);
            loop.add(inLoop);
            overheads.add(mean - inLoop);
        }
        double overhead = StageProfile.median(overheads);
        return new Floor(perCallNs.stream().map(ns -> ns - overhead).toList(), overhead, loop);
    }
}
