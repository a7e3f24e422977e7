package dev.ferry.bpf;

import dev.ferry.sys.Privileges;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Gate for tests that need root, bpffs and iproute2. Under CI=true a missing privilege fails the
 * test (a skipped datapath test in CI is a hidden red); on a laptop it is skipped with the reason.
 */
public final class Privileged {
    private Privileged() {
    }

    public static void require() {
        Optional<String> missing = Privileges.missing(Privileges.LAB_TOOLS);
        if (missing.isEmpty()) return;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("CI=true but privileged test can not run: " + missing.get());
        abort("privileged test skipped: " + missing.get());
    }
}
