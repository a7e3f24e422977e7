package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct sock_revnat_key: a host socket (by cookie) and the backend it was sent to instead of a VIP. */
public record SockRevnatKey(long cookie, Inet4Address backend, int backendPort) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("cookie"), BE_U32.withName("backend_addr"), BE_U16.withName("backend_port"), U16.withName("pad"))
            .withName("sock_revnat_key");
    private static final long COOKIE = offset(LAYOUT, "cookie"), ADDR = offset(LAYOUT, "backend_addr"),
            PORT = offset(LAYOUT, "backend_port");

    public static final Codec<SockRevnatKey> CODEC = codec(LAYOUT,
            s -> new SockRevnatKey(s.get(U64, COOKIE), Ipv4.of(s.get(BE_U32, ADDR)), u16(s.get(BE_U16, PORT))),
            (k, s) -> {
                s.set(U64, COOKIE, k.cookie);
                s.set(BE_U32, ADDR, Ipv4.toInt(k.backend));
                s.set(BE_U16, PORT, (short) k.backendPort);
            });
}
