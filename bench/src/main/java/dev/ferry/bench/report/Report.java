package dev.ferry.bench.report;

import dev.ferry.bench.Result;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The markdown the docs publish: where it was measured, the issue's goals against this run, and
 * per section one table whose rows are (scenario, metric, services) buckets and whose columns
 * are Ferry, every peer or floor measured in that section, and Ferry divided by each of them.
 * Values are medians of the trials with their spread (± half the min-max range).
 */
public final class Report {
    private static final Map<String, String> SECTION_TITLES = Map.of(
            "packet", "Per packet (BPF_PROG_TEST_RUN)",
            "traffic", "Real traffic through the lab",
            "control", "Control plane");

    private Report() {
    }

    /** @param profiles the sections' own markdown about where their time goes, headings demoted under "Profiles" */
    public static String markdown(List<Result> results, List<String> profiles, Machine machine, String runDescription) {
        StringBuilder md = new StringBuilder();
        md.append("Measured by `").append(runDescription).append("` on:\n\n").append(machine.markdown()).append('\n');
        md.append("### Goals\n\n").append(goals(results)).append('\n');
        for (String group : groups(results)) {
            md.append("### ").append(SECTION_TITLES.getOrDefault(group, group)).append("\n\n");
            md.append(table(results.stream().filter(r -> r.group().equals(group)).toList())).append('\n');
        }
        if (!profiles.isEmpty()) md.append("### Profiles\n\n");
        profiles.forEach(p -> md.append(p.replaceAll("(?m)^#", "###")).append('\n'));
        return md.toString();
    }

    static String goals(List<Result> results) {
        StringBuilder md = new StringBuilder("| goal | target | measured | |\n|---|---|---|---|\n");
        for (Goal goal : Goal.ofIssue6()) {
            Optional<Double> value = goal.value(results);
            md.append("| ").append(goal.what()).append(" | ").append(goal.atMost() ? "≤ " : "≥ ")
                    .append(String.format(goal.format(), goal.bound())).append(" | ")
                    .append(value.map(v -> String.format(goal.format(), v)).orElse("not measured")).append(" | ")
                    .append(value.map(v -> goal.met(v) ? "met" : "**missed**").orElse("")).append(" |\n");
        }
        return md.toString();
    }

    /** One section's table. Lower is better for times and sizes, higher for rates: see the unit. */
    static String table(List<Result> section) {
        List<List<String>> peers = columns(section);
        boolean scales = section.stream().filter(Result::isFerry).map(Result::services).distinct().count() > 1;
        Map<String, Map<String, Result>> buckets = new LinkedHashMap<>();
        section.stream().sorted(bucketOrder(section))
                .forEach(r -> buckets.computeIfAbsent(r.bucket(), b -> new LinkedHashMap<>()).put(r.subject(), r));

        List<String> header = new ArrayList<>(List.of("scenario", "metric", "services", Result.FERRY));
        peers.forEach(p -> header.add(String.join(" / ", p)));
        peers.forEach(p -> header.add("Ferry ÷ " + String.join(" / ", p)));
        if (scales) header.add("Ferry ÷ Ferry at fewest services");
        StringBuilder md = new StringBuilder(row(header));
        md.append(row(header.stream().map(h -> "---").toList()));
        for (Map<String, Result> bucket : buckets.values()) {
            Result any = bucket.values().iterator().next();
            Result ferry = bucket.get(Result.FERRY);
            List<String> cells = new ArrayList<>(List.of(any.scenario(), metric(any), String.format("%,d", any.services()),
                    cell(ferry)));
            peers.forEach(p -> cells.add(cell(inBucket(bucket, p))));
            peers.forEach(p -> cells.add(ratio(ferry, inBucket(bucket, p))));
            if (scales) cells.add(ratio(ferry, smallestScale(section, ferry)));
            md.append(row(cells));
        }
        return md.toString();
    }

    /**
     * The peer columns: subjects other than Ferry in the order measured, where subjects that never
     * share a bucket share a column ("empty XDP / empty TC", the floor of each path).
     */
    private static List<List<String>> columns(List<Result> section) {
        Map<String, Set<String>> bucketsOf = new LinkedHashMap<>();
        section.stream().filter(r -> !r.isFerry())
                .forEach(r -> bucketsOf.computeIfAbsent(r.subject(), s -> new HashSet<>()).add(r.bucket()));
        List<List<String>> columns = new ArrayList<>();
        List<Set<String>> taken = new ArrayList<>();
        bucketsOf.forEach((subject, buckets) -> {
            for (int i = 0; i < columns.size(); i++) {
                if (Collections.disjoint(taken.get(i), buckets)) {
                    columns.get(i).add(subject);
                    taken.get(i).addAll(buckets);
                    return;
                }
            }
            columns.add(new ArrayList<>(List.of(subject)));
            taken.add(new HashSet<>(buckets));
        });
        return columns;
    }

    private static Result inBucket(Map<String, Result> bucket, List<String> column) {
        return column.stream().map(bucket::get).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** Scenarios and metrics in the order measured, services ascending within them. */
    private static Comparator<Result> bucketOrder(List<Result> section) {
        List<String> scenarios = section.stream().map(Result::scenario).distinct().toList();
        List<String> metrics = section.stream().map(Result::metric).distinct().toList();
        return Comparator.<Result>comparingInt(r -> scenarios.indexOf(r.scenario()))
                .thenComparingInt(r -> metrics.indexOf(r.metric()))
                .thenComparingInt(Result::services);
    }

    private static Result smallestScale(List<Result> section, Result ferry) {
        if (ferry == null) return null;
        return section.stream().filter(r -> r.isFerry() && r.scenario().equals(ferry.scenario())
                        && r.metric().equals(ferry.metric()))
                .min(Comparator.comparingInt(Result::services)).filter(r -> r != ferry).orElse(null);
    }

    private static List<String> groups(List<Result> results) {
        Set<String> groups = new LinkedHashSet<>();
        results.forEach(r -> groups.add(r.group()));
        return List.copyOf(groups);
    }

    private static String metric(Result r) {
        return r.unit().equals("1/s") ? r.metric() : r.metric() + " (" + r.unit() + ")";
    }

    private static String cell(Result r) {
        if (r == null) return "—";
        return number(r.median()) + " ±" + Math.round(100 * r.spread()) + "%";
    }

    private static String ratio(Result top, Result bottom) {
        if (top == null || bottom == null || bottom.median() == 0) return "—";
        return String.format("%.2f", top.median() / bottom.median());
    }

    /** Three significant digits at most, grouped thousands: 72.4, 3,572, 0.936. */
    static String number(double v) {
        double a = Math.abs(v);
        if (a >= 100) return String.format("%,.0f", v);
        if (a >= 10) return String.format("%.1f", v);
        return String.format("%.2f", v);
    }

    private static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }
}
