package dev.ferry.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_NETLINK/NETLINK_ROUTE socket in the network namespace of the thread that opened it.
 * Speaks bytes only; {@link NetlinkMessages} and the codecs built on it know what they mean.
 */
final class NetlinkSocket implements AutoCloseable {
    /** Large enough for a full dump chunk: the kernel sizes them to min(page size * 8, 32 KiB). */
    static final int BUFFER_SIZE = 32 * 1024;
    static final int RTMGRP_LINK = 1;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER_SIZE);
    private final int fd;
    private boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** Opens and binds a socket; groups is a multicast bitmask such as RTMGRP_LINK, or 0 for requests only. */
    static NetlinkSocket open(int groups) {
        int fd = (int) Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE)
                .orThrow("socket", "AF_NETLINK, NETLINK_ROUTE");
        NetlinkSocket socket = new NetlinkSocket(fd);
        try (Arena local = Arena.ofConfined()) {
            // struct sockaddr_nl { u16 family; u16 pad; u32 pid (0: kernel assigns); u32 groups; }
            MemorySegment address = local.allocate(12);
            address.set(JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
            address.set(JAVA_INT, 8, groups);
            Libc.bind(fd, address).orThrow("bind", "AF_NETLINK groups=" + groups);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    void send(byte[] message) {
        try (Arena local = Arena.ofConfined()) {
            Libc.send(fd, local.allocateFrom(JAVA_BYTE, message), 0).orThrow("send", "netlink");
        }
    }

    /** Waits up to timeout for data; false on timeout. Retries when a signal interrupts the wait. */
    boolean awaitReadable(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int millis = (int) Math.max(0, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
            Libc.Result ready = Libc.pollIn(fd, millis);
            if (!ready.failed()) {
                return ready.value() > 0;
            }
            if (ready.errno() != Libc.EINTR) {
                ready.orThrow("poll", "netlink");
            }
        }
    }

    /** Blocking receive of one datagram (one or more netlink messages), copied to the heap. */
    ByteBuffer receive() {
        return receive(0);
    }

    /**
     * Non-blocking receive. Returns null when nothing is queued. Throws with ENOBUFS when the
     * kernel dropped messages because the queue was full, which callers may treat as "changed".
     */
    ByteBuffer receiveNow() {
        return receive(Libc.MSG_DONTWAIT);
    }

    private ByteBuffer receive(int flags) {
        while (true) {
            Libc.Result received = Libc.recv(fd, buffer, flags);
            if (!received.failed()) {
                return ByteBuffer.wrap(buffer.asSlice(0, received.value()).toArray(JAVA_BYTE));
            }
            if (received.errno() == Libc.EAGAIN && flags == Libc.MSG_DONTWAIT) {
                return null;
            }
            if (received.errno() != Libc.EINTR) {
                received.orThrow("recv", "netlink");
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
            arena.close();
        }
    }
}
