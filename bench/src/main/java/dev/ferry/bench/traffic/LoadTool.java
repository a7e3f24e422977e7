package dev.ferry.bench.traffic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * bench/native/ferry-load.c, compiled at run time into bench/target with clang or gcc, and its
 * clients run inside a namespace pinned to one CPU. Each run prints one line, parsed here.
 */
final class LoadTool {
    static final int CLIENT_CPU = 0, SERVER_CPU = 1;

    /** p50 and p99 of one request/response run, in µs. */
    record Latency(double p50, double p99) {
    }

    private final Path binary;

    private LoadTool(Path binary) {
        this.binary = binary;
    }

    /** Compiles the tool (again, if the source changed); fails clearly without a C compiler. */
    static LoadTool build() throws IOException {
        Path source = Path.of("bench/native/ferry-load.c");
        if (!Files.exists(source)) throw new IOException(source.toAbsolutePath() + " not found: run from the repository root");
        Path binary = Path.of("bench/target/ferry-load");
        if (Files.exists(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return new LoadTool(binary.toAbsolutePath());
        }
        String compiler = compiler();
        Files.createDirectories(binary.getParent());
        Shell.run(List.of(compiler, "-O2", "-Wall", "-o", binary.toString(), source.toString()));
        return new LoadTool(binary.toAbsolutePath());
    }

    private static String compiler() throws IOException {
        for (String candidate : List.of("clang", "gcc", "cc")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, candidate))) return candidate;
            }
        }
        throw new IOException("the traffic benchmark compiles bench/native/ferry-load.c and needs clang or gcc;"
                + " neither is on PATH (scripts/setup.sh installs clang)");
    }

    /** A server on {@code port} in the namespace, pinned to the server CPU; the caller kills it. */
    Process startServer(String netns, int port) throws IOException {
        Process server = new ProcessBuilder(Shell.pinned(SERVER_CPU, Shell.inNs(netns, binary.toString(), "server",
                Integer.toString(port)))).redirectErrorStream(true).start();
        String first = new String(server.getInputStream().readNBytes(("listening " + port + "\n").length()));
        if (!first.startsWith("listening")) {
            server.destroyForcibly();
            throw new IOException("ferry-load server in " + netns + " did not start: " + first);
        }
        return server;
    }

    /** New connections per second, cycling over the targets ("ip:port"). */
    double connectionRate(String netns, double seconds, List<String> targets) {
        List<String> args = new ArrayList<>(List.of("crr", Double.toString(seconds)));
        args.addAll(targets);
        return value(client(netns, args), "connections/s");
    }

    Latency latency(String netns, double seconds, String target) {
        String out = client(netns, List.of("rr", Double.toString(seconds), target));
        return new Latency(value(out, "p50_us"), value(out, "p99_us"));
    }

    double throughput(String netns, double seconds, String target) {
        return value(client(netns, List.of("stream", Double.toString(seconds), target)), "gbit/s");
    }

    private String client(String netns, List<String> args) {
        List<String> argv = new ArrayList<>(List.of(binary.toString()));
        argv.addAll(args);
        return Shell.run(Shell.pinned(CLIENT_CPU, Shell.inNs(netns, argv.toArray(String[]::new))));
    }

    /** The number after {@code key} in the tool's one-line answer. */
    private static double value(String out, String key) {
        String[] words = out.strip().split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals(key)) return Double.parseDouble(words[i + 1]);
        }
        throw new IllegalStateException("ferry-load printed no " + key + ": " + out);
    }
}
