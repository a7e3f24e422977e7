package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.CtKey;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;

/**
 * The datapath's hashes (bpf/src/hash.h, conntrack.h), computed as the programs compute them:
 * on the words they load from a key or frame, native order. The agent needs them where it writes
 * what the programs index by hash: frontend_addrs_v1 (an address's bit) and flow_versions_v1 (a
 * conntrack key's counter). XdpTableTest checks that both agree with the programs'.
 */
final class FlowHash {
    private FlowHash() {
    }

    /** mix32: murmur3's finaliser. */
    static int mix32(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    /** An address (network order in the frame) as the program loads it: one native-order word. */
    static int loaded(Inet4Address address) {
        MemorySegment word = MemorySegment.ofArray(new byte[4]);
        Abi.IPV4_CODEC.encode(address, word);
        return word.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    /** ct_key_hash: a conntrack key's hash, from its struct ct_key as the program loads its fields. */
    static int ctKeyHash(CtKey key) {
        MemorySegment k = MemorySegment.ofArray(new byte[CtKey.CODEC.size()]);
        CtKey.CODEC.encode(key, k);
        int saddr = k.get(ValueLayout.JAVA_INT_UNALIGNED, 0), daddr = k.get(ValueLayout.JAVA_INT_UNALIGNED, 4);
        int sport = k.get(ValueLayout.JAVA_SHORT_UNALIGNED, 8) & 0xffff, dport = k.get(ValueLayout.JAVA_SHORT_UNALIGNED, 10) & 0xffff;
        int proto = k.get(ValueLayout.JAVA_BYTE, 12) & 0xff, dir = k.get(ValueLayout.JAVA_BYTE, 13) & 0xff;
        return mix32(saddr ^ Integer.rotateLeft(daddr, 11) ^ Integer.rotateLeft(sport << 16 | dport, 22) ^ (dir << 8 | proto));
    }
}
