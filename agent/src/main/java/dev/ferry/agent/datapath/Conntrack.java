package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent's view of ct_v1. The datapath owns the entries; the agent only ends flows whose
 * frontend it removed, so a deleted service's established connections stop instead of
 * running on to a backend that other services still keep alive.
 * <p>
 * XDP repeats what a flow's last frame got from its per-CPU cache (bpf/src/xdp_flows.h), whose
 * entries answer only while their key's counter in flow_versions_v1 is the one they were filled
 * at. The datapath counts its own creations and deletions there; this counts the agent's, after
 * the entries are gone, as the datapath does.
 */
public final class Conntrack {
    /** FLOW_VERSION_SLOTS (bpf/src/ferry_abi.h). */
    static final int VERSION_SLOTS = 65536;

    private final MapTable<CtKey, CtValue> table;
    private final MapTable<Integer, Integer> versions;

    public Conntrack(MapTable<CtKey, CtValue> table, MapTable<Integer, Integer> versions) {
        this.table = table;
        this.versions = versions;
    }

    /** Deletes both directions of every flow of these frontends; returns how many entries went. */
    public int endFlowsOf(Set<Integer> svcIds) {
        if (svcIds.isEmpty()) return 0;
        List<CtKey> doomed = table.entries().entrySet().stream()
                .filter(e -> svcIds.contains(e.getValue().svcId()))
                .map(Map.Entry::getKey).toList();
        table.removeAll(doomed);
        Set<Integer> changed = new TreeSet<>();
        for (CtKey key : doomed) changed.add(versionSlot(key));
        for (int slot : changed) versions.put(slot, versions.get(slot).orElse(0) + 1);
        return doomed.size();
    }

    /** A key's counter in flow_versions_v1 (ct_changed in bpf/src/conntrack.h). */
    static int versionSlot(CtKey key) {
        return Integer.remainderUnsigned(FlowHash.ctKeyHash(key), VERSION_SLOTS);
    }

    public Map<CtKey, CtValue> entries() {
        return table.entries();
    }
}
