package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Direction;
import dev.ferry.agent.model.LabelSelector;
import dev.ferry.agent.model.NetworkPolicy;
import dev.ferry.agent.model.PolicyPeer;
import dev.ferry.agent.model.PolicyPort;
import dev.ferry.agent.model.PolicyRule;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * networking.k8s.io/v1 NetworkPolicy -> model NetworkPolicy, rejecting what the API server's
 * validation rejects, so that a policy from a file can not mean something no cluster would.
 */
public final class NetworkPolicyConverter {
    /** IANA_SVC_NAME, as container port names: lower case and digits, inner single dashes, a letter. */
    private static final String PORT_NAME = "(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*(?<!-)";

    private NetworkPolicyConverter() {
    }

    public static NetworkPolicy convert(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy)
            throws InvalidObjectException {
        String name = Fields.name(policy);
        var spec = policy.getSpec();
        if (spec == null) throw new InvalidObjectException(Fields.id(policy) + ": no spec");
        // spec.podSelector is a plain struct in the API, not optional: absent reads as {}.
        LabelSelector podSelector = spec.getPodSelector() == null ? LabelSelector.EVERYTHING
                : LabelSelectorConverter.convert(policy, "spec.podSelector", spec.getPodSelector());
        Set<Direction> types = EnumSet.noneOf(Direction.class);
        for (String type : spec.getPolicyTypes() == null ? List.<String>of() : spec.getPolicyTypes()) {
            types.add(switch (type) {
                case "Ingress" -> Direction.INGRESS;
                case "Egress" -> Direction.EGRESS;
                default -> throw invalid(policy, "spec.policyTypes", "'" + type + "' is neither Ingress nor Egress");
            });
        }
        List<PolicyRule> ingress = new ArrayList<>();
        for (int i = 0; spec.getIngress() != null && i < spec.getIngress().size(); i++) {
            var rule = spec.getIngress().get(i);
            ingress.add(rule(policy, "spec.ingress[" + i + "].from", rule.getFrom(), rule.getPorts()));
        }
        List<PolicyRule> egress = new ArrayList<>();
        for (int i = 0; spec.getEgress() != null && i < spec.getEgress().size(); i++) {
            var rule = spec.getEgress().get(i);
            egress.add(rule(policy, "spec.egress[" + i + "].to", rule.getTo(), rule.getPorts()));
        }
        return new NetworkPolicy(Fields.namespace(policy), name, podSelector, types, ingress, egress);
    }

    /** @param peersField "spec.ingress[i].from" or "spec.egress[i].to" */
    private static PolicyRule rule(HasMetadata policy, String peersField, List<NetworkPolicyPeer> peers,
                                   List<NetworkPolicyPort> ports) throws InvalidObjectException {
        List<PolicyPeer> outPeers = new ArrayList<>();
        for (int i = 0; peers != null && i < peers.size(); i++) {
            outPeers.add(peer(policy, peersField + "[" + i + "]", peers.get(i)));
        }
        String portsField = peersField.substring(0, peersField.lastIndexOf('.')) + ".ports";
        List<PolicyPort> outPorts = new ArrayList<>();
        for (int i = 0; ports != null && i < ports.size(); i++) {
            outPorts.add(port(policy, portsField + "[" + i + "]", ports.get(i)));
        }
        return new PolicyRule(outPeers, outPorts);
    }

    private static PolicyPeer peer(HasMetadata policy, String field, NetworkPolicyPeer peer)
            throws InvalidObjectException {
        boolean selectors = peer.getPodSelector() != null || peer.getNamespaceSelector() != null;
        if (peer.getIpBlock() != null) {
            if (selectors) throw invalid(policy, field, "has both an ipBlock and a selector");
            return ipBlock(policy, field + ".ipBlock", peer.getIpBlock());
        }
        if (!selectors) throw invalid(policy, field, "names no peer");
        return new PolicyPeer.Pods(selector(policy, field + ".podSelector", peer.getPodSelector()),
                selector(policy, field + ".namespaceSelector", peer.getNamespaceSelector()));
    }

    private static Optional<LabelSelector> selector(HasMetadata policy, String field,
                                                    io.fabric8.kubernetes.api.model.LabelSelector selector)
            throws InvalidObjectException {
        return selector == null ? Optional.empty() : Optional.of(LabelSelectorConverter.convert(policy, field, selector));
    }

    private static PolicyPeer ipBlock(HasMetadata policy, String field, IPBlock block) throws InvalidObjectException {
        String text = block.getCidr() == null ? "" : block.getCidr().trim();
        if (text.contains(":")) return new PolicyPeer.Ipv6Block(text);
        Cidr cidr = cidr(policy, field + ".cidr", text);
        List<Cidr> except = new ArrayList<>();
        for (int i = 0; block.getExcept() != null && i < block.getExcept().size(); i++) {
            String exceptField = field + ".except[" + i + "]";
            Cidr hole = cidr(policy, exceptField, block.getExcept().get(i).trim());
            if (!cidr.contains(hole) || hole.equals(cidr)) {
                throw invalid(policy, exceptField, hole + " is not strictly inside cidr " + cidr);
            }
            except.add(hole);
        }
        return new PolicyPeer.IpBlock(cidr, except);
    }

    private static Cidr cidr(HasMetadata policy, String field, String text) throws InvalidObjectException {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(policy, field, e.getMessage());
        }
    }

    private static PolicyPort port(HasMetadata policy, String field, NetworkPolicyPort port)
            throws InvalidObjectException {
        Protocol protocol;
        try {
            protocol = Protocol.parse(port.getProtocol());
        } catch (IllegalArgumentException e) {
            throw invalid(policy, field + ".protocol", e.getMessage());
        }
        var value = port.getPort();
        Integer endPort = port.getEndPort();
        if (value == null || value.getIntVal() == null && value.getStrVal() == null) {
            if (endPort != null) throw invalid(policy, field + ".endPort", "is set without a port");
            return new PolicyPort.All(protocol);
        }
        if (value.getStrVal() != null) {
            String name = value.getStrVal();
            if (endPort != null) throw invalid(policy, field + ".endPort", "is set with the named port '" + name + "'");
            if (name.length() > 15 || !name.matches(PORT_NAME)) {
                throw invalid(policy, field + ".port", "'" + name + "' is neither a number nor a port name");
            }
            return new PolicyPort.Named(protocol, name);
        }
        int first = Fields.port(policy, field + ".port", value.getIntVal());
        if (endPort == null) return new PolicyPort.Range(protocol, first, first);
        int last = Fields.port(policy, field + ".endPort", endPort);
        if (last < first) throw invalid(policy, field + ".endPort", last + " is below port " + first);
        return new PolicyPort.Range(protocol, first, last);
    }

    private static InvalidObjectException invalid(HasMetadata policy, String field, String problem) {
        return new InvalidObjectException(Fields.id(policy) + ": " + field + " " + problem);
    }
}
