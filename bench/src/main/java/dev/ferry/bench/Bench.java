package dev.ferry.bench;

import dev.ferry.bench.report.DocsPage;
import dev.ferry.bench.report.Machine;
import dev.ferry.bench.report.Report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code Bench quick|full [section...]} measures the named sections (all by default), keeps each
 * section's results in {@code bench/target/results/MODE/SECTION.tsv} (and the profile a section
 * may write next to them, SECTION-profile.md), then writes the report from every section kept
 * for that mode. {@code Bench report quick|full} only writes the report.
 * <p>
 * A quick report goes to bench/target/benchmarks.{md,png}; a full one into docs/benchmarks.md
 * (its generated region) and docs/benchmarks.png. Run from the project root.
 */
public final class Bench {
    /** Section name -> class, in the order a whole run measures them. */
    private static final Map<String, String> SECTIONS = new LinkedHashMap<>();

    static {
        SECTIONS.put("packet", "dev.ferry.bench.packet.PacketCost");
        SECTIONS.put("traffic", "dev.ferry.bench.traffic.Traffic");
        SECTIONS.put("control", "dev.ferry.bench.control.ControlPlane");
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        boolean reportOnly = args.length > 0 && args[0].equals("report");
        List<String> rest = List.of(args).subList(reportOnly ? 1 : 0, args.length);
        if (rest.isEmpty() || !List.of("quick", "full").contains(rest.getFirst())) {
            System.err.println("usage: Bench quick|full [" + String.join("|", SECTIONS.keySet()) + "...]\n"
                    + "       Bench report quick|full");
            System.exit(2);
        }
        Mode mode = Mode.valueOf(rest.getFirst().toUpperCase());
        Path dir = Path.of("bench/target/results", mode.name().toLowerCase());
        System.setProperty("ferry.bench.results", dir.toString()); // where sections write their profiles
        if (!reportOnly) {
            List<String> names = rest.size() > 1 ? rest.subList(1, rest.size()) : List.copyOf(SECTIONS.keySet());
            for (String name : names) measure(name, mode, dir);
        }
        report(mode, dir);
        // A peer's server left running (see SeededApiServer.close) must not keep the run from ending.
        System.exit(0);
    }

    private static void measure(String name, Mode mode, Path dir) throws Exception {
        String className = SECTIONS.get(name);
        if (className == null) throw new IllegalArgumentException("unknown section " + name + "; known: " + SECTIONS.keySet());
        Benchmark benchmark = (Benchmark) Class.forName(className).getConstructor().newInstance();
        long start = System.nanoTime();
        List<Result> results = new ArrayList<>(benchmark.run(mode));
        ResultsFile.write(dir.resolve(name + ".tsv"), results);
        results.forEach(r -> System.out.printf("%-8s %-36s %-16s %7d %-16s %12.3f %-6s ±%4.1f%%%n", r.group(),
                r.scenario(), r.subject(), r.services(), r.metric(), r.median(), r.unit(), 100 * r.spread()));
        System.out.printf("%s: %d results in %.0f s, kept in %s%n", name, results.size(),
                (System.nanoTime() - start) / 1e9, dir.resolve(name + ".tsv"));
    }

    private static void report(Mode mode, Path dir) throws IOException, InterruptedException {
        List<Result> results = new ArrayList<>();
        for (String name : SECTIONS.keySet()) {
            Path file = dir.resolve(name + ".tsv");
            if (Files.exists(file)) results.addAll(ResultsFile.read(file));
        }
        if (results.isEmpty()) throw new IllegalStateException("no results kept in " + dir + "; measure first");
        Path png = mode.full() ? Path.of("docs/benchmarks.png") : Path.of("bench/target/benchmarks.png");
        List<String> profiles = new ArrayList<>();
        for (String name : SECTIONS.keySet()) {
            Path profile = dir.resolve(name + "-profile.md");
            if (Files.exists(profile)) profiles.add(Files.readString(profile));
        }
        String markdown = Report.markdown(results, profiles, Machine.current(), "scripts/bench.sh " + mode.name().toLowerCase())
                + "\n![Ferry against its floor and its peers](" + png.getFileName() + ")\n";
        if (mode.full()) {
            DocsPage.replaceGenerated(Path.of("docs/benchmarks.md"), markdown);
        } else {
            Files.writeString(Path.of("bench/target/benchmarks.md"), markdown);
        }
        chart(dir, png);
        System.out.println();
        System.out.println(markdown);
        System.out.println("report: " + (mode.full() ? "docs/benchmarks.md" : "bench/target/benchmarks.md") + ", chart: " + png);
    }

    /** Debian's python3 with python3-matplotlib (scripts/bench.sh installs it); a pyenv python may lack it. */
    private static void chart(Path dir, Path png) throws IOException, InterruptedException {
        List<String> command = Stream.of("/usr/bin/python3", "bench/chart.py", dir.toString(), png.toString()).toList();
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("the chart failed: " + String.join(" ", command));
    }
}
