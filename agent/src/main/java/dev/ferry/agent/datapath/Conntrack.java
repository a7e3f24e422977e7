package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's view of ct_v1. The datapath owns the entries; the agent only ends flows whose
 * frontend it removed, so a deleted service's established connections stop instead of
 * running on to a backend that other services still keep alive.
 */
public final class Conntrack {
    private final MapTable<CtKey, CtValue> table;

    public Conntrack(MapTable<CtKey, CtValue> table) {
        this.table = table;
    }

    /** Deletes both directions of every flow of these frontends; returns how many entries went. */
    public int endFlowsOf(Set<Integer> svcIds) {
        if (svcIds.isEmpty()) return 0;
        List<CtKey> doomed = table.entries().entrySet().stream()
                .filter(e -> svcIds.contains(e.getValue().svcId()))
                .map(Map.Entry::getKey).toList();
        table.removeAll(doomed);
        return doomed.size();
    }

    public Map<CtKey, CtValue> entries() {
        return table.entries();
    }
}
