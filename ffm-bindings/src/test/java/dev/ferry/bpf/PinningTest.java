package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PinningTest {
    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    @Test
    void pinnedMapSurvivesAndIsReusedByTheNextOpen() {
        try (PinRoot pins = new PinRoot()) {
            byte[] value = new byte[16];
            value[0] = 42;
            int firstId;
            try (BpfObject first = Selftest.open(pins.path)) {
                first.load();
                first.map("st_hash").update(Selftest.u32(3), value, UpdateFlag.ANY);
                firstId = first.map("st_hash").id();
            }
            assertTrue(Files.exists(pins.resolve("st_hash")), "pinned by name under the pin root");

            try (BpfObject second = Selftest.open(pins.path)) {
                second.load();
                assertEquals(firstId, second.map("st_hash").id(), "same kernel map reused");
                assertArrayEquals(value, second.map("st_hash").lookup(Selftest.u32(3)).orElseThrow());
            }

            try (BpfMap pinned = BpfMap.openPinned(pins.resolve("st_hash"))) {
                assertEquals("st_hash", pinned.name());
                assertEquals(16, pinned.valueSize());
                assertArrayEquals(value, pinned.lookup(Selftest.u32(3)).orElseThrow());
            }
        }
    }

    @Test
    void aPinnedMapResizedByItsFirstLoaderIsAdoptedAsItIs() {
        try (PinRoot pins = new PinRoot()) {
            try (BpfObject first = Selftest.open(pins.path)) {
                first.setMaxEntries("st_hash", 128);
                first.load();
                first.map("st_hash").update(Selftest.u32(5), new byte[16], UpdateFlag.ANY);
            }
            // As declared (64 entries) the object does not fit the pinned map: libbpf refuses it.
            try (BpfObject declared = Selftest.open(pins.path)) {
                assertEquals("bpf_object__load", assertThrows(BpfException.class, declared::load).function());
            }
            try (BpfObject adopting = Selftest.open(pins.path)) {
                assertEquals(java.util.List.of("st_hash"), adopting.adoptPinnedMaps());
                adopting.load();
                assertEquals(128, adopting.map("st_hash").maxEntries());
                assertTrue(adopting.map("st_hash").lookup(Selftest.u32(5)).isPresent(), "the same map, contents and all");
            }
        }
    }
}
