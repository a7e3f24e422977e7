package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct policy_ct_value: when a tracked flow of an isolated pod expires, and whether it is closing. */
public record PolicyCtValue(long expiresNs, boolean closing) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("expires_ns"), U16.withName("flags"), U16.withName("pad"), U32.withName("pad2"))
            .withName("policy_ct_value");
    private static final long EXPIRES = offset(LAYOUT, "expires_ns"), FLAGS = offset(LAYOUT, "flags");

    public static final Codec<PolicyCtValue> CODEC = codec(LAYOUT,
            s -> new PolicyCtValue(s.get(U64, EXPIRES), (s.get(U16, FLAGS) & CtValue.F_CLOSING) != 0),
            (v, s) -> {
                s.set(U64, EXPIRES, v.expiresNs);
                s.set(U16, FLAGS, (short) (v.closing ? CtValue.F_CLOSING : 0));
            });
}
