package dev.ferry.agent.k8s;

import dev.ferry.agent.model.ContainerPort;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.Namespace;
import dev.ferry.agent.model.Pod;
import dev.ferry.agent.model.PodName;
import dev.ferry.agent.model.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class PodConverterTest {
    static Pod pod(String yaml) {
        Manifests.Parsed parsed = Manifests.parse("apiVersion: v1\nkind: Pod\n" + yaml);
        assertEquals(List.of(), parsed.problems());
        return parsed.cluster().pods().getFirst();
    }

    @Test
    void aRunningPodKeepsItsIpv4AddressLabelsNodeAndNamedPorts() {
        Pod p = pod("""
                metadata: {name: web-1, namespace: demo, labels: {app: web}}
                spec:
                  nodeName: node1
                  initContainers:
                  - {name: setup, ports: [{name: ignored, containerPort: 1}]}
                  - {name: proxy, restartPolicy: Always, ports: [{name: admin, containerPort: 9901}]}
                  containers:
                  - {name: app, ports: [{name: http, containerPort: 8080}, {containerPort: 9090}, {name: dns, containerPort: 53, protocol: UDP}]}
                status: {phase: Running, podIP: 10.244.1.11, podIPs: [{ip: 'fd00::11'}, {ip: 10.244.1.11}]}
                """);
        assertEquals(new PodName("demo", "web-1"), p.name());
        assertEquals(Map.of("app", "web"), p.labels());
        assertEquals("node1", p.nodeName());
        assertEquals(Optional.of(Ipv4.parse("10.244.1.11")), p.policyAddress());
        assertEquals(List.of(new ContainerPort("http", Protocol.TCP, 8080), new ContainerPort("dns", Protocol.UDP, 53),
                new ContainerPort("admin", Protocol.TCP, 9901)), p.namedPorts());
    }

    @Test
    void hostNetworkPendingAndFinishedPodsHaveNoPolicyAddress() {
        Pod host = pod("metadata: {name: h}\nspec: {hostNetwork: true}\nstatus: {phase: Running, podIP: 192.168.1.10}");
        assertTrue(host.hostNetwork());
        assertEquals(Optional.of(Ipv4.parse("192.168.1.10")), host.address());
        assertEquals(Optional.empty(), host.policyAddress());
        assertEquals(Optional.empty(), pod("metadata: {name: p}\nstatus: {phase: Pending}").policyAddress());
        assertEquals(Optional.empty(), pod("metadata: {name: v6}\nstatus: {podIPs: [{ip: 'fd00::1'}]}").policyAddress());
        for (String phase : List.of("Succeeded", "Failed")) {
            Pod done = pod("metadata: {name: d}\nstatus: {phase: " + phase + ", podIP: 10.244.1.12}");
            assertTrue(done.terminal());
            assertEquals(Optional.empty(), done.policyAddress());
        }
    }

    @Test
    void malformedPodsAreProblems() {
        Manifests.Parsed parsed = Manifests.parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: bad-ip, namespace: demo}
                status: {podIP: 10.244.1.300}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: bad-port, namespace: demo}
                spec: {containers: [{name: app, ports: [{name: http, containerPort: 0}]}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: bad-protocol, namespace: demo}
                spec: {containers: [{name: app, ports: [{name: http, containerPort: 80, protocol: ICMP}]}]}
                """);
        assertEquals(List.of("Pod demo/bad-ip: status.podIPs '10.244.1.300' is not an IPv4 address",
                "Pod demo/bad-port: containers[app].ports[http].containerPort 0 is not a port (1-65535)",
                "Pod demo/bad-protocol: unknown protocol 'ICMP'"), parsed.problems());
        assertEquals(List.of(), parsed.cluster().pods());
    }

    @Test
    void namespacesAlwaysCarryTheirNameLabel() {
        Manifests.Parsed parsed = Manifests.parse("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: demo, labels: {team: a}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: other, labels: {kubernetes.io/metadata.name: other}}
                """);
        assertEquals(List.of(new Namespace("demo", new java.util.TreeMap<>(Map.of("team", "a", Namespace.NAME_LABEL, "demo"))),
                new Namespace("other", new java.util.TreeMap<>(Map.of(Namespace.NAME_LABEL, "other")))),
                parsed.cluster().namespaces());
    }
}
