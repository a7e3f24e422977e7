package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * networking.k8s.io/v1 NetworkPolicies, written the way upstream's netpol e2e helpers write them:
 * {@code policy("x", "deny-ingress").ingress().build()} selects every pod of x and lists
 * policyType Ingress with no rule (deny all ingress); {@code .ingress(from(...).on(...))} adds a
 * rule. Types are explicit unless {@link Builder#inferTypes()} leaves them to the API's defaults.
 */
public final class Policies {
    private Policies() {
    }

    // --- selectors

    /** The empty selector: every pod (or namespace). */
    public static LabelSelector all() {
        return new LabelSelector(List.of(), Map.of());
    }

    /** matchLabels from key, value pairs. */
    public static LabelSelector labels(String... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("labels come in key, value pairs");
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) labels.put(keyValues[i], keyValues[i + 1]);
        return new LabelSelector(List.of(), labels);
    }

    public static LabelSelector in(String key, String... values) {
        return expression(key, "In", values);
    }

    public static LabelSelector notIn(String key, String... values) {
        return expression(key, "NotIn", values);
    }

    public static LabelSelector exists(String key) {
        return expression(key, "Exists");
    }

    public static LabelSelector doesNotExist(String key) {
        return expression(key, "DoesNotExist");
    }

    private static LabelSelector expression(String key, String operator, String... values) {
        return new LabelSelector(List.of(new LabelSelectorRequirement(key, operator, List.of(values))), Map.of());
    }

    // --- peers

    /** Pods of the policy's own namespace. */
    public static NetworkPolicyPeer pods(LabelSelector pods) {
        NetworkPolicyPeer peer = new NetworkPolicyPeer();
        peer.setPodSelector(pods);
        return peer;
    }

    /** Every pod of the selected namespaces. */
    public static NetworkPolicyPeer namespaces(LabelSelector namespaces) {
        NetworkPolicyPeer peer = new NetworkPolicyPeer();
        peer.setNamespaceSelector(namespaces);
        return peer;
    }

    /** One peer with both selectors: the selected pods of the selected namespaces (AND). */
    public static NetworkPolicyPeer podsInNamespaces(LabelSelector namespaces, LabelSelector pods) {
        NetworkPolicyPeer peer = namespaces(namespaces);
        peer.setPodSelector(pods);
        return peer;
    }

    public static NetworkPolicyPeer ipBlock(String cidr, String... except) {
        NetworkPolicyPeer peer = new NetworkPolicyPeer();
        peer.setIpBlock(new IPBlock(cidr, List.of(except)));
        return peer;
    }

    // --- ports

    /** A port number with no protocol, which the API reads as TCP. */
    public static NetworkPolicyPort port(int port) {
        return new NetworkPolicyPort(null, new IntOrString(port), null);
    }

    public static NetworkPolicyPort port(Protocol protocol, int port) {
        return new NetworkPolicyPort(null, new IntOrString(port), protocol.name());
    }

    /** A named container port with no protocol (TCP). */
    public static NetworkPolicyPort named(String name) {
        return new NetworkPolicyPort(null, new IntOrString(name), null);
    }

    public static NetworkPolicyPort named(Protocol protocol, String name) {
        return new NetworkPolicyPort(null, new IntOrString(name), protocol.name());
    }

    /** port..endPort, both included. */
    public static NetworkPolicyPort range(Protocol protocol, int port, int endPort) {
        return new NetworkPolicyPort(endPort, new IntOrString(port), protocol.name());
    }

    /** Every port of one protocol. */
    public static NetworkPolicyPort anyPort(Protocol protocol) {
        return new NetworkPolicyPort(null, null, protocol.name());
    }

    // --- rules

    /** A rule's peers and ports; no peers means every source (or destination), no ports every port. */
    public record Rule(List<NetworkPolicyPeer> peers, List<NetworkPolicyPort> ports) {
        public Rule {
            peers = List.copyOf(peers);
            ports = List.copyOf(ports);
        }

        /** The same peers, on these ports only. */
        public Rule on(NetworkPolicyPort... ports) {
            return new Rule(peers, List.of(ports));
        }

        NetworkPolicyIngressRule ingress() {
            return new NetworkPolicyIngressRule(new ArrayList<>(peers), new ArrayList<>(ports));
        }

        NetworkPolicyEgressRule egress() {
            return new NetworkPolicyEgressRule(new ArrayList<>(ports), new ArrayList<>(peers));
        }
    }

    /** Allows these sources (ingress) or destinations (egress). */
    public static Rule from(NetworkPolicyPeer... peers) {
        return new Rule(List.of(peers), List.of());
    }

    /** The same as {@link #from}, reading better in egress rules. */
    public static Rule to(NetworkPolicyPeer... peers) {
        return from(peers);
    }

    /** Every peer, every port: the allow-all rule {@code {}}. */
    public static Rule anything() {
        return new Rule(List.of(), List.of());
    }

    /** Every peer on these ports. */
    public static Rule onPorts(NetworkPolicyPort... ports) {
        return new Rule(List.of(), List.of(ports));
    }

    // --- policies

    public static Builder policy(String namespace, String name) {
        return new Builder(namespace, name);
    }

    public static final class Builder {
        private final String namespace;
        private final String name;
        private LabelSelector podSelector = all();
        private final Set<String> types = new LinkedHashSet<>();
        private final List<Rule> ingress = new ArrayList<>();
        private final List<Rule> egress = new ArrayList<>();
        private boolean inferTypes;

        private Builder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        /** The pods the policy applies to; every pod of the namespace unless set. */
        public Builder selecting(LabelSelector pods) {
            this.podSelector = pods;
            return this;
        }

        /** policyType Ingress and these rules; with none, the selected pods accept no ingress. */
        public Builder ingress(Rule... rules) {
            types.add("Ingress");
            ingress.addAll(List.of(rules));
            return this;
        }

        /** policyType Egress and these rules; with none, the selected pods send nothing. */
        public Builder egress(Rule... rules) {
            types.add("Egress");
            egress.addAll(List.of(rules));
            return this;
        }

        /** Exactly these policyTypes, whatever rules the policy has ("Ingress", "Egress"). */
        public Builder types(String... types) {
            this.types.clear();
            this.types.addAll(List.of(types));
            this.inferTypes = false;
            return this;
        }

        /**
         * Writes no policyTypes: the API then takes Ingress always, and Egress when there are
         * egress rules.
         */
        public Builder inferTypes() {
            this.inferTypes = true;
            return this;
        }

        public NetworkPolicy build() {
            return new NetworkPolicyBuilder()
                    .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                    .withNewSpec()
                    .withPodSelector(podSelector)
                    .withPolicyTypes(inferTypes ? List.of() : List.copyOf(types))
                    .withIngress(ingress.stream().map(Rule::ingress).toList())
                    .withEgress(egress.stream().map(Rule::egress).toList())
                    .endSpec().build();
        }
    }
}
