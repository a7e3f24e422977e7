package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.lab.EchoServer;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The cluster of upstream's netpol e2e (its {@code model.go}): namespaces x, y, z with pods a, b,
 * c, each pod serving the same ports over the same protocols, placed on lab nodes with fixed IPs.
 * Immutable: a label change gives a new model, so every state of a test is complete in itself.
 *
 * <p>Namespaces carry {@code ns: <name>} and, as the API server adds it,
 * {@code kubernetes.io/metadata.name: <name>}; pods carry {@code pod: <name>}. Each pod has one
 * container per port and protocol with upstream's names ({@code cont-80-tcp} serving the named
 * port {@code serve-80-tcp}), which named ports in policies resolve against.
 */
public final class NetpolModel {
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    public record ModelNamespace(String name, Map<String, String> labels) {
        public ModelNamespace {
            labels = Map.copyOf(labels);
        }
    }

    /** @param ip the pod's only address, /32 on its eth0 in the lab */
    public record ModelPod(String namespace, String name, String node, String ip, Map<String, String> labels) {
        public ModelPod {
            labels = Map.copyOf(labels);
        }

        /** "x/a". */
        public String podString() {
            return PodStrings.of(namespace, name);
        }
    }

    private final List<ModelNamespace> namespaces;
    private final List<ModelPod> pods;
    private final List<Integer> ports;
    private final List<Protocol> protocols;

    private NetpolModel(List<ModelNamespace> namespaces, List<ModelPod> pods, List<Integer> ports, List<Protocol> protocols) {
        this.namespaces = List.copyOf(namespaces);
        this.pods = List.copyOf(pods);
        this.ports = List.copyOf(ports);
        this.protocols = List.copyOf(protocols);
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<ModelNamespace> namespaces() {
        return namespaces;
    }

    public List<ModelPod> pods() {
        return pods;
    }

    public List<Integer> ports() {
        return ports;
    }

    public List<Protocol> protocols() {
        return protocols;
    }

    /** Every pod as "x/a", namespace by namespace: the rows and columns of a truth table. */
    public List<String> podStrings() {
        return pods.stream().map(ModelPod::podString).toList();
    }

    public ModelPod pod(String podString) {
        return pods.stream().filter(p -> p.podString().equals(podString)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod " + podString + " in " + podStrings()));
    }

    public String ip(String podString) {
        return pod(podString).ip();
    }

    /** A fresh expectation over every pod of the model. */
    public Reachability reachability(boolean defaultExpectation) {
        return new Reachability(podStrings(), defaultExpectation);
    }

    /** The same cluster with one more (or a changed) label on a pod. */
    public NetpolModel withPodLabel(String podString, String key, String value) {
        pod(podString); // fails for an unknown pod
        return new NetpolModel(namespaces, pods.stream().map(p -> p.podString().equals(podString)
                ? new ModelPod(p.namespace(), p.name(), p.node(), p.ip(), with(p.labels(), key, value)) : p).toList(),
                ports, protocols);
    }

    /** The same cluster with one more (or a changed) label on a namespace. */
    public NetpolModel withNamespaceLabel(String namespace, String key, String value) {
        if (namespaces.stream().noneMatch(n -> n.name().equals(namespace))) {
            throw new IllegalArgumentException("no namespace " + namespace);
        }
        return new NetpolModel(namespaces.stream().map(n -> n.name().equals(namespace)
                ? new ModelNamespace(n.name(), with(n.labels(), key, value)) : n).toList(), pods, ports, protocols);
    }

    /** Adds every pod to a lab under construction, as "x-a" on its node. */
    public Lab.Builder addPodsTo(Lab.Builder lab) {
        pods.forEach(p -> lab.pod(p.node(), PodStrings.labName(p.podString()), p.ip()));
        return lab;
    }

    /** Starts an {@link EchoServer} (TCP and UDP) on every port of every pod, answering as "x/a". */
    public void startServers(Lab lab) {
        for (ModelPod pod : pods) {
            for (int port : ports) {
                lab.closeWithLab(EchoServer.start(lab.podNs(PodStrings.labName(pod.podString())), pod.podString(), port));
            }
        }
    }

    /** Namespace and Pod objects as the API server would list them (pods Running with their IPs). */
    public List<HasMetadata> objects() {
        List<HasMetadata> objects = new ArrayList<>();
        namespaces.forEach(n -> objects.add(namespace(n)));
        pods.forEach(p -> objects.add(pod(p)));
        return objects;
    }

    /** Objects as YAML documents, the form `ferry agent --services-file` reads. */
    public static String yaml(List<? extends HasMetadata> objects) {
        return objects.stream().map(Serialization::asYaml).collect(Collectors.joining());
    }

    private static Namespace namespace(ModelNamespace n) {
        return new NamespaceBuilder().withNewMetadata().withName(n.name()).withLabels(sorted(n.labels())).endMetadata()
                .withNewStatus().withPhase("Active").endStatus().build();
    }

    private Pod pod(ModelPod p) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withNamespace(p.namespace()).withName(p.name())
                .withLabels(sorted(p.labels())).endMetadata();
        var spec = pod.withNewSpec().withNodeName(p.node());
        for (int port : ports) {
            for (Protocol protocol : protocols) {
                String suffix = port + "-" + protocol.name().toLowerCase(java.util.Locale.ROOT);
                spec.addToContainers(new ContainerBuilder().withName("cont-" + suffix).withImage("registry.k8s.io/e2e-test-images/agnhost:2.53")
                        .addNewPort().withName("serve-" + suffix).withContainerPort(port).withProtocol(protocol.name()).endPort()
                        .build());
            }
        }
        return spec.endSpec().withNewStatus().withPhase("Running").withPodIP(p.ip()).addNewPodIP(p.ip())
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> changed = new LinkedHashMap<>(labels);
        changed.put(key, value);
        return changed;
    }

    /** Sorted, so equal models always print the same YAML. */
    private static Map<String, String> sorted(Map<String, String> labels) {
        return new TreeMap<>(labels);
    }

    /** Namespaces with their pods, in order; every namespace gets the default labels. */
    public static final class Builder {
        private final List<ModelNamespace> namespaces = new ArrayList<>();
        private final List<ModelPod> pods = new ArrayList<>();
        private List<Integer> ports = List.of(80, 81);
        private List<Protocol> protocols = List.of(Protocol.TCP, Protocol.UDP);

        private Builder() {
        }

        public Builder ports(Integer... ports) {
            this.ports = List.of(ports);
            return this;
        }

        public Builder protocols(Protocol... protocols) {
            this.protocols = List.of(protocols);
            return this;
        }

        /** A namespace; the pods that follow belong to it. */
        public Builder namespace(String name) {
            namespaces.add(new ModelNamespace(name, Map.of("ns", name, NAMESPACE_NAME_LABEL, name)));
            return this;
        }

        /** A pod of the last namespace, labelled {@code pod: <name>}. */
        public Builder pod(String name, String node, String ip) {
            if (namespaces.isEmpty()) throw new IllegalStateException("a pod needs a namespace first");
            pods.add(new ModelPod(namespaces.getLast().name(), name, node, ip, Map.of("pod", name)));
            return this;
        }

        public NetpolModel build() {
            return new NetpolModel(namespaces, pods, ports, protocols);
        }
    }
}
