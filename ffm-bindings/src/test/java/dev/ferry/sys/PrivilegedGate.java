package dev.ferry.sys;

import java.io.File;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Namespace tests need root and iproute2. In CI (CI=true) a missing requirement fails, elsewhere it skips. */
final class PrivilegedGate {
    private PrivilegedGate() {
    }

    static void require() {
        Optional<String> missing = missing();
        if (missing.isEmpty()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("privileged test can not run under CI=true: " + missing.get());
        }
        assumeTrue(false, "skipped, needs root and iproute2: " + missing.get());
    }

    private static Optional<String> missing() {
        if (Libc.geteuid() != 0) {
            return Optional.of("not root (euid " + Libc.geteuid() + ")");
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new File(dir, "ip").canExecute()) {
                return Optional.empty();
            }
        }
        return Optional.of("'ip' (iproute2) not on PATH");
    }
}
