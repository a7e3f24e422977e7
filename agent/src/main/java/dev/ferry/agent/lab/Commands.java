package dev.ferry.agent.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the external tools the lab is built with (ip, sysctl, ethtool), and those benchmarks drive. */
public final class Commands {
    /** Generous: ip answers in milliseconds, but a stuck command must not hang a test run. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    private Commands() {
    }

    /** Runs argv and returns its stdout; throws with the command line and stderr when it fails. */
    static String run(List<String> argv) {
        return run(argv, null, TIMEOUT);
    }

    /**
     * As {@link #run(List)}, with a file as standard input when {@code stdin} is not null
     * (iptables-restore, nft -f -) and a time limit of the caller's.
     */
    public static String run(List<String> argv, Path stdin, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(stdin == null ? NO_INPUT : ProcessBuilder.Redirect.from(stdin.toFile()))
                    .start();
        } catch (IOException e) {
            throw new LabException("can not start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        // Read stderr concurrently so a chatty command can not block on a full pipe.
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()),
                Thread::startVirtualThread);
        String stdout = read(process.getInputStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LabException(String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", argv), e);
        }
        if (process.exitValue() != 0) {
            throw new LabException(String.join(" ", argv) + " failed (exit " + process.exitValue() + "): "
                    + stderr.join().strip());
        }
        return stdout;
    }

    /** For cleanup: whatever is already gone stays gone, so failures are expected and ignored. */
    static void runIgnoringFailure(List<String> argv) {
        try {
            run(argv);
        } catch (LabException ignored) {
            // Nothing to undo.
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
