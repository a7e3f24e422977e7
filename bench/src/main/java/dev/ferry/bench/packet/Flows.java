package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.Packet;

import static dev.ferry.agent.datapath.Packet.ACK;
import static dev.ferry.agent.datapath.Packet.SYN;

/**
 * The frames the benchmark sends, whole and with correct checksums (the tests' {@link Packet}).
 * New flows are SYNs of tuples never sent before in the run: clients × source ports 1024-65535
 * in a cycle of over a million flows, far more than conntrack's LRU keeps (~131k flows), so a
 * tuple met again was evicted long ago. Established flows are ACKs of flows whose SYN was sent
 * by {@link #established}'s setup, from clients new flows never use.
 */
final class Flows {
    static final String NODE1_MAC = "020000000011", NODE2_MAC = "020000000012", CLIENT_MAC = "020000000101";
    private static final int FIRST_PORT = 1024, PORTS = 65536 - FIRST_PORT;

    private final boolean xdp;
    private long nextNew;
    private long nextEstablished;

    private Flows(boolean xdp) {
        this.xdp = xdp;
    }

    /** From outside clients to node1's NodePort, as they reach node1's eth0. */
    static Flows nodePort() {
        return new Flows(true);
    }

    /** From client pods on node1 to the ClusterIP, as they leave the pod (from_pod). */
    static Flows clusterIp() {
        return new Flows(false);
    }

    private Packet packet(String client, int port, int flags) {
        if (!xdp) return Packet.tcp(client, port, BenchCluster.VIP, BenchCluster.VIP_PORT, flags);
        return Packet.tcp(client, port, BenchCluster.NODE1, BenchCluster.NODEPORT, flags).macs(CLIENT_MAC, NODE1_MAC);
    }

    /** The SYN of the next flow never sent in this run (for this path). */
    byte[] nextNewFlow() {
        long i = nextNew++ % ((long) BenchCluster.NEW_FLOW_CLIENTS * PORTS);
        int client = (int) (i / PORTS);
        String address = xdp ? "172.16.0." + (client + 1) : BenchCluster.newFlowClient(client);
        return packet(address, FIRST_PORT + (int) (i % PORTS), SYN).bytes();
    }

    /** A SYN to node1's port 22, which is no NodePort: from_node parses it, misses and passes it. */
    static byte[] nodePortMiss() {
        return Packet.tcp("172.18.0.1", 40000, BenchCluster.NODE1, 22, SYN).macs(CLIENT_MAC, NODE1_MAC).bytes();
    }

    /** A SYN from a client pod straight to a backend pod: from_pod parses it, misses every service, passes it. */
    static byte[] podToPodMiss() {
        return Packet.tcp(BenchCluster.newFlowClient(0), 40000, "10.244.2.20", 8080, SYN).bytes();
    }

    /** {@code count} fresh flows from the established client: their SYNs (to send first) and an ACK each. */
    Established established(int count) {
        byte[][] syns = new byte[count][];
        byte[][] acks = new byte[count][];
        for (int k = 0; k < count; k++) {
            long i = nextEstablished++;
            if (i >= PORTS) throw new IllegalStateException("the established client ran out of ports");
            String client = xdp ? "172.17.0.1" : BenchCluster.ESTABLISHED_CLIENT;
            syns[k] = packet(client, FIRST_PORT + (int) i, SYN).bytes();
            acks[k] = packet(client, FIRST_PORT + (int) i, ACK).bytes();
        }
        return new Established(syns, acks);
    }

    /** Flows to set up (syns) and the packets of their established phase (acks, sent in turn). */
    record Established(byte[][] syns, byte[][] acks) {
        byte[] ack(long i) {
            return acks[(int) (i % acks.length)];
        }
    }
}
