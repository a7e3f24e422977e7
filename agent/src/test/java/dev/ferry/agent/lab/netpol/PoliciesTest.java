package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.k8s.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.agent.lab.netpol.Policies.all;
import static dev.ferry.agent.lab.netpol.Policies.anything;
import static dev.ferry.agent.lab.netpol.Policies.from;
import static dev.ferry.agent.lab.netpol.Policies.ipBlock;
import static dev.ferry.agent.lab.netpol.Policies.labels;
import static dev.ferry.agent.lab.netpol.Policies.named;
import static dev.ferry.agent.lab.netpol.Policies.namespaces;
import static dev.ferry.agent.lab.netpol.Policies.notIn;
import static dev.ferry.agent.lab.netpol.Policies.onPorts;
import static dev.ferry.agent.lab.netpol.Policies.podsInNamespaces;
import static dev.ferry.agent.lab.netpol.Policies.policy;
import static dev.ferry.agent.lab.netpol.Policies.range;
import static dev.ferry.agent.lab.netpol.Policies.to;
import static dev.ferry.agent.model.Protocol.TCP;
import static dev.ferry.agent.model.Protocol.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifests the lab writes are what the API server would hold, and Ferry's file source reads them. */
class PoliciesTest {
    private static final NetpolModel MODEL = NetpolModel.builder()
            .namespace("x").pod("a", "node1", "10.244.1.10")
            .namespace("y").pod("a", "node2", "10.244.2.20")
            .build();

    @Test
    void aDenyPolicyListsItsTypeAndNoRule() {
        assertEquals("""
                ---
                apiVersion: "networking.k8s.io/v1"
                kind: "NetworkPolicy"
                metadata:
                  name: "deny-all"
                  namespace: "x"
                spec:
                  podSelector: {}
                  policyTypes:
                  - "Ingress"
                  - "Egress"
                """, Serialization.asYaml(policy("x", "deny-all").ingress().egress().build()));
    }

    @Test
    void emptySelectorsAndRulesStayInTheYaml() {
        String yaml = Serialization.asYaml(policy("x", "open").ingress(anything(), from(namespaces(all())))
                .egress(to(podsInNamespaces(notIn("ns", "x"), labels("pod", "b"))).on(range(UDP, 80, 81))).build());

        assertTrue(yaml.contains("""
                  ingress:
                  - {}
                  - from:
                    - namespaceSelector: {}
                """), yaml);
        assertTrue(yaml.contains("""
                    - endPort: 81
                      port: 80
                      protocol: "UDP"
                """), yaml);
        assertTrue(yaml.contains("operator: \"NotIn\""), yaml);
    }

    @Test
    void inferredTypesWriteNone() {
        String yaml = Serialization.asYaml(policy("x", "inferred").egress(to(ipBlock("10.0.0.0/8", "10.1.0.0/16"))).inferTypes().build());

        assertTrue(!yaml.contains("policyTypes"), yaml);
        assertTrue(yaml.contains("cidr: \"10.0.0.0/8\""), yaml);
        assertTrue(yaml.contains("- \"10.1.0.0/16\""), yaml);
    }

    @Test
    void theClusterRoundTripsAndTheFileSourceTakesIt() {
        List<HasMetadata> objects = new ArrayList<>(MODEL.withPodLabel("x/a", "pod2", "updated").objects());
        NetworkPolicy policy = policy("x", "a").selecting(labels("pod", "a"))
                .ingress(from(namespaces(labels("ns", "y"))).on(named(TCP, "serve-80-tcp"))).build();
        objects.add(policy);
        String yaml = NetpolModel.yaml(objects);

        List<HasMetadata> parsed = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        assertEquals(objects, parsed);
        assertTrue(yaml.contains("""
                    - containerPort: 81
                      name: "serve-81-udp"
                      protocol: "UDP"
                """), yaml);
        assertTrue(yaml.contains("kubernetes.io/metadata.name: \"y\""), yaml);
        assertTrue(yaml.contains("pod2: \"updated\""), yaml);

        Manifests.Parsed forFerry = Manifests.parse(yaml);
        assertEquals(List.of(), forFerry.problems());
        assertEquals(List.of(), forFerry.cluster().services());
    }
}
