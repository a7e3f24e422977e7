package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/**
 * struct drop_event: one policy drop or reject from events_v1. The tuple is the packet's as it
 * was judged: after service DNAT when it left a pod. {@code identity} is the peer's, 0 for rejects.
 */
public record DropEvent(long timeNs, Inet4Address saddr, Inet4Address daddr, int sport, int dport, int protocol,
                        Reason reason, int identity, int ifindex) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("time_ns"), BE_U32.withName("saddr"), BE_U32.withName("daddr"), BE_U16.withName("sport"),
            BE_U16.withName("dport"), U8.withName("proto"), U8.withName("reason"), U16.withName("pad"),
            U32.withName("identity"), U32.withName("ifindex")).withName("drop_event");
    private static final long TIME = offset(LAYOUT, "time_ns"), SADDR = offset(LAYOUT, "saddr"),
            DADDR = offset(LAYOUT, "daddr"), SPORT = offset(LAYOUT, "sport"), DPORT = offset(LAYOUT, "dport"),
            PROTO = offset(LAYOUT, "proto"), REASON = offset(LAYOUT, "reason"), IDENTITY = offset(LAYOUT, "identity"),
            IFINDEX = offset(LAYOUT, "ifindex");

    public static final Codec<DropEvent> CODEC = codec(LAYOUT,
            s -> new DropEvent(s.get(U64, TIME), Ipv4.of(s.get(BE_U32, SADDR)), Ipv4.of(s.get(BE_U32, DADDR)),
                    u16(s.get(BE_U16, SPORT)), u16(s.get(BE_U16, DPORT)), u8(s.get(U8, PROTO)),
                    Reason.values()[u8(s.get(U8, REASON))],
                    s.get(U32, IDENTITY), s.get(U32, IFINDEX)),
            (e, s) -> {
                s.set(U64, TIME, e.timeNs);
                s.set(BE_U32, SADDR, Ipv4.toInt(e.saddr));
                s.set(BE_U32, DADDR, Ipv4.toInt(e.daddr));
                s.set(BE_U16, SPORT, (short) e.sport);
                s.set(BE_U16, DPORT, (short) e.dport);
                s.set(U8, PROTO, (byte) e.protocol);
                s.set(U8, REASON, (byte) e.reason.ordinal());
                s.set(U32, IDENTITY, e.identity);
                s.set(U32, IFINDEX, e.ifindex);
            });
}
