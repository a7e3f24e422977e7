package dev.ferry.bench.packet;

import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Endpoint;
import dev.ferry.agent.model.EndpointPort;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.Service;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.model.ServicePort;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * What the per-packet benchmark programs, as Kubernetes objects for the production translators:
 * the service under measurement plus filler ClusterIP services up to the scale.
 * <ul>
 * <li>NodePort {@code bench/nodeport} (30080/TCP → 8080) with {@link #NODEPORT_BACKENDS} endpoints
 *     on node2 (pod CIDR 10.244.2.0/23): every flow is DNATed, SNATed to node1 and sent back out
 *     (XDP_TX). A flow's SNAT port is free per backend: 256 backends × 4536 ports (61000-65535)
 *     is over four times what conntrack (262144 entries) can hold taken: with conntrack full at
 *     most 23% of them are, and a new flow's first try succeeds at least 3 times in 4. (With 64
 *     backends new flows were dropped, out of SNAT ports, within the first 210k flows.)</li>
 * <li>ClusterIP {@code bench/clusterip} (10.96.0.10:80 → 8080) with {@link #CLUSTERIP_BACKENDS}
 *     endpoints on node2, reached from client pods on node1.</li>
 * <li>Filler services: one port, one endpoint each (distinct addresses), so 100,000 of them fit
 *     backends_v2 and slots_v1 (262144 entries).</li>
 * <li>Pods: the clients (app=client) and the ClusterIP backends (app=backend) in namespace bench;
 *     with policy, a NetworkPolicy isolates the clients for egress and allows app=backend on 8080.</li>
 * </ul>
 * A scale of N services means the measured one and N-1 fillers.
 */
final class BenchCluster {
    static final String NODE1 = "192.168.254.11", NODE2 = "192.168.254.12", VIP = "10.96.0.10";
    static final int NODEPORT = 30080, VIP_PORT = 80;
    static final int NODEPORT_BACKENDS = 256, CLUSTERIP_BACKENDS = 10;
    /** Client pods for new flows ({@link Flows}), and one more whose flows are set up as established. */
    static final int NEW_FLOW_CLIENTS = 16;
    static final String ESTABLISHED_CLIENT = "10.244.1.99";

    enum Measured { NODEPORT, CLUSTERIP }

    private BenchCluster() {
    }

    static String newFlowClient(int i) {
        return "10.244.1." + (100 + i);
    }

    /** The measured services, the pods and (with policy) the NetworkPolicy, as kubectl would print them. */
    private static String yaml(Measured measured, boolean policy) {
        StringBuilder y = new StringBuilder("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: bench}
                """);
        if (measured == Measured.NODEPORT) {
            y.append(service("nodeport", "type: NodePort, clusterIP: 10.96.0.11, ports: [{port: 80, targetPort: 8080, nodePort: "
                    + NODEPORT + "}]", NODEPORT_BACKENDS, 100));
        } else {
            y.append(service("clusterip", "clusterIP: " + VIP + ", ports: [{port: " + VIP_PORT + ", targetPort: 8080}]",
                    CLUSTERIP_BACKENDS, 20));
        }
        for (int i = 0; i < NEW_FLOW_CLIENTS; i++) y.append(pod("client-" + i, "client", "node1", newFlowClient(i)));
        y.append(pod("client-established", "client", "node1", ESTABLISHED_CLIENT));
        for (int i = 0; i < CLUSTERIP_BACKENDS; i++) y.append(pod("backend-" + i, "backend", "node2", "10.244.2." + (20 + i)));
        if (policy) {
            y.append("""
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: clients-reach-backends, namespace: bench}
                    spec:
                      podSelector: {matchLabels: {app: client}}
                      policyTypes: [Egress]
                      egress: [{to: [{podSelector: {matchLabels: {app: backend}}}], ports: [{port: 8080}]}]
                    """);
        }
        return y.toString();
    }

    private static String service(String name, String spec, int endpoints, int firstHost) {
        StringBuilder addresses = new StringBuilder();
        for (int i = 0; i < endpoints; i++) {
            int host = firstHost + i;
            addresses.append(i == 0 ? "" : ", ").append("10.244.").append(2 + host / 256).append('.').append(host % 256);
        }
        return """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: bench}
                spec: {%s}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s-1, namespace: bench, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports: [{port: 8080}]
                endpoints: [{addresses: [%s], nodeName: node2}]
                """.formatted(name, spec, name, name, addresses);
    }

    private static String pod(String name, String app, String node, String ip) {
        return """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: bench, labels: {app: %s}}
                spec: {nodeName: %s, containers: [{name: c}]}
                status: {podIP: %s}
                """.formatted(name, app, node, ip);
    }

    /** The measured service and {@code services - 1} fillers, with the pods, and the policy if asked. */
    static Cluster of(Measured measured, int services, boolean policy) {
        Manifests.Parsed parsed = Manifests.parse(yaml(measured, policy));
        if (!parsed.problems().isEmpty()) throw new IllegalStateException("bench cluster: " + parsed.problems());
        Cluster base = parsed.cluster();
        List<Service> all = new ArrayList<>(base.services());
        List<EndpointSlice> slices = new ArrayList<>(base.slices());
        for (int i = 0; i < services - 1; i++) {
            ServiceName name = new ServiceName("filler", "s" + i);
            all.add(new Service(name, List.of(address(10, 100, i)), List.of(new ServicePort("", 80, Protocol.TCP))));
            slices.add(new EndpointSlice(name, "s" + i + "-1", List.of(new EndpointPort("", 8080, Protocol.TCP)),
                    List.of(new Endpoint(address(10, 128, i), true, true, false, "node2"))));
        }
        return new Cluster(all, slices, base.nodes(), base.serviceCidrs(), base.pods(), base.namespaces(),
                base.networkPolicies());
    }

    /** a.b.0.0 + i, for up to 65536 × 256 fillers. */
    private static Inet4Address address(int a, int b, int i) {
        return Ipv4.parse(a + "." + (b + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff));
    }
}
