package dev.ferry.bench.traffic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the tools the traffic benchmark drives (ip netns exec, taskset, iptables-restore, nft, cc). */
final class Shell {
    /** Installing 10,000 services' rules takes seconds; anything slower than this is stuck. */
    private static final long TIMEOUT_SECONDS = 600;

    private Shell() {
    }

    /** argv run inside a network namespace. */
    static List<String> inNs(String netns, String... argv) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        command.addAll(List.of(argv));
        return command;
    }

    /** argv pinned to one CPU (taskset's affinity survives the exec of `ip netns exec`). */
    static List<String> pinned(int cpu, List<String> argv) {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        command.addAll(argv);
        return command;
    }

    /** Runs argv and returns its stdout; throws with its stderr when it fails. */
    static String run(List<String> argv) {
        return run(argv, null);
    }

    /** As {@link #run(List)}, with a file as standard input (iptables-restore, nft -f -). */
    static String run(List<String> argv, Path stdin) {
        try {
            Path err = Files.createTempFile("ferry-fbt-", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(argv).redirectError(err.toFile());
                builder.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                        : ProcessBuilder.Redirect.from(stdin.toFile()));
                Process process = builder.start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + TIMEOUT_SECONDS + " s");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + process.exitValue() + "): "
                            + Files.readString(err).strip());
                }
                return out;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("running " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", argv), e);
        }
    }
}
