package dev.ferry.bench.packet;

import dev.ferry.bench.Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What costs most, from measurements only: each path next to the same path doing less (a frame
 * that is no service's, an established flow), all timed alike in the kernel's repeat loop, so
 * the differences of their medians are the cost of the stages in between. Printed, and written
 * as Markdown.
 */
final class StageProfile {
    static final String XDP_MISS = "XDP, no service (parse, conntrack and service lookups miss)";
    static final String XDP_POD = "XDP, pod to pod between nodes (no frontend's address: passed after parsing)";
    static final String TC_MISS = "TC, pod to pod, no service (parse, conntrack and service lookups miss)";
    static final String TC_POD = "TC, pod to pod, established (no service's address: passed after the address filter)";
    /** Scale -> stage -> its trials and the empty program's run next to them. */
    private final Map<Integer, Map<String, Stage>> stages = new TreeMap<>();
    private final List<Double> xdpRestore = new ArrayList<>(), tcRestore = new ArrayList<>();
    private final List<Double> xdpFloor = new ArrayList<>(), tcFloor = new ArrayList<>();

    /** A path's trials (ns per packet) and, one each, the empty program's trials run just before them. */
    record Trials(List<Double> pathNs, List<Double> floorNs) {
    }

    private record Stage(Result path, double floorNs) {
    }

    static double median(List<Double> values) {
        return result("median", 0, values).median();
    }

    private static Result result(String stage, int scale, List<Double> trials) {
        return new Result(PacketCost.GROUP, stage, "stage", scale, PacketCost.METRIC, PacketCost.UNIT, false, trials);
    }

    /** One trial's restore-only run, subtracted from the path's: reported, for scale. */
    void restore(boolean isXdp, double ns) {
        (isXdp ? xdpRestore : tcRestore).add(ns);
    }

    void stage(int scale, String name, Trials trials) {
        (name.startsWith("XDP") ? xdpFloor : tcFloor).addAll(trials.floorNs());
        stages.computeIfAbsent(scale, s -> new LinkedHashMap<>())
                .put(name, new Stage(result(name, scale, trials.pathNs()), median(trials.floorNs())));
    }

    private double ns(int scale, String stage) {
        Stage s = stages.getOrDefault(scale, Map.of()).get(stage);
        return s == null ? Double.NaN : s.path().median();
    }

    /** The empty program's median next to a path's trials. */
    private double floorNs(int scale, String stage) {
        Stage s = stages.getOrDefault(scale, Map.of()).get(stage);
        return s == null ? Double.NaN : s.floorNs();
    }

    /** Stage differences: what the second path does beyond the first, and what that costs. */
    private List<String> differences(int scale) {
        String[][] pairs = {
                {"XDP parse and the frontend address filter, beyond the empty program", null, XDP_POD},
                {"XDP parse and lookups that miss, beyond the empty program", null, XDP_MISS},
                {"XDP established: flow cache or conntrack hit, DNAT+SNAT rewrite, next hop, XDP_TX", XDP_MISS,
                        "XDP NodePort, established"},
                {"XDP established, one hot flow: the same with its entries in the caches", XDP_MISS,
                        "XDP NodePort, established, one flow"},
                {"XDP established, 10,000 flows after churn against one hot flow: cache misses",
                        "XDP NodePort, established, one flow", "XDP NodePort, established"},
                {"XDP new flow: service and backend lookups, SNAT port search, two conntrack inserts evicting LRU entries",
                        "XDP NodePort, established", "XDP NodePort, new flow"},
                {"TC parse, the policy endpoint lookup and the address filter, beyond the empty program", null, TC_POD},
                {"TC parse and lookups that miss, beyond the empty program", null, TC_MISS},
                {"TC established: conntrack hit, DNAT with the skb helpers", TC_MISS, "TC ClusterIP, established"},
                {"TC established, one hot flow: the same with its entries in the caches", TC_MISS,
                        "TC ClusterIP, established, one flow"},
                {"TC established, 10,000 flows after churn against one hot flow: cache misses",
                        "TC ClusterIP, established, one flow", "TC ClusterIP, established"},
                {"TC new flow: service and backend lookups, conntrack inserts evicting LRU entries",
                        "TC ClusterIP, established", "TC ClusterIP, new flow"},
                {"egress policy on a new flow: ipcache and policy LPM lookups, policy conntrack insert",
                        "TC ClusterIP, new flow", "TC ClusterIP + policy, new flow"},
                {"egress policy on an established flow: policy conntrack lookup",
                        "TC ClusterIP, established", "TC ClusterIP + policy, established"},
        };
        List<String> lines = new ArrayList<>();
        for (String[] p : pairs) {
            double base = p[1] != null ? ns(scale, p[1]) : floorNs(scale, p[2]);
            double diff = ns(scale, p[2]) - base;
            if (!Double.isNaN(diff)) lines.add(String.format("| %s | %+.1f |", p[0], diff));
        }
        return lines;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("""
                # Per-packet profile (bench/…/packet/PacketCost)

                How: BPF_PROG_TEST_RUN's repeat loop (1,000,000 repetitions per trial; QUICK 100,000), the
                kernel's own ns per repetition. Ferry's paths run through wrappers that restore the frame and
                vary the flow before each repetition (bpf/src/bench_frame.h); every path's number is
                wrapped - restore-only + the empty program, so it is that path's cost in place of the empty
                program, whose trial runs right before each of the path's: "× empty" divides by the empty
                program's median next to that path. Medians of 5 trials. Stage costs are differences between
                the medians of paths that do more and paths that do less, not samples inside one run.

                """);
        md.append(String.format("Empty programs: XDP %.1f ns, TC %.1f ns. Restore-only (subtracted): XDP %.1f ns, "
                        + "TC %.1f ns (medians over all trials).%n%n", median(xdpFloor), median(tcFloor), median(xdpRestore),
                median(tcRestore)));
        for (var scale : stages.entrySet()) {
            md.append("## ").append(scale.getKey()).append(" services\n\n| path | ns/packet | ± | × empty |\n|---|---:|---:|---:|\n");
            for (Stage s : scale.getValue().values()) {
                Result r = s.path();
                md.append(String.format("| %s | %.1f | %.1f%% | %.2f |%n", r.scenario(), r.median(), 100 * r.spread(),
                        r.median() / s.floorNs()));
            }
            md.append("\n| stage (difference of medians) | ns |\n|---|---:|\n");
            differences(scale.getKey()).forEach(l -> md.append(l).append('\n'));
            md.append('\n');
        }
        if (stages.size() > 1) md.append(scaling());
        return md.toString();
    }

    /** Each path at the largest scale against the smallest: the goal is within 10%. */
    private String scaling() {
        int low = ((TreeMap<Integer, ?>) stages).firstKey(), high = ((TreeMap<Integer, ?>) stages).lastKey();
        StringBuilder md = new StringBuilder("## " + high + " services against " + low + "\n\n| path | change |\n|---|---:|\n");
        for (String stage : stages.get(low).keySet()) {
            md.append(String.format("| %s | %+.1f%% |%n", stage, 100 * (ns(high, stage) / ns(low, stage) - 1)));
        }
        return md.append('\n').toString();
    }

    void write(Path file) {
        String md = markdown();
        System.out.print(md);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, md);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}
