package dev.ferry.agent.reconcile;

import dev.ferry.agent.translate.DesiredState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconcileLoopTest {
    private static final ApplyResult NOTHING = new ApplyResult(0, 0, 0, 0, List.of(), List.of());
    private static final Instant T0 = Instant.parse("2026-11-21T18:00:00Z");

    /** Every pass: its state, the change time it was given and the thread it ran on. */
    private record Pass(DesiredState state, Instant changeSeenAt, Thread thread) {
    }

    private static final class Recorder implements SyncObserver {
        final List<Pass> passes = Collections.synchronizedList(new ArrayList<>());
        final List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger queued = new AtomicInteger();
        private final ThreadLocal<DesiredState> applying = new ThreadLocal<>();

        Function<DesiredState, ApplyResult> apply(Function<DesiredState, ApplyResult> work) {
            return state -> {
                applying.set(state);
                return work.apply(state);
            };
        }

        @Override
        public void queued() {
            queued.incrementAndGet();
        }

        @Override
        public void synced(ApplyResult result, Instant changeSeenAt, Duration took) {
            passes.add(new Pass(applying.get(), changeSeenAt, Thread.currentThread()));
        }

        @Override
        public void failed(RuntimeException error, Duration took) {
            failures.add(error);
        }

        List<DesiredState> states() {
            synchronized (passes) {
                return passes.stream().map(Pass::state).toList();
            }
        }
    }

    private static DesiredState state() {
        return DesiredState.of(new TreeMap<>());
    }

    @Test
    void statesHandedInDuringAPassAreLeftToItsThreadAndOnlyTheNewestIsApplied() throws Exception {
        Recorder recorder = new Recorder();
        DesiredState first = state(), overtaken = state(), newest = state();
        CountDownLatch inFirstPass = new CountDownLatch(1), release = new CountDownLatch(1);
        ReconcileLoop loop = new ReconcileLoop(recorder.apply(s -> {
            if (s == first) {
                inFirstPass.countDown();
                await(release);
            }
            return NOTHING;
        }), recorder);

        Thread writer = Thread.ofPlatform().start(() -> loop.submit(first, T0));
        assertTrue(inFirstPass.await(10, TimeUnit.SECONDS));
        // Both return at once although a pass is running: they leave their states to it.
        loop.submit(overtaken, T0.plusSeconds(1));
        loop.submit(newest, T0.plusSeconds(2));
        assertEquals(List.of(), recorder.states(), "the callers applied nothing themselves; the first pass still runs");
        release.countDown();
        writer.join(10_000);

        assertEquals(List.of(first, newest), recorder.states());
        Pass last = recorder.passes.getLast();
        assertSame(writer, last.thread(), "the running pass's thread applies what came in meanwhile");
        assertEquals(T0.plusSeconds(1), last.changeSeenAt(), "latency counts from the oldest change it programs");
        assertEquals(3, recorder.queued.get());
    }

    @Test
    void aStateHandedInWhileNoPassRunsIsAppliedBeforeSubmitReturns() {
        Recorder recorder = new Recorder();
        ReconcileLoop loop = new ReconcileLoop(recorder.apply(s -> NOTHING), recorder);
        DesiredState s = state();

        loop.submit(s, T0);

        assertEquals(List.of(s), recorder.states());
        assertSame(Thread.currentThread(), recorder.passes.getFirst().thread());
    }

    @Test
    void aFailedPassIsReportedAndTheNextStateIsApplied() {
        Recorder recorder = new Recorder();
        DesiredState broken = state(), next = state();
        ReconcileLoop loop = new ReconcileLoop(recorder.apply(s -> {
            if (s == broken) throw new IllegalStateException("map full");
            return NOTHING;
        }), recorder);

        loop.submit(broken, T0);
        loop.submit(next, T0.plusSeconds(1));

        assertEquals(1, recorder.failures.size());
        assertEquals("map full", recorder.failures.getFirst().getMessage());
        assertEquals(List.of(next), recorder.states());
        assertEquals(T0.plusSeconds(1), recorder.passes.getFirst().changeSeenAt(), "a failed pass's change is not carried on");
    }

    @Test
    void nothingIsAppliedAfterClose() {
        Recorder recorder = new Recorder();
        ReconcileLoop loop = new ReconcileLoop(recorder.apply(s -> NOTHING), recorder);

        loop.close();
        loop.submit(state(), T0);

        assertEquals(List.of(), recorder.states());
    }

    /**
     * Submitters racing: never two passes at once, and no state is stranded: the last pass
     * applies one of the states handed in last. (The narrowest race, a state handed in just as
     * the writer lets go, is rarely hit here; submit checks for it after letting go.)
     */
    @Test
    void racingSubmittersNeverWriteTwoAtOnceAndTheLastStateIsAlwaysApplied() throws Exception {
        int threads = 4, rounds = 300, perRound = 3;
        AtomicInteger writing = new AtomicInteger(), mostAtOnce = new AtomicInteger();
        Recorder recorder = new Recorder();
        ReconcileLoop loop = new ReconcileLoop(recorder.apply(s -> {
            mostAtOnce.accumulateAndGet(writing.incrementAndGet(), Math::max);
            for (int i = 0; i < 200; i++) Thread.onSpinWait(); // a pass long enough for others to arrive during it
            writing.decrementAndGet();
            return NOTHING;
        }), recorder);
        // The test thread passes both barriers too: it checks a round before the next one starts.
        CyclicBarrier start = new CyclicBarrier(threads + 1), end = new CyclicBarrier(threads + 1);
        DesiredState[][] lastOfRound = new DesiredState[rounds][threads];
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        start.await();
                        for (int i = 0; i < perRound; i++) {
                            DesiredState s = state();
                            lastOfRound[r][id] = s;
                            loop.submit(s, T0.plusNanos(i));
                        }
                        end.await();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int r = 0; r < rounds; r++) {
            start.await(10, TimeUnit.SECONDS);
            end.await(10, TimeUnit.SECONDS);
            List<DesiredState> applied = recorder.states();
            assertTrue(Set.of(lastOfRound[r]).contains(applied.getLast()), "round " + r + ": a state was stranded");
        }
        for (Thread t : submitters) t.join(10_000);
        assertEquals(1, mostAtOnce.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("not released");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
