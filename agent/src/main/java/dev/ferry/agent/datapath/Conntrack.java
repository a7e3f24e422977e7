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
 * <p>
 * XDP repeats what a flow's last frame got from its per-CPU cache (bpf/src/xdp_flows.h), whose
 * entries answer only while ct_v1's epoch (ct_epoch_v1) is the one they were filled at: every
 * deletion moves the epoch on, after the entries are gone.
 */
public final class Conntrack {
    private static final int EPOCH = 0;

    private final MapTable<CtKey, CtValue> table;
    private final MapTable<Integer, Integer> epoch;

    public Conntrack(MapTable<CtKey, CtValue> table, MapTable<Integer, Integer> epoch) {
        this.table = table;
        this.epoch = epoch;
    }

    /** Deletes both directions of every flow of these frontends; returns how many entries went. */
    public int endFlowsOf(Set<Integer> svcIds) {
        if (svcIds.isEmpty()) return 0;
        List<CtKey> doomed = table.entries().entrySet().stream()
                .filter(e -> svcIds.contains(e.getValue().svcId()))
                .map(Map.Entry::getKey).toList();
        if (doomed.isEmpty()) return 0;
        table.removeAll(doomed);
        epoch.put(EPOCH, epoch.get(EPOCH).orElse(0) + 1);
        return doomed.size();
    }

    public Map<CtKey, CtValue> entries() {
        return table.entries();
    }
}
