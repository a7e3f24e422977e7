package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.Packet;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;

import static dev.ferry.agent.datapath.Packet.ACK;
import static dev.ferry.agent.datapath.Packet.SYN;

/**
 * The frames the benchmark sends, whole and with correct checksums (the tests' {@link Packet}),
 * as batches: the wrapper programs vary one frame per repetition in the kernel
 * (bpf/src/bench_frame.h), and {@link Batch#packet} builds the same frame here, to check against.
 * New flows are SYNs of tuples never sent before in the run: clients × source ports 1024-65535
 * in a cycle of over a million flows, far more than conntrack's LRU keeps (~131k flows), so a
 * tuple met again was evicted long ago. Established flows are ACKs of flows whose SYNs were sent
 * first ({@link #established}), from a client new flows never use.
 */
final class Flows {
    static final String NODE1_MAC = "020000000011", NODE2_MAC = "020000000012", CLIENT_MAC = "020000000101";
    static final int FIRST_PORT = 1024, PORTS = 65536 - FIRST_PORT;
    private static final int NEW_FLOW_SPACE = BenchCluster.NEW_FLOW_CLIENTS * PORTS;

    private final boolean xdp;
    private int nextNew;
    private int nextEstablished;

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

    /**
     * The frames of one run: repetition r sends flow {@code i = first + r % cycle}, the frame of
     * {@code client + i / PORTS} (address counted in host order), port {@code FIRST_PORT + i % PORTS}.
     */
    record Batch(boolean xdp, String client, String dst, int dport, int flags, int first, int cycle) {
        /** Flow 0's frame, which the wrapper restores and varies. */
        byte[] frame() {
            return build(client, FIRST_PORT).bytes();
        }

        String clientOf(long repetition) {
            return Ipv4.of(Ipv4.toInt(Ipv4.parse(client)) + flow(repetition) / PORTS).getHostAddress();
        }

        int portOf(long repetition) {
            return FIRST_PORT + flow(repetition) % PORTS;
        }

        /** The frame repetition r sends. */
        Packet packet(long repetition) {
            return build(clientOf(repetition), portOf(repetition));
        }

        /** Its conntrack forward key. */
        CtKey forwardKey(long repetition) {
            return new CtKey(Ipv4.parse(clientOf(repetition)), Ipv4.parse(dst), portOf(repetition), dport, Protocol.TCP,
                    false);
        }

        private int flow(long repetition) {
            return first + (int) (repetition % cycle);
        }

        private Packet build(String source, int port) {
            Packet p = Packet.tcp(source, port, dst, dport, flags);
            return xdp ? p.macs(CLIENT_MAC, NODE1_MAC) : p;
        }
    }

    private Batch batch(String client, int flags, int first, int cycle) {
        return xdp ? new Batch(true, client, BenchCluster.NODE1, BenchCluster.NODEPORT, flags, first, cycle)
                : new Batch(false, client, BenchCluster.VIP, BenchCluster.VIP_PORT, flags, first, cycle);
    }

    /** SYNs of {@code count} flows never sent before in this run (for this path). */
    Batch newFlows(int count) {
        if (count > NEW_FLOW_SPACE) throw new IllegalArgumentException(count + " new flows in one run");
        if (nextNew + count > NEW_FLOW_SPACE) nextNew = 0; // long evicted: see the class comment
        Batch batch = batch(xdp ? "172.16.0.1" : BenchCluster.newFlowClient(0), SYN, nextNew, count);
        nextNew += count;
        return batch;
    }

    /** {@code count} fresh flows from the established client: their SYNs (to send first) and their ACKs. */
    Established established(int count) {
        if (nextEstablished + count > PORTS) throw new IllegalStateException("the established client ran out of ports");
        String client = xdp ? "172.17.0.1" : BenchCluster.ESTABLISHED_CLIENT;
        Established flows = new Established(batch(client, SYN, nextEstablished, count),
                batch(client, ACK, nextEstablished, count));
        nextEstablished += count;
        return flows;
    }

    record Established(Batch syns, Batch acks) {
    }

    /** A SYN to node1's port 22, which is no NodePort: from_node parses it, misses and passes it. */
    static Batch nodePortMiss() {
        return new Batch(true, "172.18.0.1", BenchCluster.NODE1, 22, SYN, 0, 1);
    }

    /**
     * A pod on node2 talking to a pod on node1, as it reaches node1's interface: no frontend has
     * the destination, so from_node passes it right after parsing (xdp_maybe_ours).
     */
    static Batch podBetweenNodes() {
        return new Batch(true, "10.244.2.20", "10.244.1.20", 8080, ACK, 0, 1);
    }

    /**
     * A client pod's packet of a flow to a pod no service has, as most traffic between pods that is
     * not a service's: no frontend's or backend's address, so from_pod passes it after parsing and
     * the address filter (svc_addrs_v1).
     */
    static Batch podToPod() {
        return new Batch(false, BenchCluster.newFlowClient(0), "10.244.3.20", 8080, ACK, 0, 1);
    }

    /** A SYN from a client pod straight to a backend pod: from_pod parses it, misses every service, passes it. */
    static Batch podToPodMiss() {
        return new Batch(false, BenchCluster.newFlowClient(0), "10.244.2.20", 8080, SYN, 0, 1);
    }
}
