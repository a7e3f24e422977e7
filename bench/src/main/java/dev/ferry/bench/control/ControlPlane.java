package dev.ferry.bench.control;

import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.PortForward;
import dev.ferry.bench.Benchmark;
import dev.ferry.bench.Mode;
import dev.ferry.bench.Result;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Ferry's control plane at 10,000 Services x 10 endpoints, the agent running as operators run
 * it (its own process in a lab node, fed by an API server): how long the full sync takes from
 * the informers' sync to the maps written, how long one endpoint change takes to reach the maps,
 * and how much memory the agent holds. Then the same with the 100,000 Pods behind those
 * endpoints (and their Namespaces) present, because Ferry, unlike kube-proxy, watches every Pod
 * for NetworkPolicy, and listing them is what needs the most memory.
 * <p>
 * FULL: 5 trials, a fresh agent each, every trial followed by 200 changes (1,000 in all; a
 * result is the median of the trials' p50 or p99); then the cluster with Pods, one trial of 20
 * changes, with a 1 GiB heap; then kube-proxy's tools on the same cluster
 * ({@link RuleSyncTimes}). QUICK (about a minute and a half): one trial of 100 changes, no
 * Pods, no peers. {@code -Dferry.bench.control.pods=false} leaves out the variant with Pods.
 * <p>
 * Before the first trial, one unreported trial warms up this process: the mock API server, the
 * client and the map poller run here, and until their code is compiled a change's API call took
 * 20-30 ms instead of 6 and starved the agent of CPU on 2 cores (its first 50 changes measured
 * 3-7 ms, the later ones mostly 1-2). Every reported trial still starts a fresh agent, so the
 * agent's own warm-up is in every trial's numbers.
 */
public final class ControlPlane implements Benchmark {
    static final int SERVICES = 10_000;
    static final String FULL_SYNC = "full sync 10,000 × 10", CHANGE = "one endpoint change";
    private static final String NODE = "node1";
    /** Where the API server answers inside the lab node. */
    private static final int API_PORT = 16443;
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(3);
    private static final String GROUP = "control";

    @Override
    public String name() {
        return "control";
    }

    @Override
    public List<Result> run(Mode mode) throws Exception {
        List<Result> results = new ArrayList<>();
        Workload workload = new Workload(SERVICES, NODE);
        try (SeededApiServer api = SeededApiServer.start(); Lab lab = Lab.builder("fbc").node(NODE).build()) {
            PortForward toApi = lab.closeWithLab(PortForward.open(lab.nodeNs(NODE), API_PORT,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port())));
            List<EndpointSlice> slices = workload.sliceObjects();
            api.seed(workload.serviceObjects());
            api.seed(slices);
            EndpointChanges changes = new EndpointChanges(api.client(), api::lastUpdateTakenNanos, toApi::lastDeliveredNanos,
                    workload, slices);
            lab.closeWithLab(changes);
            int changesPerTrial = mode.full() ? 200 : 100;
            measure(lab, changes, " (warm-up, not reported)", 1, changesPerTrial, List.of());
            results.addAll(measure(lab, changes, "", mode.full() ? 5 : 1, changesPerTrial, List.of()));

            // 100,000 Pods make the agent's start and full sync long: one trial, FULL only.
            if (mode.full() && Boolean.parseBoolean(System.getProperty("ferry.bench.control.pods", "true"))) {
                api.seed(workload.namespacesAndPods());
                // The shipped heap (agent/src/main/jvm/jvm.options, 192 MiB) is sized for the cluster
                // above; with 100,000 Pods the live heap passes it (~175 MB while listing, even in
                // pages), so this cluster's agent gets the larger heap its operator would have to
                // give it, and the label says so.
                results.addAll(measure(lab, changes, ", with 100,000 pods, -Xmx1g", 1, 20, List.of("-Xmx1g")));
            }
        }
        if (mode.full()) results.addAll(RuleSyncTimes.measure(SERVICES));
        return results;
    }

    /** Trials of one cluster: a fresh agent each, its full sync, memory, and a run of endpoint changes. */
    private List<Result> measure(Lab lab, EndpointChanges changes, String variant, int trials, int changesPerTrial,
                                 List<String> jvmOptions) throws Exception {
        Trials t = new Trials();
        for (int trial = 0; trial < trials; trial++) {
            try (AgentRun agent = AgentRun.start(lab, NODE, API_PORT, jvmOptions)) {
                AgentRun.FullSync sync = agent.awaitFullSync(SYNC_TIMEOUT);
                agent.awaitQuiet(Duration.ofSeconds(2), SYNC_TIMEOUT);
                double rssSynced = agent.rssMiB();
                List<EndpointChanges.Timing> timings;
                try (PinnedServices maps = new PinnedServices(agent.bpffsRoot())) {
                    if (maps.frontendCount() != SERVICES) {
                        throw new IllegalStateException(maps.frontendCount() + " frontends after the full sync, not " + SERVICES);
                    }
                    timings = changes.run(changesPerTrial, agent, maps);
                }
                t.add(sync, rssSynced, agent.rssMiB(), timings);
                System.err.printf("control%s, trial %d: informers synced %.0f ms after start, maps written %.0f ms later; "
                                + "RSS %.0f MiB, %.0f MiB after %d changes; change e2e p50 %.2f p99 %.2f ms, from the API server "
                                + "p50 %.2f p99 %.2f ms (its watch event p50 %.2f p99 %.2f, then to the maps p50 %.2f p99 %.2f), "
                                + "agent p50 %.2f p99 %.2f ms, API call p50 %.2f ms%n", variant, trial + 1,
                        1e3 * sync.sourceComplete(), 1e3 * sync.mapsWritten(), rssSynced, agent.rssMiB(), timings.size(),
                        t.last(Trials.E2E, 50), t.last(Trials.E2E, 99), t.last(Trials.SERVER, 50), t.last(Trials.SERVER, 99),
                        t.last(Trials.WATCH_EVENT, 50), t.last(Trials.WATCH_EVENT, 99), t.last(Trials.AFTER_EVENT, 50),
                        t.last(Trials.AFTER_EVENT, 99), t.last(Trials.AGENT, 50), t.last(Trials.AGENT, 99), t.last(Trials.API, 50));
            }
        }
        return t.results(variant);
    }

    private static final class Trials {
        static final int E2E = 0, AGENT = 1, API = 2, SERVER = 3, WATCH_EVENT = 4, AFTER_EVENT = 5, KINDS = 6;
        final List<Double> syncMs = new ArrayList<>();
        final List<Double> startToSourceMs = new ArrayList<>();
        final List<Double> rssSynced = new ArrayList<>();
        final List<Double> rssChanged = new ArrayList<>();
        final List<List<Double>> lastTimings = new ArrayList<>(Collections.nCopies(KINDS, List.of()));
        final List<List<Double>> p50 = perKind();
        final List<List<Double>> p99 = perKind();

        private static List<List<Double>> perKind() {
            List<List<Double>> out = new ArrayList<>();
            for (int kind = 0; kind < KINDS; kind++) out.add(new ArrayList<>());
            return out;
        }

        void add(AgentRun.FullSync sync, double rssAfterSync, double rssAfterChanges, List<EndpointChanges.Timing> timings) {
            syncMs.add(1e3 * sync.mapsWritten());
            startToSourceMs.add(1e3 * sync.sourceComplete());
            rssSynced.add(rssAfterSync);
            rssChanged.add(rssAfterChanges);
            lastTimings.set(E2E, timings.stream().map(EndpointChanges.Timing::endToEndMs).toList());
            lastTimings.set(AGENT, timings.stream().map(EndpointChanges.Timing::agentMs).filter(d -> !d.isNaN()).toList());
            lastTimings.set(API, timings.stream().map(EndpointChanges.Timing::apiCallMs).toList());
            lastTimings.set(SERVER, timings.stream().map(EndpointChanges.Timing::fromServerMs).toList());
            lastTimings.set(WATCH_EVENT, timings.stream().map(EndpointChanges.Timing::watchEventMs).filter(d -> !d.isNaN()).toList());
            lastTimings.set(AFTER_EVENT, timings.stream().map(EndpointChanges.Timing::afterEventMs).filter(d -> !d.isNaN()).toList());
            for (int kind = 0; kind < KINDS; kind++) {
                p50.get(kind).add(percentile(lastTimings.get(kind), 50));
                p99.get(kind).add(percentile(lastTimings.get(kind), 99));
            }
        }

        double last(int kind, int percent) {
            return percentile(lastTimings.get(kind), percent);
        }

        List<Result> results(String variant) {
            String sync = FULL_SYNC + variant;
            String change = CHANGE + variant;
            String memory = "agent memory" + variant;
            return List.of(
                    result(sync, "time", "ms", syncMs),
                    result(sync, "start to informers synced", "ms", startToSourceMs),
                    result(change, "p50", "ms", p50.get(E2E)),
                    result(change, "p99", "ms", p99.get(E2E)),
                    result(change, "p50, from the API server", "ms", p50.get(SERVER)),
                    result(change, "p99, from the API server", "ms", p99.get(SERVER)),
                    result(change, "p50, API server until its watch event reached the node", "ms", p50.get(WATCH_EVENT)),
                    result(change, "p99, API server until its watch event reached the node", "ms", p99.get(WATCH_EVENT)),
                    result(change, "p50, from the watch event reaching the node", "ms", p50.get(AFTER_EVENT)),
                    result(change, "p99, from the watch event reaching the node", "ms", p99.get(AFTER_EVENT)),
                    result(change, "p50, agent only", "ms", p50.get(AGENT)),
                    result(change, "p99, agent only", "ms", p99.get(AGENT)),
                    result(change, "p50, API call", "ms", p50.get(API)),
                    result(memory, "RSS", "MiB", rssSynced),
                    result(memory, "RSS after the changes", "MiB", rssChanged));
        }

        private static Result result(String scenario, String metric, String unit, List<Double> trials) {
            return new Result(GROUP, scenario, Result.FERRY, SERVICES, metric, unit, false, trials);
        }
    }

    /** Nearest rank: the smallest value with at least {@code percent}% of the values at or below it. */
    static double percentile(List<Double> values, int percent) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
