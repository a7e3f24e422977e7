package dev.ferry.bench.traffic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * The measuring loop of one scale: each round runs every metric of every scenario for every
 * subject once, subjects taking turns, and appends one trial to each. A failed client run (a
 * refused, reset or timed-out connection) is logged and run again, up to {@link #ATTEMPTS} times
 * in all: at thousands of connections a second a rare reset of a reused port happens on every
 * path, plain routing included (seen once in a FULL run at 10,000 services, and once twice in a
 * row, for plain routing, which ended a FULL run). As many failures in a row end the benchmark
 * with the subject named: nothing on these paths may drop for real.
 */
final class Rounds {
    static final String RATE = "connections/s", P50 = "latency p50", P99 = "latency p99", THROUGHPUT = "throughput";
    private static final double WARM_UP_SECONDS = 0.5;
    private static final int PROFILE_RUNS = 2;
    private static final int ATTEMPTS = 3;

    private final LoadTool tool;
    private final TrafficLab lab;
    private final Traffic.Plan plan;
    private final int scale;
    private final Map<Subject, ServiceSet> services;
    private final Map<String, List<Double>> trials;
    private final ProgramTime programTime;

    Rounds(LoadTool tool, TrafficLab lab, Traffic.Plan plan, int scale, Map<Subject, ServiceSet> services,
           Map<String, List<Double>> trials, ProgramTime programTime) {
        this.tool = tool;
        this.lab = lab;
        this.plan = plan;
        this.scale = scale;
        this.services = services;
        this.trials = trials;
        this.programTime = programTime;
    }

    /** One short connection-rate run per path: fills neighbour caches and proves each path answers. */
    void warmUp() {
        for (Scenario scenario : plan.scenarios()) {
            for (Subject subject : Subject.values()) {
                run(scenario, subject, "warm-up", () -> tool.connectionRate(ns(scenario, subject), WARM_UP_SECONDS,
                        targets(scenario, subject)));
            }
        }
    }

    void measure() {
        for (Scenario scenario : plan.scenarios()) {
            for (Subject subject : Subject.values()) {
                String ns = ns(scenario, subject);
                List<String> targets = targets(scenario, subject);
                DoubleSupplier rate = () -> tool.connectionRate(ns, plan.crrSeconds(), targets);
                add(scenario, subject, RATE, run(scenario, subject, RATE, rate::getAsDouble));
                LoadTool.Latency latency = run(scenario, subject, "latency",
                        () -> tool.latency(ns, plan.rrSeconds(), targets.getFirst()));
                add(scenario, subject, P50, latency.p50());
                add(scenario, subject, P99, latency.p99());
                if (plan.throughput()) {
                    add(scenario, subject, THROUGHPUT, run(scenario, subject, THROUGHPUT,
                            () -> tool.throughput(ns, plan.streamSeconds(), targets.getFirst())));
                }
            }
        }
    }

    /**
     * Connection-rate runs of Ferry's for the traffic profile ({@link ProgramTime}), after the
     * trials: the kernel's accounting they need would cost Ferry's reported trials alone.
     */
    void profile() {
        for (Scenario scenario : plan.scenarios()) {
            String ns = ns(scenario, Subject.FERRY);
            List<String> targets = targets(scenario, Subject.FERRY);
            for (int i = 0; i < PROFILE_RUNS; i++) {
                run(scenario, Subject.FERRY, "profile", () -> {
                    programTime.around(scenario, scale, plan.crrSeconds(),
                            () -> tool.connectionRate(ns, plan.crrSeconds(), targets));
                    return null;
                });
            }
        }
    }

    private String ns(Scenario scenario, Subject subject) {
        return scenario.clientNs(lab, lab.cluster(subject));
    }

    private List<String> targets(Scenario scenario, Subject subject) {
        return scenario.targets(lab, lab.cluster(subject), services.get(subject));
    }

    private void add(Scenario scenario, Subject subject, String metric, double value) {
        trials.computeIfAbsent(Traffic.key(scenario, subject, scale, metric), k -> new ArrayList<>()).add(value);
    }

    private interface Measurement<T> {
        T get();
    }

    private <T> T run(Scenario scenario, Subject subject, String what, Measurement<T> measurement) {
        String where = subject.label + ", " + scenario.label + ", " + scale + " services, " + what;
        for (int attempt = 1; ; attempt++) {
            try {
                return measurement.get();
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS) throw new IllegalStateException(where + ", " + ATTEMPTS + " times in a row: " + e.getMessage(), e);
                System.err.println("traffic: " + where + " failed, measuring it again: " + e.getMessage());
            }
        }
    }
}
