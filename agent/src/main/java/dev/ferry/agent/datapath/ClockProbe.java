package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.ClockSample;
import dev.ferry.bpf.BpfException;
import dev.ferry.bpf.BpfObject;
import dev.ferry.bpf.BpfProgram;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the kernel's jiffies and CLOCK_MONOTONIC together through bpf/src/clock_probe.bpf.c, one
 * BPF_PROG_TEST_RUN per sample, back to back: dense samples include some read just after a tick
 * began, which is what {@link DatapathClock#fromSamples} takes the offset from.
 */
public final class ClockProbe {
    public static final String OBJECT = "/bpf/clock_probe.bpf.o";
    /** The frame the program overwrites; XDP test runs want at least an Ethernet header. */
    private static final int FRAME_BYTES = 64;

    private ClockProbe() {
    }

    /** Samples, in the order taken, until they span {@code span} of CLOCK_MONOTONIC. */
    static List<ClockSample> sample(Duration span) {
        try (BpfObject object = BpfObject.open(Datapath.resource(OBJECT), "clock_probe", null)) {
            try {
                object.load();
            } catch (BpfException e) {
                // libbpf's error alone (bpf_object__load: Operation not permitted...) does not say what was loading.
                throw new IllegalStateException("the datapath's clock probe (bpf/src/clock_probe.bpf.c) does not load: "
                        + e.getMessage() + "; the datapath would not either: run the agent as root, on a kernel with"
                        + " bpf_jiffies64 (5.5 or later)", e);
            }
            BpfProgram probe = object.program("clock_probe");
            byte[] frame = new byte[FRAME_BYTES];
            List<ClockSample> samples = new ArrayList<>();
            ClockSample first = read(probe, frame), last = first;
            samples.add(first);
            while (last.monotonicNs() - first.monotonicNs() < span.toNanos()) {
                last = read(probe, frame);
                samples.add(last);
            }
            return samples;
        }
    }

    private static ClockSample read(BpfProgram probe, byte[] frame) {
        return ClockSample.CODEC.decode(MemorySegment.ofArray(probe.testRun(frame, 1).packetOut()));
    }
}
