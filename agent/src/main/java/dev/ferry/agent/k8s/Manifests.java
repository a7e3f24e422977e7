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
        Parts parts = new Parts();
        for (HasMetadata object : objects) {
            try {
                switch (object) {
                    case io.fabric8.kubernetes.api.model.Service s -> {
                        ServiceConverter.convert(s).ifPresent(parts.services::add);
                        parts.problems.addAll(ServiceConverter.unsupportedPorts(s));
                    }
                    case io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice s ->
                            EndpointSliceConverter.convert(s).ifPresent(parts.slices::add);
                    case io.fabric8.kubernetes.api.model.Node n -> parts.nodes.add(NodeConverter.convert(n));
                    case io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR c ->
                            parts.serviceCidrs.addAll(ServiceCidrConverter.convert(c));
                    case io.fabric8.kubernetes.api.model.Pod p -> parts.pods.add(PodConverter.convert(p));
                    case io.fabric8.kubernetes.api.model.Namespace n -> parts.namespaces.add(NamespaceConverter.convert(n));
                    case io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy p ->
                            parts.policies.add(NetworkPolicyConverter.convert(p));
                    default -> { } // other kinds may share the file; they are not ours
                }
            } catch (InvalidObjectException e) {
                parts.problems.add(e.getMessage());
            }
        }
        return parts.parsed();
    }

    /** Conversions of parts, in order, as one: what {@link #convert} of all their objects gives. */
    public static Parsed merge(List<Parsed> parts) {
        Parts all = new Parts();
        for (Parsed part : parts) {
            Cluster c = part.cluster();
            all.services.addAll(c.services());
            all.slices.addAll(c.slices());
            all.nodes.addAll(c.nodes());
            all.serviceCidrs.addAll(c.serviceCidrs());
            all.pods.addAll(c.pods());
            all.namespaces.addAll(c.namespaces());
            all.policies.addAll(c.networkPolicies());
            all.problems.addAll(part.problems());
        }
        return all.parsed();
    }

    /** What a {@link Cluster} is built from, gathered object by object or part by part. */
    private static final class Parts {
        final List<Service> services = new ArrayList<>();
        final List<EndpointSlice> slices = new ArrayList<>();
        final List<Node> nodes = new ArrayList<>();
        final List<Cidr> serviceCidrs = new ArrayList<>();
        final List<Pod> pods = new ArrayList<>();
        final List<Namespace> namespaces = new ArrayList<>();
        final List<NetworkPolicy> policies = new ArrayList<>();
        final List<String> problems = new ArrayList<>();

        Parsed parsed() {
            return new Parsed(new Cluster(services, slices, nodes, serviceCidrs, pods, namespaces, policies), problems);
        }
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
