package dev.ferry.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** A unique directory on bpffs for one test, removed with everything pinned in it. */
final class PinRoot implements AutoCloseable {
    final Path path = Path.of("/sys/fs/bpf", "ferry-test-ffm-" + UUID.randomUUID().toString().substring(0, 8));

    Path resolve(String name) {
        return path.resolve(name);
    }

    @Override
    public void close() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("clean up " + path, e);
        }
    }
}
