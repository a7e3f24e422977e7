package dev.ferry.bench.traffic;

import dev.ferry.agent.lab.Lab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One lab ("fbt") holding four copies of the same small cluster, one per {@link Subject}: node1
 * with the client pod, node2 with 10 backend pods each running a ferry-load server, all nodes and
 * one external client on the fabric. A copy per subject lets every dataplane stay installed while
 * the trials of the subjects take turns, and keeps exactly one dataplane on each measured path:
 * a node holding iptables rules also has conntrack, which must not tax the others.
 *
 * <p>Cluster c (0-3) has node1 with pods in 10.244.(2c+1).0/24 and node2 with 10.244.(2c+2).0/24,
 * host-gw routed. The external client reaches each node2's pods through that cluster's node1
 * (and node2 answers it through node1), so "plain routing" from outside crosses the same two
 * nodes as NodePort traffic, without any service translation.
 */
final class TrafficLab implements AutoCloseable {
    static final String PREFIX = "fbt";
    static final String EXTERNAL = "ext";

    /** One subject's nodes and pods. */
    record Cluster(Subject subject, String node1, String node2, String client, List<String> backends,
                   List<String> backendIps) {
    }

    private final Lab lab;
    private final List<Cluster> clusters;

    private TrafficLab(Lab lab, List<Cluster> clusters) {
        this.lab = lab;
        this.clusters = clusters;
    }

    static TrafficLab start(LoadTool tool) throws IOException {
        Lab.Builder builder = Lab.builder(PREFIX).external(EXTERNAL);
        List<Cluster> clusters = new ArrayList<>();
        for (Subject subject : Subject.values()) {
            int c = subject.ordinal();
            String node1 = subject.key + "1", node2 = subject.key + "2";
            builder.node(node1, "10.244." + (2 * c + 1) + ".0/24").node(node2, "10.244." + (2 * c + 2) + ".0/24");
            String client = subject.key + "-client";
            builder.pod(node1, client, "10.244." + (2 * c + 1) + ".10");
            List<String> backends = new ArrayList<>(), ips = new ArrayList<>();
            for (int i = 0; i < ServiceSet.ENDPOINTS; i++) {
                backends.add(subject.key + "-backend" + i);
                ips.add("10.244." + (2 * c + 2) + "." + (10 + i));
                builder.pod(node2, backends.getLast(), ips.getLast());
            }
            clusters.add(new Cluster(subject, node1, node2, client, List.copyOf(backends), List.copyOf(ips)));
        }
        Lab lab = builder.build();
        TrafficLab traffic = new TrafficLab(lab, List.copyOf(clusters));
        try {
            traffic.prepare(tool);
            return traffic;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void prepare(LoadTool tool) throws IOException {
        String external = lab.externalNs(EXTERNAL);
        // One client opens thousands of connections a second: without reusing TIME_WAIT ports
        // it runs out of them within seconds and measures the kernel's port search instead.
        for (String ns : clientNamespaces()) {
            lab.exec(ns, "sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1", "net.ipv4.ip_local_port_range=1024 60999");
        }
        for (Cluster cluster : clusters) {
            for (String node : List.of(cluster.node1(), cluster.node2())) {
                // kube-proxy's conntrack holds a closed connection for 120 s: at this rate the table
                // (262,144 entries) would fill and drop SYNs, measuring that instead of the rules.
                lab.exec(lab.nodeNs(node), "sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_timeout_time_wait=5");
            }
            String node1Ip = lab.nodeIp(cluster.node1());
            lab.exec(external, "ip", "route", "add", lab.node(cluster.node2()).podCidr(), "via", node1Ip);
            lab.exec(lab.nodeNs(cluster.node2()), "ip", "route", "add", lab.externalIp(EXTERNAL) + "/32", "via", node1Ip);
            for (String backend : cluster.backends()) {
                Process server = tool.startServer(lab.podNs(backend), ServiceSet.TARGET_PORT);
                lab.closeWithLab(() -> {
                    server.destroy();
                    server.waitFor();
                });
            }
        }
    }

    private List<String> clientNamespaces() {
        List<String> namespaces = new ArrayList<>(clusters.stream().map(c -> lab.podNs(c.client())).toList());
        namespaces.add(lab.externalNs(EXTERNAL));
        return namespaces;
    }

    Lab lab() {
        return lab;
    }

    Cluster cluster(Subject subject) {
        return clusters.get(subject.ordinal());
    }

    @Override
    public void close() {
        lab.close();
    }
}
