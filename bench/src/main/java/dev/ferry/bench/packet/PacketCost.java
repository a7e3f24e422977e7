package dev.ferry.bench.packet;

import dev.ferry.bench.Benchmark;
import dev.ferry.bench.Mode;
import dev.ferry.bench.Result;
import dev.ferry.bench.packet.BenchCluster.Measured;
import dev.ferry.bench.packet.PerCall.Expect;
import dev.ferry.sys.NetNs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Nanoseconds per packet of Ferry's datapath under BPF_PROG_TEST_RUN, against empty XDP and TC
 * programs (bpf/src/bench_floor.bpf.c): the XDP NodePort path (from_node on node1's eth0, to a
 * backend on node2: DNAT, SNAT to node1, bpf_fib_lookup, XDP_TX) and the TC ClusterIP path
 * (from_pod: DNAT to one of 10 backends), each for new and established flows, the TC path also
 * with the client pods isolated by an egress NetworkPolicy; at 1, 10,000 and 100,000 services.
 * <p>
 * <b>One run per packet.</b> The kernel's repeat loop runs every repetition on the frame the
 * previous one rewrote (net/bpf/test_run.c resets nothing in between), so a DNAT path would
 * measure itself once and then something else; and a new flow needs a new tuple each time. So
 * every packet is one BPF_PROG_TEST_RUN of repeat 1 and the kernel's duration of it is averaged
 * ({@link PerCall}). Such a duration includes the timer's own cost once; it is measured as the
 * empty program per call minus the empty program in a loop of a million, per program type, and
 * subtracted from every per-call number, the floor's included. Subtracting makes Ferry's ratio
 * to the floor larger, never smaller.
 * <p>
 * <b>Conntrack at steady state.</b> ct_v1 (LRU, 262144 entries, two per flow) is never cleared:
 * a warm-up of {@value #WARM_UP_FLOWS} new flows per path fills it, so every new flow measured
 * evicts, as on a busy node. Established flows are {@value #ESTABLISHED_FLOWS} flows set up just
 * before their measurement and sent in turn (ACKs).
 * <p>
 * <b>Floor</b>: measured once per run with the same frames and calls; its result is repeated in
 * every bucket so the report can divide. <b>Mode</b>: FULL sends 1,000,000 packets per trial, 5
 * trials, at 1, 10,000 and 100,000 services; QUICK 50,000 packets per trial, 5 trials, at 1 and
 * 100,000 services only (the two ends of the scaling goal). Wall time is the syscalls': a call
 * costs ~8 µs here (2 shared cores) of which the kernel times ~1 µs, so QUICK takes about a
 * minute and FULL (~1.1e8 calls) about a quarter of an hour on this machine. Services are counted as Kubernetes
 * Services: the measured one plus fillers of one port and one endpoint ({@link BenchCluster}),
 * with --lb-map-max {@value PacketBed#LB_MAP_MAX}. A profile of the stages is printed and written
 * to bench/target/results/packet-profile.md ({@link StageProfile}).
 */
public final class PacketCost implements Benchmark {
    static final String GROUP = "packet", METRIC = "ns/packet", UNIT = "ns";
    static final String EMPTY_XDP = "empty XDP", EMPTY_TC = "empty TC";
    static final int XDP_PASS = 2, XDP_TX = 3, TC_ACT_OK = 0;
    static final int TRIALS = 5, WARM_UP_FLOWS = 150_000, ESTABLISHED_FLOWS = 10_000;

    @Override
    public String name() {
        return "packet";
    }

    @Override
    public List<Result> run(Mode mode) throws Exception {
        long packets = mode.full() ? 1_000_000 : 50_000;
        List<Integer> scales = mode.full() ? List.of(1, 10_000, 100_000) : List.of(1, 100_000);
        try (PacketBed bed = PacketBed.start()) {
            // XDP's bpf_fib_lookup sees the namespace of the calling thread: measure from node1's.
            return NetNs.call(bed.nodeNs(), () -> new Measurement(bed, packets).run(scales));
        }
    }

    /** One run's state: the bed, the flows handed out so far, the floors and timer overheads. */
    private static final class Measurement {
        private final PacketBed bed;
        private final long packets;
        private final Flows nodePort = Flows.nodePort();
        private final Flows clusterIp = Flows.clusterIp();
        private final List<Result> results = new ArrayList<>();
        private final StageProfile profile = new StageProfile();
        private Floor xdpFloor, tcFloor;

        Measurement(PacketBed bed, long packets) {
            this.bed = bed;
            this.packets = packets;
        }

        List<Result> run(List<Integer> scales) {
            Flows spare = Flows.nodePort();
            xdpFloor = Floor.measure(bed.floorXdp(), bed.floorXdpRepeated(Floor.REPEAT), i -> spare.nextNewFlow(),
                    packets, new Expect(XDP_PASS, false));
            Flows spareTc = Flows.clusterIp();
            tcFloor = Floor.measure(bed.floorTc(), bed.floorTcRepeated(Floor.REPEAT), i -> spareTc.nextNewFlow(),
                    packets, new Expect(TC_ACT_OK, false));
            profile.floors(xdpFloor, tcFloor);
            for (int scale : scales) {
                long start = System.nanoTime();
                xdp(scale, scale == scales.getFirst());
                tc(scale, false, scale == scales.getFirst());
                tc(scale, true, false);
                System.out.printf("packet: %d services measured in %.0f s%n", scale, (System.nanoTime() - start) / 1e9);
            }
            profile.write(Path.of(System.getProperty("ferry.bench.results", "bench/target/results"), "packet-profile.md"));
            return results;
        }

        private void xdp(int scale, boolean warmUp) {
            bed.program(Measured.NODEPORT, scale, false);
            Program program = bed.fromNode();
            Expect forwarded = new Expect(XDP_TX, true);
            if (warmUp) PerCall.meanNs(program, i -> nodePort.nextNewFlow(), WARM_UP_FLOWS, forwarded);
            ferry("XDP NodePort, new flow", scale, xdpFloor, EMPTY_XDP, program, i -> nodePort.nextNewFlow(), forwarded);
            Flows.Established flows = nodePort.established(ESTABLISHED_FLOWS);
            PerCall.send(program, flows.syns(), forwarded);
            ferry("XDP NodePort, established", scale, xdpFloor, EMPTY_XDP, program, flows::ack, forwarded);
            // Not a service at all (TCP to the node's port 22): parsing and the lookups that miss.
            byte[] miss = Flows.nodePortMiss();
            profile.stage(scale, StageProfile.XDP_MISS,
                    trials(program, i -> miss, new Expect(XDP_PASS, false), xdpFloor.overheadNs()));
            profile.stage(scale, StageProfile.XDP_MISS_LOOP, loopTrials(bed.fromNodeRepeated((int) packets), miss));
        }

        private void tc(int scale, boolean policy, boolean warmUp) {
            bed.program(Measured.CLUSTERIP, scale, policy);
            Program program = bed.fromPod();
            Expect dnat = new Expect(TC_ACT_OK, true);
            String name = policy ? "TC ClusterIP + policy" : "TC ClusterIP";
            if (warmUp) PerCall.meanNs(program, i -> clusterIp.nextNewFlow(), WARM_UP_FLOWS, dnat);
            ferry(name + ", new flow", scale, tcFloor, EMPTY_TC, program, i -> clusterIp.nextNewFlow(), dnat);
            Flows.Established flows = clusterIp.established(ESTABLISHED_FLOWS);
            PerCall.send(program, flows.syns(), dnat);
            ferry(name + ", established", scale, tcFloor, EMPTY_TC, program, flows::ack, dnat);
            if (!policy) {
                byte[] miss = Flows.podToPodMiss();
                profile.stage(scale, StageProfile.TC_MISS,
                        trials(program, i -> miss, new Expect(TC_ACT_OK, false), tcFloor.overheadNs()));
                profile.stage(scale, StageProfile.TC_MISS_LOOP, loopTrials(bed.fromPodRepeated((int) packets), miss));
            }
        }

        private void ferry(String scenario, int scale, Floor floor, String floorName, Program program,
                           LongFunction<byte[]> frames, Expect expect) {
            List<Double> trials = trials(program, frames, expect, floor.overheadNs());
            results.add(new Result(GROUP, scenario, Result.FERRY, scale, METRIC, UNIT, false, trials));
            results.add(new Result(GROUP, scenario, floorName, scale, METRIC, UNIT, false, floor.trialsNs()));
            profile.stage(scale, scenario, trials);
        }

        /** A frame the program leaves alone, back to back in the kernel's loop: what warm caches save. */
        private List<Double> loopTrials(Program repeated, byte[] frame) {
            List<Double> trials = new ArrayList<>();
            for (int t = 0; t < TRIALS; t++) trials.add((double) repeated.run(frame).durationNs());
            return trials;
        }

        private List<Double> trials(Program program, LongFunction<byte[]> frames, Expect expect, double overheadNs) {
            List<Double> trials = new ArrayList<>();
            for (int t = 0; t < TRIALS; t++) trials.add(PerCall.meanNs(program, frames, packets, expect) - overheadNs);
            return trials;
        }
    }
}
