package dev.ferry.agent.datapath.abi;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Value layouts for the fields of bpf/src/ferry_abi.h: (be) fields are big-endian, (host)
 * fields native. Every layout is unaligned-tolerant because map keys come from byte buffers.
 */
public final class Abi {
    public static final ValueLayout.OfInt BE_U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfShort BE_U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    public static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    /** Codec for a bare __u32 (host order) map key or value, such as backend ids. */
    public static final Codec<Integer> U32_CODEC = codec(
            MemoryLayout.structLayout(U32.withName("value")),
            s -> s.get(U32, 0), (v, s) -> s.set(U32, 0, v));

    /** Codec for a bare __u64 (host order) map value, such as frontend_addrs_v1's words. */
    public static final Codec<Long> U64_CODEC = codec(
            MemoryLayout.structLayout(U64.withName("value")),
            s -> s.get(U64, 0), (v, s) -> s.set(U64, 0, v));

    /** Codec for a bare IPv4 address (network order) key, such as vips_v1's. */
    public static final Codec<Inet4Address> IPV4_CODEC = codec(
            MemoryLayout.structLayout(BE_U32.withName("addr")),
            s -> Ipv4.of(s.get(BE_U32, 0)), (v, s) -> s.set(BE_U32, 0, Ipv4.toInt(v)));

    /** Every struct shared with C, by its C name: what AbiLayoutTest checks against BTF. */
    public static List<StructLayout> structs() {
        return List.of(SvcKey.LAYOUT, SvcValue.LAYOUT, SlotKey.LAYOUT, BackendValue.LAYOUT,
                CtKey.LAYOUT, CtValue.LAYOUT, FragKey.LAYOUT, FragValue.LAYOUT, Counter.LAYOUT,
                AffinityLayouts.KEY, AffinityLayouts.VALUE, PrefixKey.SVC_CIDR.layout(), SrcRangeKey.LAYOUT, NodeportIf.LAYOUT,
                Nexthop.LAYOUT, XdpFlow.LAYOUT,
                PrefixKey.IPCACHE.layout(), IpcacheValue.LAYOUT, EndpointValue.LAYOUT, PolicyKey.LAYOUT, PolicyCtKey.LAYOUT,
                PolicyCtValue.LAYOUT, DropEvent.LAYOUT);
    }

    private Abi() {
    }

    static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    static <T> Codec<T> codec(StructLayout layout, Function<MemorySegment, T> decode, BiConsumer<T, MemorySegment> encode) {
        return new Codec<>() {
            @Override
            public int size() {
                return (int) layout.byteSize();
            }

            @Override
            public void encode(T value, MemorySegment into) {
                into.asSlice(0, layout.byteSize()).fill((byte) 0); // padding is always zero: keys hash bytewise
                encode.accept(value, into);
            }

            @Override
            public T decode(MemorySegment from) {
                return decode.apply(from);
            }
        };
    }

    static int u16(short raw) {
        return raw & 0xffff;
    }

    static int u8(byte raw) {
        return raw & 0xff;
    }
}
