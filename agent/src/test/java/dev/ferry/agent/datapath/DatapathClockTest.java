package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.ClockSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The arithmetic that turns clock_probe.bpf.c's samples into the datapath's clock, on samples
 * from a simulated kernel: jiffies advance by one every TICK_NSEC of CLOCK_MONOTONIC, each
 * increment a little after its tick began (the tick interrupt's latency), as
 * tick_do_update_jiffies64 does it.
 */
class DatapathClockTest {
    /** CLOCK_MONOTONIC when the simulated kernel's jiffies were 0: jiffies start near 2^32 at boot. */
    static final long TRUE_OFFSET_NS = -17_179_568_939_903_491L;
    static final long LATENCY_NS = 20_000, READ_NS = 300, SPACING_MAX_NS = 10_000;

    /** A kernel ticking at {@code hz}, sampled every few microseconds. */
    record Kernel(int hz, long tickNs) {
        Kernel(int hz) {
            this(hz, (1_000_000_000L + hz / 2) / hz);
        }

        /** Jiffies at CLOCK_MONOTONIC {@code ns}: the ticks begun at least LATENCY_NS ago. */
        long jiffies(long ns) {
            return Math.floorDiv(ns - LATENCY_NS - TRUE_OFFSET_NS, tickNs);
        }

        /** As ClockProbe takes them: until they span {@code span}. */
        List<ClockSample> samples(long startNs, Duration span) {
            Random random = new Random(hz);
            List<ClockSample> samples = new ArrayList<>();
            for (long ns = startNs; ; ns += 2_000 + random.nextInt((int) SPACING_MAX_NS - 2_000)) {
                samples.add(new ClockSample(jiffies(ns), ns + READ_NS)); // the clock is read after jiffies
                if (ns - startNs >= span.toNanos()) return samples;
            }
        }
    }

    /** 20 minutes after boot, on CLOCK_MONOTONIC. */
    static final long UPTIME_NS = Duration.ofMinutes(20).toNanos();

    @ParameterizedTest(name = "{0} Hz")
    @CsvSource({"100, 10000000", "250, 4000000", "300, 3333333", "1000, 1000000"})
    void findsTheTickLengthOfEachKnownHz(int hz, long tickNs) {
        DatapathClock clock = DatapathClock.fromSamples(new Kernel(hz).samples(UPTIME_NS, DatapathClock.MIN_SPAN));
        assertEquals(tickNs, clock.tickNs());
        assertEquals(hz, clock.hz());
    }

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {100, 250, 300, 1000})
    void theOffsetIsWhereTicksBeginUpToTheSamplesSpacing(int hz) {
        DatapathClock clock = DatapathClock.fromSamples(new Kernel(hz).samples(UPTIME_NS, DatapathClock.MIN_SPAN));
        // Never before the true offset (no sample reads the clock before its tick began), and
        // at most the latency, the read and one spacing of samples after it.
        assertTrue(clock.offsetNs() >= TRUE_OFFSET_NS + LATENCY_NS + READ_NS, "offset " + clock.offsetNs());
        assertTrue(clock.offsetNs() <= TRUE_OFFSET_NS + LATENCY_NS + READ_NS + SPACING_MAX_NS, "offset " + clock.offsetNs());
    }

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {100, 250, 300, 1000})
    void theClockStaysWithinATickBehindCLOCK_MONOTONICForYears(int hz) {
        Kernel kernel = new Kernel(hz);
        DatapathClock clock = DatapathClock.fromSamples(kernel.samples(UPTIME_NS, DatapathClock.MIN_SPAN));
        long year = Duration.ofDays(365).toNanos();
        for (long ns = UPTIME_NS; ns < UPTIME_NS + 3 * year; ns += year / 7 + 12_345) {
            long now = kernel.jiffies(ns) * clock.tickNs() + clock.offsetNs(); // datapath_now(), clock.h
            // Ahead by the sampling error at most: no sample was read exactly as a tick began.
            assertTrue(now <= ns + READ_NS + SPACING_MAX_NS, "ahead of CLOCK_MONOTONIC " + ns + ": " + now);
            assertTrue(now > ns - clock.tickNs(), "a tick or more behind " + ns + ": " + now);
        }
    }

    @Test
    void aSampleReadLateDoesNotMoveTheOffset() {
        Kernel kernel = new Kernel(250);
        List<ClockSample> samples = kernel.samples(UPTIME_NS, DatapathClock.MIN_SPAN);
        DatapathClock clock = DatapathClock.fromSamples(samples);
        // A sample whose clock read came 3 ms after its jiffies (the thread preempted in between).
        ClockSample late = samples.get(samples.size() / 2);
        samples.set(samples.size() / 2, new ClockSample(late.jiffies(), late.monotonicNs() + 3_000_000));
        assertEquals(clock, DatapathClock.fromSamples(samples));
    }

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {24, 200, 1200})
    void refusesATickRateItDoesNotKnow(int hz) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> DatapathClock.fromSamples(new Kernel(hz).samples(UPTIME_NS, DatapathClock.MIN_SPAN)));
        assertTrue(e.getMessage().contains("none of [100, 250, 300, 1000] Hz"), e.getMessage());
    }

    @Test
    void refusesJiffiesThatDoNotMove() {
        List<ClockSample> samples = List.of(new ClockSample(4_300_000_000L, UPTIME_NS),
                new ClockSample(4_300_000_000L, UPTIME_NS + DatapathClock.MIN_SPAN.toNanos()));
        var e = assertThrows(IllegalArgumentException.class, () -> DatapathClock.fromSamples(samples));
        assertTrue(e.getMessage().startsWith("jiffies advanced 0 in 100.0 ms"), e.getMessage());
    }

    @Test
    void refusesSamplesTooCloseTogetherToTell250From300Hz() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> DatapathClock.fromSamples(new Kernel(250).samples(UPTIME_NS, Duration.ofMillis(50))));
        assertTrue(e.getMessage().contains("less than 100 ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatapathClock.fromSamples(List.of(new ClockSample(1, 1))));
    }

    @Test
    void theCoarseClockHasNoHz() {
        assertEquals(0, DatapathClock.COARSE.tickNs());
        assertThrows(IllegalStateException.class, DatapathClock.COARSE::hz);
    }
}
