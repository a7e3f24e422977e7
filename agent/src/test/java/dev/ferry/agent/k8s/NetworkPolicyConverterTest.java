package dev.ferry.agent.k8s;

import dev.ferry.agent.model.Cidr;
import dev.ferry.agent.model.Direction;
import dev.ferry.agent.model.LabelSelector;
import dev.ferry.agent.model.NetworkPolicy;
import dev.ferry.agent.model.PolicyPeer;
import dev.ferry.agent.model.PolicyPort;
import dev.ferry.agent.model.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** What the API server would reject is a problem naming the policy and the field; the rest converts. */
class NetworkPolicyConverterTest {
    static Manifests.Parsed parse(String spec) {
        return Manifests.parse("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: np, namespace: demo}
                spec: %s
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: fine, namespace: demo}
                spec: {podSelector: {}}
                """.formatted(spec));
    }

    static NetworkPolicy policy(String spec) {
        Manifests.Parsed parsed = parse(spec);
        assertEquals(List.of(), parsed.problems());
        return parsed.cluster().networkPolicies().getFirst();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]}                                    | spec.ingress[0].from[0].ipBlock.cidr '10.0.0.0/33' is not an IPv4 CIDR
            {egress: [{to: [{ipBlock: {cidr: 10.0.0.0}}]}]}                                           | spec.egress[0].to[0].ipBlock.cidr '10.0.0.0' is not an IPv4 CIDR
            {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]}             | spec.ingress[0].from[0].ipBlock.except[0] 10.1.0.0/24 is not strictly inside cidr 10.0.0.0/16
            {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]}]}             | spec.ingress[0].from[0].ipBlock.except[0] 10.0.0.0/16 is not strictly inside cidr 10.0.0.0/16
            {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/8]}}]}]}              | spec.ingress[0].from[0].ipBlock.except[0] 10.0.0.0/8 is not strictly inside cidr 10.0.0.0/16
            {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [bad]}}]}]}                     | spec.ingress[0].from[0].ipBlock.except[0] 'bad' is not an IPv4 CIDR
            {ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}                    | spec.ingress[0].from[0] has both an ipBlock and a selector
            {ingress: [{from: [{}]}]}                                                                 | spec.ingress[0].from[0] names no peer
            {ingress: [{ports: [{port: 90, endPort: 80}]}]}                                           | spec.ingress[0].ports[0].endPort 80 is below port 90
            {egress: [{ports: [{port: http, endPort: 80}]}]}                                          | spec.egress[0].ports[0].endPort is set with the named port 'http'
            {egress: [{ports: [{endPort: 80}]}]}                                                      | spec.egress[0].ports[0].endPort is set without a port
            {ingress: [{ports: [{port: 0}]}]}                                                         | spec.ingress[0].ports[0].port 0 is not a port (1-65535)
            {ingress: [{ports: [{port: 70000}]}]}                                                     | spec.ingress[0].ports[0].port 70000 is not a port (1-65535)
            {ingress: [{ports: [{port: 80, endPort: 65536}]}]}                                        | spec.ingress[0].ports[0].endPort 65536 is not a port (1-65535)
            {ingress: [{ports: [{port: "80"}]}]}                                                      | spec.ingress[0].ports[0].port '80' is neither a number nor a port name
            {ingress: [{ports: [{port: Web_Port}]}]}                                                  | spec.ingress[0].ports[0].port 'Web_Port' is neither a number nor a port name
            {ingress: [{ports: [{port: 80, protocol: ICMP}]}]}                                        | spec.ingress[0].ports[0].protocol unknown protocol 'ICMP'
            {podSelector: {matchExpressions: [{key: app, operator: Gt, values: ["1"]}]}}              | spec.podSelector.matchExpressions[0]: unknown selector operator 'Gt'
            {ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: In}]}}]}]}  | spec.ingress[0].from[0].namespaceSelector.matchExpressions[0]: In needs values
            {ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}}]}]} | spec.ingress[0].from[0].podSelector.matchExpressions[0]: Exists takes no values
            {policyTypes: [Ingress, Sideways]}                                                        | spec.policyTypes 'Sideways' is neither Ingress nor Egress
            """)
    void invalidPoliciesAreReportedByNameAndFieldAndSkipped(String spec, String problem) {
        Manifests.Parsed parsed = parse(spec);
        assertEquals(List.of("NetworkPolicy demo/np: " + problem), parsed.problems());
        assertEquals(List.of("fine"), parsed.cluster().networkPolicies().stream().map(NetworkPolicy::name).toList());
    }

