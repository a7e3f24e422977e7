package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct slot_key: (frontend id, slot index) -> backend id in slots_v1. */
public record SlotKey(int svcId, int slot) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("svc_id"), U32.withName("slot")).withName("slot_key");
    private static final long ID = offset(LAYOUT, "svc_id"), SLOT = offset(LAYOUT, "slot");

    public static final Codec<SlotKey> CODEC = codec(LAYOUT,
            s -> new SlotKey(s.get(U32, ID), s.get(U32, SLOT)),
            (k, s) -> {
                s.set(U32, ID, k.svcId);
                s.set(U32, SLOT, k.slot);
            });

    // Spelled out for C1: see translate.Backend.
    @Override
    public boolean equals(Object o) {
        return o instanceof SlotKey k && svcId == k.svcId && slot == k.slot;
    }

    @Override
    public int hashCode() {
        return svcId * 31 + slot;
    }
}
