package dev.ferry.agent.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Guard for tests that need root, bpffs and iproute2. Under CI=true a missing privilege fails
 * the test (CI must run them all); on a developer machine it skips with the reason.
 */
public final class Privileged {
    private Privileged() {
    }

    public static void require() {
        String missing = missing();
        if (missing == null) return;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("privileged test can not run under CI=true: " + missing);
        }
        Assumptions.abort("privileged test skipped: " + missing);
    }

    private static String missing() {
        if (!"root".equals(System.getProperty("user.name"))) return "not running as root";
        if (!Files.isDirectory(Path.of("/sys/fs/bpf"))) return "no /sys/fs/bpf";
        try {
            if (!"bpf".equals(Files.getFileStore(Path.of("/sys/fs/bpf")).type())) return "bpffs not mounted at /sys/fs/bpf";
        } catch (java.io.IOException e) {
            return e.getMessage();
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) return "no iproute2";
        return null;
    }
}
