package dev.ferry.bench.packet;

import dev.ferry.bpf.TestRunResult;

import java.util.ArrayList;
import java.util.List;

/**
 * An empty program of one type (bpf/src/bench_floor.bpf.c) in the kernel's repeat loop, on the
 * same frame and with the same call as Ferry's paths: what running any program costs there.
 * The loop is valid for it as it is: it leaves the frame alone.
 *
 * @param trialsNs ns per repetition, one per trial
 */
record Floor(List<Double> trialsNs) {
    static Floor measure(Program empty, byte[] frame, int repeat, int verdict) {
        List<Double> trials = new ArrayList<>();
        for (int t = 0; t < PacketCost.TRIALS; t++) {
            TestRunResult r = empty.run(frame, repeat);
            if (r.retval() != verdict) throw new IllegalStateException("the empty program returned " + r.retval());
            trials.add((double) r.durationNs());
        }
        return new Floor(trials);
    }

    double medianNs() {
        return StageProfile.median(trialsNs);
    }
}
