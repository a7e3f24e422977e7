package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.DropEvent;
import dev.ferry.bpf.BpfRingBuffer;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Reads events_v1 on a thread of its own and hands each policy drop or reject on. A handler
 * that is slow only delays events: the datapath drops events, never packets, when the ring is full.
 */
public final class DropEvents implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DropEvents.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);

    private final Thread thread;
    private volatile boolean running = true;

    private DropEvents(Datapath datapath, Consumer<DropEvent> handler) {
        BpfRingBuffer ring = BpfRingBuffer.open(datapath.map("events_v1"),
                record -> handler.accept(DropEvent.CODEC.decode(MemorySegment.ofArray(record))));
        thread = Thread.ofPlatform().name("drop-events").daemon().start(() -> {
            try (ring) {
                while (running) ring.poll(POLL);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "reading drop events stopped: " + e.getMessage(), e);
            }
        });
    }

    public static DropEvents start(Datapath datapath, Consumer<DropEvent> handler) {
        return new DropEvents(datapath, handler);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(POLL.multipliedBy(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
