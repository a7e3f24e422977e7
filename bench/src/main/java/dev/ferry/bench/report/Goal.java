package dev.ferry.bench.report;

import dev.ferry.bench.Result;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One target of issue 6, checked against the results of a run: a measured value (a median, or
 * a ratio of two medians) and the bound it must stay within.
 *
 * @param what      the goal as the docs state it
 * @param measured  how the value is taken from the results; empty when that section did not run
 * @param bound     the target
 * @param atMost    true for "at most bound", false for "at least bound"
 * @param format    how value and bound print, e.g. "%.2f×" or "%.0f ms"
 */
public record Goal(String what, java.util.function.Function<List<Result>, Optional<Double>> measured, double bound,
                   boolean atMost, String format) {

    public Optional<Double> value(List<Result> results) {
        return measured.apply(results);
    }

    public boolean met(double value) {
        return atMost ? value <= bound : value >= bound;
    }

    /**
     * The goals of issue 6, in the order the issue lists them. Two are checked more than one way,
     * so that no reading hides another: the XDP path on one hot flow and on 10,000 churned flows,
     * and one change three ways: from the client's API call, from the API server taking it up,
     * and as the agent's own part.
     */
    public static List<Goal> ofIssue6() {
        return List.of(
                // One flow: the path's own cost, its entries in the caches as the empty program's frame is.
                new Goal("XDP NodePort, established, one flow ÷ empty XDP, at 1 service",
                        r -> ratio(r, floorOf("XDP NodePort, established, one flow", 1, "empty XDP")), 3, true, "%.2f×"),
                // 10,000 flows after millions of new ones: the same path missing the caches, as on a busy node.
                new Goal("XDP NodePort, established, 10,000 flows ÷ empty XDP, at 1 service",
                        r -> ratio(r, floorOf("XDP NodePort, established", 1, "empty XDP")), 3, true, "%.2f×"),
                new Goal("per-packet cost at 100,000 ÷ at 1 service, worst path",
                        Goal::worstScaleRatio, 1.10, true, "%.3f×"),
                new Goal("pod → ClusterIP connections/s at 10,000 services ÷ iptables",
                        r -> ratio(r, crr("iptables")), 1.5, false, "%.2f×"),
                new Goal("pod → ClusterIP connections/s at 10,000 services ÷ plain routing",
                        r -> ratio(r, crr("plain routing")), 0.9, false, "%.2f×"),
                new Goal("full sync of 10,000 × 10",
                        r -> median(r, ferry("control", "full sync 10,000 × 10", "time")), 1000, true, "%.0f ms"),
                // From the client's API call until the maps route to the new address: the mock API server's answer included.
                new Goal("one endpoint change, p99",
                        r -> median(r, ferry("control", "one endpoint change", "p99")), 5, true, "%.2f ms"),
                // From the API server taking the update up (the change exists) until the maps route to it.
                new Goal("one endpoint change, p99, from the API server taking it up",
                        r -> median(r, ferry("control", "one endpoint change", "p99, from the API server")), 5, true, "%.2f ms"),
                // From the watch event's arrival until the pass that wrote it ended: what Ferry itself adds.
                new Goal("one endpoint change, p99, the agent's part",
                        r -> median(r, ferry("control", "one endpoint change", "p99, agent only")), 5, true, "%.2f ms"),
                new Goal("agent resident memory",
                        r -> median(r, ferry("control", "agent memory", "RSS")), 256, true, "%.0f MiB"));
    }

    private record Pair(Predicate<Result> numerator, Predicate<Result> denominator) {
    }

    private static Pair floorOf(String scenario, int services, String floor) {
        return new Pair(r -> r.group().equals("packet") && r.scenario().equals(scenario) && r.services() == services
                && r.isFerry(),
                r -> r.group().equals("packet") && r.scenario().equals(scenario) && r.services() == services
                        && r.subject().equals(floor));
    }

    private static Pair crr(String peer) {
        Predicate<Result> bucket = r -> r.group().equals("traffic") && r.scenario().equals("pod → ClusterIP")
                && r.services() == 10_000 && r.metric().equals("connections/s");
        return new Pair(bucket.and(Result::isFerry), bucket.and(r -> r.subject().equals(peer)));
    }

    private static Predicate<Result> ferry(String group, String scenario, String metric) {
        return r -> r.group().equals(group) && r.scenario().equals(scenario) && r.metric().equals(metric) && r.isFerry();
    }

    private static Optional<Double> median(List<Result> results, Predicate<Result> which) {
        return results.stream().filter(which).findFirst().map(Result::median);
    }

    private static Optional<Double> ratio(List<Result> results, Pair pair) {
        Optional<Double> top = median(results, pair.numerator());
        Optional<Double> bottom = median(results, pair.denominator());
        return top.isPresent() && bottom.isPresent() ? Optional.of(top.get() / bottom.get()) : Optional.empty();
    }

    /** The largest "at 100,000 ÷ at 1" over the per-packet paths. */
    private static Optional<Double> worstScaleRatio(List<Result> results) {
        return results.stream().filter(r -> r.group().equals("packet") && r.isFerry() && r.services() == 100_000)
                .map(big -> median(results, r -> r.isFerry() && r.group().equals("packet")
                        && r.scenario().equals(big.scenario()) && r.services() == 1).map(small -> big.median() / small))
                .flatMap(Optional::stream).max(Double::compare);
    }
}
