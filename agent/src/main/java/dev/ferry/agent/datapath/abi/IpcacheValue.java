package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct ipcache_value: an address's own identity number and its ipBlock identity number. */
public record IpcacheValue(int identity, int block) {
    /** Numbers of the reserved identities (ferry_abi.h IDENTITY_*). */
    public static final int ANY = 0, HOST = 1, WORLD = 2, FIRST_ALLOCATED = 256;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("identity"), U32.withName("block")).withName("ipcache_value");
    private static final long IDENTITY = offset(LAYOUT, "identity"), BLOCK = offset(LAYOUT, "block");

    public static final Codec<IpcacheValue> CODEC = codec(LAYOUT,
            s -> new IpcacheValue(s.get(U32, IDENTITY), s.get(U32, BLOCK)),
            (v, s) -> {
                s.set(U32, IDENTITY, v.identity);
                s.set(U32, BLOCK, v.block);
            });
}
