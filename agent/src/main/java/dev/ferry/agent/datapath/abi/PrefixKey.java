package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/**
 * An LPM trie key that is an IPv4 prefix and nothing else: struct svc_cidr_key (svc_cidrs_v1)
 * and struct ipcache_key (ipcache_v1) share the layout {prefixlen (host), addr (be)}.
 */
public record PrefixKey(StructLayout layout, Codec<Cidr> codec) {
    public static final PrefixKey SVC_CIDR = of("svc_cidr_key");
    public static final PrefixKey IPCACHE = of("ipcache_key");

    private static PrefixKey of(String struct) {
        StructLayout layout = MemoryLayout.structLayout(U32.withName("prefixlen"), BE_U32.withName("addr")).withName(struct);
        long prefix = offset(layout, "prefixlen"), addr = offset(layout, "addr");
        return new PrefixKey(layout, Abi.codec(layout,
                s -> new Cidr(Ipv4.of(s.get(BE_U32, addr)), s.get(U32, prefix)),
                (c, s) -> {
                    s.set(U32, prefix, c.prefixLength());
                    s.set(BE_U32, addr, Ipv4.toInt(c.network()));
                }));
    }
}
