package dev.ferry.bench.traffic;

import dev.ferry.bench.Benchmark;
import dev.ferry.bench.Mode;
import dev.ferry.bench.Result;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Real TCP traffic through the lab: pod → ClusterIP (client pod on node1, backends on node2) and
 * external client → NodePort on node1 (node1 DNATs and SNATs to node2), for plain routing (the
 * client dials the pods), kube-proxy-style iptables and nftables rules, and Ferry, with 1, 1,000
 * and 10,000 services of 10 endpoints programmed. Metrics: TCP connection rate (connect, 1-byte
 * request and answer, close; one at a time), request/response latency p50/p99 (1-byte ping-pong on
 * one connection) and one bulk stream's throughput, measured by bench/native/ferry-load.c.
 *
 * <p>Setup: one lab with a copy of the cluster per subject ({@link TrafficLab}), every dataplane on
 * both nodes, as every node of a cluster runs the proxy. Clients run on CPU 0, the 10 servers on
 * CPU 1 (taskset). Within a scale, the trials of the subjects take turns, so drift hits all alike;
 * plain routing is measured at every scale like the others (its services count changes nothing;
 * measuring it in the same rounds keeps the Ferry / plain ratio free of drift). The measured
 * service is the middle one of kube-proxy's KUBE-SERVICES chain (its order is Go map order, so
 * the middle is the expected case); the other services' endpoints are addresses of no pod.
 * iptables rules go in through iptables-legacy ({@link IptablesDataplane} says why); nftables in
 * transactions of 1,000 services ({@link NftablesDataplane}). Conntrack's TIME_WAIT timeout on
 * the nodes is 5 s, so the connection churn never fills the table.
 *
 * <p>QUICK (about 2 minutes with setup): 10,000 services, pod → ClusterIP, connections/s
 * (1 s trials) and latency (0.5 s), 5 trials. FULL (about 15 minutes): all three scales, both
 * scenarios, all metrics (2 s, 1 s, 2 s), 5 trials.
 */
public final class Traffic implements Benchmark {
    static final String CLUSTER_CIDR = "10.240.0.0/12", SERVICE_CIDR = "10.96.0.0/16";
    private static final String GROUP = "traffic";

    /** What one run measures. */
    record Plan(List<Integer> scales, List<Scenario> scenarios, boolean throughput, int trials, double crrSeconds,
                double rrSeconds, double streamSeconds) {
        static Plan of(Mode mode) {
            return mode.full()
                    ? new Plan(List.of(1, 1000, 10000), List.of(Scenario.values()), true, 5, 2, 1, 2)
                    : new Plan(List.of(10000), List.of(Scenario.POD_TO_CLUSTER_IP), false, 5, 1, 0.5, 0);
        }
    }

    @Override
    public String name() {
        return "traffic";
    }

    @Override
    public List<Result> run(Mode mode) throws Exception {
        Plan plan = Plan.of(mode);
        LoadTool tool = LoadTool.build();
        Map<String, List<Double>> trials = new LinkedHashMap<>();
        try (TrafficLab lab = TrafficLab.start(tool); ProgramTime programTime = ProgramTime.start()) {
            Map<Subject, Dataplane> dataplanes = new EnumMap<>(Subject.class);
            try {
                for (Subject subject : Subject.values()) dataplanes.put(subject, Dataplane.of(subject, lab));
                for (int scale : plan.scales()) {
                    Map<Subject, ServiceSet> services = install(lab, dataplanes, scale);
                    Rounds rounds = new Rounds(tool, lab, plan, scale, services, trials, programTime);
                    rounds.warmUp();
                    for (int trial = 0; trial < plan.trials(); trial++) rounds.measure();
                    rounds.profile();
                }
                programTime.write(Path.of(System.getProperty("ferry.bench.results", "bench/target/results"), "traffic-profile.md"));
            } finally {
                for (Dataplane dataplane : dataplanes.values()) {
                    try {
                        dataplane.close();
                    } catch (RuntimeException e) {
                        System.err.println("traffic: removing a dataplane: " + e.getMessage());
                    }
                }
            }
        }
        return results(trials);
    }

    /** Every subject installs the scale at once, on its own nodes: the two cores share the work. */
    private static Map<Subject, ServiceSet> install(TrafficLab lab, Map<Subject, Dataplane> dataplanes, int scale)
            throws Exception {
        Map<Subject, ServiceSet> services = new EnumMap<>(Subject.class);
        Map<Subject, Future<?>> done = new EnumMap<>(Subject.class);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Subject subject : Subject.values()) {
                ServiceSet set = ServiceSet.of(scale, lab.cluster(subject).backendIps());
                services.put(subject, set);
                done.put(subject, pool.submit(() -> {
                    long start = System.nanoTime();
                    dataplanes.get(subject).install(set);
                    System.err.printf("traffic: %s installed %d services in %.1f s%n", subject.label, scale,
                            (System.nanoTime() - start) / 1e9);
                    return null;
                }));
            }
            for (var entry : done.entrySet()) {
                try {
                    entry.getValue().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(entry.getKey().label + " failed to install " + scale + " services: "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        return services;
    }

    static String key(Scenario scenario, Subject subject, int scale, String metric) {
        return scenario.label + "\t" + subject.label + "\t" + scale + "\t" + metric;
    }

    private static List<Result> results(Map<String, List<Double>> trials) {
        List<Result> results = new ArrayList<>();
        trials.forEach((key, values) -> {
            String[] k = key.split("\t");
            String metric = k[3];
            boolean rate = metric.equals(Rounds.RATE) || metric.equals(Rounds.THROUGHPUT);
            String unit = metric.equals(Rounds.RATE) ? "1/s" : metric.equals(Rounds.THROUGHPUT) ? "Gbit/s" : "µs";
            results.add(new Result(GROUP, k[0], k[1], Integer.parseInt(k[2]), metric, unit, rate, values));
        });
        return results;
    }
}
