package dev.ferry.agent.datapath.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct affinity_key / affinity_value: only the datapath writes affinity_v1; Java keeps the layouts for the ABI check. */
public final class AffinityLayouts {
    public static final StructLayout KEY = MemoryLayout.structLayout(
            BE_U32.withName("client_addr"), U32.withName("svc_id")).withName("affinity_key");
    public static final StructLayout VALUE = MemoryLayout.structLayout(
            U32.withName("backend_id"), U32.withName("slot"), U64.withName("last_used_ns")).withName("affinity_value");

    private AffinityLayouts() {
    }
}
