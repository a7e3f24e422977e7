package dev.ferry.agent.reconcile;

import dev.ferry.agent.translate.DesiredState;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The one writer thread. Sources hand in complete desired states at any rate; the thread
 * always applies the newest and skips the ones overtaken while it was busy, so bursts coalesce.
 * A skipped state hands its change time on to the one that overtook it, so the network
 * programming latency is measured from the oldest change a pass programs.
 */
public final class ReconcileLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReconcileLoop.class.getName());

    private final Function<DesiredState, ApplyResult> apply;
    private final SyncObserver observer;
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    private record Pending(DesiredState desired, Instant changeSeenAt) {
        Pending overtake(Pending older) {
            return older == null || changeSeenAt.isBefore(older.changeSeenAt) ? this : new Pending(desired, older.changeSeenAt);
        }
    }

    /** @param apply one pass: the reconciler's apply, and whatever else follows the desired state */
    public ReconcileLoop(Function<DesiredState, ApplyResult> apply, SyncObserver observer) {
        this.apply = apply;
        this.observer = observer;
        this.thread = Thread.ofPlatform().name("reconciler").daemon().start(this::run);
    }

    /** @param changeSeenAt when the source first saw the change that led to {@code desired} */
    public void submit(DesiredState desired, Instant changeSeenAt) {
        observer.queued();
        Pending next = new Pending(desired, changeSeenAt);
        pending.accumulateAndGet(next, (older, newer) -> newer.overtake(older));
        synchronized (this) {
            notifyAll();
        }
    }

    private void run() {
        while (running) {
            Pending next = pending.getAndSet(null);
            if (next == null) {
                synchronized (this) {
                    try {
                        if (pending.get() == null && running) wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            long start = System.nanoTime();
            ApplyResult result;
            try {
                result = apply.apply(next.desired());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "reconcile failed; retried with the next change: " + e.getMessage(), e);
                observer.failed(e, Duration.ofNanos(System.nanoTime() - start));
                continue;
            }
            observer.synced(result, next.changeSeenAt(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
