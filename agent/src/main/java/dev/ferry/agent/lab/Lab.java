package dev.ferry.agent.lab;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A throwaway network of namespaces: nodes that route, pods wired to them by veths. The one
 * topology builder for tests, the demo and benchmarks.
 *
 * <p>Every namespace and link name starts with the lab's prefix, so concurrent labs and leftovers
 * of killed runs never collide. {@link #close()} removes all of it; so does a JVM shutdown hook
 * (Ctrl-C in the demo) and, as a last resort, the Cleaner.
 *
 * <pre>
 * try (Lab lab = Lab.builder().node("n1").pod("n1", "client", "10.244.1.10").build()) { ... }
 * </pre>
 */
public final class Lab implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,5}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");
    private static final int IFNAMSIZ = 15;

    private final String prefix;
    private final boolean podTxChecksumOffload;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Pod> pods = new LinkedHashMap<>();
    private final Cleanup cleanup = new Cleanup();
    private final Cleaner.Cleanable cleanable;
    private final Thread shutdownHook;
    private int vethCounter;

    private Lab(String prefix, boolean podTxChecksumOffload) {
        this.prefix = prefix;
        this.podTxChecksumOffload = podTxChecksumOffload;
        this.cleanable = CLEANER.register(this, cleanup);
        this.shutdownHook = new Thread(cleanable::clean, "lab-" + prefix + "-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A lab whose names start with the given prefix: 1-6 characters, [a-z][a-z0-9]*. */
    public static Builder builder(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("lab prefix must match " + PREFIX + " (it goes into 15-character interface names): " + prefix);
        }
        return new Builder(prefix);
    }

    /** A lab with a random prefix such as "fl3a". */
    public static Builder builder() {
        return builder("fl" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36, 36 * 36 * 36), 36));
    }

    public String prefix() {
        return prefix;
    }

    public synchronized Node node(String name) {
        Node node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node '" + name + "' in lab " + prefix + "; nodes: " + nodes.keySet());
        }
        return node;
    }

    public synchronized Pod pod(String name) {
        Pod pod = pods.get(name);
        if (pod == null) {
            throw new IllegalArgumentException("no pod '" + name + "' in lab " + prefix + "; pods: " + pods.keySet());
        }
        return pod;
    }

    public synchronized List<Pod> pods() {
        return List.copyOf(pods.values());
    }

    public String nodeNs(String node) {
        return node(node).netns();
    }

    public String podNs(String pod) {
        return pod(pod).netns();
    }

    public String podIp(String pod) {
        return pod(pod).ip();
    }

    public String hostVeth(String pod) {
        return pod(pod).hostVeth();
    }

    /** Runs a command inside a namespace and returns its stdout; throws with its stderr when it fails. */
    public String exec(String netns, String... command) {
        return Commands.run(Plumbing.inNs(netns, command));
    }

    /** Adds a pod to a running lab, as a CNI would when a pod is scheduled. */
    public synchronized Pod addPod(String node, String name, String ip) {
        checkNewName(name);
        Node host = node(node);
        String veth = "veth" + prefix + (++vethCounter);
        if (veth.length() > IFNAMSIZ) {
            throw new IllegalStateException("interface name too long: " + veth);
        }
        Pod pod = new Pod(name, node, netnsName(name), ip, veth);
        cleanup.register(pod.netns(), Plumbing.undoPod(pod, host.netns()));
        pods.put(name, pod);
        Plumbing.createPod(pod, host.netns(), podTxChecksumOffload).forEach(Commands::run);
        return pod;
    }

    /** Deletes a pod's namespace and veth, as a CNI would when a pod goes away. */
    public synchronized void removePod(String name) {
        Pod pod = pod(name);
        pods.remove(name);
        cleanup.undo(pod.netns());
    }

    /** Closes the tool when the lab closes, before its namespaces go: open sockets would keep them alive. */
    public <T extends AutoCloseable> T closeWithLab(T tool) {
        cleanup.onClose(tool);
        return tool;
    }

    /** Starts an {@link EchoServer} in the pod, stopped when the lab closes. */
    public EchoServer startEcho(String pod, int port) {
        return closeWithLab(EchoServer.start(podNs(pod), pod, port));
    }

    /** A {@link Client} inside the pod, closed with the lab. */
    public Client client(String pod) {
        return closeWithLab(new Client(podNs(pod)));
    }

    /** Removes every namespace and link of this lab. Safe to call more than once. */
    @Override
    public void close() {
        cleanable.clean();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or ran already; it found nothing left to do.
        }
    }

    private synchronized void addNode(String name) {
        checkNewName(name);
        Node node = new Node(name, netnsName(name));
        cleanup.register(node.netns(), Plumbing.undoNode(node));
        nodes.put(name, node);
        Plumbing.createNode(node).forEach(Commands::run);
    }

    private void checkNewName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match " + NAME + ": " + name);
        }
        if (nodes.containsKey(name) || pods.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' already exists in lab " + prefix);
        }
    }

    private String netnsName(String name) {
        return prefix + "-" + name;
    }

    /** Collects the topology; {@link #build()} creates it, all or nothing. */
    public static final class Builder {
        private final String prefix;
        private final List<String> nodes = new ArrayList<>();
        private final List<PodSpec> pods = new ArrayList<>();
        private boolean podTxChecksumOffload = true;

        private Builder(String prefix) {
            this.prefix = prefix;
        }

        /** A node namespace named {@code <prefix>-<name>}. */
        public Builder node(String name) {
            nodes.add(name);
            return this;
        }

        /** A pod namespace {@code <prefix>-<name>} on the node, with ip as its /32 on eth0. */
        public Builder pod(String node, String name, String ip) {
            pods.add(new PodSpec(node, name, ip));
            return this;
        }

        /**
         * Keep (default) or turn off tx checksum offload on pod eth0. Off only for traffic that
         * XDP rewrites: veth peers send partial checksums, which Ferry's TC path handles.
         */
        public Builder podTxChecksumOffload(boolean enabled) {
            this.podTxChecksumOffload = enabled;
            return this;
        }

        private record PodSpec(String node, String name, String ip) {
        }

        public Lab build() {
            Lab lab = new Lab(prefix, podTxChecksumOffload);
            try {
                nodes.forEach(lab::addNode);
                pods.forEach(p -> lab.addPod(p.node(), p.name(), p.ip()));
                return lab;
            } catch (RuntimeException e) {
                try {
                    lab.close();
                } catch (RuntimeException cleanupFailure) {
                    e.addSuppressed(cleanupFailure);
                }
                throw e;
            }
        }
    }
}
