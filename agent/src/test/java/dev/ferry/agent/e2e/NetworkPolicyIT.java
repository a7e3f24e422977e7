package dev.ferry.agent.e2e;

import dev.ferry.agent.lab.AgentProcess;
import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.lab.ServiceManifest;
import dev.ferry.agent.lab.netpol.Matrix;
import dev.ferry.agent.lab.netpol.NetpolLab;
import dev.ferry.agent.lab.netpol.NetpolModel;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.testing.Privileged;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.ferry.agent.e2e.NetworkPolicyScenarios.MODEL;
import static dev.ferry.agent.lab.netpol.Policies.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * NetworkPolicy truth tables, after upstream's {@code test/e2e/network/netpol}: namespaces x, y
 * and z with pods a, b and c each, spread over two lab nodes that each run the packaged agent;
 * every pod serves ports 80 and 81 over TCP and UDP. Every step of every scenario writes the
 * complete cluster (namespaces, pods, policies) to both agents, waits until both synced it, then
 * probes all 81 pod pairs on the four port/protocol combinations at once and compares them with
 * the expected reachability. Wrong cells are probed again for up to {@link #SETTLE}.
 *
 * <p>The scenarios are in {@link NetworkPolicyScenarios}, their truth tables checked against an
 * independent reading of the policies by {@code NetworkPolicyScenariosTest}; this class runs them
 * on one shared lab. Under CI=true a lab that can not be built fails the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworkPolicyIT {
    /** A blocked probe is a dropped SYN or datagram: silence for this long. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    /** Policy is in the maps once both agents report the sync; wrong cells still get this long to come right. */
    static final Duration SETTLE = Duration.ofSeconds(3);

    private NetpolLab cluster;

    @BeforeAll
    void start() throws Exception {
        Privileged.require();
        cluster = NetpolLab.start(Lab.builder().node("node1", "10.244.1.0/24").node("node2", "10.244.2.0/24"),
                NetworkPolicyScenarios.MODEL, PROBE_TIMEOUT);
    }

    @AfterAll
    void stop() {
        if (cluster == null) return;
        cluster.agents().stream().filter(a -> !a.alive()).forEach(a -> System.err.println("dead agent's log:\n" + a.log()));
        cluster.close();
    }

    @TestFactory
    Stream<DynamicTest> scenarios() {
        return NetworkPolicyScenarios.list().stream()
                .map(scenario -> DynamicTest.dynamicTest(scenario.name(), () -> run(scenario)));
    }

    /** Runs every step, so one wrong step does not hide the next; fails once with all wrong tables. */
    private void run(NetworkPolicyScenarios.Scenario scenario) throws Exception {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < scenario.steps().size(); i++) {
            NetworkPolicyScenarios.Step step = scenario.steps().get(i);
            String title = scenario.name() + (scenario.steps().size() > 1 ? " [step " + (i + 1) + ": " + step.what() + "]" : "");
            Duration synced = cluster.apply(step.model(), step.policies());
            long start = System.nanoTime();
            List<Matrix> matrices = matrices(step);
            boolean right = cluster.prober().validate(matrices, SETTLE);
            System.out.printf("netpol: %s: synced in %d ms, probed in %d ms, slowest answer %d ms, %s%n", title,
                    synced.toMillis(), Duration.ofNanos(System.nanoTime() - start).toMillis(),
                    matrices.stream().mapToLong(m -> m.slowestConnected().toMillis()).max().orElse(0),
                    right ? "right" : "WRONG in " + matrices.stream().filter(m -> !m.isRight()).map(Matrix::name)
                            .collect(Collectors.joining(", ")));
            if (!right) {
                failures.add(title + "\n" + policiesOf(step) + "\n" + matrices.stream().filter(m -> !m.isRight())
                        .map(Matrix::report).collect(Collectors.joining("\n")));
            }
        }
        if (!failures.isEmpty()) fail(String.join("\n\n", failures));
    }

    /**
     * Policy judges the real destination after service DNAT: x/a is reached through a ClusterIP
     * from both nodes, and only x/c, which its policy admits, gets through; x/b dials from the
     * other node, so node1 judges it by the identity of its address.
     */
    @Test
    void aPodReachedThroughAClusterIpIsProtectedByItsOwnPolicy() throws Exception {
        String vip = "10.96.0.100";
        ServiceManifest service = ServiceManifest.tcpAndUdp("x-a", vip, 8080, 80, List.of(MODEL.ip("x/a")));
        NetworkPolicy onlyC = policy("x", "a-admits-c").selecting(labels("pod", "a"))
                .ingress(from(pods(labels("pod", "c")))).build();
        cluster.apply(MODEL, List.of(onlyC), service.yaml());

        Client c = cluster.lab().client("x-c"), b = cluster.lab().client("x-b"), yb = cluster.lab().client("y-b");
        assertEquals("x/a", c.tcpRequest(vip, 8080, PROBE_TIMEOUT).server());
        assertEquals("x/a", c.udpRequest(vip, 8080, PROBE_TIMEOUT).server());
        assertEquals(Outcome.TIMEOUT, b.tcpProbe(vip, 8080, PROBE_TIMEOUT), "x/b, from node2");
        assertEquals(Outcome.TIMEOUT, b.udpProbe(vip, 8080, PROBE_TIMEOUT), "x/b, from node2");
        assertEquals(Outcome.TIMEOUT, yb.tcpProbe(vip, 8080, PROBE_TIMEOUT), "y/b, on x/a's node");
        cluster.apply(MODEL, List.of(), service.yaml());
        assertEquals("x/a", b.tcpRequest(vip, 8080, PROBE_TIMEOUT).server(), "the policy deleted, x/b gets through");
    }

    /** A drop is logged by the node that dropped it, with both pods named, and counted for the local pod. */
    @Test
    void aDropIsLoggedWithBothPodsNamedAndCounted() throws Exception {
        NetworkPolicy denyA = policy("x", "deny-a").selecting(labels("pod", "a")).ingress().build();
        cluster.apply(MODEL, List.of(denyA));
        Client b = cluster.lab().client("x-b");
        assertEquals(Outcome.TIMEOUT, b.tcpProbe(MODEL.ip("x/a"), 81, PROBE_TIMEOUT));

        AgentProcess node1 = cluster.agents().getFirst();
        String to = "-> x/a " + MODEL.ip("x/a") + ":81 TCP, peer identity ";
        assertTrue(node1.awaitLog(to, 1, Duration.ofSeconds(5)), "node1's log has '" + to + "'");
        String logged = node1.log().lines().filter(l -> l.contains(to)).findFirst().orElseThrow();
        assertTrue(logged.contains("policy drop ingress: x/b " + MODEL.ip("x/b") + ":"), logged);
        assertTrue(logged.contains("x{pod=b}"), "the peer's labels: " + logged);
        assertTrue(node1.metrics().lines().anyMatch(l -> l.startsWith("ferry_policy_drops_total{pod=\"x/a ingress\"} ")),
                "ferry_policy_drops_total counts it for x/a");
    }

    /** One matrix per port and protocol, each with the step's expectation for it. */
    private static List<Matrix> matrices(NetworkPolicyScenarios.Step step) {
        List<Matrix> matrices = new ArrayList<>();
        for (int port : step.model().ports()) {
            for (Protocol protocol : step.model().protocols()) {
                matrices.add(new Matrix(port, protocol, step.expected(port, protocol)));
            }
        }
        return matrices;
    }

    private static String policiesOf(NetworkPolicyScenarios.Step step) {
        List<NetworkPolicy> policies = step.policies();
        return policies.isEmpty() ? "(no policies)" : "policies:\n" + NetpolModel.yaml(policies);
    }
}
