package dev.ferry.agent.datapath.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct frag_value: the ports of a fragmented datagram. */
public final class FragValue {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U16.withName("sport"), BE_U16.withName("dport")).withName("frag_value");

    private FragValue() {
    }
}
