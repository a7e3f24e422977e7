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
    private volatile long lastDeliveredNanos;

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
                pump(inside, outside, false);
                pump(outside, inside, true);
            } catch (IOException e) {
                closeQuietly(inside);
            }
        }
    }

    /**
     * System.nanoTime() when bytes from upstream were last written into the lab namespace (0
     * before any): a benchmark tells the API server's part of a change from the agent's by it.
     */
    public long lastDeliveredNanos() {
        return lastDeliveredNanos;
    }

    /** Copies one direction, stamping {@link #lastDeliveredNanos} if it is the one into the lab; closing either side ends both. */
    private void pump(Socket from, Socket to, boolean intoLab) {
        Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[16384];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    if (intoLab) lastDeliveredNanos = System.nanoTime();
                }
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
