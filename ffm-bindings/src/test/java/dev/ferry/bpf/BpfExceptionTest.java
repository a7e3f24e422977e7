package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BpfExceptionTest {
    @BeforeEach
    void privileged() {
        Privileged.require();
    }

    @Test
    void intReturningCallCarriesFunctionAndErrno() {
        var e = assertThrows(BpfException.class,
                () -> BpfMap.openPinned(Path.of("/sys/fs/bpf/ferry-test-ffm-does-not-exist")));
        assertEquals("bpf_obj_get", e.function());
        assertEquals(2, e.errno());
        assertEquals("bpf_obj_get: No such file or directory (errno 2)", e.getMessage());
    }

    @Test
    void pointerReturningCallCapturesErrno() {
        var e = assertThrows(BpfException.class, () -> BpfObject.open(new byte[] {1, 2, 3, 4}, "garbage", null));
        assertEquals("bpf_object__open_mem", e.function());
        assertTrue(e.errno() > 0, "errno " + e.errno());
    }

    @Test
    void updateFlagsReportEexistAndEnoent() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            BpfMap lru = object.map("st_lru");
            lru.update(Selftest.u32(1), Selftest.u64(1), UpdateFlag.NOEXIST);
            var exists = assertThrows(BpfException.class,
                    () -> lru.update(Selftest.u32(1), Selftest.u64(2), UpdateFlag.NOEXIST));
            assertEquals(17, exists.errno());
            var missing = assertThrows(BpfException.class,
                    () -> lru.update(Selftest.u32(2), Selftest.u64(2), UpdateFlag.EXIST));
            assertEquals(2, missing.errno());
        }
    }

    @Test
    void failedLoadQuotesLibbpfLog() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.setMaxEntries("st_hash", 0); // the kernel refuses a zero-sized hash map
            var e = assertThrows(BpfException.class, object::load);
            assertEquals("bpf_object__load", e.function());
            assertTrue(e.getMessage().contains("st_hash"), e.getMessage());
        }
    }
}
