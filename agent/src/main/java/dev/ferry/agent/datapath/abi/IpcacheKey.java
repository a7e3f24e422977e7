package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct ipcache_key: an LPM trie key of ipcache_v1, an address (/32) or an ipBlock prefix. */
public final class IpcacheKey {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("prefixlen"), BE_U32.withName("addr")).withName("ipcache_key");
    private static final long PREFIX = offset(LAYOUT, "prefixlen"), ADDR = offset(LAYOUT, "addr");

    public static final Codec<Cidr> CODEC = codec(LAYOUT,
            s -> new Cidr(Ipv4.of(s.get(BE_U32, ADDR)), s.get(U32, PREFIX)),
            (c, s) -> {
                s.set(U32, PREFIX, c.prefixLength());
                s.set(BE_U32, ADDR, Ipv4.toInt(c.network()));
            });

    private IpcacheKey() {
    }
}
