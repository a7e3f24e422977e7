package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct nodeport_if: the nodeport_ifs_v1 value, the SNAT address of a node interface. */
public final class NodeportIf {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("snat_addr"), U32.withName("pad")).withName("nodeport_if");

    public static final Codec<Inet4Address> CODEC = codec(LAYOUT,
            s -> Ipv4.of(s.get(BE_U32, 0)), (a, s) -> s.set(BE_U32, 0, Ipv4.toInt(a)));

    private NodeportIf() {
    }
}
