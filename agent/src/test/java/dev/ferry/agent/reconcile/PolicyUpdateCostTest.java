package dev.ferry.agent.reconcile;

import dev.ferry.agent.datapath.InMemoryMapTable;
import dev.ferry.agent.datapath.PolicyMaps;
import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.translate.policy.PolicyCompiler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one change costs in map writes, on a cluster of 300 pods (3 namespaces, 10 apps, 2 nodes)
 * with a policy per namespace: compiler and writer together must write in proportion to the
 * change, never in proportion to the cluster.
 */
class PolicyUpdateCostTest {
    private static final int PODS_PER_NAMESPACE = 100;
    private final List<String> writes = new ArrayList<>();
    private PolicyReconciler reconciler;

    private static String pod(String ns, int i, String app, String node) {
        return """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p%d, namespace: %s, labels: {app: %s}}
                spec: {nodeName: %s, containers: [{name: c}]}
                status: {podIP: %s}
                """.formatted(i, ns, app, node, ip(ns, i));
    }

    private static String ip(String ns, int i) {
        return "10." + (ns.charAt(0) - 'a' + 1) + "." + (i / 200) + "." + (i % 200 + 1);
    }

    /** Namespaces a, b, c; pods p0.. with app0..app9; even pods on node1; each namespace admits app0 to every pod on 80. */
    private static String cluster(String extra) {
        StringBuilder yaml = new StringBuilder();
        for (String ns : List.of("a", "b", "c")) {
            yaml.append("---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ").append(ns).append("}\n");
            for (int i = 0; i < PODS_PER_NAMESPACE; i++) yaml.append(pod(ns, i, "app" + (i % 10), i % 2 == 0 ? "node1" : "node2"));
            yaml.append("""
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: app0-only, namespace: %s}
                    spec:
                      podSelector: {}
                      ingress: [{from: [{podSelector: {matchLabels: {app: app0}}}], ports: [{port: 80}]}]
                    """.formatted(ns));
        }
        return yaml + extra;
    }

    private PolicyApplyResult apply(String yaml) {
        writes.clear();
        var parsed = Manifests.parse(yaml);
        assertEquals(List.of(), parsed.problems());
        return reconciler.apply(PolicyCompiler.compile(parsed.cluster(), new LocalNode("node1", List.of(Ipv4.parse("192.168.0.1")))));
    }

    @BeforeEach
    void fullCluster() {
        reconciler = new PolicyReconciler(new PolicyMaps(new InMemoryMapTable<>("ipcache", 100_000, writes::add),
                new InMemoryMapTable<>("endpoints", 100_000, writes::add), new InMemoryMapTable<>("rules", 100_000, writes::add)));
        PolicyApplyResult first = apply(cluster(""));
        assertEquals(List.of(), first.errors());
        assertEquals(150, first.endpointsWritten(), "every pod on node1 is isolated");
        assertTrue(writes.size() > 450, "the first pass writes the whole cluster: " + writes.size());
    }

    @Test
    void aNewPodWithKnownLabelsOnAnotherNodeIsOneIpcacheEntry() {
        apply(cluster(pod("b", 999, "app3", "node2")));
        assertEquals(List.of("put ipcache " + ip("b", 999) + "/32"), writes);
        apply(cluster(""));
        assertEquals(List.of("remove ipcache " + ip("b", 999) + "/32"), writes, "and deleting it, one removal");
    }

    @Test
    void aNewPodOfAnIdentityThatRulesAdmitIsOneIpcacheEntryToo() {
        apply(cluster(pod("a", 998, "app0", "node2"))); // app0 of namespace a already has an identity
        assertEquals(List.of("put ipcache " + ip("a", 998) + "/32"), writes, "its identity's rules exist already");
    }

    @Test
    void aRelabelledPodMovesItsAddressAndTheRulesOfItsNewIdentity() {
        String relabelled = cluster("").replace("metadata: {name: p1, namespace: a, labels: {app: app1}}",
                "metadata: {name: p1, namespace: a, labels: {app: fresh}}");
        apply(relabelled);
        assertEquals(List.of("put ipcache " + ip("a", 1) + "/32"), writes, "nothing admits the new labels");
    }

    @Test
    void aPolicyForOnePodWritesOnlyThatPodsRules() {
        PolicyApplyResult result = apply(cluster("""
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p0-from-app5, namespace: c}
                spec:
                  podSelector: {matchLabels: {app: app0}}
                  ingress: [{from: [{podSelector: {matchLabels: {app: app5}}}]}]
                """));
        // Namespace c's app0 pods are p0, p10, ..., p90: all even, so all 10 on node1.
        assertEquals(10, result.rulesAdded(), "one rule (app5, every port) for each of c's 10 app0 pods on node1: " + writes);
        assertEquals(0, result.ipcacheWritten() + result.endpointsWritten() + result.rulesRemoved());
    }
}
