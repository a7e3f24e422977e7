package dev.ferry.agent.e2e;

import dev.ferry.agent.lab.netpol.NetpolModel;
import dev.ferry.agent.lab.netpol.Policies;
import dev.ferry.agent.lab.netpol.Reachability;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.ArrayList;
import java.util.List;

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
import static dev.ferry.agent.lab.netpol.Policies.range;
import static dev.ferry.agent.lab.netpol.Policies.to;
import static dev.ferry.agent.model.Protocol.SCTP;
import static dev.ferry.agent.model.Protocol.TCP;
import static dev.ferry.agent.model.Protocol.UDP;

/**
 * The scenarios of {@link NetworkPolicyIT}, most taken from upstream's
 * {@code test/e2e/network/netpol/network_policy.go} (named as there), some added where upstream
 * leaves a rule untested (ingress ipBlocks, endPort, policies adding up, labels changing back).
 * Upstream probes one port and protocol per test; here every step is checked on 80 and 81, TCP
 * and UDP, so each expectation says what the policy means for all four.
 */
final class NetworkPolicyScenarios {
    /** a and c of x on node1, b on node2; every namespace has pods on both nodes. */
    static final NetpolModel MODEL = NetpolModel.builder().ports(80, 81).protocols(TCP, UDP)
            .namespace("x").pod("a", "node1", "10.244.1.10").pod("b", "node2", "10.244.2.11").pod("c", "node1", "10.244.1.12")
            .namespace("y").pod("a", "node2", "10.244.2.20").pod("b", "node1", "10.244.1.21").pod("c", "node2", "10.244.2.22")
            .namespace("z").pod("a", "node2", "10.244.2.30").pod("b", "node2", "10.244.2.31").pod("c", "node1", "10.244.1.32")
            .build();

    /** What a step's cluster should let through on one port and protocol; starts from all allowed. */
    @FunctionalInterface
    interface Expectation {
        void expect(Reachability r, int port, Protocol protocol);
    }

    record Step(String what, NetpolModel model, List<NetworkPolicy> policies, Expectation expectation) {
        /** The truth table this step expects on one port and protocol, loopback allowed. */
        Reachability expected(int port, Protocol protocol) {
            Reachability r = model.reachability(true);
            expectation.expect(r, port, protocol);
            return r.allowLoopback();
        }
    }

    record Scenario(String name, List<Step> steps) {
    }

    private NetworkPolicyScenarios() {
    }

    private static final Expectation ALL_ALLOWED = (r, port, protocol) -> { };

    private static Scenario scenario(String name, List<NetworkPolicy> policies, Expectation expectation) {
        return new Scenario(name, List.of(new Step("", MODEL, policies, expectation)));
    }

    private static Scenario scenario(String name, Step... steps) {
        return new Scenario(name, List.of(steps));
    }

    private static Step step(String what, List<NetworkPolicy> policies, Expectation expectation) {
        return new Step(what, MODEL, policies, expectation);
    }

    private static Step step(String what, NetpolModel model, List<NetworkPolicy> policies, Expectation expectation) {
        return new Step(what, model, policies, expectation);
    }

    private static boolean is(int port, Protocol protocol, int wantedPort, Protocol wantedProtocol) {
        return port == wantedPort && protocol == wantedProtocol;
    }

    private static String cidr32(String pod) {
        return MODEL.ip(pod) + "/32";
    }

