package dev.ferry.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** A private pin root under /sys/fs/bpf for one test class, removed with everything pinned in it. */
public final class TempBpffs implements AutoCloseable {
    private final Path root = Path.of("/sys/fs/bpf", "ferry-test-" + UUID.randomUUID().toString().substring(0, 8));

    public Path root() {
        return root;
    }

    @Override
    public void close() throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
