package dev.ferry.agent.lab;

import java.net.InetSocketAddress;

/**
 * One answer from an {@link EchoServer}: "{@code <pod name> <peer ip>:<peer port>}", plus the
 * addresses of the client's socket. With Ferry, remote is the Service VIP the client dialled
 * while server names the backend that answered and peer shows the source it saw.
 */
public record Reply(String line, InetSocketAddress remote, InetSocketAddress local) {
    /** The name of the pod whose server answered. */
    public String server() {
        return line.split(" ", 2)[0];
    }

    /** The client address as the server saw it: "ip:port". */
    public String peer() {
        String[] parts = line.split(" ", 2);
        return parts.length > 1 ? parts[1] : "";
    }

    /** The client IP as the server saw it. */
    public String peerIp() {
        String peer = peer();
        return peer.substring(0, Math.max(0, peer.lastIndexOf(':')));
    }
}
