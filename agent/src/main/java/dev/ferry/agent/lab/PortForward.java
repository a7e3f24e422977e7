package dev.ferry.agent.lab;

import dev.ferry.sys.NetNs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a TCP service of this JVM's namespace (say a mock API server on 127.0.0.1) reachable
 * from inside a lab namespace at 127.0.0.1:{@code port}. A socket lives in the namespace of the
 * thread that creates it, and threads inherit their creator's namespace: so one thread enters
 * the lab namespace and only accepts, while the upstream connections are opened by a thread
 * started here, before anything entered anywhere.
 */
public final class PortForward implements AutoCloseable {
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    /** Every connection in flight, so close() cuts them like a server going away would. */
    private final java.util.Set<Socket> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ServerSocket listener;
    private final Thread connector;

    private PortForward(String netns, int port, InetSocketAddress upstream) throws Exception {
        connector = Thread.ofPlatform().name("forward-connect").daemon().start(() -> connectLoop(upstream));
        listener = NetNs.call(netns, () -> new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
        NetNs.start(netns, this::acceptLoop);
    }

    public static PortForward open(String netns, int port, InetSocketAddress upstream) throws Exception {
        return new PortForward(netns, port, upstream);
    }

    private void acceptLoop() {
        while (open.get()) {
            try {
                accepted.add(listener.accept());
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connectLoop(InetSocketAddress upstream) {
        while (open.get()) {
            Socket inside;
            try {
                inside = accepted.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                Socket outside = new Socket(upstream.getAddress(), upstream.getPort());
                live.add(inside);
                live.add(outside);
                if (!open.get()) {
                    live.forEach(PortForward::closeQuietly);
                    return;
                }
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

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        if (!open.getAndSet(false)) return;
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        connector.interrupt();
        live.forEach(PortForward::closeQuietly);
    }
}
