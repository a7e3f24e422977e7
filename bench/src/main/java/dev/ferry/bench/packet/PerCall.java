package dev.ferry.bench.packet;

import dev.ferry.bpf.TestRunResult;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * Runs frames through a program one BPF_PROG_TEST_RUN (repeat 1) each and averages the kernel's
 * own duration of each run. The kernel times its loop (net/bpf/test_run.c, bpf_test_run:
 * ktime_get_ns() before the loop and after the last run, divided by the runs), so a run of one
 * carries the timer's own cost once, where a loop of a million spreads it thin:
 * {@link #timerOverhead} measures that difference on the empty program, and every per-call number
 * has it subtracted, the floor's included. Every run's verdict is checked, and so is whether the
 * program rewrote the frame, so a path that silently drops or passes untouched is never timed as
 * the one meant.
 */
final class PerCall {
    private PerCall() {
    }

    /** What a frame must come out as: the verdict, and whether the program rewrites it. */
    record Expect(int verdict, boolean rewritten) {
    }

    /** Mean kernel ns per run of {@code count} frames, frame i being {@code frames.apply(i)}. */
    static double meanNs(Program program, LongFunction<byte[]> frames, long count, Expect expect) {
        long total = 0;
        for (long i = 0; i < count; i++) {
            byte[] frame = frames.apply(i);
            TestRunResult r = program.run(frame);
            if (r.retval() != expect.verdict() || Arrays.equals(r.packetOut(), frame) == expect.rewritten()) {
                throw new IllegalStateException("frame " + i + " came out with verdict " + r.retval() + " (expected "
                        + expect.verdict() + "), " + (expect.rewritten() ? "unchanged" : "rewritten")
                        + ": the path measured is not the one meant");
            }
            total += r.durationNs();
        }
        return (double) total / count;
    }

    /** Runs every frame once, checking it as {@link #meanNs} does: flows set up before a measurement. */
    static void send(Program program, byte[][] frames, Expect expect) {
        meanNs(program, i -> frames[(int) i], frames.length, expect);
    }

    /**
     * The timer's share of one run: the empty program per call minus the same program in the
     * kernel's loop of {@code repeat} runs (the loop is valid for it: it leaves the frame alone).
     */
    static double timerOverhead(double emptyPerCallNs, Program emptyRepeated, byte[] frame) {
        return emptyPerCallNs - emptyRepeated.run(frame).durationNs();
    }
}
