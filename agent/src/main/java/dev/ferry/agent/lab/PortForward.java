package dev.ferry.agent.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a TCP service of this JVM's namespace (say a mock API server on 127.0.0.1) reachable
 * from inside a lab namespace at 127.0.0.1:{@code port}. Only the listener is made inside the
 * lab namespace (a socket belongs to the namespace of the thread that creates it, and accepted
 * connections to their listener's); accepting, the upstream connections and the copying run on
 * ordinary threads of this namespace.
 */
public final class PortForward implements AutoCloseable {
    private final AtomicBoolean open = new AtomicBoolean(true);
    /** Every connection in flight, so close() cuts them like a server going away would. */
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final NamespaceSockets sockets;
    private final ServerSocketChannel listener;
    private final InetSocketAddress upstream;

    private PortForward(String netns, int port, InetSocketAddress upstream) throws IOException {
        this.sockets = new NamespaceSockets(netns);
        this.listener = sockets.tcpServer();
        this.upstream = upstream;
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread.ofPlatform().name("forward-" + netns).daemon().start(this::acceptLoop);
    }

    public static PortForward open(String netns, int port, InetSocketAddress upstream) throws IOException {
        return new PortForward(netns, port, upstream);
    }

    private void acceptLoop() {
        while (open.get()) {
            Socket inside;
            try {
                inside = listener.accept().socket();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket outside = new Socket(upstream.getAddress(), upstream.getPort());
                live.add(inside);
                live.add(outside);
                pump(inside, outside);
                pump(outside, inside);
            } catch (IOException e) {
                closeQuietly(inside);
            }
        }
    }

    /** Copies one direction; closing either side ends both. */
    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // peer closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                live.remove(from);
                live.remove(to);
            }
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        if (!open.getAndSet(false)) return;
        closeQuietly(listener);
        live.forEach(PortForward::closeQuietly);
        sockets.close();
    }
}
