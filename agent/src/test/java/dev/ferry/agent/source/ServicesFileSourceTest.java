package dev.ferry.agent.source;

import dev.ferry.agent.model.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class ServicesFileSourceTest {
    private static String service(String ip) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: demo}\n"
                + "spec: {clusterIP: " + ip + ", ports: [{port: 80}]}\n";
    }

    @Test
    void inPlaceEditsAreSeenAndUnchangedTouchesProgramNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, service("10.96.0.10"));
        BlockingQueue<Cluster> snapshots = new LinkedBlockingQueue<>();
        try (ServicesFileSource source = new ServicesFileSource(file, Duration.ofMillis(20),
                (cluster, seenAt) -> snapshots.add(cluster)).start()) {
            assertEquals("10.96.0.10", snapshots.poll(5, TimeUnit.SECONDS).services().getFirst()
                    .clusterIps().getFirst().getHostAddress(), "the first state is there at start");

            Files.writeString(file, service("10.96.0.11")); // same size, same inode, new content
            Cluster edited = snapshots.poll(5, TimeUnit.SECONDS);
            assertNotNull(edited, "an in-place edit is seen");
            assertEquals("10.96.0.11", edited.services().getFirst().clusterIps().getFirst().getHostAddress());

            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5))); // touched, same content
            assertNull(snapshots.poll(300, TimeUnit.MILLISECONDS), "an unchanged file programs nothing");

            Files.delete(file);
            Files.writeString(file, "not: [yaml");
            assertNull(snapshots.poll(300, TimeUnit.MILLISECONDS), "a file that does not parse keeps the state");
            Files.writeString(file, service("10.96.0.12"));
            assertNotNull(snapshots.poll(5, TimeUnit.SECONDS), "and a good file afterwards is programmed");
        }
    }
}
