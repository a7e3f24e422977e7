package dev.ferry.agent.e2e;

import dev.ferry.agent.lab.AgentProcess;
import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.lab.PortForward;
import dev.ferry.agent.lab.TcpStream;
import dev.ferry.agent.testing.Privileged;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * `ferry agent --kubeconfig FILE --hostname-override node1` in a lab node, fed by fabric8's CRUD
 * mock API server: every change below is made through the API, as kubectl would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiServerIT {
    static final int API_PORT = 16443;
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final String B1 = "10.244.1.11", B2 = "10.244.1.12", B3 = "10.244.1.13";

    private Lab lab;
    private KubernetesMockServer api;
    private KubernetesClient kube;
    private PortForward forward;
    private AgentProcess agent;
    private Client client;

    @BeforeAll
    void start() throws Exception {
        Privileged.require();
        lab = Lab.builder().node("node1")
                .pod("node1", "client", "10.244.1.10")
                .pod("node1", "backend-1", B1)
                .pod("node1", "backend-2", B2)
                .pod("node1", "backend-3", B3).build();
        for (String pod : List.of("backend-1", "backend-2", "backend-3")) {
            lab.startEcho(pod, 8080);
            lab.closeWithLab(dev.ferry.agent.lab.EchoServer.start(lab.podNs(pod), pod + ":8081", 8081));
        }
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        kube = api.createClient();
        forward = lab.closeWithLab(PortForward.open(lab.nodeNs("node1"), API_PORT,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), api.getPort())));
        kube.resource(new ServiceCIDRBuilder().withNewMetadata().withName("kubernetes").endMetadata()
                .withNewSpec().withCidrs("10.96.0.0/16").endSpec().build()).create();
        agent = AgentProcess.startWithApiServer(lab, "node1", API_PORT);
        client = lab.client("client");
    }

    @AfterAll
    void stop() {
        if (agent != null && !agent.alive()) System.err.println("agent log:\n" + agent.log());
        if (lab != null) lab.close();
        if (kube != null) kube.close();
        if (api != null) api.destroy();
    }

    @Test
    void multiPortServiceWithNamedTargetPorts() throws Exception {
        kube.resource(service("multi", "10.96.0.10", Map.of("web", 80, "alt", 81))).create();
        kube.resource(slice("multi", Map.of("web", 8080, "alt", 8081), ready(B1, "node1"), ready(B2, "node1"))).create();
        awaitServers("10.96.0.10", 80, s -> s.equals(Set.of("backend-1", "backend-2")));
        awaitServers("10.96.0.10", 81, s -> s.equals(Set.of("backend-1:8081", "backend-2:8081")));
    }

    @Test
    void internalTrafficPolicyLocalUsesThisNodesEndpointsOnly() throws Exception {
        Service local = service("local", "10.96.0.11", Map.of("web", 80));
        local.getSpec().setInternalTrafficPolicy("Local");
        kube.resource(local).create();
        kube.resource(slice("local", Map.of("web", 8080), ready(B1, "node1"), ready(B2, "node2"))).create();
        awaitServers("10.96.0.11", 80, s -> s.equals(Set.of("backend-1")));
    }

    @Test
    void withoutReadyEndpointsServingTerminatingOnesCarryTheTraffic() throws Exception {
        kube.resource(service("drain", "10.96.0.12", Map.of("web", 80))).create();
        var gone = new EndpointBuilder().withAddresses(B1).withNodeName("node1")
                .withNewConditions().withReady(false).withServing(false).withTerminating(true).endConditions().build();
        var draining = new EndpointBuilder().withAddresses(B2).withNodeName("node1")
                .withNewConditions().withReady(false).withServing(true).withTerminating(true).endConditions().build();
        kube.resource(slice("drain", Map.of("web", 8080), gone, draining)).create();
        awaitServers("10.96.0.12", 80, s -> s.equals(Set.of("backend-2")));
    }

    @Test
    void sessionAffinityTurnedOnAndOffThroughTheApi() throws Exception {
        Service sticky = service("sticky", "10.96.0.13", Map.of("web", 80));
        kube.resource(sticky).create();
        kube.resource(slice("sticky", Map.of("web", 8080), ready(B1, "node1"), ready(B2, "node1"))).create();
        awaitServers("10.96.0.13", 80, s -> s.size() == 2);

        sticky.getSpec().setSessionAffinity("ClientIP");
        sticky.getSpec().setSessionAffinityConfig(new io.fabric8.kubernetes.api.model.SessionAffinityConfigBuilder()
                .withNewClientIP().withTimeoutSeconds(2).endClientIP().build());
        kube.resource(sticky).update();
        awaitServers("10.96.0.13", 80, s -> s.size() == 1);
        // The 2 s timeout: after a pause longer than it, a new flow may land elsewhere (missed: 2^-12).
        String first = client.tcpRequest("10.96.0.13", 80, TIMEOUT).server();
        boolean moved = false;
        for (int i = 0; i < 12 && !moved; i++) {
            Thread.sleep(2300);
            moved = !client.tcpRequest("10.96.0.13", 80, TIMEOUT).server().equals(first);
        }
        assertTrue(moved, "affinity never expired");

        sticky.getSpec().setSessionAffinity("None");
        kube.resource(sticky).update();
        awaitServers("10.96.0.13", 80, s -> s.size() == 2);
    }

    @Test
    void serviceCidrRejectsUnservedPortsAndDropsUnallocatedAddresses() throws Exception {
        kube.resource(service("cidr", "10.96.0.15", Map.of("web", 80))).create();
        kube.resource(slice("cidr", Map.of("web", 8080), ready(B1, "node1"))).create();
        awaitServers("10.96.0.15", 80, s -> s.equals(Set.of("backend-1")));
        assertEquals(Outcome.REFUSED, client.tcpProbe("10.96.0.15", 82, TIMEOUT));
        assertEquals(Outcome.TIMEOUT, client.tcpProbe("10.96.0.250", 80, Duration.ofMillis(500)));
    }

    @Test
    void anApiServerThatGoesAwayAndComesBackLosesNothing() throws Exception {
        kube.resource(service("outage", "10.96.0.17", Map.of("web", 80))).create();
        kube.resource(slice("outage", Map.of("web", 8080), ready(B1, "node1"))).create();
        awaitServers("10.96.0.17", 80, s -> s.equals(Set.of("backend-1")));

        forward.close(); // every connection to the API server is cut; the agent keeps retrying
        kube.resource(slice("outage", Map.of("web", 8080), ready(B2, "node1"))).update();
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            // The change can not reach the agent, and what it programmed keeps working.
            assertEquals("backend-1", client.tcpRequest("10.96.0.17", 80, TIMEOUT).server(), "during the outage");
        }

        forward = lab.closeWithLab(PortForward.open(lab.nodeNs("node1"), API_PORT,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), api.getPort())));
        awaitServers("10.96.0.17", 80, s -> s.equals(Set.of("backend-2")), Duration.ofSeconds(60));
        assertTrue(agent.alive(), "the agent survived the outage");
    }

    @Test
    void aPodReachesANodePortOnItsNodesAddress() throws Exception {
        Service nodePort = service("np", "10.96.0.16", Map.of("web", 80));
        nodePort.getSpec().setType("NodePort");
        nodePort.getSpec().getPorts().getFirst().setNodePort(30080);
        kube.resource(nodePort).create();
        kube.resource(slice("np", Map.of("web", 8080), ready(B1, "node1"), ready(B2, "node1"))).create();
        // The lab node's only non-loopback address is the pods' gateway, 169.254.1.1.
        awaitServers("169.254.1.1", 30080, s -> s.equals(Set.of("backend-1", "backend-2")));
    }

    @Test
    void aThousandEndpointUpdatesNeverDisturbAnEstablishedStream() throws Exception {
        kube.resource(service("busy", "10.96.0.14", Map.of("web", 80))).create();
        EndpointSlice base = slice("busy", Map.of("web", 8080), ready(B1, "node1"), ready(B2, "node1"));
        kube.resource(base).create();
        awaitServers("10.96.0.14", 80, s -> s.size() == 2);
        try (TcpStream stream = client.openStream("10.96.0.14", 80, Duration.ofMillis(2), TIMEOUT)) {
            assertTrue(stream.awaitExchanges(20, Duration.ofSeconds(5)));
            for (int i = 0; i < 1000; i++) {
                // backend-3 joins and leaves; the stream's own backend (1 or 2) stays throughout
                EndpointSlice next = i % 2 == 0
                        ? slice("busy", Map.of("web", 8080), ready(B1, "node1"), ready(B2, "node1"), ready(B3, "node1"))
                        : base;
                kube.resource(next).update();
            }
            long after = stream.exchanges();
            assertTrue(stream.awaitExchanges(after + 50, Duration.ofSeconds(5)), "stream kept flowing");
            assertTrue(stream.failure().isEmpty(), () -> "stream failed: " + stream.failure().get());
            assertEquals(1, stream.servers().size(), stream.servers().toString());
            System.out.println("1000 slice updates; the stream made " + stream.exchanges() + " round trips meanwhile");
        }
        // The last update (the base slice) is what the maps hold: backend-3 gets nothing new.
        awaitServers("10.96.0.14", 80, s -> s.equals(Set.of("backend-1", "backend-2")));
    }

    private void awaitServers(String ip, int port, Predicate<Set<String>> wanted) throws Exception {
        awaitServers(ip, port, wanted, Duration.ofSeconds(20));
    }

    /** Waits until 40 fresh connections land exactly on a set of servers that passes {@code wanted}. */
    private void awaitServers(String ip, int port, Predicate<Set<String>> wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> seen = Set.of();
        while (System.nanoTime() < deadline) {
            List<String> servers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                try {
                    servers.add(client.tcpRequest(ip, port, Duration.ofMillis(500)).server());
                } catch (java.io.IOException e) {
                    servers.add("error: " + e.getMessage());
                }
            }
            seen = Set.copyOf(servers);
            if (wanted.test(seen)) return;
            Thread.sleep(200);
        }
        fail(ip + ":" + port + " answered by " + seen + "\nagent log:\n" + agent.log());
    }

    static Service service(String name, String ip, Map<String, Integer> ports) {
        var b = new ServiceBuilder().withNewMetadata().withName(name).withNamespace("lab").endMetadata()
                .withNewSpec().withClusterIP(ip).endSpec();
        ports.forEach((portName, port) -> b.editSpec().addNewPort().withName(portName).withPort(port)
                .withNewTargetPort(portName).withProtocol("TCP").endPort().endSpec());
        return b.build();
    }

    static EndpointSlice slice(String service, Map<String, Integer> ports, io.fabric8.kubernetes.api.model.discovery.v1.Endpoint... endpoints) {
        var b = new EndpointSliceBuilder().withNewMetadata().withName(service + "-1").withNamespace("lab")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .withEndpoints(endpoints);
        ports.forEach((name, port) -> b.addNewPort().withName(name).withPort(port).withProtocol("TCP").endPort());
        return b.build();
    }

    static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint ready(String ip, String node) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withNewConditions().withReady(true).endConditions().build();
    }
}
