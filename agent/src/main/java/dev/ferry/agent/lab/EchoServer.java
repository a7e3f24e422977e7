package dev.ferry.agent.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pod's server: TCP and UDP on one port, answering every line (TCP) or datagram (UDP) with
 * "{@code <pod name> <peer ip>:<peer port>}\n". The name tells which backend a Service picked;
 * the peer tells whether the client's address survived the trip (no SNAT where none belongs).
 */
public final class EchoServer implements AutoCloseable {
    private final String name;
    private final ServerSocketChannel tcp;
    private final DatagramChannel udp;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();
    private final AtomicLong tcpConnections = new AtomicLong();
    private final AtomicLong udpRequests = new AtomicLong();

    private EchoServer(String name, ServerSocketChannel tcp, DatagramChannel udp) {
        this.name = name;
        this.tcp = tcp;
        this.udp = udp;
    }

    /** Listens on 0.0.0.0:port (TCP and UDP) inside netns, answering as name. */
    public static EchoServer start(String netns, String name, int port) {
        try (NamespaceSockets sockets = new NamespaceSockets(netns)) {
            ServerSocketChannel tcp = sockets.tcpServer();
            DatagramChannel udp = sockets.udp();
            tcp.bind(new InetSocketAddress("0.0.0.0", port), 1024);
            udp.bind(new InetSocketAddress("0.0.0.0", port));
            EchoServer server = new EchoServer(name, tcp, udp);
            // Sockets are in the namespace already; plain virtual threads can serve them.
            Thread.ofVirtual().name("echo-tcp-" + name).start(server::acceptLoop);
            Thread.ofVirtual().name("echo-udp-" + name).start(server::udpLoop);
            return server;
        } catch (IOException e) {
            throw new LabException("echo server " + name + " can not listen on port " + port + " in " + netns, e);
        }
    }

    public String name() {
        return name;
    }

    public long tcpConnections() {
        return tcpConnections.get();
    }

    public long udpRequests() {
        return udpRequests.get();
    }

    /** Every peer address seen so far, TCP connections and UDP requests, oldest first. */
    public List<InetSocketAddress> peers() {
        return List.copyOf(peers);
    }

    private void acceptLoop() {
        while (tcp.isOpen()) {
            try {
                SocketChannel connection = tcp.accept();
                tcpConnections.incrementAndGet();
                connections.add(connection);
                Thread.ofVirtual().name("echo-conn-" + name).start(() -> serve(connection));
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                if (!tcp.isOpen()) {
                    return;
                }
            }
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            InetSocketAddress peer = (InetSocketAddress) connection.getRemoteAddress();
            peers.add(peer);
            byte[] answer = answer(peer);
            var in = new BufferedReader(new InputStreamReader(connection.socket().getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = connection.socket().getOutputStream();
            while (in.readLine() != null) {
                out.write(answer);
                out.flush();
            }
        } catch (IOException e) {
            // The client went away (reset, or the lab is closing); nothing to answer.
        } finally {
            connections.remove(connection);
        }
    }

    private void udpLoop() {
        ByteBuffer request = ByteBuffer.allocate(65536);
        while (udp.isOpen()) {
            try {
                request.clear();
                InetSocketAddress peer = (InetSocketAddress) udp.receive(request);
                udpRequests.incrementAndGet();
                peers.add(peer);
                udp.send(ByteBuffer.wrap(answer(peer)), peer);
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                if (!udp.isOpen()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(InetSocketAddress peer) {
        return (name + " " + peer.getAddress().getHostAddress() + ":" + peer.getPort() + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Stops listening and ends open connections. */
    @Override
    public void close() {
        closeQuietly(tcp);
        closeQuietly(udp);
        connections.forEach(EchoServer::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Already closed or broken; either way it is gone.
        }
    }
}
