package dev.ferry.agent.translate.policy;

import dev.ferry.agent.model.ContainerPort;
import dev.ferry.agent.model.Direction;
import dev.ferry.agent.model.Pod;
import dev.ferry.agent.model.PolicyPeer;
import dev.ferry.agent.model.PolicyPort;
import dev.ferry.agent.model.PolicyRule;

import java.net.Inet4Address;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** One rule of one policy, for one local pod it selects, in one direction -> that pod's allow entries. */
final class RuleEntries {
    private final PolicyPods pods;
    private final BlockPrefixes blocks;
    /** A rule's peers do not depend on the local pod: picked once per rule, not once per pod. */
    private final Map<RuleInNamespace, Set<Identity>> peersByRule = new HashMap<>();

    private record RuleInNamespace(String namespace, List<PolicyPeer> peers) {
    }

    RuleEntries(PolicyPods pods, BlockPrefixes blocks) {
        this.pods = pods;
        this.blocks = blocks;
    }

    /** @param policyNamespace where selector peers without a namespaceSelector look for pods */
    void compile(Pod endpoint, String policyNamespace, Direction direction, PolicyRule rule, Consumer<PolicyEntry> out) {
        Inet4Address address = endpoint.policyAddress().orElseThrow();
        Set<Identity> peers = peersByRule.computeIfAbsent(new RuleInNamespace(policyNamespace, rule.peers()),
                r -> peers(r.namespace(), r.peers()));
        for (Identity peer : peers) {
            if (rule.ports().isEmpty()) {
                out.accept(PolicyEntry.allTraffic(address, direction, peer));
                continue;
            }
            for (PolicyPort port : rule.ports()) {
                switch (port) {
                    case PolicyPort.All all -> out.accept(new PolicyEntry(address, direction, peer, all.protocol(), 0, 65535));
                    case PolicyPort.Range range ->
                            out.accept(new PolicyEntry(address, direction, peer, range.protocol(), range.first(), range.last()));
                    case PolicyPort.Named named -> resolve(endpoint, direction, peer, named).forEach(target ->
                            out.accept(new PolicyEntry(address, direction, target.peer(), named.protocol(),
                                    target.port(), target.port())));
                }
            }
        }
    }

    /** A rule without peers allows every peer; otherwise the union of what its peers pick. */
    private Set<Identity> peers(String policyNamespace, List<PolicyPeer> peers) {
        if (peers.isEmpty()) return Set.of(Identity.Reserved.ANY);
        Set<Identity> out = new LinkedHashSet<>();
        for (PolicyPeer peer : peers) {
            switch (peer) {
                case PolicyPeer.Pods selector -> out.addAll(pods.selectedBy(policyNamespace, selector));
                case PolicyPeer.IpBlock block -> out.addAll(blocks.allowedBy(block));
                case PolicyPeer.Ipv6Block ignored -> { } // no IPv4 address is in it
            }
        }
        return out;
    }

    private record Target(Identity peer, int port) {
    }

    /**
     * A named port is a port of the pod that receives the traffic. Ingress: the local pod's own,
     * whoever the peer is. Egress: each destination pod's, which is why named ports are part of
     * a pod identity; a rule open to every peer resolves against every pod that has the name.
     * An ipBlock peer has no containers, so a named egress port to it allows nothing (the
     * datapath could not tell a pod address inside the block from any other address there).
     */
    private Stream<Target> resolve(Pod endpoint, Direction direction, Identity peer, PolicyPort.Named named) {
        if (direction == Direction.INGRESS) {
            return endpoint.namedPorts().stream().filter(p -> matches(p, named)).map(p -> new Target(peer, p.port()));
        }
        Stream<Identity.Pods> destinations = switch (peer) {
            case Identity.Pods pod -> Stream.of(pod);
            case Identity.Reserved.ANY -> pods.identities().stream();
            default -> Stream.empty();
        };
        return destinations.flatMap(pod -> pod.namedPorts().stream().filter(p -> matches(p, named))
                .map(p -> new Target(pod, p.port())));
    }

    private static boolean matches(ContainerPort port, PolicyPort.Named named) {
        return port.name().equals(named.name()) && port.protocol() == named.protocol();
    }
}
