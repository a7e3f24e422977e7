package dev.ferry.agent.source;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * When the next snapshot may go out, as kube-proxy's minSyncPeriod runner decides: a change
 * after a quiet moment goes at once (leading edge), while changes that arrive during or right
 * after a snapshot wait until {@code minInterval} has passed since it, so a burst (a rollout
 * touching many slices) still becomes one snapshot. Not thread-safe: one source thread owns it.
 */
final class SyncPacer {
    private final Duration minInterval;
    private final InstantSource clock;
    private Instant lastPublished;

    SyncPacer(Duration minInterval, InstantSource clock) {
        this.minInterval = minInterval;
        this.clock = clock;
    }

    /** How long to wait before publishing a change that is pending now; zero after a quiet moment. */
    Duration delay() {
        if (lastPublished == null) return Duration.ZERO;
        Duration left = Duration.between(clock.instant(), lastPublished.plus(minInterval));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** A snapshot has just gone out. */
    void published() {
        lastPublished = clock.instant();
    }
}
