package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct svc_key: the services_v2 key. {@code scope}: SVC_SCOPE_INTERNAL (0) or SVC_SCOPE_EXTERNAL (1). */
public record SvcKey(Inet4Address vip, int port, Protocol protocol, int scope) {
    public static final int SCOPE_INTERNAL = 0;
    public static final int SCOPE_EXTERNAL = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("vip"), BE_U16.withName("port"), U8.withName("proto"), U8.withName("scope"))
            .withName("svc_key");
    private static final long VIP = offset(LAYOUT, "vip"), PORT = offset(LAYOUT, "port"), PROTO = offset(LAYOUT, "proto"),
            SCOPE = offset(LAYOUT, "scope");

    public static final Codec<SvcKey> CODEC = codec(LAYOUT,
            s -> new SvcKey(Ipv4.of(s.get(BE_U32, VIP)), u16(s.get(BE_U16, PORT)), Protocol.fromNumber(u8(s.get(U8, PROTO))),
                    u8(s.get(U8, SCOPE))),
            (k, s) -> {
                s.set(BE_U32, VIP, Ipv4.toInt(k.vip));
                s.set(BE_U16, PORT, (short) k.port);
                s.set(U8, PROTO, (byte) k.protocol.number());
                s.set(U8, SCOPE, (byte) k.scope);
            });
}
