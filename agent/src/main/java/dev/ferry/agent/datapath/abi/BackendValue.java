package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct backend: the backends_v1 value. */
public record BackendValue(Inet4Address address, int port, int flags) {
    /** BACKEND_F_LOCAL: the endpoint runs on this node. */
    public static final int F_LOCAL = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("addr"), BE_U16.withName("port"), U16.withName("flags")).withName("backend");
    private static final long ADDR = offset(LAYOUT, "addr"), PORT = offset(LAYOUT, "port"), FLAGS = offset(LAYOUT, "flags");

    public static final Codec<BackendValue> CODEC = codec(LAYOUT,
            s -> new BackendValue(Ipv4.of(s.get(BE_U32, ADDR)), u16(s.get(BE_U16, PORT)), u16(s.get(U16, FLAGS))),
            (v, s) -> {
                s.set(BE_U32, ADDR, Ipv4.toInt(v.address));
                s.set(BE_U16, PORT, (short) v.port);
                s.set(U16, FLAGS, (short) v.flags);
            });
}
