package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct endpoint: a local pod's number in policy keys and the directions policy isolates it in. */
public record EndpointValue(int id, boolean ingressIsolated, boolean egressIsolated) {
    /** ENDPOINT_F_INGRESS, ENDPOINT_F_EGRESS. */
    static final int F_INGRESS = 0x1, F_EGRESS = 0x2;
    /** Endpoint ids are __u16, and 0 is never one. */
    public static final int MAX_ID = 0xffff;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("id"), U16.withName("flags"), U32.withName("pad")).withName("endpoint");
    private static final long ID = offset(LAYOUT, "id"), FLAGS = offset(LAYOUT, "flags");

    public static final Codec<EndpointValue> CODEC = codec(LAYOUT,
            s -> {
                int flags = u16(s.get(U16, FLAGS));
                return new EndpointValue(u16(s.get(U16, ID)), (flags & F_INGRESS) != 0, (flags & F_EGRESS) != 0);
            },
            (v, s) -> {
                s.set(U16, ID, (short) v.id);
                s.set(U16, FLAGS, (short) ((v.ingressIsolated ? F_INGRESS : 0) | (v.egressIsolated ? F_EGRESS : 0)));
            });

    public EndpointValue {
        if (id < 1 || id > MAX_ID) throw new IllegalArgumentException("endpoint id " + id);
    }
}
