package dev.ferry.bench.packet;

import dev.ferry.bpf.BpfMap;
import dev.ferry.bpf.UpdateFlag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct bench_frame (bpf/src/bench_frame.h), the one place that knows its layout: the frame a
 * wrapper restores before every repetition, and which flows the repetitions send.
 */
final class BenchFrame {
    static final int FRAME_LEN = 54;
    private static final int STORAGE = 56, SIZE = STORAGE + 4 * Integer.BYTES;

    private BenchFrame() {
    }

    /** Sets up a run of {@code batch}: its frame, repetition count 0, its flows. */
    static void write(BpfMap map, Flows.Batch batch) {
        if (map.valueSize() != SIZE) throw new IllegalStateException("struct bench_frame is " + map.valueSize()
                + " bytes in the object, " + SIZE + " here");
        byte[] frame = batch.frame();
        if (frame.length != FRAME_LEN) throw new IllegalArgumentException("frames are " + FRAME_LEN + " bytes: " + frame.length);
        ByteBuffer value = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        value.put(frame).position(STORAGE);
        value.putInt(0).putInt(batch.first()).putInt(batch.cycle()).putInt(Flows.PORTS);
        map.update(new byte[Integer.BYTES], value.array(), UpdateFlag.ANY);
    }
}
