package dev.ferry.bpf;

import java.lang.foreign.MemorySegment;

/**
 * Encodes one Java type as the bytes of a map key or value. One codec per ABI struct is the only
 * place that knows its byte order and offsets.
 */
public interface Codec<T> {
    /** Encoded size in bytes; must equal the map's key or value size. */
    int size();

    /** Writes {@code value} into {@code into}, which is {@link #size()} bytes and zeroed. */
    void encode(T value, MemorySegment into);

    /** Reads a value from {@code from}, which is {@link #size()} bytes. */
    T decode(MemorySegment from);
}
