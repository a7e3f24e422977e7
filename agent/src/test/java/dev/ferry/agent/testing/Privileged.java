package dev.ferry.agent.testing;

import dev.ferry.agent.lab.LabPreconditions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Guard for tests that need root, bpffs and the lab's tools. Under CI=true a missing
 * requirement fails the test (CI must run them all); on a developer machine it skips with the
 * reason.
 */
public final class Privileged {
    private Privileged() {
    }

    public static void require() {
        Optional<String> missing = LabPreconditions.missing().or(Privileged::bpffsMissing);
        if (missing.isEmpty()) return;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("privileged test can not run under CI=true: " + missing.get());
        }
        Assumptions.abort("privileged test skipped: " + missing.get());
    }

    private static Optional<String> bpffsMissing() {
        try {
            Path bpffs = Path.of("/sys/fs/bpf");
            if (Files.isDirectory(bpffs) && "bpf".equals(Files.getFileStore(bpffs).type())) return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
        return Optional.of("bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)");
    }
}
