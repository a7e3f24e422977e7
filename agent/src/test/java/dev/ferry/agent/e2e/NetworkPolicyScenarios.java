package dev.ferry.agent.e2e;

import dev.ferry.agent.lab.netpol.NetpolModel;
import dev.ferry.agent.lab.netpol.Reachability;
import dev.ferry.agent.model.Protocol;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import java.util.ArrayList;
import java.util.List;

import static dev.ferry.agent.lab.netpol.Policies.policy;
import static dev.ferry.agent.model.Protocol.TCP;
import static dev.ferry.agent.model.Protocol.UDP;

/**
 * The scenarios of {@link NetworkPolicyIT}: the cluster they share, the shape of a scenario, and
 * the helpers {@link UpstreamNetpolScenarios} (taken from upstream's netpol e2e) and
 * {@link AddedNetpolScenarios} (what upstream leaves untested) write them with. Every step holds
 * the whole cluster state, so scenarios do not depend on each other's leftovers.
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

    static final Expectation ALL_ALLOWED = (r, port, protocol) -> { };

    static final NetworkPolicy DENY_INGRESS_X = policy("x", "deny-ingress").ingress().build();

    private NetworkPolicyScenarios() {
    }

    /** Upstream's first, then the added ones. */
    static List<Scenario> list() {
        List<Scenario> all = new ArrayList<>(UpstreamNetpolScenarios.list());
        all.addAll(AddedNetpolScenarios.list());
        return all;
    }

    /** One step on the starting labels. */
    static Scenario scenario(String name, List<NetworkPolicy> policies, Expectation expectation) {
        return new Scenario(name, List.of(new Step("", MODEL, policies, expectation)));
    }

    static Scenario scenario(String name, Step... steps) {
        return new Scenario(name, List.of(steps));
    }

    static Step step(String what, List<NetworkPolicy> policies, Expectation expectation) {
        return new Step(what, MODEL, policies, expectation);
    }

    /** A step on changed labels. */
    static Step step(String what, NetpolModel model, List<NetworkPolicy> policies, Expectation expectation) {
        return new Step(what, model, policies, expectation);
    }

    static boolean is(int port, Protocol protocol, int wantedPort, Protocol wantedProtocol) {
        return port == wantedPort && protocol == wantedProtocol;
    }

    static String cidr32(String pod) {
        return MODEL.ip(pod) + "/32";
    }
}
