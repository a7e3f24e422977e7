package dev.ferry.agent.reconcile;

import dev.ferry.agent.translate.DesiredState;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The one writer thread. Sources hand in complete desired states at any rate; the thread
 * always applies the newest and skips the ones overtaken while it was busy, so bursts coalesce.
 */
public final class ReconcileLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReconcileLoop.class.getName());

    private final Reconciler reconciler;
    private final Consumer<ApplyResult> onApplied;
    private final AtomicReference<DesiredState> pending = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    public ReconcileLoop(Reconciler reconciler, Consumer<ApplyResult> onApplied) {
        this.reconciler = reconciler;
        this.onApplied = onApplied;
        this.thread = Thread.ofPlatform().name("reconciler").daemon().start(this::run);
    }

    public void submit(DesiredState desired) {
        pending.set(desired);
        synchronized (this) {
            notifyAll();
        }
    }

    private void run() {
        while (running) {
            DesiredState desired = pending.getAndSet(null);
            if (desired == null) {
                synchronized (this) {
                    try {
                        if (pending.get() == null && running) wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            try {
                onApplied.accept(reconciler.apply(desired));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "reconcile failed; retried with the next change: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
