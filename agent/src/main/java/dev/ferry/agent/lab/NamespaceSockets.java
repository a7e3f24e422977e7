package dev.ferry.agent.lab;

import dev.ferry.sys.InetSocket;
import dev.ferry.sys.NetNs;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Creates sockets inside one network namespace. A socket belongs to the namespace of the thread
 * that created it, for good; so one platform thread lives inside the namespace and only creates
 * sockets, while connecting, reading and writing happen on the caller's thread.
 */
final class NamespaceSockets implements AutoCloseable {
    private final String netns;
    private final ExecutorService insider;
    private boolean entered; // touched only by the insider thread

    NamespaceSockets(String netns) {
        this.netns = netns;
        this.insider = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("netns-" + netns).daemon(true).factory());
    }

    String netns() {
        return netns;
    }

    SocketChannel tcp() throws IOException {
        return inside(() -> SocketChannel.open(StandardProtocolFamily.INET));
    }

    DatagramChannel udp() throws IOException {
        return inside(() -> DatagramChannel.open(StandardProtocolFamily.INET));
    }

    /** A libc TCP socket, for what java.net does not report (getpeername). */
    InetSocket nativeTcp(Duration timeout) throws IOException {
        return inside(() -> InetSocket.tcp(timeout));
    }

    /** A libc UDP socket, for what java.net does not report (sendto's errors). */
    InetSocket nativeUdp(Duration timeout) throws IOException {
        return inside(() -> InetSocket.udp(timeout));
    }

    ServerSocketChannel tcpServer() throws IOException {
        return inside(() -> ServerSocketChannel.open(StandardProtocolFamily.INET));
    }

    private <T> T inside(Callable<T> open) throws IOException {
        try {
            return insider.submit(() -> {
                if (!entered) {
                    NetNs.enter(netns);
                    entered = true;
                }
                return open.call();
            }).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new LabException("opening a socket in " + netns + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while opening a socket in " + netns, e);
        }
    }

    @Override
    public void close() {
        insider.shutdownNow();
    }
}
