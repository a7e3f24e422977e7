package dev.ferry.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The handful of libc calls Ferry makes itself, for this package and for the libbpf layer
 * (strerror, close): the only class that binds libc; everything it returns is a plain Java
 * value or a checked result.
 * Every call captures errno in the same native call: reading it later would race with the JVM's own libc use.
 */
public final class Libc {
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int O_DIRECTORY = 0x10000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_ROUTE = 0;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDTIMEO = 21;
    static final int SO_NETNS_COOKIE = 71;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(PathElement.groupElement("errno")).withInvokeExactBehavior();

    private static final MethodHandle OPEN = capturing("open", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle CLOSE = capturing("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle SETNS = capturing("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SCHED_SETAFFINITY = capturing("sched_setaffinity", JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle SOCKET = capturing("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = capturing("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SEND = capturing("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECV = capturing("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDTO =
            capturing("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVFROM =
            capturing("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle CONNECT = capturing("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETPEERNAME = capturing("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETSOCKOPT =
            capturing("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT =
            capturing("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = capturing("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle GETEUID = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("geteuid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    /** Result of one call: the return value and errno as it was right after the call. */
    public record Result(long value, int errno) {
        boolean failed() {
            return value < 0;
        }

        long orThrow(String function, String subject) {
            if (failed()) {
                throw new SyscallException(function, subject, errno);
            }
            return value;
        }
    }

    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            return (int) capture(state -> (int) OPEN.invokeExact(state, cPath, flags)).orThrow("open", path);
        }
    }

    /** Opens a directory read-only (close-on-exec), e.g. a cgroup to attach programs to; its fd or the errno. */
    public static Result openDirectory(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
            return capture(state -> (int) OPEN.invokeExact(state, cPath, flags));
        }
    }

    public static Result close(int fd) {
        return capture(state -> (int) CLOSE.invokeExact(state, fd));
    }

    static Result setns(int fd, int nstype) {
        return capture(state -> (int) SETNS.invokeExact(state, fd, nstype));
    }

    /**
     * Keeps the calling OS thread on one CPU from now on (sched_setaffinity with pid 0: this
     * thread only, not its process). Platform threads only, as for {@link NetNs#enter}.
     */
    public static void pinCurrentThread(int cpu) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("affinity belongs to an OS thread; a virtual thread would lose it on its next carrier");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(JAVA_LONG, cpu / 64 + 1); // a cpu_set_t of whole words
            mask.setAtIndex(JAVA_LONG, cpu / 64, 1L << (cpu % 64));
            capture(state -> (int) SCHED_SETAFFINITY.invokeExact(state, 0, mask.byteSize(), mask))
                    .orThrow("sched_setaffinity", "CPU " + cpu);
        }
    }

    static Result socket(int domain, int type, int protocol) {
        return capture(state -> (int) SOCKET.invokeExact(state, domain, type, protocol));
    }

    static Result bind(int fd, MemorySegment address) {
        return capture(state -> (int) BIND.invokeExact(state, fd, address, (int) address.byteSize()));
    }

    static Result sendto(int fd, MemorySegment message, MemorySegment address) {
        return capture(state -> (long) SENDTO.invokeExact(state, fd, message, message.byteSize(), 0,
                address, (int) address.byteSize()));
    }

    /** recvfrom(2) into {@code buffer}; the sender lands in {@code address}, whose size is the space offered. */
    static Result recvfrom(int fd, MemorySegment buffer, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) address.byteSize());
            return capture(state -> (long) RECVFROM.invokeExact(state, fd, buffer, buffer.byteSize(), 0, address, length));
        }
    }

    static Result connect(int fd, MemorySegment address) {
        return capture(state -> (int) CONNECT.invokeExact(state, fd, address, (int) address.byteSize()));
    }

    /** getpeername(2) into {@code address}, whose size is the buffer offered. */
    static Result getpeername(int fd, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) address.byteSize());
            return capture(state -> (int) GETPEERNAME.invokeExact(state, fd, address, length));
        }
    }

    /** getsockopt(2) into {@code value}, whose size is the buffer offered. */
    static Result getsockopt(int fd, int level, int option, MemorySegment value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            return capture(state -> (int) GETSOCKOPT.invokeExact(state, fd, level, option, value, length));
        }
    }

    static Result setsockopt(int fd, int level, int option, MemorySegment value) {
        return capture(state -> (int) SETSOCKOPT.invokeExact(state, fd, level, option, value, (int) value.byteSize()));
    }

    static Result send(int fd, MemorySegment message, int flags) {
        return capture(state -> (long) SEND.invokeExact(state, fd, message, message.byteSize(), flags));
    }

    static Result recv(int fd, MemorySegment buffer, int flags) {
        return capture(state -> (long) RECV.invokeExact(state, fd, buffer, buffer.byteSize(), flags));
    }

    /** poll(2) on one fd for POLLIN; value is 0 on timeout, 1 when readable. */
    static Result pollIn(int fd, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8); // struct pollfd { int fd; short events; short revents; }
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            return capture(state -> (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis));
        }
    }

    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's message for an errno, e.g. "Operation not permitted". */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? "errno " + errno : text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MethodHandle capturing(String name, MemoryLayout returns, MemoryLayout... args) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name),
                FunctionDescriptor.of(returns, args), Linker.Option.captureCallState("errno"));
    }

    /** One downcall made with a fresh errno capture segment. */
    @FunctionalInterface
    private interface Downcall {
        long invoke(MemorySegment callState) throws Throwable;
    }

    private static Result capture(Downcall call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long value = call.invoke(state);
            return new Result(value, value < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
