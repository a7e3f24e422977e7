package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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

    /** Codec for a bare IPv4 address (network order) key, such as vips_v1's. */
    public static final Codec<Inet4Address> IPV4_CODEC = codec(
            MemoryLayout.structLayout(BE_U32.withName("addr")),
            s -> ipv4(s.get(BE_U32, 0)), (v, s) -> s.set(BE_U32, 0, ipv4(v)));

    /** Every struct shared with C, by its C name: what AbiLayoutTest checks against BTF. */
    public static List<StructLayout> structs() {
        return List.of(SvcKey.LAYOUT, SvcValue.LAYOUT, SlotKey.LAYOUT, BackendValue.LAYOUT,
                CtKey.LAYOUT, CtValue.LAYOUT, FragKey.LAYOUT, FragValue.LAYOUT, Counter.LAYOUT,
                AffinityLayouts.KEY, AffinityLayouts.VALUE, SvcCidrKey.LAYOUT);
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

    static int ipv4(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static Inet4Address ipv4(int address) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{
                    (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }
}