    @Test
    void policyTypesStayAsWrittenAndEmptyWhenAbsent() {
        assertEquals(Set.of(), policy("{podSelector: {}}").policyTypes());
        assertEquals(Set.of(Direction.EGRESS), policy("{policyTypes: [Egress]}").policyTypes());
        assertEquals(Set.of(Direction.INGRESS), policy("{}").effectiveTypes());
        assertEquals(Set.of(Direction.INGRESS, Direction.EGRESS), policy("{egress: [{}]}").effectiveTypes());
        assertEquals(Set.of(Direction.EGRESS), policy("{policyTypes: [Egress], ingress: [{}]}").effectiveTypes());
    }

    @Test
    void peersKeepAbsentAndEmptySelectorsApart() {
        NetworkPolicy p = policy("""
                {ingress: [{from: [{podSelector: {matchLabels: {app: web}}}, {namespaceSelector: {}},
                  {podSelector: {}, namespaceSelector: {matchLabels: {team: a}}}]}, {from: []}, {}]}""");
        LabelSelector web = new LabelSelector(new java.util.TreeMap<>(Map.of("app", "web")), List.of());
        LabelSelector teamA = new LabelSelector(new java.util.TreeMap<>(Map.of("team", "a")), List.of());
        assertEquals(List.of(new PolicyPeer.Pods(Optional.of(web), Optional.empty()),
                new PolicyPeer.Pods(Optional.empty(), Optional.of(LabelSelector.EVERYTHING)),
                new PolicyPeer.Pods(Optional.of(LabelSelector.EVERYTHING), Optional.of(teamA))), p.ingress().get(0).peers());
        assertEquals(List.of(), p.ingress().get(1).peers());
        assertEquals(List.of(), p.ingress().get(2).peers());
    }

    @Test
    void ipBlocksNormaliseAndIpv6OnesAreKeptAsMatchingNothing() {
        NetworkPolicy p = policy("{egress: [{to: [{ipBlock: {cidr: 10.1.2.3/16, except: [10.1.2.0/24]}}, {ipBlock: {cidr: 'fd00::/8'}}]}]}");
        assertEquals(List.of(new PolicyPeer.IpBlock(Cidr.parse("10.1.0.0/16"), List.of(Cidr.parse("10.1.2.0/24"))),
                new PolicyPeer.Ipv6Block("fd00::/8")), p.egress().getFirst().peers());
    }

    @Test
    void portsDefaultToTcpAndKeepTheirKind() {
        NetworkPolicy p = policy("""
                {ingress: [{ports: [{port: 80}, {port: 1000, endPort: 2000, protocol: UDP}, {protocol: SCTP},
                  {port: http}, {port: dns, protocol: UDP}, {}]}]}""");
        assertEquals(List.of(new PolicyPort.Range(Protocol.TCP, 80, 80), new PolicyPort.Range(Protocol.UDP, 1000, 2000),
                new PolicyPort.All(Protocol.SCTP), new PolicyPort.Named(Protocol.TCP, "http"),
                new PolicyPort.Named(Protocol.UDP, "dns"), new PolicyPort.All(Protocol.TCP)), p.ingress().getFirst().ports());
    }

    @Test
    void anAbsentPodSelectorSelectsTheWholeNamespace() {
        assertEquals(LabelSelector.EVERYTHING, policy("{policyTypes: [Ingress]}").podSelector());
    }
}
