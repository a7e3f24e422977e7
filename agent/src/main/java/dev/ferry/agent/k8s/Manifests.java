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
import java.util.function.Function;

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
        return gather(objects.stream().map(Manifests::convertOne).toList());
    }

    /**
     * One object on its own: the model it adds to a Cluster (none for kinds that are not ours or
     * objects that are invalid) and its problems. Small, so a source can keep one per object.
     */
    public static final class Converted {
        private final Object model;
        private final List<String> problems;

        private Converted(Object model, List<String> problems) {
            this.model = model;
            this.problems = problems;
        }

        /** The model, or null for an object that is invalid or not of a kind Ferry reads. */
        Object model() {
            return model;
        }

        List<String> problems() {
            return problems;
        }
    }

    /** A ServiceCIDR's prefixes, as one object's model. */
    private record Cidrs(List<Cidr> cidrs) {
    }

    public static Converted convertOne(HasMetadata object) {
        try {
            return switch (object) {
                case io.fabric8.kubernetes.api.model.Service s ->
                        new Converted(ServiceConverter.convert(s).orElse(null), ServiceConverter.unsupportedPorts(s));
                case io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice s ->
                        new Converted(EndpointSliceConverter.convert(s).orElse(null), List.of());
                case io.fabric8.kubernetes.api.model.Node n -> new Converted(NodeConverter.convert(n), List.of());
                case io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR c ->
                        new Converted(new Cidrs(ServiceCidrConverter.convert(c)), List.of());
                case io.fabric8.kubernetes.api.model.Pod p -> new Converted(PodConverter.convert(p), List.of());
                case io.fabric8.kubernetes.api.model.Namespace n -> new Converted(NamespaceConverter.convert(n), List.of());
                case io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy p ->
                        new Converted(NetworkPolicyConverter.convert(p), List.of());
                default -> new Converted(null, List.of()); // other kinds may share the file; they are not ours
            };
        } catch (InvalidObjectException e) {
            return new Converted(null, List.of(e.getMessage()));
        } catch (RuntimeException e) {
            // A converter's blind spot must not stop the informer converting on its own thread.
            return new Converted(null, List.of(Fields.id(object) + ": could not be read: " + e));
        }
    }

    /** Objects converted one by one, in order, as one Cluster: what {@link #convert} of them all gives. */
    public static Parsed gather(List<Converted> converted) {
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<Cidr> serviceCidrs = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        List<Namespace> namespaces = new ArrayList<>();
        List<NetworkPolicy> policies = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Converted c : converted) {
            switch (c.model) {
                case Service s -> services.add(s);
                case EndpointSlice s -> slices.add(s);
                case Node n -> nodes.add(n);
                case Cidrs cidrs -> serviceCidrs.addAll(cidrs.cidrs());
                case Pod p -> pods.add(p);
                case Namespace n -> namespaces.add(n);
                case NetworkPolicy p -> policies.add(p);
                case null, default -> { }
            }
            problems.addAll(c.problems);
        }
        return new Parsed(new Cluster(services, slices, nodes, serviceCidrs, pods, namespaces, policies), problems);
    }

    /**
     * The models of one kind (one informer's store: all of one type, none null) as a Cluster of
     * that kind alone, the list taken as it is. Filed by the first model's type, so that a
     * snapshot of 100,000 Pods costs a copy of their references, not a look at each.
     */
    @SuppressWarnings("unchecked")
    static Cluster ofOneKind(List<?> models) {
        List<Object> m = (List<Object>) models;
        if (m.isEmpty()) return new Cluster(List.of(), List.of());
        return switch (m.getFirst()) {
            case Service s -> new Cluster((List<Service>) (List<?>) m, List.of());
            case EndpointSlice s -> new Cluster(List.of(), (List<EndpointSlice>) (List<?>) m);
            case Node n -> new Cluster(List.of(), List.of(), (List<Node>) (List<?>) m, List.of());
            case Cidrs c -> new Cluster(List.of(), List.of(), List.of(),
                    m.stream().flatMap(cidrs -> ((Cidrs) cidrs).cidrs().stream()).toList());
            case Pod p -> new Cluster(List.of(), List.of(), List.of(), List.of(), (List<Pod>) (List<?>) m, List.of(), List.of());
            case Namespace n -> new Cluster(List.of(), List.of(), List.of(), List.of(), List.of(),
                    (List<Namespace>) (List<?>) m, List.of());
            case NetworkPolicy p -> new Cluster(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                    (List<NetworkPolicy>) (List<?>) m);
            default -> throw new IllegalArgumentException("not a model: " + m.getFirst().getClass());
        };
    }

    /**
     * Several Parsed as one: each list of the Cluster is the concatenation of the parts' lists,
     * and the very list of the one part that has any of that kind (a source keeping one part per
     * kind hands on unchanged lists unchanged).
     */
    public static Parsed merge(List<Parsed> parts) {
        List<String> problems = new ArrayList<>();
        parts.forEach(p -> problems.addAll(p.problems()));
        return new Parsed(new Cluster(concat(parts, Cluster::services), concat(parts, Cluster::slices),
                concat(parts, Cluster::nodes), concat(parts, Cluster::serviceCidrs), concat(parts, Cluster::pods),
                concat(parts, Cluster::namespaces), concat(parts, Cluster::networkPolicies)), problems);
    }

    private static <E> List<E> concat(List<Parsed> parts, Function<Cluster, List<E>> list) {
        List<E> only = List.of();
        int nonEmpty = 0, size = 0;
        for (Parsed p : parts) {
            List<E> l = list.apply(p.cluster());
            if (!l.isEmpty()) {
                only = l;
                nonEmpty++;
                size += l.size();
            }
        }
        if (nonEmpty <= 1) return only;
        List<E> all = new ArrayList<>(size);
        parts.forEach(p -> all.addAll(list.apply(p.cluster())));
        return all;
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
