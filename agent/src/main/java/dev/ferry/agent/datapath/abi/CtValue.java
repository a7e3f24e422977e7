package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/** struct ct_value: where a tracked flow is translated to. */
public record CtValue(Inet4Address natAddress, int natPort, int flags, int svcId, int backendId,
                      Inet4Address peerAddress, int peerPort, long expiresNs) {
    public static final int F_HAIRPIN = 0x1;
    public static final int F_CLOSING = 0x2;
    public static final int F_NODEPORT = 0x4;
    public static final int F_SNAT = 0x8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("nat_addr"), BE_U16.withName("nat_port"), U16.withName("flags"),
            U32.withName("svc_id"), U32.withName("backend_id"), BE_U32.withName("peer_addr"),
            BE_U16.withName("peer_port"), U16.withName("pad"), U64.withName("expires_ns")).withName("ct_value");
    private static final long NAT_ADDR = offset(LAYOUT, "nat_addr"), NAT_PORT = offset(LAYOUT, "nat_port"),
            FLAGS = offset(LAYOUT, "flags"), SVC = offset(LAYOUT, "svc_id"), BACKEND = offset(LAYOUT, "backend_id"),
            PEER_ADDR = offset(LAYOUT, "peer_addr"), PEER_PORT = offset(LAYOUT, "peer_port"), EXPIRES = offset(LAYOUT, "expires_ns");

    public static final Codec<CtValue> CODEC = codec(LAYOUT,
            s -> new CtValue(Ipv4.of(s.get(BE_U32, NAT_ADDR)), u16(s.get(BE_U16, NAT_PORT)), u16(s.get(U16, FLAGS)),
                    s.get(U32, SVC), s.get(U32, BACKEND), Ipv4.of(s.get(BE_U32, PEER_ADDR)), u16(s.get(BE_U16, PEER_PORT)), s.get(U64, EXPIRES)),
            (v, s) -> {
                s.set(BE_U32, NAT_ADDR, Ipv4.toInt(v.natAddress));
                s.set(BE_U16, NAT_PORT, (short) v.natPort);
                s.set(U16, FLAGS, (short) v.flags);
                s.set(U32, SVC, v.svcId);
                s.set(U32, BACKEND, v.backendId);
                s.set(BE_U32, PEER_ADDR, Ipv4.toInt(v.peerAddress));
                s.set(BE_U16, PEER_PORT, (short) v.peerPort);
                s.set(U64, EXPIRES, v.expiresNs);
            });
}
