package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Namespace;
import dev.ferry.agent.model.Pod;
import dev.ferry.agent.model.PolicyPeer;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The pods NetworkPolicy knows by address (an IPv4 one, not host-network, not terminal), in
 * name order, with their identities, and which of them a rule's selector peer picks.
 */
final class PolicyPods {
    private final Map<Pod, Identity.Pods> identities = new LinkedHashMap<>();
    private final Set<Identity.Pods> distinct;

    PolicyPods(Cluster cluster) {
        Map<String, SortedMap<String, String>> namespaceLabels = new HashMap<>();
        cluster.namespaces().forEach(ns -> namespaceLabels.put(ns.name(), ns.labels()));
        cluster.pods().stream().filter(p -> p.policyAddress().isPresent())
                .sorted(Comparator.comparing(Pod::name))
                .forEach(p -> identities.put(p, new Identity.Pods(p.namespace(), p.labels(),
                        // A pod seen before its namespace: it still has the label the API server always sets.
                        namespaceLabels.getOrDefault(p.namespace(), Namespace.defaultLabels(p.namespace())),
                        new TreeSet<>(p.namedPorts()))));
        distinct = Set.copyOf(identities.values());
    }

    /** In name order, so that of two pods claiming one address the first in that order wins. */
    List<Pod> all() {
        return List.copyOf(identities.keySet());
    }

    Identity.Pods identity(Pod pod) {
        return identities.get(pod);
    }

    Set<Identity.Pods> identities() {
        return distinct;
    }

    /**
     * The identities of the pods {@code peer} picks for a policy of {@code policyNamespace}:
     * without a namespaceSelector only that namespace's pods, with one the pods of every
     * namespace whose labels it matches; then, with a podSelector, only the pods it matches.
     */
    Set<Identity> selectedBy(String policyNamespace, PolicyPeer.Pods peer) {
        Set<Identity> out = new LinkedHashSet<>();
        identities.forEach((pod, identity) -> {
            boolean namespace = peer.namespaceSelector().map(s -> s.matches(identity.namespaceLabels()))
                    .orElse(pod.namespace().equals(policyNamespace));
            if (namespace && peer.podSelector().map(s -> s.matches(pod.labels())).orElse(true)) out.add(identity);
        });
        return out;
    }
}
