package dev.ferry.agent.translate.policy;

import dev.ferry.agent.k8s.Manifests;
import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class CachedPolicyCompilerTest {
    private static final String PODS = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: lab}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: lab, labels: {app: a}}
            spec: {nodeName: node1}
            status: {phase: Running, podIP: 10.244.1.11}
            """;
    private static final String POLICY = """
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: lab}
            spec: {podSelector: {}}
            """;

    private final CachedPolicyCompiler compiler = new CachedPolicyCompiler();
    private final LocalNode node = LocalNode.named("node1");

    @Test
    void compilesAgainOnlyWhenPodsNamespacesPoliciesOrTheNodeChange() {
        Cluster pods = Manifests.parse(PODS).cluster();
        PolicyState first = compiler.compile(pods, node);
        assertEquals(PolicyCompiler.compile(pods, node), first);
        Cluster sameObjects = new Cluster(List.of(), List.of(), List.of(), List.of(),
                pods.pods(), pods.namespaces(), pods.networkPolicies());
        assertSame(first, compiler.compile(sameObjects, node), "only services changed: nothing to compile");

        Cluster withPolicy = Manifests.parse(PODS + POLICY).cluster();
        PolicyState second = compiler.compile(withPolicy, node);
        assertNotSame(first, second);
        assertEquals(PolicyCompiler.compile(withPolicy, node), second);

        LocalNode moved = new LocalNode("node1", List.of(), List.of(Ipv4.parse("192.168.0.1")));
        assertEquals(PolicyCompiler.compile(withPolicy, moved), compiler.compile(withPolicy, moved));
    }
}
