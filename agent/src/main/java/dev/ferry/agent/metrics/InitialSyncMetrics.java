package dev.ferry.agent.metrics;

import dev.ferry.agent.reconcile.ApplyResult;
import dev.ferry.agent.reconcile.SyncObserver;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * How long a starting agent takes to program the whole cluster, in two parts: from the process
 * start until the source knows everything (informers synced, file read), and from then until the
 * first reconcile pass has written the maps (the full sync). Set once, logged once.
 */
public final class InitialSyncMetrics implements SyncObserver {
    private static final System.Logger LOG = System.getLogger(InitialSyncMetrics.class.getName());

    private final InstantSource clock;
    private final Instant processStart;
    private final Gauge sourceDuration;
    private final Gauge syncDuration;
    private volatile Instant sourceComplete;
    private volatile boolean recorded;

    public InitialSyncMetrics(MetricRegistry registry, InstantSource clock, Instant processStart) {
        this.clock = clock;
        this.processStart = processStart;
        sourceDuration = registry.gauge("ferry_initial_source_duration_seconds",
                "From the agent process start until its source knew everything (informers synced, file read)");
        syncDuration = registry.gauge("ferry_initial_sync_duration_seconds",
                "From the source knowing everything until the first reconcile pass had written the maps (the full sync)");
    }

    /** The source knows everything from {@code at} on; the next pass to end is the full sync. */
    public void sourceComplete(Instant at) {
        sourceDuration.set(SyncMetrics.seconds(Duration.between(processStart, at)));
        sourceComplete = at;
    }

    @Override
    public void queued() {
    }

    @Override
    public void synced(ApplyResult result, Instant changeSeenAt, Duration took) {
        Instant complete = sourceComplete;
        if (recorded || complete == null) return;
        recorded = true;
        Duration sync = Duration.between(complete, clock.instant());
        syncDuration.set(SyncMetrics.seconds(sync));
        LOG.log(System.Logger.Level.INFO, "full sync: source complete {0} ms after the process started, maps written {1} ms later",
                Duration.between(processStart, complete).toMillis(), sync.toMillis());
    }

    @Override
    public void failed(RuntimeException error, Duration took) {
    }
}
