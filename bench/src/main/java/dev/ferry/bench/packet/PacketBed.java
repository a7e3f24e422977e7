package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.Datapath;
import dev.ferry.agent.lab.FilesystemMount;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.reconcile.ApplyResult;
import dev.ferry.agent.reconcile.PolicyApplyResult;
import dev.ferry.agent.reconcile.PolicyReconciler;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.translate.ServiceTranslator;
import dev.ferry.agent.translate.policy.PolicyCompiler;
import dev.ferry.bpf.BpfObject;
import dev.ferry.bpf.BpfProgram;
import dev.ferry.bench.packet.BenchCluster.Measured;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where the per-packet benchmark runs: a two-node lab (node1 and node2 on one fabric, host-gw
 * routes; node2's pod CIDR is a /23 to hold the NodePort's 256 backends), Ferry's datapath loaded into a bpffs of its own (nothing pinned in /sys/fs/bpf), with
 * its maps written by the agent's translators and reconcilers, and the empty floor programs.
 * XDP runs "as if arrived on node1's eth0": the caller's thread must be in node1's namespace
 * ({@link #nodeNs()}), where bpf_fib_lookup finds node2 and its (fixed) MAC. close() removes all
 * of it, also after a failure half-way.
 */
final class PacketBed implements AutoCloseable {
    /** 100,000 services do not fit the default 65536 frontends: --lb-map-max as an operator would set it. */
    static final int LB_MAP_MAX = 131072;
    private static final String FLOOR_OBJECT = "/bpf/bench_floor.bpf.o";
    private static final LocalNode NODE1 = new LocalNode("node1", List.of(Ipv4.parse(BenchCluster.NODE1)));

    private Lab lab;
    private FilesystemMount bpffs;
    private Datapath datapath;
    private BpfObject floor;
    private Reconciler services;
    private PolicyReconciler policy;
    private int eth0;

    private PacketBed() {
    }

    static PacketBed start() throws IOException {
        PacketBed bed = new PacketBed();
        try {
            bed.build();
            return bed;
        } catch (IOException | RuntimeException e) {
            bed.close();
            throw e;
        }
    }

    private void build() throws IOException {
        lab = Lab.builder("fpkt").node("node1", "10.244.1.0/24").node("node2", "10.244.2.0/23").build();
        String ns = nodeNs();
        lab.exec(ns, "ip", "link", "set", "eth0", "address", mac(Flows.NODE1_MAC));
        lab.exec(ns, "ip", "neigh", "replace", BenchCluster.NODE2, "lladdr", mac(Flows.NODE2_MAC), "dev", "eth0",
                "nud", "permanent");
        eth0 = Integer.parseInt(lab.exec(ns, "cat", "/sys/class/net/eth0/ifindex").trim());
        bpffs = FilesystemMount.bpffsTemporary();
        datapath = Datapath.load(bpffs.path(), new Datapath.Settings(Ipv4.parse("169.254.42.1"),
                dev.ferry.agent.translate.Maglev.DEFAULT_SIZE, LB_MAP_MAX));
        datapath.nodeportInterfaces().put(eth0, Ipv4.parse(BenchCluster.NODE1));
        services = new Reconciler(datapath.serviceMaps());
        policy = new PolicyReconciler(datapath.policyMaps());
        floor = BpfObject.open(resource(FLOOR_OBJECT), "bench_floor", null);
        floor.load();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PacketBed.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is not on the classpath; was bpf/ built?");
            return in.readAllBytes();
        }
    }

    private static String mac(String hex) {
        return hex.replaceAll("(..)(?!$)", "$1:");
    }

    String nodeNs() {
        return lab.nodeNs("node1");
    }

    /** Programs the measured service and services - 1 fillers (and the policy) as the agent would. */
    void program(Measured measured, int serviceCount, boolean withPolicy) {
        Cluster cluster = BenchCluster.of(measured, serviceCount, withPolicy);
        ApplyResult applied = services.apply(ServiceTranslator.translate(cluster, NODE1));
        PolicyApplyResult policyApplied = policy.apply(PolicyCompiler.compile(cluster, NODE1));
        if (!applied.errors().isEmpty() || !policyApplied.errors().isEmpty()) {
            throw new IllegalStateException("programming " + serviceCount + " services: " + applied.errors() + " "
                    + policyApplied.errors());
        }
    }

    /** from_node on a frame arriving on node1's eth0; the caller is in {@link #nodeNs()}. */
    Program fromNode() {
        BpfProgram p = datapath.fromNode();
        return frame -> p.testRunXdp(frame, eth0);
    }

    /** from_node in the kernel's repeat loop: valid only for frames it leaves as they are. */
    Program fromNodeRepeated(int repeat) {
        BpfProgram p = datapath.fromNode();
        return frame -> p.testRunXdp(frame, eth0, repeat);
    }

    /** from_pod in the kernel's repeat loop: valid only for frames it leaves as they are. */
    Program fromPodRepeated(int repeat) {
        BpfProgram p = datapath.fromPod();
        return frame -> p.testRun(frame, repeat);
    }

    /** from_pod on a frame leaving a pod. */
    Program fromPod() {
        BpfProgram p = datapath.fromPod();
        return frame -> p.testRun(frame, 1);
    }

    /** The empty XDP program, called as {@link #fromNode()} is. */
    Program floorXdp() {
        BpfProgram p = floor.program("floor_xdp");
        return frame -> p.testRunXdp(frame, eth0);
    }

    /** The empty XDP program in the kernel's repeat loop. */
    Program floorXdpRepeated(int repeat) {
        BpfProgram p = floor.program("floor_xdp");
        return frame -> p.testRunXdp(frame, eth0, repeat);
    }

    /** The empty TC program, called as {@link #fromPod()} is. */
    Program floorTc() {
        BpfProgram p = floor.program("floor_tc");
        return frame -> p.testRun(frame, 1);
    }

    Program floorTcRepeated(int repeat) {
        BpfProgram p = floor.program("floor_tc");
        return frame -> p.testRun(frame, repeat);
    }

    @Override
    public void close() throws IOException {
        try {
            if (floor != null) floor.close();
            if (datapath != null) datapath.close();
        } finally {
            try {
                if (bpffs != null) bpffs.close();
            } finally {
                if (lab != null) lab.close();
            }
        }
    }
}
