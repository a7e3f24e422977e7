package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing BTF from a file needs no privileges; reading it from an opened object does. */
class BtfTest {
    private static final BtfStruct PAIR = new BtfStruct("selftest_pair", 16, List.of(
            new BtfField("first", 0, 4), new BtfField("second", 4, 2),
            new BtfField("pad", 6, 2), new BtfField("tag", 8, 8)));

    @Test
    void readsStructsAndEnumsFromTheElf(@TempDir Path dir) throws Exception {
        try (Btf btf = Btf.parse(Selftest.elfFile(dir))) {
            assertEquals(PAIR, btf.struct("selftest_pair").orElseThrow());
            assertEquals(Map.of("SELFTEST_RED", 1L, "SELFTEST_GREEN", 2L, "SELFTEST_BLUE", 40L),
                    btf.enumValues("selftest_color"));
            assertTrue(btf.struct("no_such_struct").isEmpty());
            assertTrue(btf.enumValues("no_such_enum").isEmpty());
        }
    }

    @Test
    void readsTheOpenedObjectsBtf() {
        Privileged.require();
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            assertEquals(PAIR, object.btf().struct("selftest_pair").orElseThrow());
        }
    }
}
