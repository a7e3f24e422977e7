package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static dev.ferry.agent.datapath.abi.Abi.*;

/**
 * struct policy_key: one allow entry of policy_v1, an LPM trie key. {@code portBits} of the
 * port are matched (0..16), or with {@code protocol} 0 neither protocol nor port: the key's
 * prefixlen is {@link #PREFIX_PEER}, {@link #PREFIX_PROTO} + portBits.
 */
public record PolicyKey(int identity, int endpointId, boolean egress, int protocol, int port, int portBits) {
    /** POLICY_PREFIX_PEER, POLICY_PREFIX_PROTO: bits of identity+endpoint+dir, and of proto after them. */
    public static final int PREFIX_PEER = 56, PREFIX_PROTO = 64;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("prefixlen"), U32.withName("identity"), U16.withName("endpoint_id"), U8.withName("dir"),
            U8.withName("proto"), BE_U16.withName("dport"), U16.withName("pad")).withName("policy_key");
    private static final long PREFIX = offset(LAYOUT, "prefixlen"), IDENTITY = offset(LAYOUT, "identity"),
            ENDPOINT = offset(LAYOUT, "endpoint_id"), DIR = offset(LAYOUT, "dir"), PROTO = offset(LAYOUT, "proto"),
            DPORT = offset(LAYOUT, "dport");

    public PolicyKey {
        if (protocol == 0 && (port != 0 || portBits != 0)) throw new IllegalArgumentException("every protocol, yet a port");
        if (portBits < 0 || portBits > 16) throw new IllegalArgumentException("port bits " + portBits);
        if (portBits < 16 && (port & (0xffff >>> portBits)) != 0) {
            throw new IllegalArgumentException("port " + port + " has bits beyond its /" + portBits);
        }
    }

    public int prefixLength() {
        return protocol == 0 ? PREFIX_PEER : PREFIX_PROTO + portBits;
    }

    public static final Codec<PolicyKey> CODEC = codec(LAYOUT,
            s -> {
                int prefix = s.get(U32, PREFIX);
                int protocol = prefix < PREFIX_PROTO ? 0 : u8(s.get(U8, PROTO));
                return new PolicyKey(s.get(U32, IDENTITY), u16(s.get(U16, ENDPOINT)), s.get(U8, DIR) == 1, protocol,
                        protocol == 0 ? 0 : u16(s.get(BE_U16, DPORT)), protocol == 0 ? 0 : prefix - PREFIX_PROTO);
            },
            (k, s) -> {
                s.set(U32, PREFIX, k.prefixLength());
                s.set(U32, IDENTITY, k.identity);
                s.set(U16, ENDPOINT, (short) k.endpointId);
                s.set(U8, DIR, (byte) (k.egress ? 1 : 0));
                s.set(U8, PROTO, (byte) k.protocol);
                s.set(BE_U16, DPORT, (short) k.port);
            });
}
