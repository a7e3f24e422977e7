package dev.ferry.bench.control;

import dev.ferry.agent.lab.AgentProcess;
import dev.ferry.agent.lab.Lab;

import java.io.IOException;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * One `ferry agent` process under measurement, started in a lab node against the API server
 * forwarded to 127.0.0.1:{@code apiPort} there: what it reports on /metrics and how much memory
 * its process holds.
 */
final class AgentRun implements AutoCloseable {
    private static final String INITIAL_SOURCE = "ferry_initial_source_duration_seconds";
    private static final String INITIAL_SYNC = "ferry_initial_sync_duration_seconds";
    private static final String PROGRAMMING = "kubeproxy_network_programming_duration_seconds";

    private final AgentProcess agent;

    /** What the agent reports about its first full sync, in seconds. */
    record FullSync(double sourceComplete, double mapsWritten) {
    }

    /** kubeproxy_network_programming_duration_seconds so far: how many passes and their summed latency. */
    record Programming(long count, double sumSeconds) {
    }

    private AgentRun(AgentProcess agent) {
        this.agent = agent;
    }

    static AgentRun start(Lab lab, String node, int apiPort, List<String> jvmOptions) throws IOException {
        return new AgentRun(AgentProcess.startWithApiServer(lab, node, apiPort, jvmOptions));
    }

    /** Waits for the first full sync to end; throws with the agent's log if it does not in time. */
    FullSync awaitFullSync(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String scrape = scrape();
            OptionalDouble sync = value(scrape, INITIAL_SYNC);
            if (sync.isPresent() && sync.getAsDouble() > 0) {
                return new FullSync(value(scrape, INITIAL_SOURCE).orElseThrow(), sync.getAsDouble());
            }
            if (!agent.alive()) throw new IllegalStateException("the agent died:\n" + tail());
            Thread.sleep(50);
        }
        throw new IllegalStateException("no full sync within " + timeout + ":\n" + tail());
    }

    /** Waits until no reconcile pass has ended for {@code quiet}: the start's echoes are over. */
    void awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Programming last = programming();
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            Programming now = programming();
            if (now.count() != last.count()) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return;
            }
        }
        throw new IllegalStateException("the agent never went quiet for " + quiet + ":\n" + tail());
    }

    Programming programming() {
        String scrape = scrape();
        return new Programming((long) value(scrape, PROGRAMMING + "_count").orElse(0),
                value(scrape, PROGRAMMING + "_sum").orElse(0));
    }

    /** Resident memory of the agent's JVM (VmRSS), in MiB. */
    double rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(agent.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
        throw new IOException("no VmRSS for the agent");
    }

    Path bpffsRoot() {
        return agent.bpffsRoot();
    }

    long pid() {
        return agent.pid();
    }

    String tail() {
        String log = agent.log();
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }

    private String scrape() {
        try {
            return agent.metrics();
        } catch (IOException notListeningYet) {
            return "";
        }
    }

    private static OptionalDouble value(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst();
    }

    @Override
    public void close() {
        agent.close();
    }
}
