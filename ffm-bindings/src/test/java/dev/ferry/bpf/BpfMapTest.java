package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BpfMapTest {
    private PinRoot pins;
    private BpfObject object;

    @BeforeEach
    void load() {
        Privileged.require();
        pins = new PinRoot();
        object = Selftest.open(pins.path);
        object.load();
    }

    @AfterEach
    void close() {
        try {
            if (object != null) {
                object.close();
            }
        } finally {
            if (pins != null) {
                pins.close();
            }
        }
    }

    @Test
    void describesItselfFromKernelInfo() {
        BpfMap hash = object.map("st_hash");
        assertEquals("st_hash", hash.name());
        assertEquals(1, hash.type()); // BPF_MAP_TYPE_HASH
        assertEquals(4, hash.keySize());
        assertEquals(16, hash.valueSize());
        assertEquals(64, hash.maxEntries());
        assertEquals(9, object.map("st_lru").type());
        assertTrue(object.map("st_percpu").isPerCpu());
    }

    @Test
    void lookupUpdateDeleteAndKeys() {
        BpfMap hash = object.map("st_hash");
        byte[] value = new byte[16];
        value[15] = 9;
        assertEquals(Optional.empty(), hash.lookup(Selftest.u32(5)));
        hash.update(Selftest.u32(5), value, UpdateFlag.NOEXIST);
        hash.update(Selftest.u32(6), value, UpdateFlag.ANY);
        assertArrayEquals(value, hash.lookup(Selftest.u32(5)).orElseThrow());
        assertEquals(List.of(5, 6), hash.keys().stream().map(k -> Selftest.readU32(k, 0)).sorted().toList());
        assertTrue(hash.delete(Selftest.u32(5)));
        assertFalse(hash.delete(Selftest.u32(5)));
        assertEquals(1, hash.keys().size());
        var wrongSize = assertThrows(IllegalArgumentException.class, () -> hash.lookup(new byte[3]));
        assertTrue(wrongSize.getMessage().contains("must be 4 bytes"), wrongSize.getMessage());
    }

    @Test
    void perCpuValuesCountTestRuns() {
        BpfMap perCpu = object.map("st_percpu");
        object.program("selftest_tc").testRun(Selftest.packet(), 7);
        List<byte[]> slots = perCpu.lookupPerCpu(Selftest.u32(0));
        assertTrue(slots.size() >= 1);
        assertEquals(7, slots.stream().mapToLong(Selftest::readU64).sum());
        assertThrows(IllegalStateException.class, () -> perCpu.lookup(Selftest.u32(0)));
        assertEquals(4, perCpu.dump().size()); // every array slot exists
    }

    @Test
    void perCpuValuesAreWrittenOnePerCpuAndReadBackFromADump() {
        BpfMap perCpu = object.map("st_percpu");
        List<byte[]> values = new ArrayList<>();
        for (int cpu = 0; cpu < perCpu.lookupPerCpu(Selftest.u32(2)).size(); cpu++) {
            byte[] value = new byte[perCpu.valueSize()];
            value[0] = (byte) (cpu + 1);
            values.add(value);
        }
        perCpu.updatePerCpu(Selftest.u32(2), values, UpdateFlag.ANY);
        List<byte[]> read = perCpu.lookupPerCpu(Selftest.u32(2));
        MapEntry dumped = perCpu.dump().stream().filter(e -> Selftest.readU32(e.key(), 0) == 2).findFirst().orElseThrow();
        for (int cpu = 0; cpu < values.size(); cpu++) {
            assertArrayEquals(values.get(cpu), read.get(cpu));
            assertArrayEquals(values.get(cpu), perCpu.perCpuValues(dumped).get(cpu));
        }
        assertThrows(IllegalArgumentException.class, () -> perCpu.updatePerCpu(Selftest.u32(2), values.subList(1, values.size()), UpdateFlag.ANY));
    }

    @Test
    void batchOpsOnHashAndLru() {
        for (String name : List.of("st_hash", "st_lru")) {
            BpfMap map = object.map(name);
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int i = 40; i > 0; i--) {
                keys.add(Selftest.u32(i));
                byte[] value = new byte[map.valueSize()];
                value[0] = (byte) i;
                values.add(value);
            }
            map.updateBatch(keys, values);
            List<MapEntry> dump = map.dump();
            assertEquals(40, dump.size(), name);
            assertEquals(40, map.count(), name);
            // sorted by unsigned key bytes: on little-endian hosts 1..40 fit in the first byte
            assertEquals(IntStream.rangeClosed(1, 40).boxed().toList(),
                    dump.stream().map(e -> Selftest.readU32(e.key(), 0)).toList());
            assertEquals(7, dump.get(6).value()[0]);

            List<byte[]> doomed = List.of(Selftest.u32(1), Selftest.u32(1000), Selftest.u32(2), Selftest.u32(3));
            assertEquals(3, map.deleteBatch(doomed), name);
            assertEquals(37, map.keys().size(), name);
            assertEquals(37, map.count(), name);
        }
    }

    @Test
    void batchOpsOnArrayFallBackWhereNeeded() {
        BpfMap array = object.map("st_array");
        array.updateBatch(List.of(Selftest.u32(0), Selftest.u32(7)), List.of(Selftest.u64(10), Selftest.u64(70)));
        List<MapEntry> dump = array.dump();
        assertEquals(8, dump.size());
        assertEquals(8, array.count(), "every slot of an array");
        assertEquals(10, Selftest.readU64(dump.get(0).value()));
        assertEquals(70, Selftest.readU64(dump.get(7).value()));
        // Arrays can not delete at all: the batch falls back, and the per-element error surfaces.
        var e = assertThrows(BpfException.class, () -> array.deleteBatch(List.of(Selftest.u32(0))));
        assertEquals(22, e.errno()); // EINVAL from the per-element delete, not ENOTSUPP from the batch
    }
}
