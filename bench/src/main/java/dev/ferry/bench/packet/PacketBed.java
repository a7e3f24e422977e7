package dev.ferry.bench.packet;

import dev.ferry.agent.datapath.Datapath;
import dev.ferry.agent.datapath.abi.Counter;
import dev.ferry.agent.datapath.abi.CtKey;
import dev.ferry.agent.datapath.abi.CtValue;
import dev.ferry.agent.datapath.abi.Reason;
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
import dev.ferry.bpf.TypedMap;
import dev.ferry.bench.packet.BenchCluster.Measured;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Where the per-packet benchmark runs: a two-node lab (node1 and node2 on one fabric, host-gw
 * routes; node2's pod CIDR is a /23 to hold the NodePort's 256 backends), Ferry's datapath loaded into a bpffs of its own (nothing pinned in /sys/fs/bpf), with
 * its maps written by the agent's translators and reconcilers, the benchmark wrappers of its
 * programs loaded alike ({@link Wrapper}), and the empty floor programs.
 * XDP runs "as if arrived on node1's eth0": the caller's thread must be in node1's namespace
 * ({@link #nodeNs()}), where bpf_fib_lookup finds node2 and its (fixed) MAC. close() removes all
 * of it, also after a failure half-way.
 */
final class PacketBed implements AutoCloseable {
    /** 100,000 services do not fit the default 65536 frontends: --lb-map-max as an operator would set it. */
    static final int LB_MAP_MAX = 131072;
    private static final String FLOOR_OBJECT = "/bpf/bench_floor.bpf.o";
    private static final String XDP_WRAPPER = "/bpf/bench_xdp_node.bpf.o", TC_WRAPPER = "/bpf/bench_tc_pod.bpf.o";
    private static final LocalNode NODE1 = new LocalNode("node1", List.of(Ipv4.parse(BenchCluster.NODE1)));

    private Lab lab;
    private FilesystemMount bpffs;
    private Datapath datapath;
    private BpfObject floor;
    private Wrapper xdp, tc;
    private Reconciler services;
    private PolicyReconciler policy;
    private int eth0;

    private PacketBed() {
    }

    /** @param name the lab's prefix, distinct for beds that live at once */
    static PacketBed start(String name) throws IOException {
        PacketBed bed = new PacketBed();
        try {
            bed.build(name);
            return bed;
        } catch (IOException | RuntimeException e) {
            bed.close();
            throw e;
        }
    }

    private void build(String name) throws IOException {
        lab = Lab.builder(name).node("node1", "10.244.1.0/24").node("node2", "10.244.2.0/23").build();
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
        xdp = Wrapper.load(datapath, XDP_WRAPPER, "bench_xdp_node", "bench_from_node", "bench_restore_xdp",
                p -> (frame, repeat) -> p.testRunXdp(frame, eth0, repeat));
        tc = Wrapper.load(datapath, TC_WRAPPER, "bench_tc_pod", "bench_from_pod", "bench_restore_tc", p -> p::testRun);
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

    /** from_node's and its restore's wrapper; XDP runs as if arrived on node1's eth0, the caller in {@link #nodeNs()}. */
    Wrapper xdpWrapper() {
        return xdp;
    }

    /** from_pod's and its restore's wrapper. */
    Wrapper tcWrapper() {
        return tc;
    }

    /** The empty XDP program, called as the XDP wrapper's are. */
    Program floorXdp() {
        BpfProgram p = floor.program("floor_xdp");
        return (frame, repeat) -> p.testRunXdp(frame, eth0, repeat);
    }

    /** The empty TC program, called as the TC wrapper's are. */
    Program floorTc() {
        return floor.program("floor_tc")::testRun;
    }

    /** ct_v1, which the wrappers share with the datapath. */
    TypedMap<CtKey, CtValue> conntrack() {
        return datapath.map("ct_v1").typed(CtKey.CODEC, CtValue.CODEC);
    }

    /** counters_v1 summed over CPUs. */
    Map<Reason, Counter> counters() {
        return datapath.counters();
    }

    @Override
    public void close() throws IOException {
        try {
            if (floor != null) floor.close();
            if (xdp != null) xdp.close();
            if (tc != null) tc.close();
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
