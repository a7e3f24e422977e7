package dev.ferry.agent.translate;

import dev.ferry.agent.model.Endpoint;
import dev.ferry.agent.model.Node;

import java.util.List;
import java.util.function.Predicate;

/**
 * Which endpoints a node may use, exactly as kube-proxy decides it (pkg/proxy/topology.go,
 * CategorizeEndpoints and topologyModeFromHints):
 * <ul>
 *   <li>cluster-wide: ready endpoints, narrowed by topology hints when every ready endpoint has
 *       hints and one of them is for this node (forNodes, PreferSameNode) or else this node's
 *       zone (forZones, PreferSameZone); with no ready one, the serving-and-terminating ones;</li>
 *   <li>local (internalTrafficPolicy Local): ready endpoints on this node, else its
 *       serving-and-terminating ones; hints play no part.</li>
 * </ul>
 */
final class EndpointSelection {
    private EndpointSelection() {
    }

    static List<Endpoint> cluster(List<Endpoint> endpoints, Node node) {
        Predicate<Endpoint> topology = topologyFilter(endpoints, node);
        List<Endpoint> ready = endpoints.stream().filter(e -> e.ready() && topology.test(e)).toList();
        if (!ready.isEmpty()) return ready;
        return endpoints.stream().filter(e -> e.serving() && e.terminating() && topology.test(e)).toList();
    }

    static List<Endpoint> local(List<Endpoint> endpoints, Node node) {
        Predicate<Endpoint> onThisNode = e -> node.name().equals(e.nodeName());
        List<Endpoint> ready = endpoints.stream().filter(e -> e.ready() && onThisNode.test(e)).toList();
        if (!ready.isEmpty()) return ready;
        return endpoints.stream().filter(e -> e.serving() && e.terminating() && onThisNode.test(e)).toList();
    }

    /** Hints are used only if every ready endpoint carries them and some are for us; otherwise all endpoints. */
    private static Predicate<Endpoint> topologyFilter(List<Endpoint> endpoints, Node node) {
        List<Endpoint> ready = endpoints.stream().filter(Endpoint::ready).toList();
        if (ready.isEmpty()) return e -> true;
        if (ready.stream().allMatch(e -> !e.nodeHints().isEmpty())
                && ready.stream().anyMatch(e -> e.nodeHints().contains(node.name()))) {
            return e -> e.nodeHints().contains(node.name());
        }
        if (!node.zone().isEmpty() && ready.stream().allMatch(e -> !e.zoneHints().isEmpty())
                && ready.stream().anyMatch(e -> e.zoneHints().contains(node.zone()))) {
            return e -> e.zoneHints().contains(node.zone());
        }
        return e -> true;
    }
}
