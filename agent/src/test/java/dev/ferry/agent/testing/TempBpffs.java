package dev.ferry.agent.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A private pin root under /sys/fs/bpf, removed with everything pinned in it: closed by its user,
 * or after each test when registered as a field ({@code @RegisterExtension}). Making one touches
 * nothing; the root is created by whoever pins first.
 */
public final class TempBpffs implements AutoCloseable, AfterEachCallback {
    private final Path root = Path.of("/sys/fs/bpf", "ferry-test-" + UUID.randomUUID().toString().substring(0, 8));

    public Path root() {
        return root;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
