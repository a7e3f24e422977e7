package dev.ferry.agent.reconcile;

/**
 * Increasing positive ids. Ids are never handed out twice (within a run, and across restarts,
 * since restored ids are reserved): conntrack entries name backends by id, and a removed
 * backend's flows must find their id gone rather than pointing at a newcomer.
 */
final class IdAllocator {
    private int next = 1;

    void reserve(int id) {
        if (id >= next) next = id + 1;
    }

    int allocate() {
        if (next == Integer.MAX_VALUE) throw new IllegalStateException("id space exhausted; restart the agent to compact");
        return next++;
    }
}
