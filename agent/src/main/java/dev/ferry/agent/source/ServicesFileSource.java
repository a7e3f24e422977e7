package dev.ferry.agent.source;

import dev.ferry.agent.k8s.Manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * Standalone mode: Services and EndpointSlices from a YAML file, re-read when its content
 * changes. A file that fails to parse keeps the last good state programmed.
 */
public final class ServicesFileSource implements ClusterSource {
    private static final System.Logger LOG = System.getLogger(ServicesFileSource.class.getName());

    private final Path file;
    private final Duration pollInterval;
    private final ClusterSink sink;
    private final Thread thread;
    private final ProblemLog problems = new ProblemLog();
    private volatile boolean running = true;
    private byte[] lastContent;
    /** What the file looked like when last read: while it stays, the file is not read again. */
    private FileStamp lastStamp;
    private boolean firstSnapshot = true;

    /** Inode, modification time (ns on ext4, tmpfs) and size: a replaced or edited file changes one. */
    private record FileStamp(Object fileKey, FileTime modified, long size) {
        static FileStamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.fileKey(), a.lastModifiedTime(), a.size());
        }
    }

    public ServicesFileSource(Path file, Duration pollInterval, ClusterSink sink) {
        this.file = file;
        this.pollInterval = pollInterval;
        this.sink = sink;
        this.thread = Thread.ofPlatform().name("services-file").daemon().unstarted(this::run);
    }

    /** Reads the file once (so the first state is ready when this returns), then watches it. */
    @Override
    public ServicesFileSource start() {
        poll();
        thread.start();
        return this;
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                return;
            }
            poll();
        }
    }

    /**
     * Reads the file only when its stamp changed, and hands it on only when its content did
     * (a touched but unchanged file programs nothing).
     */
    private void poll() {
        Instant readAt = Instant.now();
        byte[] content;
        try {
            FileStamp stamp = FileStamp.of(file);
            if (stamp.equals(lastStamp)) return;
            content = Files.readAllBytes(file);
            lastStamp = stamp;
        } catch (NoSuchFileException e) {
            lastStamp = null;
            if (lastContent == null || lastContent.length > 0) {
                LOG.log(System.Logger.Level.WARNING, "services file {0} is missing; keeping the programmed state", file);
                lastContent = new byte[0];
            }
            return;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "services file {0}: {1}", file, e.getMessage());
            return;
        }
        if (lastContent != null && Arrays.equals(content, lastContent)) return;
        lastContent = content;
        Manifests.Parsed parsed;
        try {
            parsed = Manifests.parse(new String(content, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "services file {0}: {1}; keeping the programmed state", file, e.getMessage());
            return;
        }
        problems.report(parsed.problems());
        LOG.log(System.Logger.Level.INFO, "services file {0}: {1} services, {2} endpoint slices",
                file, parsed.cluster().services().size(), parsed.cluster().slices().size());
        if (firstSnapshot) sink.complete(Instant.now());
        firstSnapshot = false;
        sink.accept(parsed.cluster(), readAt);
    }

    @Override
    public int invalidObjects() {
        return problems.invalidObjects();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
