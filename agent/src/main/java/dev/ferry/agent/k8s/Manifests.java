package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.Namespace;
import dev.ferry.agent.model.NetworkPolicy;
import dev.ferry.agent.model.Node;
import dev.ferry.agent.model.Pod;
import dev.ferry.agent.model.Service;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes YAML (one or many documents, or a List) -> Cluster. Objects that can not be
 * programmed are reported in {@link Parsed#problems()} and left out; the others still count.
 */
public final class Manifests {
    private Manifests() {
    }

    public record Parsed(Cluster cluster, List<String> problems) {
    }

    /** @throws IllegalArgumentException when the text is not Kubernetes YAML at all */
    public static Parsed parse(String yaml) {
        return convert(objects(yaml));
    }

    /** Converts what a source holds (file documents or informer stores); bad objects become problems. */
    public static Parsed convert(List<? extends HasMetadata> objects) {
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<Cidr> serviceCidrs = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        List<Namespace> namespaces = new ArrayList<>();
        List<NetworkPolicy> policies = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (HasMetadata object : objects) {
            try {
                switch (object) {
                    case io.fabric8.kubernetes.api.model.Service s -> {
                        ServiceConverter.convert(s).ifPresent(services::add);
                        problems.addAll(ServiceConverter.unsupportedPorts(s));
                    }
                    case io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice s ->
                            EndpointSliceConverter.convert(s).ifPresent(slices::add);
                    case io.fabric8.kubernetes.api.model.Node n -> nodes.add(NodeConverter.convert(n));
                    case io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR c ->
                            serviceCidrs.addAll(ServiceCidrConverter.convert(c));
                    case io.fabric8.kubernetes.api.model.Pod p -> pods.add(PodConverter.convert(p));
                    case io.fabric8.kubernetes.api.model.Namespace n -> namespaces.add(NamespaceConverter.convert(n));
                    case io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy p ->
                            policies.add(NetworkPolicyConverter.convert(p));
                    default -> { } // other kinds may share the file; they are not ours
                }
            } catch (InvalidObjectException e) {
                problems.add(e.getMessage());
            }
        }
        return new Parsed(new Cluster(services, slices, nodes, serviceCidrs, pods, namespaces, policies), problems);
    }

    /** Conversions of parts, in order, as one: what {@link #convert} of all their objects gives. */
    public static Parsed merge(List<Parsed> parts) {
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<Cidr> serviceCidrs = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        List<Namespace> namespaces = new ArrayList<>();
        List<NetworkPolicy> policies = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Parsed part : parts) {
            Cluster c = part.cluster();
            services.addAll(c.services());
            slices.addAll(c.slices());
            nodes.addAll(c.nodes());
            serviceCidrs.addAll(c.serviceCidrs());
            pods.addAll(c.pods());
            namespaces.addAll(c.namespaces());
            policies.addAll(c.networkPolicies());
            problems.addAll(part.problems());
        }
        return new Parsed(new Cluster(services, slices, nodes, serviceCidrs, pods, namespaces, policies), problems);
    }

    private static List<HasMetadata> objects(String yaml) {
        if (yaml.isBlank()) return List.of();
        Object parsed;
        try {
            parsed = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not Kubernetes YAML: " + rootCause(e), e);
        }
        List<HasMetadata> objects = new ArrayList<>();
        flatten(parsed, objects);
        return objects;
    }

    private static void flatten(Object parsed, List<HasMetadata> into) {
        switch (parsed) {
            case null -> { }
            case KubernetesList list -> list.getItems().forEach(item -> flatten(item, into));
            case List<?> list -> list.forEach(item -> flatten(item, into));
            case HasMetadata object -> into.add(object);
            default -> throw new IllegalArgumentException("not a Kubernetes object: " + parsed.getClass().getSimpleName());
        }
    }

    private static String rootCause(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage();
    }
}
