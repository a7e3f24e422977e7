package dev.ferry.bpf;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** selftest_ringbuf copies each frame's first 8 bytes into st_events; BpfRingBuffer reads them back. */
class BpfRingBufferTest {
    @BeforeAll
    static void privileged() {
        Privileged.require();
    }

    private static byte[] frame(int first) {
        byte[] frame = Selftest.packet();
        frame[0] = (byte) first;
        return frame;
    }

    @Test
    void recordsArriveInOrderAndAPollWithNothingTimesOut() {
        List<byte[]> records = new ArrayList<>();
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            BpfProgram program = object.program("selftest_ringbuf");
            try (BpfRingBuffer ring = BpfRingBuffer.open(object.map("st_events"), records::add)) {
                assertEquals(0, ring.poll(Duration.ofMillis(10)), "nothing yet");
                for (int i = 1; i <= 3; i++) program.testRun(frame(i), 1);
                assertEquals(3, ring.poll(Duration.ofMillis(100)));
                assertEquals(0, ring.poll(Duration.ofMillis(10)), "each record is consumed once");
            }
        }
        assertEquals(List.of(1, 2, 3), records.stream().map(r -> (int) r[0]).toList());
        assertEquals(8, records.getFirst().length);
        assertEquals(Arrays.toString(Arrays.copyOfRange(frame(1), 0, 8)), Arrays.toString(records.getFirst()));
    }

    @Test
    void aThrowingHandlerIsContainedAndLaterRecordsStillArrive() {
        List<Integer> seen = new ArrayList<>();
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            BpfProgram program = object.program("selftest_ringbuf");
            try (BpfRingBuffer ring = BpfRingBuffer.open(object.map("st_events"), r -> {
                seen.add((int) r[0]);
                if (r[0] == 1) throw new IllegalStateException("handler bug");
            })) {
                program.testRun(frame(1), 1);
                program.testRun(frame(2), 1);
                assertEquals(2, ring.poll(Duration.ofMillis(100)));
            }
        }
        assertEquals(List.of(1, 2), seen);
    }

    @Test
    void aMapThatIsNoRingBufferIsRefusedWithErrno() {
        try (PinRoot pins = new PinRoot(); BpfObject object = Selftest.open(pins.path)) {
            object.load();
            BpfException e = assertThrows(BpfException.class, () -> BpfRingBuffer.open(object.map("st_array"), r -> { }));
            assertEquals("ring_buffer__new", e.function());
        }
    }
}
