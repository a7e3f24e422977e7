package dev.ferry.agent.e2e;

import dev.ferry.agent.lab.netpol.Reachability;
import dev.ferry.agent.model.Protocol;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hand-written truth tables of {@link NetworkPolicyIT} against {@link NetworkPolicyOracle}:
 * two independent readings of each policy must agree on every cell before the datapath is
 * judged by either. No privileges needed.
 */
class NetworkPolicyScenariosTest {
    @TestFactory
    Stream<DynamicTest> everyExpectationAgreesWithTheOracle() {
        return NetworkPolicyScenarios.list().stream().map(scenario -> DynamicTest.dynamicTest(scenario.name(), () -> {
            List<String> disagreements = new ArrayList<>();
            for (NetworkPolicyScenarios.Step step : scenario.steps()) {
                NetworkPolicyOracle oracle = new NetworkPolicyOracle(step.model(), step.policies());
                for (int port : step.model().ports()) {
                    for (Protocol protocol : step.model().protocols()) {
                        Reachability r = step.expected(port, protocol);
                        for (String from : r.pods()) {
                            for (String to : r.pods()) {
                                boolean oracleSays = oracle.allows(from, to, port, protocol);
                                if (oracleSays != r.expected().get(from, to)) {
                                    r.observe(from, to, oracleSays);
                                    disagreements.add(step.what() + " " + port + "/" + protocol + ": " + from + " -> " + to
                                            + " expected " + r.expected().get(from, to) + ", oracle " + oracleSays);
                                }
                            }
                        }
                    }
                }
            }
            if (!disagreements.isEmpty()) fail(String.join("\n", disagreements));
        }));
    }

    @Test
    void atLeastThirtyScenariosWithDistinctNames() {
        List<NetworkPolicyScenarios.Scenario> scenarios = NetworkPolicyScenarios.list();
        Set<String> names = new HashSet<>();
        scenarios.forEach(s -> assertTrue(names.add(s.name()), "duplicate scenario " + s.name()));
        assertTrue(scenarios.size() >= 30, scenarios.size() + " scenarios");
    }
}
