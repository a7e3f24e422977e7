package dev.ferry.agent.e2e;

import dev.ferry.agent.e2e.NetworkPolicyScenarios.Scenario;
import dev.ferry.agent.lab.netpol.Policies;
import dev.ferry.agent.lab.netpol.Reachability;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.agent.e2e.NetworkPolicyScenarios.ALL_ALLOWED;
import static dev.ferry.agent.e2e.NetworkPolicyScenarios.DENY_INGRESS_X;
import static dev.ferry.agent.e2e.NetworkPolicyScenarios.MODEL;
import static dev.ferry.agent.e2e.NetworkPolicyScenarios.cidr32;
import static dev.ferry.agent.e2e.NetworkPolicyScenarios.is;
import static dev.ferry.agent.e2e.NetworkPolicyScenarios.scenario;
import static dev.ferry.agent.e2e.NetworkPolicyScenarios.step;
import static dev.ferry.agent.lab.netpol.NetpolModel.NAMESPACE_NAME_LABEL;
import static dev.ferry.agent.lab.netpol.Peer.any;
import static dev.ferry.agent.lab.netpol.Peer.namespace;
import static dev.ferry.agent.lab.netpol.Peer.pod;
import static dev.ferry.agent.lab.netpol.Policies.all;
import static dev.ferry.agent.lab.netpol.Policies.anyPort;
import static dev.ferry.agent.lab.netpol.Policies.anything;
import static dev.ferry.agent.lab.netpol.Policies.from;
import static dev.ferry.agent.lab.netpol.Policies.in;
import static dev.ferry.agent.lab.netpol.Policies.ipBlock;
import static dev.ferry.agent.lab.netpol.Policies.labels;
import static dev.ferry.agent.lab.netpol.Policies.named;
import static dev.ferry.agent.lab.netpol.Policies.namespaces;
import static dev.ferry.agent.lab.netpol.Policies.notIn;
import static dev.ferry.agent.lab.netpol.Policies.onPorts;
import static dev.ferry.agent.lab.netpol.Policies.podsInNamespaces;
import static dev.ferry.agent.lab.netpol.Policies.policy;
import static dev.ferry.agent.lab.netpol.Policies.port;
import static dev.ferry.agent.lab.netpol.Policies.to;
import static dev.ferry.agent.model.Protocol.SCTP;
import static dev.ferry.agent.model.Protocol.TCP;
import static dev.ferry.agent.model.Protocol.UDP;

/**
 * The scenarios of upstream's {@code test/e2e/network/netpol/network_policy.go}, named as there,
 * with its policies. Upstream probes one port and protocol per test; here each expectation says
 * what the policy means on 80 and 81 over TCP and UDP.
 */
final class UpstreamNetpolScenarios {
    private UpstreamNetpolScenarios() {
    }

    private static final NetworkPolicy DENY_ALL_X = policy("x", "deny-all").ingress().egress().build();
    private static final NetworkPolicy Y_TO_X_A_ON_81_TCP = policy("x", "allow-client-a-via-ns-selector")
            .selecting(labels("pod", "a")).ingress(from(namespaces(labels("ns", "y"))).on(port(TCP, 81))).build();
    private static final NetworkPolicy X_A_TO_BIG_CIDR_EXCEPT_X_B = policy("x", "allow-client-a-via-cidr-egress-rule")
            .selecting(labels("pod", "a")).egress(to(ipBlock("0.0.0.0/4", cidr32("x/b")))).build();

