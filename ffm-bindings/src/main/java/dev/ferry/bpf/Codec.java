package dev.ferry.bpf;

import java.lang.foreign.MemorySegment;

/** Fixed-size binary form of a map key or value. */
public interface Codec<T> {
    int size();

    void encode(T value, MemorySegment into);

    T decode(MemorySegment from);
}
