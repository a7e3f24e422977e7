package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpfObjectTest {
    private static final int TC_ACT_OK = 0;
    private static final int TC_ACT_SHOT = 2;
    private static final int XDP_PASS = 2;

    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    @Test
    void loadsWithGlobalsAndListsProgramsAndMaps() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.setGlobalInt("stamp", 0x11223344);
            object.setGlobalLong("big_stamp", 7L);
            object.setMaxEntries("st_lru", 128);
            object.load();

            assertEquals(Set.of("selftest_xdp", "selftest_tc", "selftest_connect4", "selftest_ringbuf"),
                    object.programs().stream().map(BpfProgram::name).collect(Collectors.toSet()));
            assertTrue(object.maps().stream().map(BpfMap::name).collect(Collectors.toSet())
                    .containsAll(Set.of("st_hash", "st_lru", "st_array", "st_percpu")));
            assertEquals(128, object.map("st_lru").maxEntries());

            TestRunResult run = object.program("selftest_tc").testRun(Selftest.packet(), 1);
            assertEquals(TC_ACT_OK, run.retval());
            assertEquals(0x11223344, Selftest.readU32(run.packetOut(), 0));
        }
    }

    @Test
    void translatedInstructionsAreTheProgramAsVerified() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            // return XDP_PASS: r0 = 2; exit
            assertEquals(List.of(new BpfInstruction(0xb7, 0, 0, (short) 0, XDP_PASS), new BpfInstruction(0x95, 0, 0, (short) 0, 0)),
                    object.program("selftest_xdp").translatedInstructions());
            // bpf_ringbuf_output stays a call, named by its address as bpftool names it.
            assertTrue(object.program("selftest_ringbuf").translatedInstructions().stream()
                    .anyMatch(i -> i.isHelperCall() && i.imm() != 0));
        }
    }

    @Test
    void enumGlobalChangesTheVerdict() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.setGlobalInt("color", 40); // SELFTEST_BLUE
            object.load();
            assertEquals(TC_ACT_SHOT, object.program("selftest_tc").testRun(Selftest.packet(), 1).retval());
        }
    }

    @Test
    void testRunsBothProgramsAndSeesMapContents() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            BpfMap hash = object.map("st_hash");
            byte[] pair = new byte[16];
            System.arraycopy(Selftest.u32(0xCAFE), 0, pair, 0, 4);
            hash.update(Selftest.u32(1), pair, UpdateFlag.ANY);

            byte[] in = Selftest.packet();
            TestRunResult tc = object.program("selftest_tc").testRun(in, 10);
            assertEquals(0xCAFE, Selftest.readU32(tc.packetOut(), 4));
            assertArrayEquals(Arrays.copyOfRange(in, 8, 64), Arrays.copyOfRange(tc.packetOut(), 8, 64));
            assertTrue(tc.durationNs() >= 0);

            TestRunResult xdp = object.program("selftest_xdp").testRun(in, 1);
            assertEquals(XDP_PASS, xdp.retval());
            assertArrayEquals(in, xdp.packetOut());
        }
    }

    @Test
    void opensFromFile(@TempDir Path dir) throws Exception {
        try (PinRoot pins = new PinRoot(); BpfObject object = BpfObject.open(Selftest.elfFile(dir), pins.path)) {
            object.load();
            assertEquals(6, object.program("selftest_xdp").type()); // BPF_PROG_TYPE_XDP
            assertEquals(3, object.program("selftest_tc").type()); // BPF_PROG_TYPE_SCHED_CLS
        }
    }

    @Test
    void rejectsUnknownOrMissizedGlobalsAndLateConfiguration() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            var unknown = assertThrows(IllegalArgumentException.class, () -> object.setGlobalInt("nope", 1));
            assertTrue(unknown.getMessage().contains("nope"), unknown.getMessage());
            var size = assertThrows(IllegalArgumentException.class, () -> object.setGlobalLong("stamp", 1));
            assertTrue(size.getMessage().contains("4 bytes"), size.getMessage());
            assertThrows(IllegalStateException.class, () -> object.map("st_hash"));
            object.load();
            assertThrows(IllegalStateException.class, () -> object.setGlobalInt("stamp", 1));
            assertThrows(IllegalArgumentException.class, () -> object.program("nope"));
        }
    }
}
