package dev.ferry.agent.datapath.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct xdp_flow: only the datapath reads and writes xdp_flows_v2; Java keeps the layout for the ABI check. */
public final class XdpFlow {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            CtKey.LAYOUT.withName("key"), U64.withName("valid_until_ns"), BE_U32.withName("saddr"),
            BE_U32.withName("daddr"), BE_U16.withName("sport"), BE_U16.withName("dport"), U32.withName("backend_id"),
            U32.withName("version"), U32.withName("ifindex"), U16.withName("mtu"), U8.withName("reason"),
            U8.withName("pad"), MemoryLayout.sequenceLayout(6, U8).withName("dmac"),
            MemoryLayout.sequenceLayout(6, U8).withName("smac"))
            .withName("xdp_flow");
    /** Where the conntrack key, the deadline (0: an empty slot) and the key's version when filled lie. */
    public static final long KEY = offset(LAYOUT, "key"), VALID_UNTIL = offset(LAYOUT, "valid_until_ns"),
            VERSION = offset(LAYOUT, "version");

    private XdpFlow() {
    }
}
