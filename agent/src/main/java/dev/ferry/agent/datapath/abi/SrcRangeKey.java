package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct src_range_key: one loadBalancerSourceRanges prefix of one frontend, an src_ranges_v1 key. */
public record SrcRangeKey(int svcId, Cidr range) {
    /** The LPM prefix always covers the 32 bits of svc_id before the address. */
    private static final int SVC_ID_BITS = 32;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("prefixlen"), U32.withName("svc_id"), BE_U32.withName("addr")).withName("src_range_key");
    private static final long PREFIX = offset(LAYOUT, "prefixlen"), SVC = offset(LAYOUT, "svc_id"),
            ADDR = offset(LAYOUT, "addr");

    public static final Codec<SrcRangeKey> CODEC = codec(LAYOUT,
            s -> new SrcRangeKey(s.get(U32, SVC), new Cidr(Ipv4.of(s.get(BE_U32, ADDR)), s.get(U32, PREFIX) - SVC_ID_BITS)),
            (k, s) -> {
                s.set(U32, PREFIX, SVC_ID_BITS + k.range.prefixLength());
                s.set(U32, SVC, k.svcId);
                s.set(BE_U32, ADDR, Ipv4.toInt(k.range.network()));
            });
}
