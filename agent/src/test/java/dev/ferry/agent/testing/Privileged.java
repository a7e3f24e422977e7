package dev.ferry.agent.testing;

import dev.ferry.sys.Privileges;
import org.junit.jupiter.api.Assumptions;

import java.util.Optional;

/**
 * Gate for tests that need root, bpffs and the lab's tools. Under CI=true a missing
 * requirement fails the test (CI must run them all); on a developer machine it skips with the
 * reason.
 */
public final class Privileged {
    private Privileged() {
    }

    public static void require() {
        Optional<String> missing = Privileges.missing(Privileges.LAB_TOOLS);
        if (missing.isEmpty()) return;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("privileged test can not run under CI=true: " + missing.get());
        }
        Assumptions.abort("privileged test skipped: " + missing.get());
    }
}
