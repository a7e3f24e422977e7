package dev.ferry.agent.datapath.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct nexthop_key / nexthop: only the datapath writes nexthops_v1; Java keeps the layouts for the ABI check. */
public final class NexthopLayouts {
    public static final StructLayout KEY = MemoryLayout.structLayout(
            BE_U32.withName("daddr"), BE_U32.withName("saddr"), U32.withName("ifindex"), U8.withName("proto"),
            U8.withName("pad"), U16.withName("pad2")).withName("nexthop_key");
    public static final StructLayout VALUE = MemoryLayout.structLayout(
            U64.withName("checked_ns"), U32.withName("ifindex"), U16.withName("mtu"),
            MemoryLayout.sequenceLayout(6, U8).withName("dmac"), MemoryLayout.sequenceLayout(6, U8).withName("smac"),
            U16.withName("pad"), U32.withName("pad2")).withName("nexthop");

    private NexthopLayouts() {
    }
}
