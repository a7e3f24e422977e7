package dev.ferry.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A blocking IPv4 TCP or UDP socket made through libc, for what java.net does not show: the
 * peer as getpeername(2) answers it (a SocketChannel reports the address it was asked to
 * connect to, never asking the kernel), and every errno of sendto(2) (an unconnected
 * DatagramChannel swallows ECONNREFUSED). It lives in the network namespace of the thread that
 * creates it; the timeout bounds connect, send and receive (SO_SNDTIMEO, SO_RCVTIMEO).
 */
public final class InetSocket implements AutoCloseable {
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final ValueLayout.OfShort BE_U16 = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN); // sin_port

    private final int fd;
    private boolean closed;

    private InetSocket(int fd) {
        this.fd = fd;
    }

    /** One datagram and its source as recvfrom(2) reports it. */
    public record Datagram(byte[] data, InetSocketAddress source) {
    }

    public static InetSocket tcp(Duration timeout) {
        return open(Libc.SOCK_STREAM, timeout);
    }

    public static InetSocket udp(Duration timeout) {
        return open(Libc.SOCK_DGRAM, timeout);
    }

    private static InetSocket open(int type, Duration timeout) {
        int fd = (int) Libc.socket(Libc.AF_INET, type | Libc.SOCK_CLOEXEC, 0).orThrow("socket", "AF_INET type " + type);
        InetSocket socket = new InetSocket(fd);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(16); // struct timeval { long tv_sec; long tv_usec; }
            long micros = Math.max(1, timeout.toNanos() / 1000);
            timeval.set(JAVA_LONG, 0, micros / 1_000_000);
            timeval.set(JAVA_LONG, 8, micros % 1_000_000);
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_SNDTIMEO, timeval).orThrow("setsockopt", "SO_SNDTIMEO");
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, timeval).orThrow("setsockopt", "SO_RCVTIMEO");
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** connect(2); a failure carries its errno (111 ECONNREFUSED, 113 EHOSTUNREACH, 115 EINPROGRESS on timeout). */
    public void connect(InetSocketAddress to) {
        try (Arena arena = Arena.ofConfined()) {
            Libc.connect(fd, sockaddr(arena, to)).orThrow("connect", to.toString());
        }
    }

    /** The peer address as getpeername(2) reports it. */
    public InetSocketAddress peerName() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE);
            Libc.getpeername(fd, address).orThrow("getpeername", "fd " + fd);
            return fromSockaddr(address);
        }
    }

    public void send(byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocateFrom(JAVA_BYTE, data);
            long sent = Libc.send(fd, buffer, 0).orThrow("send", "fd " + fd);
            if (sent != data.length) throw new SyscallException("send", "fd " + fd + " (short write " + sent + ")", 0);
        }
    }

    /** sendto(2) on an unconnected socket (the first one binds it to an ephemeral port). */
    public void sendTo(InetSocketAddress to, byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocateFrom(JAVA_BYTE, data);
            Libc.sendto(fd, buffer, sockaddr(arena, to)).orThrow("sendto", to.toString());
        }
    }

    /** One recvfrom(2) of at most {@code max} bytes. */
    public Datagram receiveFrom(int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(max);
            MemorySegment source = arena.allocate(SOCKADDR_IN_SIZE);
            long received = Libc.recvfrom(fd, buffer, source).orThrow("recvfrom", "fd " + fd);
            return new Datagram(buffer.asSlice(0, received).toArray(JAVA_BYTE), fromSockaddr(source));
        }
    }

    /** One recv(2) of at most {@code max} bytes; empty when the peer closed. */
    public byte[] receive(int max) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(max);
            long received = Libc.recv(fd, buffer, 0).orThrow("recv", "fd " + fd);
            return buffer.asSlice(0, received).toArray(JAVA_BYTE);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    private static MemorySegment sockaddr(Arena arena, InetSocketAddress to) {
        if (!(to.getAddress() instanceof Inet4Address v4)) throw new IllegalArgumentException("not IPv4: " + to);
        MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE); // zeroed: sin_zero stays 0
        address.set(JAVA_SHORT, 0, (short) Libc.AF_INET);
        address.set(BE_U16, 2, (short) to.getPort());
        address.asSlice(4, 4).copyFrom(MemorySegment.ofArray(v4.getAddress()));
        return address;
    }

    private static InetSocketAddress fromSockaddr(MemorySegment address) {
        try {
            InetAddress ip = InetAddress.getByAddress(address.asSlice(4, 4).toArray(JAVA_BYTE));
            return new InetSocketAddress(ip, Short.toUnsignedInt(address.get(BE_U16, 2)));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
