package dev.ferry.agent.reconcile;

import dev.ferry.agent.translate.DesiredState;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The one writer. Sources hand in complete desired states at any rate; a pass always applies
 * the newest and skips the ones overtaken while another pass was busy, so bursts coalesce. A
 * skipped state hands its change time on to the one that overtook it, so the network
 * programming latency is measured from the oldest change a pass programs.
 * <p>
 * Passes run on the threads that hand the states in, one at a time: a caller that finds no
 * pass running runs it, and then every state handed in meanwhile; a caller that finds one
 * running leaves its state to that pass's thread and returns at once. The loop has no thread of
 * its own because waking one costs a change its latency: on this machine's two virtual CPUs
 * (`Bench quick control`, 10,000 Services), waking the thread that used to wait here took
 * 0.06 ms at the median but over 2 ms for 1 change in 50 (up to 3.6 ms), the largest single
 * part of the agent's p99. The source's own thread (KubernetesSource) now runs most passes.
 */
public final class ReconcileLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReconcileLoop.class.getName());

    private final Function<DesiredState, ApplyResult> apply;
    private final SyncObserver observer;
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    /** Held by the thread running passes: at most one writes the maps. */
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile boolean open = true;

    private record Pending(DesiredState desired, Instant changeSeenAt) {
        Pending overtake(Pending older) {
            return older == null || changeSeenAt.isBefore(older.changeSeenAt) ? this : new Pending(desired, older.changeSeenAt);
        }
    }

    /** @param apply one pass: the reconciler's apply, and whatever else follows the desired state */
    public ReconcileLoop(Function<DesiredState, ApplyResult> apply, SyncObserver observer) {
        this.apply = apply;
        this.observer = observer;
    }

    /**
     * Applies {@code desired} now, or leaves it to the pass running on another thread.
     *
     * @param changeSeenAt when the source first saw the change that led to {@code desired}
     */
    public void submit(DesiredState desired, Instant changeSeenAt) {
        if (!open) return;
        observer.queued();
        Pending next = new Pending(desired, changeSeenAt);
        pending.accumulateAndGet(next, (older, newer) -> newer.overtake(older));
        // Checked again after letting go: a state handed in just before that found us still writing.
        while (pending.get() != null && writing.compareAndSet(false, true)) {
            try {
                for (Pending p = pending.getAndSet(null); p != null && open; p = pending.getAndSet(null)) {
                    pass(p);
                }
            } finally {
                writing.set(false);
            }
        }
    }

    private void pass(Pending next) {
        long start = System.nanoTime();
        ApplyResult result;
        try {
            result = apply.apply(next.desired());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "reconcile failed; retried with the next change: " + e.getMessage(), e);
            observer.failed(e, Duration.ofNanos(System.nanoTime() - start));
            return;
        }
        observer.synced(result, next.changeSeenAt(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** Later states are dropped; a pass already running ends as it would. */
    @Override
    public void close() {
        open = false;
        pending.set(null);
    }
}
