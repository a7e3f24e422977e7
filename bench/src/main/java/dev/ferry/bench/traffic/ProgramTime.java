package dev.ferry.bench.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;

/**
 * Where Ferry's connections spend their time in its programs: the kernel's own accounting
 * ({@code kernel.bpf_stats_enabled}, run count and run time per program, read with
 * {@code bpftool prog show}) taken before and after connection-rate runs of Ferry's made for this
 * profile alone, when only Ferry's copy of the cluster carries traffic. Only Ferry's programs
 * count: the pod interfaces' TC programs, the node interfaces' XDP one and the host sockets'
 * cgroup hooks. The accounting costs two clock reads a program run (sched_clock, a paravirtual
 * clock read on this KVM guest), some 30 runs of a connection through Ferry and 2 through
 * anyone else's, so it is off for every reported trial and on only around these runs.
 */
final class ProgramTime implements AutoCloseable {
    private static final Path STATS = Path.of("/proc/sys/kernel/bpf_stats_enabled");
    private static final List<String> PROGRAMS = List.of("from_pod", "to_pod", "from_node");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String before;
    /** "scenario | services" -> what Ferry's trials there spent. */
    private final Map<String, Spent> spent = new TreeMap<>();

    /** Connections made, and per program its runs and run time (ns). */
    private static final class Spent {
        double connections;
        final Map<String, long[]> programs = new TreeMap<>();
    }

    private ProgramTime(String before) {
        this.before = before;
    }

    /** Turns the accounting off until {@link #around} and remembers how it was, for {@link #close}. */
    static ProgramTime start() {
        String before = readStats();
        accounting(false);
        return new ProgramTime(before);
    }

    /** Runs a connection-rate run of Ferry's with the accounting on and adds what its programs spent. */
    void around(Scenario scenario, int services, double seconds, DoubleSupplier run) {
        accounting(true);
        Map<String, long[]> start, end;
        double rate;
        try {
            start = sample();
            rate = run.getAsDouble();
            end = sample();
        } finally {
            accounting(false);
        }
        Spent into = spent.computeIfAbsent(scenario.label + " | " + services, k -> new Spent());
        end.forEach((program, now) -> {
            long[] was = start.getOrDefault(program, new long[2]);
            long[] sum = into.programs.computeIfAbsent(program, k -> new long[2]);
            sum[0] += now[0] - was[0];
            sum[1] += now[1] - was[1];
        });
        into.connections += rate * seconds;
    }

    private static String readStats() {
        try {
            return Files.readString(STATS).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + STATS, e);
        }
    }

    private static void accounting(boolean on) {
        try {
            Files.writeString(STATS, on ? "1" : "0");
        } catch (IOException e) {
            throw new UncheckedIOException("turning " + (on ? "on" : "off") + " the kernel's BPF run-time accounting", e);
        }
    }

    /** Program name -> {run count, run time ns}, summed over the programs of that name. */
    private static Map<String, long[]> sample() {
        Map<String, long[]> out = new TreeMap<>();
        try {
            for (JsonNode program : JSON.readTree(Shell.run(List.of("bpftool", "prog", "show", "--json")))) {
                String name = program.path("name").asText();
                boolean ferry = PROGRAMS.contains(name) || name.startsWith("sock_");
                if (!ferry || !program.has("run_cnt")) continue;
                long[] sum = out.computeIfAbsent(name, k -> new long[2]);
                sum[0] += program.get("run_cnt").asLong();
                sum[1] += program.get("run_time_ns").asLong();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading bpftool's program list", e);
        }
        return out;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("""
                # Traffic profile (bench/…/traffic/ProgramTime)

                How: the kernel's accounting of Ferry's programs (`kernel.bpf_stats_enabled`, read with
                `bpftool prog show`) before and after connection-rate runs of Ferry's made for this profile
                after each scale's trials (the accounting costs two clock reads a program run, so it is off
                for the reported trials), when only Ferry's copy of the cluster carries traffic; connections
                are each run's rate times its length. A packet between the nodes crosses one `from_pod` (leaving its pod), one `from_node`
                (the receiving node's XDP) and one `to_pod` (into its pod); the `sock_` hooks run for every
                socket of the machine, the lab's own included.

                | scenario | services | program | runs per connection | ns per run | µs per connection |
                |---|---:|---|---:|---:|---:|
                """);
        spent.forEach((key, s) -> {
            double totalNs = 0;
            for (var p : s.programs.entrySet()) {
                long runs = p.getValue()[0], ns = p.getValue()[1];
                if (runs == 0) continue;
                totalNs += ns;
                md.append(String.format("| %s | %s | %.1f | %.0f | %.2f |%n", key, p.getKey(), runs / s.connections,
                        (double) ns / runs, ns / s.connections / 1e3));
            }
            md.append(String.format("| %s | all | | | %.2f |%n", key, totalNs / s.connections / 1e3));
        });
        return md.append('\n').toString();
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, markdown());
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            Files.writeString(STATS, before);
        } catch (IOException e) {
            throw new UncheckedIOException("restoring kernel.bpf_stats_enabled", e);
        }
    }
}
