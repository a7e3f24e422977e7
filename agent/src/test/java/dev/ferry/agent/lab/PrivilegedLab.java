package dev.ferry.agent.lab;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Lab tests need root and iproute2. In CI (CI=true) a missing requirement fails, elsewhere it skips. */
final class PrivilegedLab {
    private PrivilegedLab() {
    }

    static void require() {
        Optional<String> missing = LabPreconditions.missing();
        if (missing.isEmpty()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("privileged lab test can not run under CI=true: " + missing.get());
        }
        assumeTrue(false, "skipped, the lab needs root, ip, sysctl and ethtool: " + missing.get());
    }
}
