package dev.ferry.agent.metrics;

import dev.ferry.agent.reconcile.ApplyResult;
import dev.ferry.agent.reconcile.SyncObserver;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The reconciler's metrics under kube-proxy's names, so dashboards and alerts written for
 * kube-proxy keep working. Cheap to update: the writer thread only records times and counts.
 */
public final class SyncMetrics implements SyncObserver {
    /** kube-proxy's buckets for its sync histograms: 1 ms to ~16 s. */
    static final double[] SYNC_BUCKETS = Histogram.exponentialBuckets(0.001, 2, 15);

    private final InstantSource clock;
    private final Histogram syncDuration;
    private final Histogram programmingDuration;
    private final Gauge lastSynced;
    private final Gauge lastQueued;
    private final Counter syncErrors;

    public SyncMetrics(MetricRegistry registry, InstantSource clock) {
        this.clock = clock;
        syncDuration = registry.histogram("kubeproxy_sync_proxy_rules_duration_seconds",
                "SyncProxyRules latency in seconds: one reconcile pass writing the BPF maps", SYNC_BUCKETS);
        programmingDuration = registry.histogram("kubeproxy_network_programming_duration_seconds",
                "In Cluster Network Programming Latency in seconds: from the source seeing a change to the maps holding it",
                SYNC_BUCKETS);
        lastSynced = registry.gauge("kubeproxy_sync_proxy_rules_last_timestamp_seconds",
                "The last time proxy rules were successfully synced (unix seconds)");
        lastQueued = registry.gauge("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds",
                "The last time a sync of proxy rules was queued (unix seconds)");
        syncErrors = registry.counter("ferry_sync_errors_total",
                "Errors while writing the BPF maps (a full map, a failed pass); each is retried with the next change");
    }

    @Override
    public void queued() {
        lastQueued.set(seconds(clock.instant()));
    }

    @Override
    public void synced(ApplyResult result, Instant changeSeenAt, Duration took) {
        Instant now = clock.instant();
        syncDuration.observe(seconds(took));
        syncErrors.add(result.errors().size());
        // As kube-proxy: only a sync that programmed everything counts as successful and as programmed.
        if (result.errors().isEmpty()) {
            lastSynced.set(seconds(now));
            programmingDuration.observe(Math.max(0, seconds(Duration.between(changeSeenAt, now))));
        }
    }

    @Override
    public void failed(RuntimeException error, Duration took) {
        syncDuration.observe(seconds(took));
        syncErrors.inc();
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