    static List<Scenario> list() {
        List<Scenario> s = new ArrayList<>();

        s.add(scenario("no policies: every pod reaches every pod", List.of(), ALL_ALLOWED));

        s.add(scenario("should support a 'default-deny-ingress' policy", List.of(DENY_INGRESS_X),
                (r, port, protocol) -> r.expectPeer(any(), namespace("x"), false)));

        s.add(scenario("should support a 'default-deny-all' policy", List.of(DENY_ALL_X), (r, port, protocol) -> {
            r.expectPeer(any(), namespace("x"), false);
            r.expectPeer(namespace("x"), any(), false);
        }));

        s.add(scenario("should deny egress from all pods in a namespace",
                List.of(policy("x", "deny-egress-ns-x").egress().build()),
                (r, port, protocol) -> r.expectPeer(namespace("x"), any(), false)));

        s.add(scenario("should deny egress from pods based on PodSelector",
                List.of(policy("x", "deny-egress-pod-a").selecting(labels("pod", "a")).egress().build()),
                (r, port, protocol) -> r.expectAllEgress("x/a", false)));

        s.add(scenario("should support allow-all policy", List.of(policy("x", "allow-all").ingress(anything()).build()),
                ALL_ALLOWED));

        s.add(scenario("should enforce policy to allow ingress traffic from pods in all namespaces",
                List.of(policy("x", "allow-from-another-ns").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(all()))).build()),
                ALL_ALLOWED));

        s.add(scenario("should enforce policy to allow traffic from pods within server namespace based on PodSelector",
                List.of(policy("x", "x-a-allows-x-b").selecting(labels("pod", "a"))
                        .ingress(from(Policies.pods(labels("pod", "b")))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)));

        s.add(scenario("should enforce policy to allow ingress traffic for a target",
                List.of(policy("x", "deny-all").ingress().build(),
                        policy("x", "allow-all-to-a").selecting(labels("pod", "a"))
                                .ingress(from(podsInNamespaces(all(), all()))).build()),
                (r, port, protocol) -> r.expectPeer(any(), namespace("x"), false).expectAllIngress("x/a", true)));

        s.add(scenario("should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector",
                List.of(policy("x", "allow-client-a-via-ns-selector").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(labels("ns", "y")))).build()),
                UpstreamNetpolScenarios::onlyNamespaceYReachesXA));

        s.add(scenario("should enforce policy based on PodSelector with MatchExpressions",
                List.of(policy("x", "x-a-allows-x-b").selecting(labels("pod", "a"))
                        .ingress(from(Policies.pods(in("pod", "b")))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)));

        s.add(scenario("should enforce policy based on NamespaceSelector with MatchExpressions",
                List.of(policy("x", "allow-ns-y-match-selector").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(in("ns", "y")))).build()),
                UpstreamNetpolScenarios::onlyNamespaceYReachesXA));

        s.add(scenario("should enforce policy based on PodSelector or NamespaceSelector",
                List.of(policy("x", "allow-ns-y-match-selector").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(notIn("ns", "x")), Policies.pods(labels("pod", "b")))).build()),
                (r, port, protocol) -> r.expect("x/c", "x/a", false)));

        s.add(scenario("should enforce policy based on PodSelector and NamespaceSelector",
                List.of(policy("x", "allow-ns-y-podselector-and-nsselector").selecting(labels("pod", "a"))
                        .ingress(from(podsInNamespaces(notIn("ns", "x"), labels("pod", "b")))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("y/b", "x/a", true).expect("z/b", "x/a", true)));

        s.add(scenario("should enforce policy based on Multiple PodSelectors and NamespaceSelectors",
                List.of(policy("x", "allow-ns-y-z-pod-b-c").selecting(labels("pod", "a"))
                        .ingress(from(podsInNamespaces(notIn("ns", "x"), in("pod", "b", "c")))).build()),
                (r, port, protocol) -> {
                    r.expectAllIngress("x/a", false);
                    for (String allowed : List.of("y/b", "y/c", "z/b", "z/c")) r.expect(allowed, "x/a", true);
                }));

        s.add(scenario("should enforce policy based on any PodSelectors",
                List.of(policy("x", "allow-ns-x-pod-b-c").selecting(labels("pod", "a"))
                        .ingress(from(Policies.pods(labels("pod", "b")), Policies.pods(labels("pod", "c")))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("x/b", "x/a", true).expect("x/c", "x/a", true)));

        s.add(scenario("should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector",
                List.of(policy("x", "allow-ns-y-pod-a-via-namespace-pod-selector").selecting(labels("pod", "a"))
                        .ingress(from(podsInNamespaces(labels("ns", "y"), labels("pod", "a")))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("y/a", "x/a", true)));

        s.add(scenario("should enforce policy based on Ports", List.of(Y_TO_X_A_ON_81_TCP),
                (r, port, protocol) -> {
                    r.expectAllIngress("x/a", false);
                    if (is(port, protocol, 81, TCP)) r.expectPeer(namespace("y"), pod("x/a"), true);
                }));

        s.add(scenario("should enforce multiple, stacked policies with overlapping podSelectors",
                step("only port 81 allowed", List.of(Y_TO_X_A_ON_81_TCP), (r, port, protocol) -> {
                    r.expectAllIngress("x/a", false);
                    if (is(port, protocol, 81, TCP)) r.expectPeer(namespace("y"), pod("x/a"), true);
                }),
                step("a second policy unblocks port 80", List.of(Y_TO_X_A_ON_81_TCP,
                        policy("x", "allow-client-a-via-ns-selector-80").selecting(labels("pod", "a"))
                                .ingress(from(namespaces(labels("ns", "y"))).on(port(TCP, 80))).build()),
                        (r, port, protocol) -> {
                            r.expectAllIngress("x/a", false);
                            if (protocol == TCP) r.expectPeer(namespace("y"), pod("x/a"), true);
                        })));

        s.add(scenario("should allow ingress access on one named port",
                List.of(policy("x", "allow-all").ingress(onPorts(named("serve-81-tcp"))).build()),
                (r, port, protocol) -> {
                    if (!is(port, protocol, 81, TCP)) r.expectPeer(any(), namespace("x"), false);
                }));

        s.add(scenario("should allow ingress access from namespace on one named port",
                List.of(policy("x", "allow-client-a-via-ns-selector-80").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(labels("ns", "y"))).on(named(TCP, "serve-80-tcp"))).build()),
                (r, port, protocol) -> {
                    r.expectAllIngress("x/a", false);
                    if (is(port, protocol, 80, TCP)) r.expectPeer(namespace("y"), pod("x/a"), true);
                }));

        s.add(scenario("should allow egress access on one named port",
                List.of(policy("x", "allow-egress").egress(onPorts(named("serve-80-tcp"))).build()),
                (r, port, protocol) -> {
                    if (!is(port, protocol, 80, TCP)) r.expectPeer(namespace("x"), any(), false);
                }));

        s.add(scenario("should enforce updated policy",
                step("allow all", List.of(policy("x", "allow-all-mutate-to-deny-all").ingress(anything()).build()), ALL_ALLOWED),
                step("updated to deny all", List.of(policy("x", "allow-all-mutate-to-deny-all").ingress().build()),
                        (r, port, protocol) -> r.expectPeer(any(), namespace("x"), false))));

        NetworkPolicy fromUpdatedNamespace = policy("x", "allow-client-a-via-ns-selector").selecting(labels("pod", "a"))
                .ingress(from(namespaces(labels("ns2", "updated")))).build();
        s.add(scenario("should allow ingress access from updated namespace",
                step("no namespace matches", List.of(fromUpdatedNamespace), (r, port, protocol) -> r.expectAllIngress("x/a", false)),
                step("namespace y labelled ns2=updated", MODEL.withNamespaceLabel("y", "ns2", "updated"), List.of(fromUpdatedNamespace),
                        (r, port, protocol) -> r.expectAllIngress("x/a", false).expectPeer(namespace("y"), any(), true))));

        NetworkPolicy fromUpdatedPod = policy("x", "allow-client-a-via-pod-selector").selecting(labels("pod", "a"))
                .ingress(from(Policies.pods(labels("pod", "b", "pod2", "updated")))).build();
        s.add(scenario("should allow ingress access from updated pod",
                step("no pod matches", List.of(fromUpdatedPod), (r, port, protocol) -> r.expectAllIngress("x/a", false)),
                step("x/b labelled pod2=updated", MODEL.withPodLabel("x/b", "pod2", "updated"), List.of(fromUpdatedPod),
                        (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("x/b", "x/a", true))));

        NetworkPolicy isolateTargets = policy("x", "deny-ingress-via-label-selector")
                .selecting(labels("target", "isolated")).ingress().build();
        s.add(scenario("should deny ingress access to updated pod",
                step("no pod selected", List.of(isolateTargets), ALL_ALLOWED),
                step("x/a labelled target=isolated", MODEL.withPodLabel("x/a", "target", "isolated"), List.of(isolateTargets),
                        (r, port, protocol) -> r.expectAllIngress("x/a", false))));

        s.add(scenario("should deny ingress from pods on other namespaces",
                List.of(policy("x", "deny-empty-policy").ingress(from(Policies.pods(all()))).build()),
                (r, port, protocol) -> {
                    r.expectPeer(namespace("y"), namespace("x"), false);
                    r.expectPeer(namespace("z"), namespace("x"), false);
                }));

        s.add(scenario("should work with Ingress, Egress specified together",
                List.of(policy("x", "allow-client-a-via-pod-selector").selecting(labels("pod", "a"))
                        .ingress(from(Policies.pods(labels("pod", "b")))).egress(onPorts(port(80))).build()),
                (r, port, protocol) -> {
                    r.expectAllIngress("x/a", false);
                    if (!is(port, protocol, 80, TCP)) r.expectAllEgress("x/a", false); // a port without protocol is TCP
                    r.expect("x/b", "x/a", true);
                }));

        s.add(scenario("should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)",
                List.of(policy("x", "allow-to-ns-y-pod-a").selecting(labels("pod", "a"))
                                .egress(to(podsInNamespaces(labels("ns", "y"), labels("pod", "a")))).build(),
                        policy("y", "allow-from-xa-on-ya-match-selector").selecting(labels("pod", "a"))
                                .ingress(from(podsInNamespaces(labels("ns", "x"), labels("pod", "a")))).build(),
                        policy("y", "allow-from-xa-on-yb-match-selector").selecting(labels("pod", "b"))
                                .ingress(from(podsInNamespaces(labels("ns", "x"), labels("pod", "a")))).build()),
                (r, port, protocol) -> {
                    r.expectAllEgress("x/a", false);
                    r.expectAllIngress("y/a", false);
                    r.expect("x/a", "y/a", true);
                    r.expectAllIngress("y/b", false);
                }));

        s.add(scenario("should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector",
                List.of(policy("x", "allow-to-ns-y-pod-a").selecting(labels("pod", "a"))
                        .egress(to(podsInNamespaces(labels("ns", "y"), labels("pod", "a")))).build()),
                (r, port, protocol) -> r.expectAllEgress("x/a", false).expect("x/a", "y/a", true)));

        s.add(scenario("should enforce ingress policy allowing any port traffic to a server on a specific protocol",
                List.of(policy("x", "allow-ingress-by-proto").selecting(labels("pod", "a")).ingress(onPorts(anyPort(TCP))).build()),
                (r, port, protocol) -> {
                    if (protocol == UDP) r.expectAllIngress("x/a", false);
                }));

        s.add(scenario("should not allow access by TCP when a policy specifies only UDP",
                List.of(policy("x", "allow-only-udp-ingress-on-port-81").selecting(labels("pod", "a"))
                        .ingress(onPorts(port(UDP, 81))).build()),
                (r, port, protocol) -> {
                    if (!is(port, protocol, 81, UDP)) r.expectAllIngress("x/a", false);
                }));

        NetworkPolicy ingressPort80 = policy("x", "allow-ingress-port-80").ingress(onPorts(port(80))).build();
        s.add(scenario("should enforce multiple ingress policies with ingress allow-all policy taking precedence",
                step("port 80 only", List.of(ingressPort80), (r, port, protocol) -> {
                    if (!is(port, protocol, 80, TCP)) r.expectPeer(any(), namespace("x"), false);
                }),
                step("plus allow-all", List.of(ingressPort80, policy("x", "allow-ingress").ingress(anything()).build()), ALL_ALLOWED)));

        NetworkPolicy egressPort80 = policy("x", "allow-egress-port-80").egress(onPorts(port(80))).build();
        s.add(scenario("should enforce multiple egress policies with egress allow-all policy taking precedence",
                step("port 80 only", List.of(egressPort80), (r, port, protocol) -> {
                    if (!is(port, protocol, 80, TCP)) r.expectPeer(namespace("x"), any(), false);
                }),
                step("plus allow-all", List.of(egressPort80, policy("x", "allow-egress").egress(anything()).build()), ALL_ALLOWED)));

        s.add(scenario("should stop enforcing policies after they are deleted",
                step("deny all in x", List.of(DENY_ALL_X), (r, port, protocol) -> {
                    r.expectPeer(namespace("x"), any(), false);
                    r.expectPeer(any(), namespace("x"), false);
                }),
                step("policy deleted", List.of(), ALL_ALLOWED)));

        s.add(scenario("should allow egress access to server in CIDR block",
                List.of(policy("x", "allow-client-a-via-cidr-egress-rule").selecting(labels("pod", "a"))
                        .egress(to(ipBlock(cidr32("y/b")))).build()),
                (r, port, protocol) -> r.expectAllEgress("x/a", false).expect("x/a", "y/b", true)));

        s.add(scenario("should enforce except clause while egress access to server in CIDR block",
                List.of(X_A_TO_BIG_CIDR_EXCEPT_X_B), (r, port, protocol) -> r.expect("x/a", "x/b", false)));

        NetworkPolicy xaToXb = policy("x", "allow-client-a-via-cidr-egress-rule").selecting(labels("pod", "a"))
                .egress(to(ipBlock(cidr32("x/b")))).build();
        s.add(scenario("should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed",
                step("except x/b", List.of(X_A_TO_BIG_CIDR_EXCEPT_X_B), (r, port, protocol) -> r.expect("x/a", "x/b", false)),
                step("a second policy allows x/b", List.of(X_A_TO_BIG_CIDR_EXCEPT_X_B,
                        policy("x", "allow-client-a-to-x-b").selecting(labels("pod", "a")).egress(to(ipBlock(cidr32("x/b")))).build()),
                        ALL_ALLOWED),
                step("the first policy updated to x/b only", List.of(xaToXb),
                        (r, port, protocol) -> r.expectAllEgress("x/a", false).expect("x/a", "x/b", true))));

        s.add(scenario("should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector",
                step("egress allowed", List.of(policy("x", "allow-egress-for-target").selecting(labels("pod", "a")).egress(anything()).build()),
                        ALL_ALLOWED),
                step("plus ingress denied", List.of(
                                policy("x", "allow-egress-for-target").selecting(labels("pod", "a")).egress(anything()).build(),
                                policy("x", "deny-ingress-via-label-selector").selecting(labels("pod", "a")).ingress().build()),
                        (r, port, protocol) -> r.expectAllIngress("x/a", false))));

        s.add(scenario("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
                List.of(DENY_INGRESS_X, policy("x", "allow-only-sctp-ingress-on-port-81").selecting(labels("pod", "a"))
                        .ingress(onPorts(port(SCTP, 81))).build()),
                (r, port, protocol) -> r.expectPeer(any(), namespace("x"), false)));

        s.add(scenario("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
                List.of(policy("x", "allow-only-sctp-ingress-on-port-80").selecting(labels("pod", "a"))
                        .ingress(onPorts(port(SCTP, 80))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false)));

        s.add(scenario("should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label",
                List.of(policy("x", "allow-client-a-via-ns-selector-for-immutable-ns-label").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(labels(NAMESPACE_NAME_LABEL, "y")))).build()),
                UpstreamNetpolScenarios::onlyNamespaceYReachesXA));

        s.add(scenario("should enforce policy based on NamespaceSelector with MatchExpressions using default ns label",
                List.of(policy("x", "allow-ns-y-match-selector-for-immutable-ns-label").selecting(labels("pod", "a"))
                        .egress(to(namespaces(notIn(NAMESPACE_NAME_LABEL, "y")))).build()),
                (r, port, protocol) -> r.expectPeer(pod("x/a"), namespace("y"), false)));

        return s;
    }
    /** Upstream's expectation for "x/a accepts namespace y only": x and z are cut off from x/a. */
    private static void onlyNamespaceYReachesXA(Reachability r, int port, Protocol protocol) {
        r.expectPeer(namespace("x"), pod("x/a"), false);
        r.expectPeer(namespace("z"), pod("x/a"), false);
    }
}
