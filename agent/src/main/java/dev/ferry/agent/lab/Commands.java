package dev.ferry.agent.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the external tools the lab is built with (ip, sysctl, ethtool). */
final class Commands {
    /** Generous: ip answers in milliseconds, but a stuck command must not hang a test run. */
    private static final long TIMEOUT_SECONDS = 30;

    private static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    private Commands() {
    }

    /** Runs argv and returns its stdout; throws with the command line and stderr when it fails. */
    static String run(List<String> argv) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(NO_INPUT).start();
        } catch (IOException e) {
            throw new LabException("can not start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        // Read stderr concurrently so a chatty command can not block on a full pipe.
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()),
                Thread::startVirtualThread);
        String stdout = read(process.getInputStream());
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new LabException(String.join(" ", argv) + " did not finish within " + TIMEOUT_SECONDS + " s");
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
