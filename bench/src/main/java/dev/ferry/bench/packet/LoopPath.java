package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.Packet;
import dev.ferry.agent.datapath.abi.Counter;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.bpf.TestRunResult;
import dev.ferry.bpf.TypedMap;

import java.util.Arrays;
import java.util.Map;

/**
 * One path of the datapath in the kernel's repeat loop, through its {@link Wrapper}, with what
 * every run of it must have done: each repetition counted once in counters_v1 under the one
 * reason expected (so none dropped, passed or took another path), the last repetition's verdict,
 * and its frame out equal, byte for byte, to the frame that path makes of it (the translation
 * read from its conntrack entry). The restore-only run must pass the last frame exactly as
 * {@link Flows.Batch#packet} builds it, so the kernel's variation of the flows is checked too.
 */
final class LoopPath {
    /** What the path makes of the frame repetition r sent. */
    @FunctionalInterface
    interface Rewrite {
        byte[] out(Flows.Batch batch, long repetition);
    }

    private final String name;
    private final Wrapper wrapper;
    private final PacketBed bed;
    private final int verdict, restoreVerdict;
    private final Reason reason;
    private final Rewrite rewrite;

    private LoopPath(String name, Wrapper wrapper, PacketBed bed, int verdict, int restoreVerdict, Reason reason,
                     Rewrite rewrite) {
        this.name = name;
        this.wrapper = wrapper;
        this.bed = bed;
        this.verdict = verdict;
        this.restoreVerdict = restoreVerdict;
        this.reason = reason;
        this.rewrite = rewrite;
    }

    /** from_node's NodePort path to a remote backend: DNAT, SNAT to node1, routed to node2, XDP_TX. */
    static LoopPath nodePort(PacketBed bed) {
        return new LoopPath("XDP NodePort", bed.xdpWrapper(), bed, PacketCost.XDP_TX, PacketCost.XDP_PASS, Reason.DNAT,
                (batch, r) -> {
                    CtValue v = forwardEntry(bed.conntrack(), batch, r);
                    return Packet.tcp(BenchCluster.NODE1, v.peerPort(), v.natAddress().getHostAddress(), v.natPort(),
                            batch.flags()).macs(Flows.NODE1_MAC, Flows.NODE2_MAC).ttl(63).bytes();
                });
    }

    /** from_pod's ClusterIP path: DNAT to a backend, on up the stack. */
    static LoopPath clusterIp(PacketBed bed) {
        return new LoopPath("TC ClusterIP", bed.tcWrapper(), bed, PacketCost.TC_ACT_OK, PacketCost.TC_ACT_OK, Reason.DNAT,
                (batch, r) -> {
                    CtValue v = forwardEntry(bed.conntrack(), batch, r);
                    return batch.packet(r).dst(v.natAddress().getHostAddress(), v.natPort()).bytes();
                });
    }

    /** from_node on a frame no service's: parsed, looked up, passed untouched. */
    static LoopPath nodeMiss(PacketBed bed) {
        return new LoopPath("XDP miss", bed.xdpWrapper(), bed, PacketCost.XDP_PASS, PacketCost.XDP_PASS, Reason.PASS,
                (batch, r) -> batch.packet(r).bytes());
    }

    /** from_pod on pod-to-pod traffic: parsed, looked up, passed untouched. */
    static LoopPath podMiss(PacketBed bed) {
        return new LoopPath("TC miss", bed.tcWrapper(), bed, PacketCost.TC_ACT_OK, PacketCost.TC_ACT_OK, Reason.PASS,
                (batch, r) -> batch.packet(r).bytes());
    }

    boolean isXdp() {
        return wrapper == bed.xdpWrapper();
    }

    static CtValue forwardEntry(TypedMap<CtKey, CtValue> conntrack, Flows.Batch batch, long repetition) {
        CtKey key = batch.forwardKey(repetition);
        return conntrack.get(key).orElseThrow(() -> new IllegalStateException("no conntrack entry for " + key));
    }

    /** One timing of the path's repeat loop and of the restore alone on the same frames. */
    record Trial(double pathNs, double restoreNs) {
        double beyondRestoreNs() {
            return pathNs - restoreNs;
        }
    }

    /** Times and checks the restore alone, then the path, each {@code repeat} repetitions of the batch. */
    Trial trial(Flows.Batch batch, int repeat) {
        TestRunResult restore = wrapper.restoreOnly(batch, repeat);
        check("restore-only", restore, restoreVerdict, batch.packet(repeat - 1).bytes());
        TestRunResult path = run(batch, repeat);
        return new Trial(path.durationNs(), restore.durationNs());
    }

    /** Every flow of the batch once, checked alike: flows set up before their established phase is measured. */
    void send(Flows.Batch batch) {
        run(batch, batch.cycle());
    }

    private TestRunResult run(Flows.Batch batch, int repeat) {
        Map<Reason, Counter> before = bed.counters();
        TestRunResult r = wrapper.path(batch, repeat);
        Map<Reason, Counter> after = bed.counters();
        for (Reason each : Reason.values()) {
            long counted = after.get(each).packets() - before.get(each).packets();
            if (counted != (each == reason ? repeat : 0)) {
                throw new IllegalStateException(name + ": " + repeat + " repetitions counted " + counted + " as " + each
                        + ": the path measured is not the one meant");
            }
        }
        check(name, r, verdict, rewrite.out(batch, repeat - 1));
        return r;
    }

    private static void check(String what, TestRunResult r, int verdict, byte[] expected) {
        if (r.retval() != verdict || !Arrays.equals(r.packetOut(), expected)) {
            throw new IllegalStateException(what + ": the last frame came out with verdict " + r.retval() + " (expected "
                    + verdict + ") as\n" + Packet.describe(r.packetOut()) + "\nexpected\n" + Packet.describe(expected));
        }
    }
}
