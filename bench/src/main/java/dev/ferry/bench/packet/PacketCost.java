package dev.ferry.bench.packet;

import dev.ferry.bench.Benchmark;
import dev.ferry.bench.Mode;
import dev.ferry.bench.Result;
import dev.ferry.bench.packet.BenchCluster.Measured;
import dev.ferry.sys.NetNs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Nanoseconds per packet of Ferry's datapath under BPF_PROG_TEST_RUN, against empty XDP and TC
 * programs (bpf/src/bench_floor.bpf.c): the XDP NodePort path (from_node on node1's eth0, to a
 * backend on node2: DNAT, SNAT to node1, next hop (bpf_fib_lookup's answer, kept for a second),
 * XDP_TX) and the TC ClusterIP path (from_pod: DNAT to one of 10 backends), each for new flows,
 * {@value #ESTABLISHED_FLOWS} established flows and one established flow, the TC path also with
 * the client pods isolated by an egress NetworkPolicy; at 1, 10,000 and 100,000 services.
 * <p>
 * <b>In the kernel's repeat loop, on a fresh frame each time.</b> The loop runs every repetition
 * on the frame the previous one rewrote (net/bpf/test_run.c resets nothing in between), so the
 * production programs are measured through wrappers (bpf/src/bench_xdp_node.bpf.c,
 * bench_tc_pod.bpf.c) that include their source and, per repetition, copy the original frame
 * back, make it the next flow's (source port and address, checksums), then run from_node's or
 * from_pod's whole code. The wrappers are loaded with the datapath's settings and share its maps
 * through the pins ({@link Wrapper}). Each trial also runs the wrapper's restore alone on the same
 * frames; Ferry's number is {@code wrapped - restore-only + empty program}, all in the loop, so it
 * is what from_node or from_pod costs in place of the empty program, packet after packet, caches
 * as warm as back-to-back packets leave them (closer to a NIC's NAPI batch than one syscall per
 * packet, whose cold start cost ~1 µs here).
 * <p>
 * <b>Checked, every run</b> ({@link LoopPath}): each repetition counted once under the reason
 * expected in counters_v1 (DNAT, or PASS for the frames no service's), the last verdict, the
 * last frame out byte for byte as that flow's conntrack entry says it must be translated, the
 * restore's last frame exactly as the Java side builds it; established flows must have kept
 * their conntrack entries, with deadlines as fresh as conntrack's refresh granularity (1 s)
 * allows ({@link EstablishedFlows}).
 * <p>
 * <b>Conntrack at steady state.</b> Every scale runs in a bed of its own (lab, bpffs, datapath),
 * so every scale starts from a new ct_v1 (LRU, 262144 entries, two per flow) and churns it alike;
 * a warm-up of {@value #WARM_UP_FLOWS} new flows per path fills it, so every new flow measured
 * evicts, as on a busy node. (One bed for all scales, conntrack emptied between them, made a
 * scale's established flows cost more the later it ran, whatever its services: emptying does
 * not undo what the earlier scales' churn did to conntrack's memory, see docs/benchmarks.md.)
 * Established flows are {@value #ESTABLISHED_FLOWS} flows whose SYNs are sent, and a second later
 * one ACK each (the refresh check), before their ACKs are measured, in turn; "one flow" is a
 * single flow set up alike, whose ACK is measured over and over: the path's own cost with its
 * entries in the caches, as a flow sending a burst sees it. How much churn went before matters:
 * after millions of evictions their entries lie scattered over conntrack's memory and every
 * lookup misses the caches; in the full run of 2026-11-21, 10,000 flows cost 243 ns after 5
 * million new flows against one flow's 128 ns (XDP, one service). FULL measures them after 5 million new flows
 * per scale, QUICK after 650,000, so QUICK's established numbers come out lower.
 * <p>
 * <b>Floor</b>: the empty programs in the same loop, on the same frames, measured once per run
 * (in the first scale's bed);
 * the result is repeated in every bucket so the report can divide. <b>Mode</b>: FULL runs
 * 1,000,000 repetitions per trial, 5 trials, at 1, 10,000 and 100,000 services; QUICK 100,000
 * per trial, 5 trials, at 1 and 100,000 services only (the two ends of the scaling goal). Most
 * of the wall time is programming the services. Services are counted as Kubernetes Services: the
 * measured one plus fillers of one port and one endpoint ({@link BenchCluster}), with
 * --lb-map-max {@value PacketBed#LB_MAP_MAX}. A profile of the stages is printed and written to
 * bench/target/results/packet-profile.md ({@link StageProfile}).
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
        int repeat = mode.full() ? 1_000_000 : 100_000;
        List<Integer> scales = mode.full() ? List.of(1, 10_000, 100_000) : List.of(1, 100_000);
        Measurement measurement = new Measurement(repeat);
        for (int scale : scales) {
            long start = System.nanoTime();
            // A bed of its own per scale: see "Conntrack at steady state" above.
            try (PacketBed bed = PacketBed.start()) {
                // XDP's bpf_fib_lookup sees the namespace of the calling thread: measure from node1's.
                NetNs.call(bed.nodeNs(), () -> measurement.scale(bed, scale));
            }
            System.out.printf("packet: %d services measured in %.0f s%n", scale, (System.nanoTime() - start) / 1e9);
        }
        return measurement.finish();
    }

    /** One run's state: the results and the profile so far, the floors; per scale, its bed and flows. */
    private static final class Measurement {
        private final int repeat;
        private final List<Result> results = new ArrayList<>();
        private final StageProfile profile = new StageProfile();
        private Floor xdpFloor, tcFloor;
        private PacketBed bed;
        private Flows nodePort, clusterIp;

        Measurement(int repeat) {
            this.repeat = repeat;
        }

        /** Every path at one scale, in a fresh bed; the floors in the first. */
        Void scale(PacketBed bed, int scale) {
            this.bed = bed;
            nodePort = Flows.nodePort();
            clusterIp = Flows.clusterIp();
            if (xdpFloor == null) {
                xdpFloor = Floor.measure(bed.floorXdp(), Flows.nodePortMiss().frame(), repeat, XDP_PASS);
                tcFloor = Floor.measure(bed.floorTc(), Flows.podToPodMiss().frame(), repeat, TC_ACT_OK);
                profile.floors(xdpFloor, tcFloor);
            }
            xdp(scale, true);
            tc(scale, false, true);
            tc(scale, true, false);
            return null;
        }

        List<Result> finish() {
            profile.write(Path.of(System.getProperty("ferry.bench.results", "bench/target/results"), "packet-profile.md"));
            return results;
        }

        private void xdp(int scale, boolean warmUp) {
            bed.program(Measured.NODEPORT, scale, false);
            LoopPath path = LoopPath.nodePort(bed);
            if (warmUp) path.send(nodePort.newFlows(WARM_UP_FLOWS));
            ferry("XDP NodePort, new flow", scale, xdpFloor, EMPTY_XDP, path, () -> nodePort.newFlows(repeat), start -> { });
            List<EstablishedFlows> established = EstablishedFlows.setUp(path, bed.conntrack(),
                    nodePort.established(ESTABLISHED_FLOWS), nodePort.established(1));
            EstablishedFlows flows = established.get(0), one = established.get(1);
            ferry("XDP NodePort, established", scale, xdpFloor, EMPTY_XDP, path, flows::acks, flows::checkHitAndKept);
            ferry("XDP NodePort, established, one flow", scale, xdpFloor, EMPTY_XDP, path, one::acks, one::checkHitAndKept);
            profile.stage(scale, StageProfile.XDP_MISS, trials(LoopPath.nodeMiss(bed), Flows::nodePortMiss, start -> { }, xdpFloor));
        }

        private void tc(int scale, boolean policy, boolean warmUp) {
            bed.program(Measured.CLUSTERIP, scale, policy);
            LoopPath path = LoopPath.clusterIp(bed);
            String name = policy ? "TC ClusterIP + policy" : "TC ClusterIP";
            if (warmUp) path.send(clusterIp.newFlows(WARM_UP_FLOWS));
            ferry(name + ", new flow", scale, tcFloor, EMPTY_TC, path, () -> clusterIp.newFlows(repeat), start -> { });
            List<EstablishedFlows> established = EstablishedFlows.setUp(path, bed.conntrack(),
                    clusterIp.established(ESTABLISHED_FLOWS), clusterIp.established(1));
            EstablishedFlows flows = established.get(0), one = established.get(1);
            ferry(name + ", established", scale, tcFloor, EMPTY_TC, path, flows::acks, flows::checkHitAndKept);
            ferry(name + ", established, one flow", scale, tcFloor, EMPTY_TC, path, one::acks, one::checkHitAndKept);
            if (!policy) {
                profile.stage(scale, StageProfile.TC_MISS, trials(LoopPath.podMiss(bed), Flows::podToPodMiss, start -> { }, tcFloor));
            }
        }

        private void ferry(String scenario, int scale, Floor floor, String floorName, LoopPath path,
                           Supplier<Flows.Batch> batches, LongConsumer afterEach) {
            List<Double> trials = trials(path, batches, afterEach, floor);
            results.add(new Result(GROUP, scenario, Result.FERRY, scale, METRIC, UNIT, false, trials));
            results.add(new Result(GROUP, scenario, floorName, scale, METRIC, UNIT, false, floor.trialsNs()));
            profile.stage(scale, scenario, trials);
        }

        /**
         * Per trial: wrapped - restore-only + the empty program, the run checked and then
         * {@code afterEach} given the trial's start (System.nanoTime()).
         */
        private List<Double> trials(LoopPath path, Supplier<Flows.Batch> batches, LongConsumer afterEach, Floor floor) {
            List<Double> trials = new ArrayList<>();
            for (int t = 0; t < TRIALS; t++) {
                long start = System.nanoTime();
                LoopPath.Trial trial = path.trial(batches.get(), repeat);
                afterEach.accept(start);
                profile.restore(path.isXdp(), trial.restoreNs());
                trials.add(trial.beyondRestoreNs() + floor.medianNs());
            }
            return trials;
        }
    }
}
