package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.ClockSample;
import dev.ferry.bpf.BpfObject;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * How the datapath turns jiffies into CLOCK_MONOTONIC (bpf/src/clock.h): {@code jiffies * tickNs
 * + offsetNs} is CLOCK_MONOTONIC (System.nanoTime()'s clock) at the start of the current tick.
 * Written into every datapath object before load ({@link #configure}); {@link #COARSE} leaves the
 * datapath on bpf_ktime_get_coarse_ns(), the same clock read through a helper call.
 *
 * @param tickNs   the kernel's TICK_NSEC, (10^9 + HZ/2) / HZ; 0 for {@link #COARSE}
 * @param offsetNs CLOCK_MONOTONIC at jiffies 0 (negative: jiffies start near 2^32)
 */
public record DatapathClock(long tickNs, long offsetNs) {
    /** Unprobed: the datapath reads bpf_ktime_get_coarse_ns(), about 20 ns a packet more. */
    public static final DatapathClock COARSE = new DatapathClock(0, 0);
    /** The HZ a kernel can be built with on x86 and arm64 (kernel/Kconfig.hz). */
    static final List<Integer> TICK_RATES = List.of(100, 250, 300, 1000);
    /**
     * How long the samples must span: 250 and 300 Hz, the closest rates, then differ by 5 ticks,
     * and a measurement is at most a tick or two off (a tick begun just before the first sample
     * or the last, a jiffies update a little late).
     */
    static final Duration MIN_SPAN = Duration.ofMillis(100);
    private static final long TICKS_OFF_AT_MOST = 2;
    private static final System.Logger LOG = System.getLogger(DatapathClock.class.getName());

    /**
     * Measures this kernel's tick with bpf/src/clock_probe.bpf.c (ClockProbe). A measurement that
     * fits no known HZ leaves the datapath on {@link #COARSE} with a warning rather than stopping
     * the agent: that is the same clock through a helper call, so deadlines stay right and only
     * the ~20 ns a packet this saves is lost, where an agent that refuses to start leaves the
     * node's Services unprogrammed. A probe that can not load or run fails the start instead
     * (IllegalStateException, BpfException): the datapath needs the same privileges and helpers.
     */
    public static DatapathClock probe() {
        List<ClockSample> samples = ClockProbe.sample(MIN_SPAN);
        try {
            DatapathClock clock = fromSamples(samples);
            LOG.log(System.Logger.Level.INFO, "datapath clock: jiffies at {0} Hz, offset {1} ns", clock.hz(), Long.toString(clock.offsetNs));
            return clock;
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "datapath clock: " + e.getMessage()
                    + "; reading bpf_ktime_get_coarse_ns() per packet instead (the same clock, ~20 ns slower)");
            return COARSE;
        }
    }

    /**
     * The clock these samples (in the order taken) show. HZ: the jiffies they count over their
     * span, matched to the nearest of {@link #TICK_RATES}. Offset: the smallest distance seen
     * between CLOCK_MONOTONIC and {@code jiffies * tickNs}, that of the sample read soonest after
     * a tick began (the clock is read after jiffies, so no sample reads a tick before it began).
     * Throws IllegalArgumentException when the samples span too little or fit no known HZ.
     */
    public static DatapathClock fromSamples(List<ClockSample> samples) {
        if (samples.size() < 2) throw new IllegalArgumentException("clock probe took " + samples.size() + " samples");
        ClockSample first = samples.getFirst(), last = samples.getLast();
        long spanNs = last.monotonicNs() - first.monotonicNs();
        if (spanNs < MIN_SPAN.toNanos()) {
            throw new IllegalArgumentException("clock probe samples span " + spanNs + " ns, less than " + MIN_SPAN.toMillis() + " ms");
        }
        long ticks = last.jiffies() - first.jiffies();
        int hz = TICK_RATES.stream().min(Comparator.comparingDouble(rate -> ticksOff(rate, ticks, spanNs))).orElseThrow();
        if (ticksOff(hz, ticks, spanNs) > TICKS_OFF_AT_MOST) {
            throw new IllegalArgumentException(String.format("jiffies advanced %d in %.1f ms (%.0f Hz), none of %s Hz",
                    ticks, spanNs / 1e6, ticks * 1e9 / spanNs, TICK_RATES));
        }
        long tickNs = tickNs(hz);
        long offsetNs = Long.MAX_VALUE;
        for (ClockSample s : samples) offsetNs = Math.min(offsetNs, s.monotonicNs() - s.jiffies() * tickNs);
        return new DatapathClock(tickNs, offsetNs);
    }

    /** How far {@code ticks} in {@code spanNs} is from what {@code hz} counts in that time, in ticks. */
    private static double ticksOff(int hz, long ticks, long spanNs) {
        return Math.abs(ticks - hz * (spanNs / 1e9));
    }

    /** The kernel's TICK_NSEC for this HZ (include/vdso/jiffies.h). */
    static long tickNs(int hz) {
        return (1_000_000_000L + hz / 2) / hz;
    }

    public int hz() {
        if (tickNs == 0) throw new IllegalStateException("the coarse clock has no HZ of its own");
        return (int) Math.round(1e9 / tickNs);
    }

    /** Sets clock_tick_ns and clock_offset_ns (bpf/src/config.h) of an object not loaded yet. */
    public void configure(BpfObject object) {
        object.setGlobalLong("clock_tick_ns", tickNs);
        object.setGlobalLong("clock_offset_ns", offsetNs);
    }
}
