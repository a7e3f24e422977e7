package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Node;

/** fabric8 Node -> model Node: the name and the topology.kubernetes.io/zone label. */
public final class NodeConverter {
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private NodeConverter() {
    }

    public static Node convert(io.fabric8.kubernetes.api.model.Node node) throws InvalidObjectException {
        String name = Fields.name(node);
        var labels = node.getMetadata().getLabels();
        String zone = labels == null ? null : labels.get(ZONE_LABEL);
        return new Node(name, zone == null ? "" : zone);
    }
}
