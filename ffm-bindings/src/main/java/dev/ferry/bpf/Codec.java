package dev.ferry.bpf;

import java.lang.foreign.MemorySegment;

/**
 * Encodes one Java type as the bytes of a map key or value. One codec per ABI struct is the only
 * place that knows its byte order and offsets.
 */
public interface Codec<T> {
    /** Encoded size in bytes; must equal the map's key or value size. */
    int size();

    /** Writes {@code value} into {@code into}: {@link #size()} bytes, zeroed, 8-byte aligned. */
    void encode(T value, MemorySegment into);

    /** Reads a value from {@code from} ({@link #size()} bytes, 8-byte aligned); must not keep it. */
    T decode(MemorySegment from);
}
