package dev.ferry.agent.lab;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** How to start another ferry process: this JVM's java binary and ferry.jar. */
final class Jars {
    private Jars() {
    }

    /** @param jvmOptions after the shipped ones, before FERRY_JAVA_OPTS: what this one process needs (a larger heap) */
    static List<String> ferryCommand(List<String> jvmOptions) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("can not tell which java runs this process"));
        // As bin/ferry: the JVM options that ship next to ferry.jar, so the lab measures the agent as it ships.
        Path options = ferryJar().resolveSibling("jvm.options");
        if (!Files.isRegularFile(options)) {
            throw new IllegalStateException(options + " missing: the JVM options ship next to ferry.jar; was agent/ packaged?");
        }
        List<String> command = new java.util.ArrayList<>(List.of(java, "@" + options));
        command.addAll(jvmOptions);
        // As bin/ferry: extra JVM options (a profiler, a larger heap to try) for every agent started, after the shipped ones.
        String extra = System.getenv("FERRY_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) command.addAll(List.of(extra.trim().split("\\s+")));
        command.addAll(List.of("-jar", ferryJar().toString()));
        return command;
    }

    static List<String> ferryCommand() {
        return ferryCommand(List.of());
    }

    /** A classpath resource (a bpf object) copied to a temporary file, for tools that want a path. */
    static Path extractResource(String name, String prefix) {
        try (var in = Jars.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is not on the classpath; was bpf/ built?");
            Path file = Files.createTempFile("ferry-" + prefix + "-", "-" + Path.of(name).getFileName());
            Files.write(file, in.readAllBytes());
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("extracting " + name, e);
        }
    }

    /** -Dferry.jar (set by the integration tests), else the jar this class was loaded from. */
    static Path ferryJar() {
        String configured = System.getProperty("ferry.jar");
        if (configured != null) return Path.of(configured);
        try {
            Path self = Path.of(Jars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(self)) return self;
        } catch (URISyntaxException | SecurityException ignored) {
            // fall through
        }
        throw new IllegalStateException("ferry.jar not found: run from the jar or set -Dferry.jar");
    }
}
