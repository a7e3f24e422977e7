package dev.ferry.agent.model;

import java.util.List;

/**
 * Everything a source knows at one moment: the input of the translators. {@code nodes} holds
 * the Node objects the source saw (the API source watches only this agent's own node);
 * {@code serviceCidrs} the IPv4 prefixes of all ServiceCIDR objects; {@code pods},
 * {@code namespaces} and {@code networkPolicies} those of the whole cluster, for NetworkPolicy.
 */
public record Cluster(List<Service> services, List<EndpointSlice> slices, List<Node> nodes, List<Cidr> serviceCidrs,
                      List<Pod> pods, List<Namespace> namespaces, List<NetworkPolicy> networkPolicies) {
    public Cluster {
        services = FrozenList.copyOf(services);
        slices = FrozenList.copyOf(slices);
        nodes = FrozenList.copyOf(nodes);
        serviceCidrs = FrozenList.copyOf(serviceCidrs);
        pods = FrozenList.copyOf(pods);
        namespaces = FrozenList.copyOf(namespaces);
        networkPolicies = FrozenList.copyOf(networkPolicies);
    }

    /** Services only, without NetworkPolicy's objects. */
    public Cluster(List<Service> services, List<EndpointSlice> slices, List<Node> nodes, List<Cidr> serviceCidrs) {
        this(services, slices, nodes, serviceCidrs, List.of(), List.of(), List.of());
    }

    public Cluster(List<Service> services, List<EndpointSlice> slices) {
        this(services, slices, List.of(), List.of());
    }

    /** This node as the cluster describes it, or a node without a zone when it is not known. */
    public Node node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(Node.unknown(name));
    }

    /**
     * Whether two lists hold the very same objects in the same order. The source keeps an
     * unchanged object's instance from snapshot to snapshot, so this is how the translators tell
     * that their inputs did not change, without comparing contents.
     */
    public static boolean sameInstances(List<?> a, List<?> b) {
        if (a == b) return true; // a kind that did not change keeps its very list
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) return false;
        }
        return true;
    }
}
