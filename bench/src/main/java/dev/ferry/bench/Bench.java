package dev.ferry.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Bench quick|full [section...]}: runs the named sections (all by default), prints each
 * result and keeps them in {@code bench/target/results/SECTION.tsv}.
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
        if (args.length == 0 || !List.of("quick", "full").contains(args[0])) {
            System.err.println("usage: Bench quick|full [" + String.join("|", SECTIONS.keySet()) + "...]");
            System.exit(2);
        }
        Mode mode = Mode.valueOf(args[0].toUpperCase());
        List<String> names = args.length > 1 ? List.of(args).subList(1, args.length) : List.copyOf(SECTIONS.keySet());
        Path dir = Path.of(System.getProperty("ferry.bench.results", "bench/target/results"));
        for (String name : names) {
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
    }
}