    private static final NetworkPolicy DENY_INGRESS_X = policy("x", "deny-ingress").ingress().build();
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
                NetworkPolicyScenarios::onlyNamespaceYReachesXA));

        s.add(scenario("should enforce policy based on PodSelector with MatchExpressions",
                List.of(policy("x", "x-a-allows-x-b").selecting(labels("pod", "a"))
                        .ingress(from(Policies.pods(in("pod", "b")))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)));

        s.add(scenario("should enforce policy based on NamespaceSelector with MatchExpressions",
                List.of(policy("x", "allow-ns-y-match-selector").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(in("ns", "y")))).build()),
                NetworkPolicyScenarios::onlyNamespaceYReachesXA));

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

        s.add(scenario("named UDP port: ingress allowed on serve-81-udp only (added)",
                List.of(policy("x", "allow-serve-81-udp").selecting(labels("pod", "a"))
                        .ingress(onPorts(named(UDP, "serve-81-udp"))).build()),
                (r, port, protocol) -> {
                    if (!is(port, protocol, 81, UDP)) r.expectAllIngress("x/a", false);
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
                NetworkPolicyScenarios::onlyNamespaceYReachesXA));

        s.add(scenario("should enforce policy based on NamespaceSelector with MatchExpressions using default ns label",
                List.of(policy("x", "allow-ns-y-match-selector-for-immutable-ns-label").selecting(labels("pod", "a"))
                        .egress(to(namespaces(notIn(NAMESPACE_NAME_LABEL, "y")))).build()),
                (r, port, protocol) -> r.expectPeer(pod("x/a"), namespace("y"), false)));

        s.add(scenario("endPort: ingress from namespace y on TCP 80-81 (added)",
                List.of(policy("x", "allow-y-80-81").selecting(labels("pod", "a"))
                        .ingress(from(namespaces(labels("ns", "y"))).on(range(TCP, 80, 81))).build()),
                (r, port, protocol) -> {
                    r.expectAllIngress("x/a", false);
                    if (protocol == TCP) r.expectPeer(namespace("y"), pod("x/a"), true);
                }));

        s.add(scenario("endPort: egress on UDP 81-90 leaves port 80 out (added)",
                List.of(policy("x", "allow-egress-udp-81-90").egress(onPorts(range(UDP, 81, 90))).build()),
                (r, port, protocol) -> {
                    if (!is(port, protocol, 81, UDP)) r.expectPeer(namespace("x"), any(), false);
                }));

        s.add(scenario("ingress from an ipBlock holding node2's pod CIDR (added)",
                List.of(policy("x", "allow-from-node2-pods").selecting(labels("pod", "a"))
                        .ingress(from(ipBlock("10.244.2.0/24"))).build()),
                (r, port, protocol) -> {
                    r.expectAllIngress("x/a", false);
                    MODEL.pods().stream().filter(p -> p.node().equals("node2"))
                            .forEach(p -> r.expect(p.podString(), "x/a", true));
                }));

        s.add(scenario("ingress from an ipBlock with except holes for y/a and y/b (added)",
                List.of(policy("x", "allow-from-cidr-except").selecting(labels("pod", "a"))
                        .ingress(from(ipBlock("10.244.0.0/16", cidr32("y/a"), cidr32("y/b")))).build()),
                (r, port, protocol) -> r.expect("y/a", "x/a", false).expect("y/b", "x/a", false)));

        s.add(scenario("egress to a namespace on a named UDP port (added)",
                List.of(policy("x", "allow-to-z-serve-81-udp").selecting(labels("pod", "a"))
                        .egress(to(namespaces(labels("ns", "z"))).on(named(UDP, "serve-81-udp"))).build()),
                (r, port, protocol) -> {
                    r.expectAllEgress("x/a", false);
                    if (is(port, protocol, 81, UDP)) r.expectPeer(pod("x/a"), namespace("z"), true);
                }));

        s.add(scenario("egress to a pod selector or an ipBlock, either allows (added)",
                List.of(policy("x", "allow-to-x-b-or-z-c").selecting(labels("pod", "a"))
                        .egress(to(Policies.pods(labels("pod", "b")), ipBlock(cidr32("z/c")))).build()),
                (r, port, protocol) -> r.expectAllEgress("x/a", false).expect("x/a", "x/b", true).expect("x/a", "z/c", true)));

        s.add(scenario("policies in several namespaces add up (added)",
                List.of(DENY_INGRESS_X,
                        policy("y", "deny-ingress-b").selecting(labels("pod", "b")).ingress().build(),
                        policy("z", "deny-egress-c").selecting(labels("pod", "c")).egress().build()),
                (r, port, protocol) -> {
                    r.expectPeer(any(), namespace("x"), false);
                    r.expectAllIngress("y/b", false);
                    r.expectAllEgress("z/c", false);
                }));

        s.add(scenario("ingress rules of two policies selecting one pod add up (added)",
                List.of(policy("x", "x-a-from-x-b").selecting(labels("pod", "a")).ingress(from(Policies.pods(labels("pod", "b")))).build(),
                        policy("x", "x-a-from-z").selecting(labels("pod", "a")).ingress(from(namespaces(labels("ns", "z")))).build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)
                        .expectPeer(namespace("z"), pod("x/a"), true)));

        s.add(scenario("a podSelector with NotIn isolates the pods it selects (added)",
                List.of(policy("x", "deny-ingress-not-a").selecting(notIn("pod", "a")).ingress().build()),
                (r, port, protocol) -> r.expectAllIngress("x/b", false).expectAllIngress("x/c", false)));

        s.add(scenario("policyTypes inferred: egress rules and no types isolate ingress too (added)",
                List.of(policy("x", "inferred-types").selecting(labels("pod", "a"))
                        .egress(to(namespaces(all()))).inferTypes().build()),
                (r, port, protocol) -> r.expectAllIngress("x/a", false)));

        s.add(scenario("policyTypes given: egress rules under policyTypes [Ingress] are ignored (added)",
                List.of(policy("x", "ingress-only").selecting(labels("pod", "a")).ingress(anything())
                        .egress(to(ipBlock("192.0.2.1/32"))).types("Ingress").build()),
                ALL_ALLOWED));

        NetworkPolicy fromBlueNamespaces = policy("x", "allow-from-team-blue").selecting(labels("pod", "a"))
                .ingress(from(namespaces(labels("team", "blue")))).build();
        s.add(scenario("a namespace label changed away ends the access it gave (added)",
                step("y is team=blue", MODEL.withNamespaceLabel("y", "team", "blue"), List.of(fromBlueNamespaces),
                        (r, port, protocol) -> r.expectAllIngress("x/a", false).expectPeer(namespace("y"), pod("x/a"), true)),
                step("y is team=red", MODEL.withNamespaceLabel("y", "team", "red"), List.of(fromBlueNamespaces),
                        (r, port, protocol) -> r.expectAllIngress("x/a", false))));

        NetworkPolicy isolateLocked = policy("x", "deny-ingress-locked").selecting(labels("role", "locked")).ingress().build();
        s.add(scenario("a pod label changed away takes the pod out of the policy (added)",
                step("x/b is role=locked", MODEL.withPodLabel("x/b", "role", "locked"), List.of(isolateLocked),
                        (r, port, protocol) -> r.expectAllIngress("x/b", false)),
                step("x/b is role=open", MODEL.withPodLabel("x/b", "role", "open"), List.of(isolateLocked), ALL_ALLOWED)));

        return s;
    }

    /** Upstream's expectation for "x/a accepts namespace y only": x and z are cut off from x/a. */
    private static void onlyNamespaceYReachesXA(Reachability r, int port, Protocol protocol) {
        r.expectPeer(namespace("x"), pod("x/a"), false);
        r.expectPeer(namespace("z"), pod("x/a"), false);
    }
}
