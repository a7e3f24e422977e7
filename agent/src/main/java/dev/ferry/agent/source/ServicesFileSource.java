package dev.ferry.agent.source;

import dev.ferry.agent.k8s.Manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    /** Polling content (not mtime) also catches editors that replace the file within one second. */
    private void poll() {
        Instant readAt = Instant.now();
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
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
