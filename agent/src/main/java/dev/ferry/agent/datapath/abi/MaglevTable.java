package dev.ferry.agent.datapath.abi;

import dev.ferry.bpf.Codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A maglev_v1 value: __u32 backend ids (host order), as many as the table has entries. The size
 * is chosen at load time (maglev_table_size), so the codec is made for one size.
 */
public final class MaglevTable {
    private MaglevTable() {
    }

    public static Codec<int[]> codec(int entries) {
        return new Codec<>() {
            @Override
            public int size() {
                return entries * Integer.BYTES;
            }

            @Override
            public void encode(int[] ids, MemorySegment into) {
                if (ids.length != entries) {
                    throw new IllegalArgumentException("Maglev table of " + ids.length + " entries, the map holds " + entries);
                }
                MemorySegment.copy(ids, 0, into, ValueLayout.JAVA_INT_UNALIGNED, 0, entries);
            }

            @Override
            public int[] decode(MemorySegment from) {
                return from.asSlice(0, size()).toArray(ValueLayout.JAVA_INT_UNALIGNED);
            }
        };
    }
}
