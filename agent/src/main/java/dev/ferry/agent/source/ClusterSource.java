package dev.ferry.agent.source;

/**
 * Where the agent's Services and EndpointSlices come from: a file (standalone) or the API
 * server. A source hands complete {@link dev.ferry.agent.model.Cluster} snapshots to its sink,
 * the first one only once it knows everything (file read, informers synced).
 */
public interface ClusterSource extends AutoCloseable {
    ClusterSource start();

    /** Objects skipped as invalid in the last snapshot (ferry_invalid_objects). */
    int invalidObjects();

    @Override
    void close();
}
