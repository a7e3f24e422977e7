package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static dev.ferry.agent.datapath.abi.Abi.*;

/**
 * struct policy_ct_key: a flow of an isolated pod, as it began; {@code egress}: it began
 * leaving the pod. The protocol stays a number: policy tracks ICMP and others too.
 */
public record PolicyCtKey(Inet4Address saddr, Inet4Address daddr, int sport, int dport, int protocol, boolean egress) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            BE_U32.withName("saddr"), BE_U32.withName("daddr"), BE_U16.withName("sport"), BE_U16.withName("dport"),
            U8.withName("proto"), U8.withName("dir"), U16.withName("pad")).withName("policy_ct_key");
    private static final long SADDR = offset(LAYOUT, "saddr"), DADDR = offset(LAYOUT, "daddr"),
            SPORT = offset(LAYOUT, "sport"), DPORT = offset(LAYOUT, "dport"), PROTO = offset(LAYOUT, "proto"),
            DIR = offset(LAYOUT, "dir");

    public static final Codec<PolicyCtKey> CODEC = codec(LAYOUT,
            s -> new PolicyCtKey(Ipv4.of(s.get(BE_U32, SADDR)), Ipv4.of(s.get(BE_U32, DADDR)), u16(s.get(BE_U16, SPORT)),
                    u16(s.get(BE_U16, DPORT)), u8(s.get(U8, PROTO)), s.get(U8, DIR) == 1),
            (k, s) -> {
                s.set(BE_U32, SADDR, Ipv4.toInt(k.saddr));
                s.set(BE_U32, DADDR, Ipv4.toInt(k.daddr));
                s.set(BE_U16, SPORT, (short) k.sport);
                s.set(BE_U16, DPORT, (short) k.dport);
                s.set(U8, PROTO, (byte) k.protocol);
                s.set(U8, DIR, (byte) (k.egress ? 1 : 0));
            });
}
