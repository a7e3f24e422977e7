package dev.ferry.agent.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * What the reconcile loop tells metrics and health checks, in kube-proxy's terms: an update was
 * queued, a sync finished (perhaps with per-object errors), or a sync failed as a whole.
 * {@code changeSeenAt} is when the source first saw the oldest change this sync programs.
 */
public interface SyncObserver {
    /** Called on the submitting thread when a new desired state arrives. */
    void queued();

    /** Called by the thread running the pass, after each pass that ran to its end. */
    void synced(ApplyResult result, Instant changeSeenAt, Duration took);

    /** Called by the thread running the pass when it threw; the next change retries. */
    void failed(RuntimeException error, Duration took);

    /** An observer that only wants each finished pass's result (e.g. to log it). */
    static SyncObserver afterEachPass(Consumer<ApplyResult> onApplied) {
        return new SyncObserver() {
            @Override
            public void queued() {
            }

            @Override
            public void synced(ApplyResult result, Instant changeSeenAt, Duration took) {
                onApplied.accept(result);
            }

            @Override
            public void failed(RuntimeException error, Duration took) {
            }
        };
    }

    default SyncObserver andThen(SyncObserver next) {
        SyncObserver first = this;
        return new SyncObserver() {
            @Override
            public void queued() {
                first.queued();
                next.queued();
            }

            @Override
            public void synced(ApplyResult result, Instant changeSeenAt, Duration took) {
                first.synced(result, changeSeenAt, took);
                next.synced(result, changeSeenAt, took);
            }

            @Override
            public void failed(RuntimeException error, Duration took) {
                first.failed(error, took);
                next.failed(error, took);
            }
        };
    }
}
