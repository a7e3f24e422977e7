package dev.ferry.agent.e2e;

import dev.ferry.agent.lab.netpol.NetpolModel;
import dev.ferry.agent.lab.netpol.NetpolModel.ModelPod;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/**
 * NetworkPolicy semantics as the API documents them, written as plainly as possible and
 * independently of the scenarios' hand-written truth tables: a second opinion that catches a
 * wrong expectation before it fails (or passes) a correct datapath. Only what the model holds:
 * pods with the same container ports, IPv4, TCP/UDP probes.
 */
final class NetworkPolicyOracle {
    private final NetpolModel model;
    private final List<NetworkPolicy> policies;

    NetworkPolicyOracle(NetpolModel model, List<NetworkPolicy> policies) {
        this.model = model;
        this.policies = List.copyOf(policies);
    }

    /** Whether a connection from one pod to another's IP on port/protocol gets through. */
    boolean allows(String from, String to, int port, Protocol protocol) {
        if (from.equals(to)) return true; // never leaves the pod
        ModelPod source = model.pod(from), destination = model.pod(to);
        return egressAllowed(source, destination, port, protocol) && ingressAllowed(source, destination, port, protocol);
    }

    private boolean ingressAllowed(ModelPod source, ModelPod destination, int port, Protocol protocol) {
        List<NetworkPolicy> isolating = policies.stream()
                .filter(p -> appliesTo(p, destination) && types(p).contains("Ingress")).toList();
        if (isolating.isEmpty()) return true;
        return isolating.stream().anyMatch(p -> p.getSpec().getIngress().stream()
                .anyMatch(rule -> peersMatch(p, rule.getFrom(), source) && portsMatch(rule.getPorts(), port, protocol)));
    }

    private boolean egressAllowed(ModelPod source, ModelPod destination, int port, Protocol protocol) {
        List<NetworkPolicy> isolating = policies.stream()
                .filter(p -> appliesTo(p, source) && types(p).contains("Egress")).toList();
        if (isolating.isEmpty()) return true;
        return isolating.stream().anyMatch(p -> p.getSpec().getEgress().stream()
                .anyMatch(rule -> peersMatch(p, rule.getTo(), destination) && portsMatch(rule.getPorts(), port, protocol)));
    }

    /** policyTypes as written, or the API's default: Ingress, plus Egress when there are egress rules. */
    private static List<String> types(NetworkPolicy p) {
        List<String> types = p.getSpec().getPolicyTypes();
        if (types != null && !types.isEmpty()) return types;
        return p.getSpec().getEgress().isEmpty() ? List.of("Ingress") : List.of("Ingress", "Egress");
    }

    private boolean appliesTo(NetworkPolicy p, ModelPod pod) {
        return p.getMetadata().getNamespace().equals(pod.namespace()) && matches(p.getSpec().getPodSelector(), pod.labels());
    }

    /** No peers: everyone. Otherwise any peer. */
    private boolean peersMatch(NetworkPolicy p, List<NetworkPolicyPeer> peers, ModelPod pod) {
        return peers.isEmpty() || peers.stream().anyMatch(peer -> peerMatches(p, peer, pod));
    }

    private boolean peerMatches(NetworkPolicy p, NetworkPolicyPeer peer, ModelPod pod) {
        if (peer.getIpBlock() != null) return inBlock(peer.getIpBlock(), pod.ip());
        boolean namespaceMatches = peer.getNamespaceSelector() == null
                ? pod.namespace().equals(p.getMetadata().getNamespace())
                : matches(peer.getNamespaceSelector(), namespaceLabels(pod.namespace()));
        boolean podMatches = peer.getPodSelector() == null || matches(peer.getPodSelector(), pod.labels());
        return namespaceMatches && podMatches;
    }

    /**
     * No ports: every port. A port without protocol is TCP. A named port resolves on the
     * destination pod to the container port of that name and the rule's protocol; every model
     * pod serves each of its ports over each protocol as serve-PORT-PROTOCOL.
     */
    private boolean portsMatch(List<NetworkPolicyPort> ports, int port, Protocol protocol) {
        return ports.isEmpty() || ports.stream().anyMatch(p -> {
            Protocol wanted = Protocol.parse(p.getProtocol());
            if (wanted != protocol) return false;
            IntOrString value = p.getPort();
            if (value == null) return true;
            if (value.getStrVal() != null) {
                return model.ports().contains(port)
                        && value.getStrVal().equals("serve-" + port + "-" + protocol.name().toLowerCase(java.util.Locale.ROOT));
            }
            int first = value.getIntVal(), last = p.getEndPort() == null ? first : p.getEndPort();
            return port >= first && port <= last;
        });
    }

    private Map<String, String> namespaceLabels(String namespace) {
        return model.namespaces().stream().filter(n -> n.name().equals(namespace)).findFirst().orElseThrow().labels();
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) return false;
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && r.getValues().contains(value);
                    case "NotIn" -> value == null || !r.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> throw new IllegalArgumentException("operator " + r.getOperator());
                };
                if (!ok) return false;
            }
        }
        return true;
    }

    private static boolean inBlock(IPBlock block, String ip) {
        return inCidr(block.getCidr(), ip) && block.getExcept().stream().noneMatch(except -> inCidr(except, ip));
    }

    private static boolean inCidr(String cidr, String ip) {
        String[] parts = cidr.split("/");
        int bits = Integer.parseInt(parts[1]);
        long mask = bits == 0 ? 0 : 0xffffffffL << (32 - bits) & 0xffffffffL;
        return (toLong(parts[0]) & mask) == (toLong(ip) & mask);
    }

    private static long toLong(String ip) {
        try {
            byte[] b = InetAddress.getByName(ip).getAddress();
            return (b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | b[3] & 0xffL;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
