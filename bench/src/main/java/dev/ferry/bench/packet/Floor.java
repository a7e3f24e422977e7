package dev.ferry.bench.packet;

import dev.ferry.bpf.TestRunResult;

/**
 * An empty program of one type (bpf/src/bench_floor.bpf.c) in the kernel's repeat loop, on the
 * same frame and with the same call as Ferry's paths: what running any program costs there.
 * The loop is valid for it as it is: it leaves the frame alone. A trial of it runs next to
 * every trial of a path ({@link PacketCost}), so each path's ratio to the floor compares runs
 * of the same moment: in the full run of 2026-11-21 evening the same code measured 131 ns
 * for one XDP flow at 1 service and 97 ns at 10,000 a few minutes later, the machine itself
 * having sped up, which a floor measured once at the start can not follow.
 */
record Floor(Program empty, byte[] frame, int repeat, int verdict) {
    /** One trial: ns per repetition. */
    double trialNs() {
        TestRunResult r = empty.run(frame, repeat);
        if (r.retval() != verdict) throw new IllegalStateException("the empty program returned " + r.retval());
        return r.durationNs();
    }
}
