package dev.ferry.agent.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real `ferry agent` process inside a lab node's namespace, as an operator would run it:
 * {@code ip netns exec NODE java @jvm.options -jar ferry.jar agent ...}, with the JVM options it
 * ships with. `ip netns exec` remounts /sys, so the agent gets a bpffs of its own mounted under a
 * work directory and passed as --bpffs-root.
 * close() stops it, runs `ferry uninstall`, unmounts and deletes everything it created.
 */
public final class AgentProcess implements AutoCloseable {
    /** The agent's default --metrics-bind-address is 127.0.0.1:10249, in its node's namespace. */
    private static final int METRICS_PORT = 10249;
    private static final String LAST_SYNC = "kubeproxy_sync_proxy_rules_last_timestamp_seconds";
    private static final Duration SYNC_POLL = Duration.ofMillis(25);

    private final String nodeNs;
    /** The agent's --hostname-override: the lab's node name, as EndpointSlices name it. */
    private final String nodeName;
    private final Path workDir;
    private final Path bpffs;
    private final Path servicesFile;
    private final Path log;
    /** How the agent learns its services: --services-file, or --kubeconfig with a node name. */
    private final List<String> sourceArgs = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();

    private Process process;
    /** Asks the agent's /metrics from inside its node; made on first use. */
    private Client nodeClient;
    private FilesystemMount bpffsMount;
    private FilesystemMount cgroup;

    private AgentProcess(Lab lab, String node) throws IOException {
        this.nodeNs = lab.nodeNs(node);
        this.nodeName = node;
        this.workDir = Files.createTempDirectory("ferry-" + lab.prefix() + "-" + node + "-");
        this.bpffs = workDir.resolve("bpffs");
        this.servicesFile = workDir.resolve("services.yaml");
        this.log = workDir.resolve("agent.log");
        bpffsMount = FilesystemMount.bpffs(bpffs);
        lab.closeWithLab(this); // an interrupted demo or test still unmounts
        // `ip netns exec` hides /sys/fs/cgroup too: the host socket hooks get the same hierarchy here.
        cgroup = FilesystemMount.cgroup2(workDir.resolve("cgroup2"));
    }

