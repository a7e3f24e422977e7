package dev.ferry.bpf;

import me.bechberger.ebpf.bpf.raw.Lib;
import me.bechberger.ebpf.bpf.raw.ring_buffer_sample_fn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The consumer side of a BPF_MAP_TYPE_RINGBUF map, through libbpf's ring_buffer: records are
 * copied out and handed to a callback on the thread that calls {@link #poll}. One thread polls
 * and closes; libbpf's ring_buffer is not thread-safe.
 */
public final class BpfRingBuffer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BpfRingBuffer.class.getName());

    private final Arena arena;
    private final MemorySegment ring;

    private BpfRingBuffer(Arena arena, MemorySegment ring) {
        this.arena = arena;
        this.ring = ring;
    }

    /** @param onRecord receives each record's bytes; what it throws is logged, never raised into libbpf */
    public static BpfRingBuffer open(BpfMap map, Consumer<byte[]> onRecord) {
        LibBpf.ensureLoaded();
        // The callback stub lives as long as the ring buffer that calls it.
        Arena arena = Arena.ofShared();
        try {
            MemorySegment callback = ring_buffer_sample_fn.allocate((ctx, data, size) -> {
                try {
                    onRecord.accept(data.reinterpret(size).toArray(ValueLayout.JAVA_BYTE));
                } catch (RuntimeException | Error e) {
                    // An exception unwinding through a native frame would end the JVM.
                    LOG.log(System.Logger.Level.ERROR, "ring buffer " + map.name() + ": record handler failed", e);
                }
                return 0;
            }, arena);
            return new BpfRingBuffer(arena, LibBpf.ringBufferNew(map.fd(), callback));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Waits up to {@code timeout} for records and consumes every one available.
     *
     * @return how many records were handed on; 0 after a timeout or a signal
     */
    public int poll(Duration timeout) {
        int n = Lib.ring_buffer__poll(ring, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (n == -Errno.EINTR) return 0;
        if (n < 0) throw new BpfException("ring_buffer__poll", -n);
        return n;
    }

    @Override
    public void close() {
        Lib.ring_buffer__free(ring);
        arena.close();
    }
}
