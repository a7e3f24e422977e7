package dev.ferry.bench.control;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster the control-plane benchmark programs: {@code services} ClusterIP Services with one
 * TCP port, each with one EndpointSlice of {@link #ENDPOINTS} ready endpoints spread over
 * {@link #NODES} nodes (the agent's own node among them), 100 services per namespace; and, for
 * the variant that shows where memory goes, the Pods behind those endpoints and their Namespaces,
 * shaped like what a kubelet reports (one container, requests, status conditions).
 * Deterministic: service i and endpoint k always get the same names and addresses.
 */
final class Workload {
    static final int ENDPOINTS = 10;
    static final int NODES = 100;
    static final int PORT = 80;
    static final int TARGET_PORT = 8080;
    private static final int PER_NAMESPACE = 100;
    /** ClusterIPs from 10.96.0.0/12, endpoints from 10.128.0.0/9, replacement endpoints from 10.112.0.0/12. */
    private static final int CLUSTER_IP_BASE = 0x0A60_0000 + 10;
    private static final int ENDPOINT_BASE = 0x0A80_0000;
    private static final int SPARE_BASE = 0x0A70_0000;

    private final int services;
    private final String localNode;

    Workload(int services, String localNode) {
        this.services = services;
        this.localNode = localNode;
    }

    int services() {
        return services;
    }

    static String namespace(int service) {
        return "bench-" + service / PER_NAMESPACE;
    }

    static String name(int service) {
        return "svc-" + service;
    }

    static Inet4Address clusterIp(int service) {
        return address(CLUSTER_IP_BASE + service);
    }

    /** Endpoint k of a service as first created. */
    static Inet4Address endpoint(int service, int k) {
        return address(ENDPOINT_BASE + service * ENDPOINTS + k);
    }

    /** The address endpoint 0 of a service moves to and back from, one per service. */
    static Inet4Address spare(int service) {
        return address(SPARE_BASE + service);
    }

    String nodeOf(int service, int k) {
        int n = (service * ENDPOINTS + k) % NODES;
        return n == 0 ? localNode : "node-" + n;
    }

    List<Service> serviceObjects() {
        List<Service> out = new ArrayList<>(services);
        for (int i = 0; i < services; i++) out.add(service(i));
        return out;
    }

    /** Slice i belongs to service i. */
    List<EndpointSlice> sliceObjects() {
        List<EndpointSlice> out = new ArrayList<>(services);
        for (int i = 0; i < services; i++) out.add(slice(i, false));
        return out;
    }

    List<HasMetadata> namespacesAndPods() {
        List<HasMetadata> out = new ArrayList<>(services * (ENDPOINTS + 1));
        for (int i = 0; i < services; i += PER_NAMESPACE) out.add(namespaceObject(namespace(i)));
        for (int i = 0; i < services; i++) {
            for (int k = 0; k < ENDPOINTS; k++) out.add(pod(i, k));
        }
        return out;
    }

    Service service(int i) {
        return new ServiceBuilder().withNewMetadata().withName(name(i)).withNamespace(namespace(i))
                .addToLabels("app", name(i)).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp(i).getHostAddress())
                .withClusterIPs(clusterIp(i).getHostAddress()).withIpFamilies("IPv4").withSelector(java.util.Map.of("app", name(i)))
                .addNewPort().withName("http").withPort(PORT).withNewTargetPort(TARGET_PORT).withProtocol("TCP").endPort()
                .endSpec().build();
    }

    /** The service's slice; {@code moved}: endpoint 0 at its spare address instead of its first one. */
    EndpointSlice slice(int i, boolean moved) {
        List<Endpoint> endpoints = new ArrayList<>(ENDPOINTS);
        for (int k = 0; k < ENDPOINTS; k++) {
            Inet4Address address = k == 0 && moved ? spare(i) : endpoint(i, k);
            endpoints.add(new EndpointBuilder().withAddresses(address.getHostAddress()).withNodeName(nodeOf(i, k))
                    .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                    .withNewTargetRef().withKind("Pod").withNamespace(namespace(i)).withName(podName(i, k)).endTargetRef()
                    .build());
        }
        return new EndpointSliceBuilder().withNewMetadata().withName(name(i) + "-x7k2p").withNamespace(namespace(i))
                .addToLabels("kubernetes.io/service-name", name(i))
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .withAddressType("IPv4").withEndpoints(endpoints)
                .addNewPort().withName("http").withPort(TARGET_PORT).withProtocol("TCP").endPort().build();
    }

    private static String podName(int i, int k) {
        return name(i) + "-6d4f8b7c9-" + k;
    }

    private static Namespace namespaceObject(String name) {
        return new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/metadata.name", name).endMetadata().build();
    }

    private Pod pod(int i, int k) {
        String ip = endpoint(i, k).getHostAddress();
        String started = "2025-01-01T00:00:00Z";
        return new PodBuilder().withNewMetadata().withName(podName(i, k)).withNamespace(namespace(i))
                .addToLabels("app", name(i)).addToLabels("pod-template-hash", "6d4f8b7c9")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(name(i) + "-6d4f8b7c9")
                .withUid("00000000-0000-0000-0000-" + String.format("%012d", i)).withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().withNodeName(nodeOf(i, k)).withServiceAccountName("default")
                .addNewContainer().withName("app").withImage("registry.example/app:1.0")
                .addNewPort().withContainerPort(TARGET_PORT).withName("http").withProtocol("TCP").endPort()
                .withNewResources().addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("128Mi"))
                .endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP(ip).withHostIP("192.168.0." + (i % 250 + 1))
                .withStartTime(started)
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(started).endCondition()
                .addNewCondition().withType("ContainersReady").withStatus("True").withLastTransitionTime(started).endCondition()
                .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(started).endCondition()
                .addNewContainerStatus().withName("app").withImage("registry.example/app:1.0").withReady(true)
                .withRestartCount(0).withStarted(true).withNewState().withNewRunning().withStartedAt(started).endRunning()
                .endState().endContainerStatus()
                .endStatus().build();
    }

    private static Inet4Address address(int value) {
        byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
