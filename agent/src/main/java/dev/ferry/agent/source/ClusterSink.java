package dev.ferry.agent.source;

import dev.ferry.agent.model.Cluster;

import java.time.Instant;

/**
 * Where a source hands its snapshots. {@code changeSeenAt} is when the source first noticed the
 * oldest change in this snapshot; it travels beside the snapshot, not inside it, so the model and
 * the translators stay free of clocks. It ends up as kubeproxy_network_programming_duration_seconds.
 */
@FunctionalInterface
public interface ClusterSink {
    void accept(Cluster cluster, Instant changeSeenAt);

    /**
     * Called once, just before the first snapshot, with when the source came to know everything
     * (informers synced, file read): where the time to the first full sync starts.
     */
    default void complete(Instant at) {
    }
}
