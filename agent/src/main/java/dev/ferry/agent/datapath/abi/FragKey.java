package dev.ferry.agent.datapath.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct frag_key: only the datapath reads and writes frag_v1; Java keeps the layout for the ABI check. */
public final class FragKey {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("saddr"), BE_U32.withName("daddr"), BE_U16.withName("id"), U8.withName("proto"),
            U8.withName("pad")).withName("frag_key");

    private FragKey() {
    }
}
