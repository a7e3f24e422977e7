package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct svc_value: frontend id, how many slots it has (0 = reject), flags and affinity timeout. */
public record SvcValue(int svcId, int backendCount, int flags, int affinityTimeoutSeconds) {
    /** SVC_F_LOCAL_ONLY: no backends means drop, not reject. */
    public static final int F_LOCAL_ONLY = 0x1;
    /** SVC_F_AFFINITY: sessionAffinity ClientIP. */
    public static final int F_AFFINITY = 0x2;
    /** SVC_F_SOURCE_RANGES: only sources in src_ranges_v1 (loadBalancerSourceRanges). */
    public static final int F_SOURCE_RANGES = 0x4;
    /** SVC_F_MAGLEV: backends are picked by the frontend's Maglev table. */
    public static final int F_MAGLEV = 0x8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("svc_id"), U16.withName("backend_count"), U16.withName("flags"),
            U32.withName("affinity_timeout_s"), U32.withName("pad")).withName("svc_value");
    private static final long ID = offset(LAYOUT, "svc_id"), COUNT = offset(LAYOUT, "backend_count"),
            FLAGS = offset(LAYOUT, "flags"), AFFINITY = offset(LAYOUT, "affinity_timeout_s");

    public static final Codec<SvcValue> CODEC = codec(LAYOUT,
            s -> new SvcValue(s.get(U32, ID), u16(s.get(U16, COUNT)), u16(s.get(U16, FLAGS)), s.get(U32, AFFINITY)),
            (v, s) -> {
                s.set(U32, ID, v.svcId);
                s.set(U16, COUNT, (short) v.backendCount);
                s.set(U16, FLAGS, (short) v.flags);
                s.set(U32, AFFINITY, v.affinityTimeoutSeconds);
            });
}
