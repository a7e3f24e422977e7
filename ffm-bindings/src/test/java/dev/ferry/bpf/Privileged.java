package dev.ferry.bpf;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gate for tests that need root and bpffs. Under CI=true a missing privilege fails the test (a
 * skipped datapath test in CI is a hidden red); on a laptop it is skipped with the reason.
 */
final class Privileged {
    private Privileged() {
    }

    static void require() {
        String missing = missingPrerequisite();
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but privileged test can not run: " + missing);
        }
        abort("privileged test skipped (run as root with bpffs mounted): " + missing);
    }

    private static String missingPrerequisite() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            if (!status.lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"))) {
                return "not running as root";
            }
            boolean bpffs = Files.readAllLines(Path.of("/proc/mounts")).stream()
                    .anyMatch(l -> l.startsWith("bpf /sys/fs/bpf ") || l.contains(" /sys/fs/bpf bpf "));
            return bpffs ? null : "bpffs not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)";
        } catch (IOException e) {
            return "can not read /proc: " + e;
        }
    }
}
