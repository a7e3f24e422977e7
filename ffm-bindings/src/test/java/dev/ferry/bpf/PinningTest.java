package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
