package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TypedMapTest {
    /** struct selftest_pair without the tag: first, second. */
    record Pair(int first, short second) {
    }

    static final Codec<Integer> U32 = new Codec<>() {
        public int size() {
            return 4;
        }

        public void encode(Integer value, MemorySegment into) {
            into.set(ValueLayout.JAVA_INT, 0, value);
        }

        public Integer decode(MemorySegment from) {
            return from.get(ValueLayout.JAVA_INT, 0);
        }
    };

    static final Codec<Pair> PAIR = new Codec<>() {
        public int size() {
            return 16;
        }

        public void encode(Pair value, MemorySegment into) {
            into.set(ValueLayout.JAVA_INT_UNALIGNED, 0, value.first());
            into.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, value.second());
        }

        public Pair decode(MemorySegment from) {
            return new Pair(from.get(ValueLayout.JAVA_INT_UNALIGNED, 0), from.get(ValueLayout.JAVA_SHORT_UNALIGNED, 4));
        }
    };

    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    @Test
    void typedViewRoundTripsAndBatches() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            TypedMap<Integer, Pair> map = object.map("st_hash").typed(U32, PAIR);
            map.put(1, new Pair(0xBEEF, (short) 3));
            assertEquals(Optional.of(new Pair(0xBEEF, (short) 3)), map.get(1));
            assertEquals(0xBEEF, Selftest.readU32(object.program("selftest_tc").testRun(Selftest.packet(), 1).packetOut(), 4));

            Map<Integer, Pair> more = new LinkedHashMap<>();
            for (int i = 10; i >= 2; i--) {
                more.put(i, new Pair(i * 100, (short) i));
            }
            map.putAll(more);
            Map<Integer, Pair> entries = map.entries();
            assertEquals(10, entries.size());
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), List.copyOf(entries.keySet()));
            assertEquals(new Pair(700, (short) 7), entries.get(7));

            assertEquals(2, map.removeAll(List.of(2, 3, 99)));
            assertTrue(map.remove(4));
            assertFalse(map.remove(4));
            assertEquals(7, map.entries().size());
        }
    }

    @Test
    void rejectsCodecOfWrongSize() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            var e = assertThrows(IllegalArgumentException.class, () -> object.map("st_array").typed(U32, PAIR));
            assertTrue(e.getMessage().contains("value codec"), e.getMessage());
            assertTrue(e.getMessage().contains("encodes 16 bytes but map st_array has value size 8"), e.getMessage());
        }
    }
}
