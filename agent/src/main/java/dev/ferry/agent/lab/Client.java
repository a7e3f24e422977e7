package dev.ferry.agent.lab;

import dev.ferry.sys.InetSocket;
import dev.ferry.sys.SyscallException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A pod's client: short TCP and UDP requests to an {@link EchoServer}, probes that tell refused
 * from silent, and long-lived streams. Sockets are created inside the pod's namespace.
 */
public final class Client implements AutoCloseable {
    private static final byte[] REQUEST = "hello\n".getBytes(StandardCharsets.UTF_8);
    private static final int EAGAIN = 11, ENETUNREACH = 101, EHOSTUNREACH = 113, EINPROGRESS = 115;

    private final NamespaceSockets sockets;

    public Client(String netns) {
        this.sockets = new NamespaceSockets(netns);
    }

    /** Connects, sends one line, reads the answer line, closes. */
    public Reply tcpRequest(String ip, int port, Duration timeout) throws IOException {
        try (SocketChannel channel = connect(ip, port, timeout)) {
            Socket socket = channel.socket();
            socket.getOutputStream().write(REQUEST);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new IOException("connection to " + ip + ":" + port + " closed without an answer");
            }
            return new Reply(line, (InetSocketAddress) channel.getRemoteAddress(), (InetSocketAddress) channel.getLocalAddress());
        }
    }

    /**
     * Sends one datagram on a connected UDP socket and waits for the answer. A connected socket
     * is what makes an ICMP port unreachable surface, as {@link PortUnreachableException};
     * silence ends in {@link SocketTimeoutException}.
     */
    public Reply udpRequest(String ip, int port, Duration timeout) throws IOException {
        return udpRequestFrom(0, ip, port, timeout);
    }

    /** As {@link #udpRequest}, from a chosen local port (0: any), e.g. to send one flow to several nodes. */
    public Reply udpRequestFrom(int localPort, String ip, int port, Duration timeout) throws IOException {
        try (DatagramChannel channel = sockets.udp()) {
            channel.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(localPort));
            channel.connect(new InetSocketAddress(ip, port));
            channel.write(ByteBuffer.wrap(REQUEST));
            channel.socket().setSoTimeout(timeoutMillis(timeout));
            DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
            channel.socket().receive(answer);
            String line = new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8).strip();
            return new Reply(line, (InetSocketAddress) channel.getRemoteAddress(), (InetSocketAddress) channel.getLocalAddress());
        }
    }

    /**
     * Sends one datagram with sendto() on an unconnected UDP socket and waits for the answer with
     * recvfrom(): {@code remote} is the answer's source as recvfrom reports it. Through libc, as
     * an unconnected DatagramChannel would hide a refused sendto().
     */
    public Reply udpSendTo(String ip, int port, Duration timeout) throws IOException {
        try (InetSocket socket = sockets.nativeUdp(timeout)) {
            socket.sendTo(new InetSocketAddress(ip, port), REQUEST);
            InetSocket.Datagram answer = socket.receiveFrom(2048);
            return new Reply(new String(answer.data(), StandardCharsets.UTF_8).strip(), answer.source(), null);
        } catch (SyscallException e) {
            throw ioException(e);
        }
    }

    /**
     * As {@link #tcpRequest}, through libc, so that {@code remote} is the peer as getpeername(2)
     * reports it; a SocketChannel only repeats the address it was asked to dial. {@code local} is null.
     */
    public Reply tcpRequestAskingPeer(String ip, int port, Duration timeout) throws IOException {
        try (InetSocket socket = sockets.nativeTcp(timeout)) {
            socket.connect(new InetSocketAddress(ip, port));
            InetSocketAddress peer = socket.peerName();
            socket.send(REQUEST);
            StringBuilder line = new StringBuilder();
            while (line.indexOf("\n") < 0) {
                byte[] chunk = socket.receive(2048);
                if (chunk.length == 0) throw new IOException("connection to " + ip + ":" + port + " closed without an answer");
                line.append(new String(chunk, StandardCharsets.UTF_8));
            }
            return new Reply(line.toString().strip(), peer, null);
        } catch (SyscallException e) {
            throw ioException(e);
        }
    }

    /** A libc failure as java.net would report it, so that {@link #outcomeOf} reads both alike. */
    private static IOException ioException(SyscallException e) {
        return switch (e.errno()) {
            case EAGAIN, EINPROGRESS -> new SocketTimeoutException(e.getMessage()); // SO_RCVTIMEO / SO_SNDTIMEO ran out
            case EHOSTUNREACH, ENETUNREACH -> new NoRouteToHostException(e.getMessage());
            default -> new IOException(e.getMessage(), e); // "...: Connection refused (errno 111)"
        };
    }

    /** How a TCP request ends: OK, REFUSED (RST), TIMEOUT or UNREACHABLE. */
    public Outcome tcpProbe(String ip, int port, Duration timeout) {
        try {
            tcpRequest(ip, port, timeout);
            return Outcome.OK;
        } catch (IOException e) {
            return outcomeOf(e);
        }
    }

    /** How a UDP request ends: OK, REFUSED (ICMP port unreachable), TIMEOUT or UNREACHABLE. */
    public Outcome udpProbe(String ip, int port, Duration timeout) {
        try {
            udpRequest(ip, port, timeout);
            return Outcome.OK;
        } catch (IOException e) {
            return outcomeOf(e);
        }
    }

    /** Connects, sends {@code request} as is, and reads until the server closes (HTTP/1.0 style). */
    public String exchange(String ip, int port, String request, Duration timeout) throws IOException {
        try (SocketChannel channel = connect(ip, port, timeout)) {
            Socket socket = channel.socket();
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A connection that keeps exchanging lines every interval until closed; see {@link TcpStream}. */
    public TcpStream openStream(String ip, int port, Duration interval, Duration timeout) throws IOException {
        return new TcpStream(connect(ip, port, timeout), interval, timeout);
    }

    /**
     * How a failed request ended, for callers that need the reply when there is one (a probe
     * that checks who answered). Java reports ECONNREFUSED, EHOSTUNREACH, ENETUNREACH and
     * ECONNRESET by message, not by type.
     */
    public static Outcome outcomeOf(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return switch (e) {
            case SocketTimeoutException timeout -> Outcome.TIMEOUT;
            case PortUnreachableException refused -> Outcome.REFUSED;
            case NoRouteToHostException unreachable -> Outcome.UNREACHABLE;
            case IOException other when message.contains("refused") || message.contains("reset") -> Outcome.REFUSED;
            case IOException other when message.contains("unreachable") -> Outcome.UNREACHABLE;
            default -> throw new LabException("unexpected network error: " + e, e);
        };
    }

    private SocketChannel connect(String ip, int port, Duration timeout) throws IOException {
        SocketChannel channel = sockets.tcp();
        try {
            channel.socket().connect(new InetSocketAddress(ip, port), timeoutMillis(timeout));
            channel.socket().setSoTimeout(timeoutMillis(timeout));
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static int timeoutMillis(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    @Override
    public void close() {
        sockets.close();
    }
}
