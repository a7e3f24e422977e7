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
 * <p>One node needs nothing else. With several nodes or an {@link External} client, a fabric
 * namespace holds a bridge that plays the switch; every node gets eth0 on it and routes the
 * other nodes' pod CIDRs via their addresses (host-gw). Nothing is created in the root namespace.
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
    private final Map<String, External> externals = new LinkedHashMap<>();
    private final Cleanup cleanup = new Cleanup();
    private final Cleaner.Cleanable cleanable;
    private final Thread shutdownHook;
    private int vethCounter;
    /** The switch ports' XDP_PASS object, extracted for `ip link set ... xdp obj`. */
    private java.nio.file.Path portXdp;

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

    public synchronized External external(String name) {
        External external = externals.get(name);
        if (external == null) {
            throw new IllegalArgumentException("no external client '" + name + "' in lab " + prefix + "; externals: " + externals.keySet());
        }
        return external;
    }

    public synchronized List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    public synchronized List<Pod> pods() {
        return List.copyOf(pods.values());
    }

    public String nodeNs(String node) {
        return node(node).netns();
    }

    /** The node's fabric address (what NodePort clients dial); only in labs with a fabric. */
    public String nodeIp(String node) {
        String ip = node(node).ip();
        if (ip == null) {
            throw new IllegalStateException("lab " + prefix + " has one node and no fabric, so node " + node + " has no address");
        }
        return ip;
    }

    public String externalNs(String name) {
        return external(name).netns();
    }

    public String externalIp(String name) {
        return external(name).ip();
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
        return clientIn(podNs(pod));
    }

    /** A {@link Client} inside any namespace of the lab (a node, an external client), closed with the lab. */
    public Client clientIn(String netns) {
        return closeWithLab(new Client(netns));
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

    private String fabricNs() {
        return netnsName("fabric");
    }

    private void createFabric() {
        portXdp = Jars.extractResource("/bpf/lab_xdp_pass.bpf.o", prefix);
        cleanup.onClose(() -> java.nio.file.Files.deleteIfExists(portXdp));
        cleanup.register(fabricNs(), Plumbing.undoNamespace(fabricNs()));
        Plumbing.createFabric(fabricNs()).forEach(Commands::run);
    }

    private synchronized void addNode(String name, String podCidr, String ip) {
        checkNewName(name);
        Node node = new Node(name, netnsName(name), ip, podCidr);
        cleanup.register(node.netns(), Plumbing.undoNamespace(node.netns()));
        nodes.put(name, node);
        Plumbing.createNode(node).forEach(Commands::run);
        if (ip != null) {
            Plumbing.plugIntoFabric(node.netns(), fabricNs(), fabricPort(), ip, portXdp.toString()).forEach(Commands::run);
        }
    }

    /** host-gw routing: every node learns every other node's pod CIDR. */
    private synchronized void routePodCidrs() {
        for (Node from : nodes.values()) {
            for (Node to : nodes.values()) {
                if (from != to && to.podCidr() != null) {
                    Commands.run(Plumbing.routePodCidr(from, to));
                }
            }
        }
    }

    private synchronized void addExternal(String name, String ip) {
        checkNewName(name);
        External external = new External(name, netnsName(name), ip);
        cleanup.register(external.netns(), Plumbing.undoNamespace(external.netns()));
        externals.put(name, external);
        Plumbing.createExternal(external).forEach(Commands::run);
        Plumbing.plugIntoFabric(external.netns(), fabricNs(), fabricPort(), ip, portXdp.toString()).forEach(Commands::run);
    }

    /** The switch side of a fabric link; lives in the fabric namespace only. */
    private String fabricPort() {
        return prefix + "f" + (++vethCounter);
    }

    private void checkNewName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must match " + NAME + ": " + name);
        }
        if (nodes.containsKey(name) || pods.containsKey(name) || externals.containsKey(name) || name.equals("fabric")) {
            throw new IllegalArgumentException("'" + name + "' already exists in lab " + prefix);
        }
    }

    private String netnsName(String name) {
        return prefix + "-" + name;
    }

    /** Collects the topology; {@link #build()} creates it, all or nothing. */
    public static final class Builder {
        private final String prefix;
        private final List<NodeSpec> nodes = new ArrayList<>();
        private final List<String> externals = new ArrayList<>();
        private final List<PodSpec> pods = new ArrayList<>();
        private boolean podTxChecksumOffload = true;

        private Builder(String prefix) {
            this.prefix = prefix;
        }

        /** A node namespace named {@code <prefix>-<name>}. */
        public Builder node(String name) {
            return node(name, null);
        }

        /**
         * A node whose pods live in podCidr; with two or more nodes, the others route it via this
         * node's fabric address (host-gw). Pods may still get any IP: the node routes each by /32.
         */
        public Builder node(String name, String podCidr) {
            nodes.add(new NodeSpec(name, podCidr));
            return this;
        }

        /** A client outside the cluster, {@code <prefix>-<name>}, on the nodes' fabric. */
        public Builder external(String name) {
            externals.add(name);
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

        private record NodeSpec(String name, String podCidr) {
        }

        private record PodSpec(String node, String name, String ip) {
        }

        public Lab build() {
            Lab lab = new Lab(prefix, podTxChecksumOffload);
            try {
                // One node needs no fabric; several nodes or an outside client share one L2 segment.
                boolean fabric = nodes.size() > 1 || !externals.isEmpty();
                if (fabric) {
                    lab.createFabric();
                }
                for (int i = 0; i < nodes.size(); i++) {
                    NodeSpec node = nodes.get(i);
                    lab.addNode(node.name(), node.podCidr(), fabric ? Plumbing.FABRIC_PREFIX + (11 + i) : null);
                }
                lab.routePodCidrs();
                for (int i = 0; i < externals.size(); i++) {
                    lab.addExternal(externals.get(i), Plumbing.FABRIC_PREFIX + (101 + i));
                }
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
