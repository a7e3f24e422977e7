package dev.ferry.agent.e2e;

import dev.ferry.agent.lab.AgentProcess;
import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.lab.Reply;
import dev.ferry.agent.testing.Privileged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Traffic from outside the cluster: three lab nodes, each running the packaged agent with XDP on
 * its eth0, and clients outside on the same L2 segment. The services file is the same on every
 * node, as every node's agent sees the same API objects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodePortIT {
    static final String NODE1 = "192.168.254.11", NODE2 = "192.168.254.12", NODE3 = "192.168.254.13";
    static final String CLIENT_IP = "192.168.254.101";
    static final String LB_IP = "198.51.100.1", GUARDED_LB_IP = "198.51.100.2", EXTERNAL_IP = "203.0.113.10";
    static final int TARGET = 8080, HEALTH_PORT = 32000;
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    static final String SERVICES = """
            # only on node2: reached from other nodes through SNAT
            apiVersion: v1
            kind: Service
            metadata: {name: remote, namespace: e2e}
            spec: {type: NodePort, clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: remote-1, namespace: e2e, labels: {kubernetes.io/service-name: remote}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.2.10], nodeName: node2}]
            ---
            # only on node1
            apiVersion: v1
            kind: Service
            metadata: {name: local, namespace: e2e}
            spec: {type: NodePort, clusterIP: 10.96.0.11, ports: [{port: 80, targetPort: 8080, nodePort: 30081}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: local-1, namespace: e2e, labels: {kubernetes.io/service-name: local}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.1.10], nodeName: node1}]
            ---
            # externalTrafficPolicy Local, endpoint on node3 only
            apiVersion: v1
            kind: Service
            metadata: {name: keep-ip, namespace: e2e}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.0.12
              externalTrafficPolicy: Local
              healthCheckNodePort: 32000
              ports: [{port: 80, targetPort: 8080, nodePort: 30082}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: keep-ip-1, namespace: e2e, labels: {kubernetes.io/service-name: keep-ip}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.3.10], nodeName: node3}]
            ---
            # one endpoint per node: Maglev must make every node pick the same one for a flow
            apiVersion: v1
            kind: Service
            metadata: {name: spread, namespace: e2e}
            spec: {type: NodePort, clusterIP: 10.96.0.13, ports: [{port: 80, protocol: UDP, targetPort: 8080, nodePort: 30083}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: spread-1, namespace: e2e, labels: {kubernetes.io/service-name: spread}}
            addressType: IPv4
            ports: [{port: 8080, protocol: UDP}]
            endpoints:
            - {addresses: [10.244.1.10], nodeName: node1}
            - {addresses: [10.244.2.10], nodeName: node2}
            - {addresses: [10.244.3.10], nodeName: node3}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: lb, namespace: e2e}
            spec: {type: LoadBalancer, clusterIP: 10.96.0.14, ports: [{port: 80, targetPort: 8080, nodePort: 30084}]}
            status: {loadBalancer: {ingress: [{ip: 198.51.100.1}]}}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: lb-1, namespace: e2e, labels: {kubernetes.io/service-name: lb}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.2.10], nodeName: node2}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: guarded, namespace: e2e}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.0.15
              loadBalancerSourceRanges: [192.168.254.101/32]
              ports: [{port: 80, targetPort: 8080, nodePort: 30085}]
            status: {loadBalancer: {ingress: [{ip: 198.51.100.2}]}}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: guarded-1, namespace: e2e, labels: {kubernetes.io/service-name: guarded}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.2.10], nodeName: node2}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ext, namespace: e2e}
            spec: {clusterIP: 10.96.0.16, externalIPs: [203.0.113.10], ports: [{port: 80, targetPort: 8080}]}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: ext-1, namespace: e2e, labels: {kubernetes.io/service-name: ext}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints: [{addresses: [10.244.3.10], nodeName: node3}]
            """;

    private Lab lab;
    private final List<AgentProcess> agents = new ArrayList<>();
    private Client outside;
    private Client stranger;

    @BeforeAll
    void start() throws Exception {
        Privileged.require();
        lab = Lab.builder()
                .node("node1", "10.244.1.0/24").node("node2", "10.244.2.0/24").node("node3", "10.244.3.0/24")
                .external("client").external("stranger")
                .pod("node1", "web-1", "10.244.1.10")
                .pod("node2", "web-2", "10.244.2.10")
                .pod("node3", "web-3", "10.244.3.10")
                .build();
        for (String pod : List.of("web-1", "web-2", "web-3")) lab.startEcho(pod, TARGET);
        // The load balancer IPs reach the cluster through node1, the external IP through node2.
        for (String external : List.of("client", "stranger")) {
            lab.exec(lab.externalNs(external), "ip", "route", "add", LB_IP, "via", NODE1);
            lab.exec(lab.externalNs(external), "ip", "route", "add", GUARDED_LB_IP, "via", NODE1);
            lab.exec(lab.externalNs(external), "ip", "route", "add", EXTERNAL_IP, "via", NODE2);
        }
        for (String node : List.of("node1", "node2", "node3")) {
            // XDP goes on eth0 by default: the interface holding the node's NodePort address.
            agents.add(AgentProcess.start(lab, node, SERVICES));
        }
        outside = lab.clientIn(lab.externalNs("client"));
        stranger = lab.clientIn(lab.externalNs("stranger"));
        awaitOk(outside, NODE1, 30080);
        awaitOk(outside, NODE3, 30082);
    }

    @AfterAll
    void stop() {
        for (AgentProcess agent : agents) {
            if (!agent.alive()) System.err.println("agent log:\n" + agent.log());
        }
        if (lab != null) lab.close();
    }

    private void awaitOk(Client client, String ip, int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (client.tcpProbe(ip, port, TIMEOUT) != Outcome.OK) {
            if (System.nanoTime() > deadline) {
                agents.forEach(a -> System.err.println("agent log:\n" + a.log()));
                fail("no answer from " + ip + ":" + port + " within 30 s");
            }
            Thread.sleep(100);
        }
    }

    @Test
    void nodePortToABackendOnlyOnAnotherNodeAnswersFromTheNodePort() throws Exception {
        Reply reply = outside.tcpRequest(NODE1, 30080, TIMEOUT);
        assertEquals("web-2", reply.server());
        assertEquals(new InetSocketAddress(NODE1, 30080), reply.remote());
        assertEquals(NODE1, reply.peerIp(), "SNATed to the node it came through");
    }

    @Test
    void nodePortToALocalBackendKeepsTheClientAddress() throws Exception {
        Reply reply = outside.tcpRequest(NODE1, 30081, TIMEOUT);
        assertEquals("web-1", reply.server());
        assertEquals(new InetSocketAddress(NODE1, 30081), reply.remote());
        assertEquals(CLIENT_IP, reply.peerIp());
    }

    @Test
    void externalTrafficPolicyLocalKeepsTheClientAddressAndOtherNodesDrop() throws Exception {
        Reply reply = outside.tcpRequest(NODE3, 30082, TIMEOUT);
        assertEquals("web-3", reply.server());
        assertEquals(CLIENT_IP, reply.peerIp(), "the backend sees the real client");
        assertEquals(Outcome.TIMEOUT, outside.tcpProbe(NODE1, 30082, Duration.ofMillis(500)),
                "a node without a local endpoint drops, as kube-proxy does");
        Client pod = lab.client("web-1");
        assertEquals("web-3", pod.tcpRequest("10.96.0.12", 80, TIMEOUT).server(), "pods still reach it");
    }

    @Test
    void healthCheckNodePortSays200WhereEndpointsAreLocalAnd503Elsewhere() throws Exception {
        String here = outside.exchange(NODE3, HEALTH_PORT, "GET /healthz HTTP/1.0\r\n\r\n", TIMEOUT);
        String elsewhere = outside.exchange(NODE1, HEALTH_PORT, "GET /healthz HTTP/1.0\r\n\r\n", TIMEOUT);
        assertTrue(here.startsWith("HTTP/1.0 200"), here); // answers in the request's version, as Go does
        assertTrue(here.contains("\"localEndpoints\": 1"), here);
        assertTrue(here.contains("\"name\": \"keep-ip\""), here);
        assertTrue(elsewhere.startsWith("HTTP/1.0 503"), elsewhere);
        assertTrue(elsewhere.contains("\"localEndpoints\": 0"), elsewhere);
    }

    @Test
    void loadBalancerIpIsServed() throws Exception {
        Reply reply = outside.tcpRequest(LB_IP, 80, TIMEOUT);
        assertEquals("web-2", reply.server());
        assertEquals(new InetSocketAddress(LB_IP, 80), reply.remote());
    }

    @Test
    void externalIpIsServed() throws Exception {
        Reply reply = outside.tcpRequest(EXTERNAL_IP, 80, TIMEOUT);
        assertEquals("web-3", reply.server());
        assertEquals(new InetSocketAddress(EXTERNAL_IP, 80), reply.remote());
    }

    @Test
    void loadBalancerSourceRangesLetOnlyTheirSourcesIn() throws Exception {
        assertEquals("web-2", outside.tcpRequest(GUARDED_LB_IP, 80, TIMEOUT).server());
        assertEquals(Outcome.TIMEOUT, stranger.tcpProbe(GUARDED_LB_IP, 80, Duration.ofMillis(500)));
        assertEquals("web-2", stranger.tcpRequest(LB_IP, 80, TIMEOUT).server(), "other services are open to it");
    }

    @Test
    void aPodReachesItsOwnServiceThroughTheNodePorts() throws Exception {
        Client self = lab.client("web-2");
        for (String node : List.of(NODE2, NODE1)) {
            Reply reply = self.tcpRequest(node, 30080, TIMEOUT);
            assertEquals("web-2", reply.server(), "through " + node);
            assertEquals(new InetSocketAddress(node, 30080), reply.remote());
        }
    }

    @Test
    void aPodReachesAClusterIpWhoseBackendIsOnAnotherNode() throws Exception {
        Reply reply = lab.client("web-1").tcpRequest("10.96.0.10", 80, TIMEOUT);
        assertEquals("web-2", reply.server());
        assertEquals(new InetSocketAddress("10.96.0.10", 80), reply.remote());
        assertEquals("10.244.1.10", reply.peerIp(), "routed over the pod network, not SNATed");
    }

    @Test
    void hostNetworkClientsReachClusterIpsAndNodePorts() throws Exception {
        Client host = lab.clientIn(lab.nodeNs("node1"));
        Reply clusterIp = host.tcpRequestAskingPeer("10.96.0.10", 80, TIMEOUT);
        assertEquals("web-2", clusterIp.server());
        assertEquals(new InetSocketAddress("10.96.0.10", 80), clusterIp.remote(), "getpeername shows the ClusterIP");
        assertEquals("web-2", host.tcpRequest(NODE1, 30080, TIMEOUT).server(), "its own NodePort");
        assertEquals("web-1", host.tcpRequest("10.96.0.11", 80, TIMEOUT).server(), "a local backend");
        Reply udp = host.udpSendTo("10.96.0.13", 80, TIMEOUT);
        assertTrue(List.of("web-1", "web-2", "web-3").contains(udp.server()), udp.line());
        assertEquals(new InetSocketAddress("10.96.0.13", 80), udp.remote(), "recvfrom shows the ClusterIP");
    }

    @Test
    void everyNodeSendsOneFlowToTheSameBackend() throws Exception {
        for (int localPort = 62000; localPort < 62020; localPort++) {
            Map<String, String> byNode = new HashMap<>();
            for (String node : List.of(NODE1, NODE2, NODE3)) {
                byNode.put(node, outside.udpRequestFrom(localPort, node, 30083, TIMEOUT).server());
            }
            assertEquals(1, byNode.values().stream().distinct().count(), "port " + localPort + ": " + byNode);
        }
    }

    @Test
    void twoThousandSequentialConnectionsAcrossNodesWithoutAFailure() {
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            try {
                Reply reply = outside.tcpRequest(NODE1, 30080, TIMEOUT);
                if (!"web-2".equals(reply.server())) errors.add(i + ": answered by " + reply.server());
            } catch (IOException e) {
                errors.add(i + ": " + e);
            }
        }
        assertEquals(List.of(), errors);
    }
}
