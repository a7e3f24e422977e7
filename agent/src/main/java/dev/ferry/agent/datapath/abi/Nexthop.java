package dev.ferry.agent.datapath.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct nexthop: only the datapath reads and writes nexthops_v1; Java keeps the layout for the ABI check. */
public final class Nexthop {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("daddr"), BE_U32.withName("saddr"), U32.withName("in_ifindex"), U8.withName("proto"),
            U8.withName("pad"), U16.withName("mtu"), U64.withName("checked_ns"), U32.withName("ifindex"),
            MemoryLayout.sequenceLayout(6, U8).withName("dmac"), MemoryLayout.sequenceLayout(6, U8).withName("smac"))
            .withName("nexthop");

    private Nexthop() {
    }
}