    /** Standalone mode. Writes the services file first, so the agent's very first state is complete. */
    public static AgentProcess start(Lab lab, String node, String servicesYaml) throws IOException {
        AgentProcess agent = new AgentProcess(lab, node);
        try {
            agent.writeServices(servicesYaml);
            agent.sourceArgs.addAll(List.of("--services-file", agent.servicesFile.toString()));
            agent.startProcess();
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    /**
     * Against an API server, as an operator runs it: --kubeconfig FILE (and --hostname-override
     * NODE), the kubeconfig pointing at http://127.0.0.1:{@code apiPort} inside the node (where a
     * {@link PortForward} usually brings the server in).
     */
    public static AgentProcess startWithApiServer(Lab lab, String node, int apiPort) throws IOException {
        return startWithApiServer(lab, node, apiPort, List.of());
    }

    /** The same, the JVM given {@code jvmOptions} after the shipped ones (a cluster larger than they are sized for). */
    public static AgentProcess startWithApiServer(Lab lab, String node, int apiPort, List<String> jvmOptions)
            throws IOException {
        AgentProcess agent = new AgentProcess(lab, node);
        agent.jvmOptions.addAll(jvmOptions);
        try {
            Path kubeconfig = agent.workDir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: lab, cluster: {server: "http://127.0.0.1:%d"}}]
                    users: [{name: lab, user: {token: lab}}]
                    contexts: [{name: lab, context: {cluster: lab, user: lab}}]
                    current-context: lab
                    """.formatted(apiPort));
            agent.sourceArgs.addAll(List.of("--kubeconfig", kubeconfig.toString()));
            agent.startProcess();
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    /** Starts (or restarts) the agent process on the same bpffs. */
    public void startProcess() throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs));
        command.addAll(Jars.ferryCommand(jvmOptions));
        command.add("agent");
        command.addAll(sourceArgs);
        command.addAll(List.of("--hostname-override", nodeName, "--bpffs-root", bpffs.toString(),
                "--cgroup-root", cgroup.path().toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Atomically replaces the services file (rename), as a config-map volume update would. */
    public void writeServices(String yaml) throws IOException {
        Path tmp = workDir.resolve("services.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, servicesFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits until the agent log contains {@code text} (counting occurrences after {@code since}). */
    public boolean awaitLog(String text, int occurrences, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (countInLog(text) >= occurrences) return true;
            if (process != null && !process.isAlive()) return false;
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * Waits until the agent's last successful reconcile pass ended at or after {@code since}
     * (kubeproxy_sync_proxy_rules_last_timestamp_seconds on its /metrics, 127.0.0.1:10249 in the
     * node), e.g. after writing a services file at that time. False if it did not in time.
     */
    public boolean awaitSyncedSince(Instant since, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        double wanted = since.getEpochSecond() + since.getNano() / 1e9;
        while (System.nanoTime() < deadline) {
            if (lastSyncSeconds() >= wanted) return true;
            if (process != null && !process.isAlive()) return false;
            Thread.sleep(SYNC_POLL);
        }
        return false;
    }

    /** The agent's /metrics, asked from inside its node (the HTTP reply, headers and all). */
    public String metrics() throws IOException {
        return nodeClient().exchange("127.0.0.1", METRICS_PORT, "GET /metrics HTTP/1.0\r\n\r\n", Duration.ofSeconds(2));
    }

    /** The end of the last successful pass in unix seconds; -1 before the first or while /metrics does not answer. */
    public double lastSyncSeconds() {
        String scrape;
        try {
            scrape = metrics();
        } catch (IOException notYetListening) {
            return -1;
        }
        return scrape.lines().filter(l -> l.startsWith(LAST_SYNC + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(LAST_SYNC.length() + 1))).findFirst().orElse(-1);
    }

    private synchronized Client nodeClient() {
        if (nodeClient == null) nodeClient = new Client(nodeNs);
        return nodeClient;
    }

    public int countInLog(String text) {
        String all = log();
        int count = 0;
        for (int i = all.indexOf(text); i >= 0; i = all.indexOf(text, i + 1)) count++;
        return count;
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** The agent's process id: `ip netns exec` execs java in place, so this is the JVM itself. */
    public long pid() {
        if (process == null) throw new IllegalStateException("the agent is not running");
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public Path bpffsRoot() {
        return bpffs;
    }

    /** SIGTERM, as kubelet stops a pod; the programs stay attached. */
    public void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        process = null;
    }

    /** Runs `ferry uninstall` for this agent's bpffs root; returns its output. */
    public String uninstall() throws IOException, InterruptedException {
        // In the node's namespace: uninstall also forgets the neighbours the agent kept there.
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs));
        command.addAll(Jars.ferryCommand());
        command.addAll(List.of("uninstall", "--bpffs-root", bpffs.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("ferry uninstall failed: " + out);
        return out;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (nodeClient != null) nodeClient.close();
            nodeClient = null;
        }
        try {
            stop();
            if (bpffsMount != null && Files.exists(bpffs.resolve("links"))) uninstall();
        } catch (Exception e) {
            System.err.println("lab: stopping the agent: " + e.getMessage());
        }
        if (bpffsMount != null) {
            try {
                bpffsMount.close();
            } catch (IOException e) {
                System.err.println("lab: unmounting " + bpffs + ": " + e.getMessage());
            }
            bpffsMount = null;
        }
        if (cgroup != null) {
            try {
                cgroup.close();
            } catch (IOException e) {
                System.err.println("lab: unmounting " + cgroup.path() + ": " + e.getMessage());
            }
            cgroup = null;
        }
        try (Stream<Path> all = Files.walk(workDir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // already gone
        }
    }
}
