package dev.ferry.agent.e2e;

import dev.ferry.agent.e2e.NetworkPolicyScenarios.Scenario;
import dev.ferry.agent.lab.netpol.Policies;
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
import static dev.ferry.agent.lab.netpol.Peer.any;
import static dev.ferry.agent.lab.netpol.Peer.namespace;
import static dev.ferry.agent.lab.netpol.Peer.pod;
import static dev.ferry.agent.lab.netpol.Policies.all;
import static dev.ferry.agent.lab.netpol.Policies.anything;
import static dev.ferry.agent.lab.netpol.Policies.from;
import static dev.ferry.agent.lab.netpol.Policies.in;
import static dev.ferry.agent.lab.netpol.Policies.ipBlock;
import static dev.ferry.agent.lab.netpol.Policies.labels;
import static dev.ferry.agent.lab.netpol.Policies.named;
import static dev.ferry.agent.lab.netpol.Policies.namespaces;
import static dev.ferry.agent.lab.netpol.Policies.notIn;
import static dev.ferry.agent.lab.netpol.Policies.onPorts;
import static dev.ferry.agent.lab.netpol.Policies.policy;
import static dev.ferry.agent.lab.netpol.Policies.port;
import static dev.ferry.agent.lab.netpol.Policies.range;
import static dev.ferry.agent.lab.netpol.Policies.to;
import static dev.ferry.agent.model.Protocol.TCP;
import static dev.ferry.agent.model.Protocol.UDP;

/**
 * Scenarios upstream leaves out: ingress ipBlocks, endPort, named UDP ports, policies adding up
 * across namespaces and within one, NotIn pod selectors, policyTypes given against inferred, and
 * labels changed back so access ends.
 */
final class AddedNetpolScenarios {
    private AddedNetpolScenarios() {
    }

    static List<Scenario> list() {
        List<Scenario> s = new ArrayList<>();

        s.add(scenario("named UDP port: ingress allowed on serve-81-udp only (added)",
                List.of(policy("x", "allow-serve-81-udp").selecting(labels("pod", "a"))
                        .ingress(onPorts(named(UDP, "serve-81-udp"))).build()),
                (r, port, protocol) -> {
                    if (!is(port, protocol, 81, UDP)) r.expectAllIngress("x/a", false);
                }));

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
}
