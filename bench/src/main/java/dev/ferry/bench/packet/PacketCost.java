package dev.ferry.bench.packet;

import dev.ferry.bench.Benchmark;
import dev.ferry.bench.Mode;
import dev.ferry.bench.Result;
import dev.ferry.bench.packet.BenchCluster.Measured;
import dev.ferry.sys.Libc;
import dev.ferry.sys.NetNs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * <b>Scales side by side.</b> The beds of all scales live at once, and each path's trials take
 * turns between them (trial 1 at every scale, then trial 2...), so the machine's drift over
 * minutes hits every scale alike: measured one scale after the other, the same code once
 * measured most paths 19-32% cheaper at 100,000 services than at 1, the machine having sped up
 * in between.
 * <p>
 * <b>One CPU.</b> Every scale's thread, and so every trial and every floor, runs on one CPU. Left
 * to the scheduler, in the runs of 2026-11-22 01:07-01:44, the 10,000-flow XDP row came out
 * bimodal in six of seven runs (trials of 83-190 ns next to 220-480 ns in one); pinned, in three of
 * eight.
 * <p>
 * <b>The first bed is not measured.</b> Whichever bed this process set up first measured XDP's
 * cached paths 20-30 ns dearer than the others, whatever its services: with the scales in either
 * order (one flow 82-101 ns against 62-67 ns in the other beds), not in TC's cached path nor in
 * paths that miss every cache, and still when three more programs were loaded before it to move
 * the JIT's code placement. A bed set up before the scales and never used takes it: the three
 * scales' one-flow trials then measured alike (2026-11-22). What it is was not found.
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
 * <b>Floor</b>: the empty programs in the same loop, on the same frames, in the same bed, one
 * trial right before each trial of a path ({@link Floor}); each path's row carries the floor
 * trials run next to its own, so the report divides runs of the same moment. <b>Mode</b>: FULL runs
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
    /** The one CPU every scale's trials run on: the last, away from CPU 0's housekeeping (see "One CPU" above). */
    private static final int MEASURING_CPU = Runtime.getRuntime().availableProcessors() - 1;

    @Override
    public String name() {
        return "packet";
    }

    @Override
    public List<Result> run(Mode mode) throws Exception {
        int repeat = mode.full() ? 1_000_000 : 100_000;
        List<Integer> counts = mode.full() ? List.of(1, 10_000, 100_000) : List.of(1, 100_000);
        List<Scale> scales = new ArrayList<>();
        try (PacketBed unmeasured = PacketBed.start("fpkf")) { // see "The first bed" above
            for (int services : counts) scales.add(new Scale("fpk" + scales.size(), services, repeat));
            Measurement measurement = new Measurement(repeat, scales);
            measurement.xdp();
            measurement.tc(false, true);
            measurement.tc(true, false);
            return measurement.finish();
        } finally {
            for (Scale scale : scales) scale.close();
        }
    }

    /**
     * One scale: a bed of its own (see "Conntrack at steady state" above), its flows and empty
     * programs, and the thread that runs everything there, inside node1's namespace, where
     * XDP's bpf_fib_lookup must be called from.
     */
    private static final class Scale implements AutoCloseable {
        final int services;
        final PacketBed bed;
        final Floor xdpFloor, tcFloor;
        final Flows nodePort = Flows.nodePort(), clusterIp = Flows.clusterIp();
        private final ExecutorService thread;
        LoopPath path;
        EstablishedFlows flows, oneFlow;

        /** @param lab the lab's prefix: the beds of all scales live at once */
        Scale(String lab, int services, int repeat) throws Exception {
            this.services = services;
            this.bed = PacketBed.start(lab);
            try {
                String ns = bed.nodeNs();
                this.thread = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().name("packet-" + services)
                        .unstarted(() -> {
                            NetNs.enter(ns);
                            Libc.pinCurrentThread(MEASURING_CPU);
                            task.run();
                        }));
                this.xdpFloor = new Floor(bed.floorXdp(), Flows.nodePortMiss().frame(), repeat, XDP_PASS);
                this.tcFloor = new Floor(bed.floorTc(), Flows.podToPodMiss().frame(), repeat, TC_ACT_OK);
            } catch (RuntimeException e) {
                bed.close();
                throw e;
            }
        }

        <T> T on(Callable<T> work) throws Exception {
            try {
                return thread.submit(work).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) throw cause;
                throw e;
            }
        }

        void on(Runnable work) throws Exception {
            on(Executors.callable(work));
        }

        /** The empty program of the path's hook, run next to its trials. */
        Floor floorOf(LoopPath path) {
            return path.isXdp() ? xdpFloor : tcFloor;
        }

        @Override
        public void close() throws Exception {
            thread.shutdownNow();
            thread.awaitTermination(10, TimeUnit.SECONDS);
            bed.close();
        }
    }

    /**
     * One run's results and profile. Each path is measured at every scale before the next path,
     * its trials taking turns between the scales (trial 1 at each, then trial 2...), so the
     * machine's drift over minutes hits every scale alike instead of whichever ran last.
     */
    private static final class Measurement {
        private final int repeat;
        private final List<Scale> scales;
        private final List<Result> results = new ArrayList<>();
        private final StageProfile profile = new StageProfile();

        Measurement(int repeat, List<Scale> scales) {
            this.repeat = repeat;
            this.scales = scales;
        }

        List<Result> finish() {
            profile.write(Path.of(System.getProperty("ferry.bench.results", "bench/target/results"), "packet-profile.md"));
            return results;
        }

        /** Runs work at every scale, one after the other, each on its own thread. */
        private void each(ScaleWork work) throws Exception {
            for (Scale s : scales) {
                long start = System.nanoTime();
                s.on(() -> {
                    work.run(s);
                    return null;
                });
                System.out.printf("packet: %d services: set up in %.0f s%n", s.services, (System.nanoTime() - start) / 1e9);
            }
        }

        void xdp() throws Exception {
            each(s -> {
                s.bed.program(Measured.NODEPORT, s.services, false);
                s.path = LoopPath.nodePort(s.bed);
                s.path.send(s.nodePort.newFlows(WARM_UP_FLOWS));
            });
            ferry("XDP NodePort, new flow", s -> () -> s.nodePort.newFlows(repeat), s -> start -> { });
            each(s -> setUpEstablished(s, s.nodePort));
            ferry("XDP NodePort, established", s -> s.flows::acks, s -> s.flows::checkHitAndKept);
            ferry("XDP NodePort, established, one flow", s -> s.oneFlow::acks, s -> s.oneFlow::checkHitAndKept);
            stage(StageProfile.XDP_MISS, s -> LoopPath.nodeMiss(s.bed), s -> Flows::nodePortMiss);
            stage(StageProfile.XDP_POD, s -> LoopPath.nodeMiss(s.bed), s -> Flows::podBetweenNodes);
        }

        void tc(boolean policy, boolean warmUp) throws Exception {
            each(s -> {
                s.bed.program(Measured.CLUSTERIP, s.services, policy);
                s.path = LoopPath.clusterIp(s.bed);
                if (warmUp) s.path.send(s.clusterIp.newFlows(WARM_UP_FLOWS));
            });
            String name = policy ? "TC ClusterIP + policy" : "TC ClusterIP";
            ferry(name + ", new flow", s -> () -> s.clusterIp.newFlows(repeat), s -> start -> { });
            each(s -> setUpEstablished(s, s.clusterIp));
            ferry(name + ", established", s -> s.flows::acks, s -> s.flows::checkHitAndKept);
            ferry(name + ", established, one flow", s -> s.oneFlow::acks, s -> s.oneFlow::checkHitAndKept);
            if (policy) return;
            stage(StageProfile.TC_MISS, s -> LoopPath.podMiss(s.bed), s -> Flows::podToPodMiss);
            stage(StageProfile.TC_POD, s -> LoopPath.podMiss(s.bed), s -> Flows::podToPod);
        }

        private static void setUpEstablished(Scale s, Flows flows) {
            List<EstablishedFlows> established = EstablishedFlows.setUp(s.path, s.bed.conntrack(),
                    flows.established(ESTABLISHED_FLOWS), flows.established(1));
            s.flows = established.get(0);
            s.oneFlow = established.get(1);
        }

        /** One of Ferry's paths, on the path the scales are set up for ({@link Scale#path}). */
        private void ferry(String scenario, Function<Scale, Supplier<Flows.Batch>> batches,
                           Function<Scale, LongConsumer> afterEach) throws Exception {
            Map<Scale, StageProfile.Trials> all = trials(s -> s.path, batches, afterEach);
            String floorName = scales.getFirst().path.isXdp() ? EMPTY_XDP : EMPTY_TC;
            for (Scale s : scales) {
                StageProfile.Trials trials = all.get(s);
                results.add(new Result(GROUP, scenario, Result.FERRY, s.services, METRIC, UNIT, false, trials.pathNs()));
                results.add(new Result(GROUP, scenario, floorName, s.services, METRIC, UNIT, false, trials.floorNs()));
                profile.stage(s.services, scenario, trials);
            }
        }

        /** A path measured for the profile only. */
        private void stage(String name, Function<Scale, LoopPath> path, Function<Scale, Supplier<Flows.Batch>> batches)
                throws Exception {
            trials(path, batches, s -> start -> { }).forEach((s, trials) -> profile.stage(s.services, name, trials));
        }

        /**
         * Per trial, at each scale in turn, on that scale's thread: a trial of the empty program,
         * then the path's: wrapped - restore-only + that empty program's ns, the run checked and
         * then {@code afterEach} given the trial's start (System.nanoTime()).
         */
        private Map<Scale, StageProfile.Trials> trials(Function<Scale, LoopPath> path,
                                                      Function<Scale, Supplier<Flows.Batch>> batches,
                                                      Function<Scale, LongConsumer> afterEach) throws Exception {
            Map<Scale, StageProfile.Trials> all = new LinkedHashMap<>();
            for (Scale s : scales) all.put(s, new StageProfile.Trials(new ArrayList<>(), new ArrayList<>()));
            for (int t = 0; t < TRIALS; t++) {
                for (Scale s : scales) {
                    StageProfile.Trials trials = all.get(s);
                    LoopPath p = path.apply(s);
                    s.on(() -> {
                        double floorNs = s.floorOf(p).trialNs();
                        long start = System.nanoTime();
                        LoopPath.Trial trial = p.trial(batches.apply(s).get(), repeat);
                        afterEach.apply(s).accept(start);
                        profile.restore(p.isXdp(), trial.restoreNs());
                        trials.pathNs().add(trial.beyondRestoreNs() + floorNs);
                        trials.floorNs().add(floorNs);
                    });
                }
            }
            return all;
        }
    }

    @FunctionalInterface
    private interface ScaleWork {
        void run(Scale scale) throws Exception;
    }
}
