package dev.ferry.agent.reconcile;

/**
 * Increasing positive ids, for frontends. Ids are never handed out twice (within a run, and
 * across restarts, since restored ids are reserved): conntrack and affinity entries name
 * frontends by id, and a removed frontend's entries must never apply to a newcomer. Backend
 * ids follow the same rule and must also fit a free slot: {@link BackendIds}.
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
