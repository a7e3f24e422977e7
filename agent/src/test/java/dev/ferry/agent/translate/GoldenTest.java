package dev.ferry.agent.translate;

import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.datapath.InMemoryServiceMaps;
import dev.ferry.agent.datapath.ServiceMaps;
import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.reconcile.Reconciler;
import dev.ferry.agent.translate.policy.PolicyCompiler;
import dev.ferry.agent.translate.policy.PolicyState;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.Arrays;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * YAML in, map dump out: every file in src/test/resources/golden holds an "-- input.yaml --"
 * section (and optionally "-- node --", the agent's node name, default node1, and its NodePort
 * addresses) and the expected "-- maps --" and "-- problems --" sections, and "-- health --"
 * (healthCheckNodePorts) if any. The whole production path runs: parse, convert, translate,
 * reconcile into maps, dump the maps.
 * <p>
 * NetworkPolicy: a case with Pods, Namespaces or NetworkPolicies (or with the section already)
 * also expects "-- policy --", {@link PolicyState#dump()} of the policy compiler's output. The
 * node's host addresses are its NodePort addresses unless "-- host --" lists them (whitespace
 * separated; an empty section means none).
 * Regenerate after an intended change with -Dferry.golden.update=true and review the diff.
 */
class GoldenTest {
    private static final Path DIR = Path.of("src/test/resources/golden");

    @TestFactory
    Stream<DynamicTest> golden() throws IOException {
        return Files.list(DIR).filter(p -> p.toString().endsWith(".txtar")).sorted()
                .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
    }

    private static void check(Path file) throws IOException {
        Txtar txtar = Txtar.parse(Files.readString(file));
        Manifests.Parsed parsed = Manifests.parse(txtar.section("input.yaml"));
        ServiceMaps maps = inMemoryMaps();
        // The agent runs on "node1" without NodePort addresses unless a case's "-- node --"
        // section says "NAME [ADDRESS...]"; Node objects may be in the input.
        String[] node = (txtar.sections().containsKey("node") ? txtar.section("node").trim() : "node1").split("\\s+");
        List<Inet4Address> addresses = Arrays.stream(node).skip(1).map(Ipv4::parse).toList();
        List<Inet4Address> hostAddresses = !txtar.sections().containsKey("host") ? addresses
                : Arrays.stream(txtar.section("host").trim().split("\\s+")).filter(a -> !a.isEmpty()).map(Ipv4::parse).toList();
        LocalNode local = new LocalNode(node[0], addresses, hostAddresses);
        DesiredState desired = ServiceTranslator.translate(parsed.cluster(), local);
        new Reconciler(maps).apply(desired);
        String problems = String.join("\n", parsed.problems()) + (parsed.problems().isEmpty() ? "" : "\n");
        Txtar actual = txtar.with("maps", maps.dump()).with("problems", problems);
        if (!desired.healthChecks().isEmpty() || txtar.sections().containsKey("health")) {
            StringBuilder health = new StringBuilder();
            desired.healthChecks().forEach((port, check) -> health.append(port).append(": ").append(check.service())
                    .append(", ").append(check.localEndpoints()).append(" local endpoints\n"));
            actual = actual.with("health", health.toString());
        }
        Cluster cluster = parsed.cluster();
        boolean policyObjects = !cluster.pods().isEmpty() || !cluster.namespaces().isEmpty()
                || !cluster.networkPolicies().isEmpty();
        if (policyObjects || txtar.sections().containsKey("policy")) {
            actual = actual.with("policy", PolicyCompiler.compile(cluster, local).dump());
        }
        if (Boolean.getBoolean("ferry.golden.update")) {
            Files.writeString(file, actual.format());
            return;
        }
        assertEquals(txtar.format(), actual.format(), file + " (regenerate with -Dferry.golden.update=true)");
    }

    static ServiceMaps inMemoryMaps() {
        return InMemoryServiceMaps.create();
    }
}
