package dev.ferry.agent.e2e;

import dev.ferry.agent.datapath.OlderFerry;
import dev.ferry.agent.lab.AgentProcess;
import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.EchoServer;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.lab.Reply;
import dev.ferry.agent.lab.ServiceManifest;
import dev.ferry.agent.lab.TcpStream;
import dev.ferry.agent.testing.Privileged;
import dev.ferry.agent.translate.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The packaged agent (`ferry.jar agent`) in a lab node namespace, real TCP and UDP from pod
 * namespaces through a ClusterIP. Tests run in order on one lab: later ones change the
 * services file the way an operator would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIpIT {
    static final String VIP = "10.96.0.10", EMPTY_VIP = "10.96.0.20";
    static final int PORT = 80, TARGET = 8080;
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private Lab lab;
    private AgentProcess agent;
    private Client client;
    /** Sockets in the node's own namespace, where the agent's HTTP servers listen. */
    private Client nodeClient;
    private EchoServer backend1, backend2;
    private ServiceManifest web;
    private final ServiceManifest empty = ServiceManifest.tcpAndUdp("empty", EMPTY_VIP, PORT, TARGET, List.of());

    @BeforeAll
    void start() throws Exception {
        Privileged.require();
        lab = Lab.builder().node("node1")
                .pod("node1", "client", "10.244.1.10")
                .pod("node1", "backend-1", "10.244.1.11")
                .pod("node1", "backend-2", "10.244.1.12").build();
        backend1 = lab.startEcho("backend-1", TARGET);
        backend2 = lab.startEcho("backend-2", TARGET);
        web = ServiceManifest.tcpAndUdp("web", VIP, PORT, TARGET, List.of("10.244.1.11", "10.244.1.12"));
        agent = AgentProcess.start(lab, "node1", services(List.of(web, empty)));
        client = lab.client("client");
        nodeClient = lab.clientIn(lab.nodeNs("node1"));
        awaitOutcome(client, VIP, Outcome.OK, Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() {
        if (agent != null && !agent.alive()) System.err.println("agent log:\n" + agent.log());
        if (lab != null) lab.close(); // stops the agent, uninstalls, unmounts, removes namespaces
    }

    @Test
    @Order(1)
    void thousandShortTcpConnectionsUseBothBackendsAndOnlyEverSeeTheVip() throws Exception {
        Map<String, Integer> perBackend = new HashMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            try {
                Reply reply = client.tcpRequest(VIP, PORT, TIMEOUT);
                // The connected socket's peer is what the kernel matched replies against: only the VIP works.
                assertEquals(new InetSocketAddress(VIP, PORT), reply.remote());
                assertEquals("10.244.1.10", reply.peerIp(), "backends see the real client address");
                perBackend.merge(reply.server(), 1, Integer::sum);
            } catch (IOException e) {
                errors.add(i + ": " + e);
            }
        }
        assertEquals(List.of(), errors, "connection errors");
        assertEquals(2, perBackend.size(), "both backends used: " + perBackend);
        assertTrue(perBackend.values().stream().allMatch(n -> n > 300), "roughly even: " + perBackend);
    }

    @Test
    @Order(2)
    void udpThroughTheVipReachesBothBackendsAndRepliesComeFromTheVip() throws Exception {
        Map<String, Integer> perBackend = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            Reply reply = client.udpRequest(VIP, PORT, TIMEOUT);
            assertEquals(new InetSocketAddress(VIP, PORT), reply.remote());
            perBackend.merge(reply.server(), 1, Integer::sum);
        }
        assertEquals(2, perBackend.size(), perBackend.toString());
    }

    @Test
    @Order(3)
    void aServiceWithoutEndpointsRefusesAtOnce() {
        long start = System.nanoTime();
        assertEquals(Outcome.REFUSED, client.tcpProbe(EMPTY_VIP, PORT, TIMEOUT));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 500, "refused after " + millis + " ms, not a timeout");
        assertEquals(Outcome.REFUSED, client.udpProbe(EMPTY_VIP, PORT, TIMEOUT), "UDP: ICMP port unreachable");
    }

    @Test
    @Order(4)
    void aPodReachesItselfThroughItsOwnService() throws Exception {
        Client self = lab.client("backend-1");
        boolean landedOnItself = false;
        for (int i = 0; i < 40; i++) {
            Reply reply = self.tcpRequest(VIP, PORT, TIMEOUT);
            assertEquals(new InetSocketAddress(VIP, PORT), reply.remote());
            if (reply.server().equals("backend-1")) {
                landedOnItself = true;
                assertEquals("169.254.42.1", reply.peerIp(), "hairpin traffic arrives from the hairpin address");
            }
        }
        assertTrue(landedOnItself, "40 connections never picked the pod itself");
        assertEquals(Outcome.OK, self.udpProbe(VIP, PORT, TIMEOUT));
    }

    @Test
    @Order(5)
    void serviceAddressesWithoutAFrontendAreRejectedOrDroppedAndPodTrafficPasses() throws Exception {
        Reply direct = client.tcpRequest("10.244.1.12", TARGET, TIMEOUT);
        assertEquals("backend-2", direct.server());
        // An allocated ClusterIP on a port it does not serve: rejected at once, as kube-proxy
        // nftables does; an unallocated address inside the ServiceCIDR: dropped.
        long accepted = backend1.tcpConnections() + backend2.tcpConnections();
        long start = System.nanoTime();
        assertEquals(Outcome.REFUSED, client.tcpProbe(VIP, 81, TIMEOUT));
        assertEquals(Outcome.REFUSED, client.udpProbe(VIP, 81, TIMEOUT));
        assertTrue(System.nanoTime() - start < Duration.ofMillis(500).toNanos(), "rejects are immediate");
        assertEquals(Outcome.TIMEOUT, client.tcpProbe("10.96.0.99", PORT, Duration.ofMillis(500)));
        assertEquals(accepted, backend1.tcpConnections() + backend2.tcpConnections());
    }

    @Test
    @Order(6)
    void anEstablishedFlowKeepsItsBackendWhileBackendsAreAdded() throws Exception {
        lab.addPod("node1", "backend-3", "10.244.1.13");
        lab.startEcho("backend-3", TARGET);
        try (TcpStream stream = client.openStream(VIP, PORT, Duration.ofMillis(5), TIMEOUT)) {
            assertTrue(stream.awaitExchanges(20, Duration.ofSeconds(5)), "stream started");
            int synced = agent.countInLog("maps synced");
            agent.writeServices(services(List.of(
                    web.withEndpoints(List.of("10.244.1.11", "10.244.1.12", "10.244.1.13")), empty)));
            assertTrue(agent.awaitLog("maps synced", synced + 1, Duration.ofSeconds(5)), agent.log());
            long before = stream.exchanges();
            assertTrue(stream.awaitExchanges(before + 50, Duration.ofSeconds(5)), "stream kept flowing");
            assertTrue(stream.failure().isEmpty(), () -> "stream failed: " + stream.failure().get());
            assertEquals(1, stream.servers().size(), "one backend for the whole stream: " + stream.servers());
        }
        Map<String, Integer> perBackend = new HashMap<>();
        for (int i = 0; i < 150; i++) perBackend.merge(client.tcpRequest(VIP, PORT, TIMEOUT).server(), 1, Integer::sum);
        assertEquals(3, perBackend.size(), "new flows use the new backend too: " + perBackend);
    }

    @Test
    @Order(7)
    void aRemovedBackendGetsNoNewConnections() throws Exception {
        int synced = agent.countInLog("maps synced");
        agent.writeServices(services(List.of(web.withEndpoints(List.of("10.244.1.11", "10.244.1.13")), empty)));
        assertTrue(agent.awaitLog("maps synced", synced + 1, Duration.ofSeconds(5)), agent.log());
        long backend2Before = backend2.tcpConnections();
        for (int i = 0; i < 200; i++) {
            assertNotEquals("backend-2", client.tcpRequest(VIP, PORT, TIMEOUT).server(), "request " + i);
        }
        assertEquals(backend2Before, backend2.tcpConnections(), "backend-2 accepted nothing new");
        assertTrue(backend1.tcpConnections() > 0);
    }

    @Test
    @Order(8)
    void sessionAffinityHoldsUntilItsTimeoutAndCanBeSwitchedOff() throws Exception {
        ServiceManifest sticky = web.withEndpoints(List.of("10.244.1.11", "10.244.1.13")).withAffinity(2);
        apply(sticky);
        String first = client.tcpRequest(VIP, PORT, TIMEOUT).server();
        for (int i = 0; i < 30; i++) assertEquals(first, client.tcpRequest(VIP, PORT, TIMEOUT).server(), "request " + i);
        // After 2 s without a new connection the client is free again: within 12 expiries some
        // new flow lands elsewhere (chance of missing it: 2^-12).
        boolean moved = false;
        for (int i = 0; i < 12 && !moved; i++) {
            Thread.sleep(2300);
            moved = !client.tcpRequest(VIP, PORT, TIMEOUT).server().equals(first);
        }
        assertTrue(moved, "affinity never expired");

        apply(sticky.withAffinity(0));
        Map<String, Integer> perBackend = new HashMap<>();
        for (int i = 0; i < 60; i++) perBackend.merge(client.tcpRequest(VIP, PORT, TIMEOUT).server(), 1, Integer::sum);
        assertEquals(2, perBackend.size(), "affinity off: flows spread again " + perBackend);
    }

    private void apply(ServiceManifest manifest) throws Exception {
        apply(List.of(manifest, empty));
    }

    private void apply(List<ServiceManifest> manifests) throws Exception {
        int synced = agent.countInLog("maps synced");
        agent.writeServices(services(manifests));
        assertTrue(agent.awaitLog("maps synced", synced + 1, Duration.ofSeconds(5)), agent.log());
    }

    @Test
    @Order(9)
    void metricsAndHealthAreServedOnTheNode() throws Exception {
        String health = httpGetInNode(10256, "/healthz");
        assertTrue(health.startsWith("HTTP/1.0 200 OK"), health);
        assertTrue(health.endsWith(", \"nodeEligible\": true}"), health);
        // datapath counters reach the metrics on a 5 s timer; the traffic above was counted by now or soon
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String dnat = "ferry_datapath_packets_total{reason=\"DNAT\"}";
        String metrics = httpGetInNode(10249, "/metrics");
        while (sample(metrics, dnat) <= 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            metrics = httpGetInNode(10249, "/metrics");
        }
        assertTrue(metrics.startsWith("HTTP/1.0 200 OK"), metrics);
        assertTrue(sample(metrics, dnat) > 0, metrics);
        assertEquals(4, sample(metrics, "ferry_map_entries{map=\"services_v2\"}"), "web and empty, TCP and UDP:\n" + metrics);
        assertTrue(sample(metrics, "kubeproxy_sync_proxy_rules_last_timestamp_seconds") > 0, metrics);
    }

    /** The value of one series in a scrape, -1 when it is missing. */
    private static double sample(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(-1);
    }

    /** The agent's servers listen in the node's namespace: ask from a socket made inside it. */
    private String httpGetInNode(int port, String path) throws Exception {
        return nodeClient.exchange("127.0.0.1", port, "GET " + path + " HTTP/1.0\r\n\r\n", Duration.ofSeconds(5));
    }

    @Test
    @Order(10)
    void deletingAServiceEndsItsEstablishedFlows() throws Exception {
        ServiceManifest extra = ServiceManifest.tcpAndUdp("extra", "10.96.0.30", PORT, TARGET, List.of("10.244.1.11"));
        apply(List.of(web, empty, extra));
        try (TcpStream stream = client.openStream("10.96.0.30", PORT, Duration.ofMillis(5), TIMEOUT)) {
            assertTrue(stream.awaitExchanges(20, Duration.ofSeconds(5)), "stream started");
            apply(List.of(web, empty)); // backend-1 lives on behind web: only conntrack keeps the flow going
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (stream.failure().isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            assertTrue(stream.failure().isPresent(), "the stream outlived its service: " + stream.exchanges());
        }
        assertTrue(agent.log().contains("conntrack entries of removed frontends"), agent.log());
    }

    @Test
    @Order(11)
    void aPodInterfaceCreatedWhileTheAgentRunsIsServedWithinASecond() throws Exception {
        lab.addPod("node1", "late", "10.244.1.20");
        Client late = lab.client("late");
        long start = System.nanoTime();
        awaitOutcome(late, VIP, Outcome.OK, Duration.ofSeconds(3));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1500, "new pod served after " + millis + " ms");
    }

    @Test
    @Order(12)
    void restartingTheAgentKeepsAnEstablishedStreamOnItsBackend() throws Exception {
        try (TcpStream stream = client.openStream(VIP, PORT, Duration.ofMillis(5), TIMEOUT)) {
            assertTrue(stream.awaitExchanges(20, Duration.ofSeconds(5)), "stream started");
            int restored = agent.countInLog("restored");
            agent.stop();
            agent.startProcess();
            assertTrue(agent.awaitLog("restored", restored + 1, Duration.ofSeconds(30)), agent.log());
            assertTrue(agent.awaitLog("took over pinned link", 1, Duration.ofSeconds(10)), agent.log());
            long before = stream.exchanges();
            assertTrue(stream.awaitExchanges(before + 50, Duration.ofSeconds(5)), "stream kept flowing");
            assertTrue(stream.failure().isEmpty(), () -> "stream failed: " + stream.failure().get());
            assertEquals(1, stream.servers().size(), "never re-balanced: " + stream.servers());
        }
        assertEquals(Outcome.OK, client.tcpProbe(VIP, PORT, TIMEOUT), "new connections after the restart");
    }

    @Test
    @Order(13)
    void anAgentOnANodeAnOlderFerryLeftCarriesItsBackendsOverUnderAnEstablishedStream() throws Exception {
        Map<Integer, Backend> older;
        try (TcpStream stream = client.openStream(VIP, PORT, Duration.ofMillis(5), TIMEOUT)) {
            assertTrue(stream.awaitExchanges(20, Duration.ofSeconds(5)), "stream started");
            agent.stop();
            older = OlderFerry.olderNode(agent.bpffsRoot()); // the programs stay attached, on their maps
            agent.startProcess();
            assertTrue(agent.awaitLog("unpinned", 1, Duration.ofSeconds(30)), agent.log());
            assertTrue(agent.log().contains("carried " + older.size() + " backends over"), agent.log());
            long before = stream.exchanges();
            assertTrue(stream.awaitExchanges(before + 50, Duration.ofSeconds(5)), "stream kept flowing");
            assertTrue(stream.failure().isEmpty(), () -> "stream failed: " + stream.failure().get());
            assertEquals(1, stream.servers().size(), "never re-balanced: " + stream.servers());
        }
        assertEquals(older, OlderFerry.backendsV2(agent.bpffsRoot()), "the same ids in backends_v2");
        assertFalse(Files.exists(agent.bpffsRoot().resolve("backends_v1")), "backends_v1 unpinned");
        assertEquals(Outcome.OK, client.tcpProbe(VIP, PORT, TIMEOUT), "new connections after the upgrade");
    }

    @Test
    @Order(14)
    void stoppingTheAgentKeepsForwardingAndUninstallRemovesEverything() throws Exception {
        agent.stop();
        assertEquals(Outcome.OK, client.tcpProbe(VIP, PORT, TIMEOUT), "fail open: programs stay with the last state");
        String out = agent.uninstall();
        assertTrue(out.contains("links detached"), out);
        try (var left = Files.list(agent.bpffsRoot())) {
            assertEquals(List.of(), left.filter(p -> !p.getFileName().toString().endsWith(".debug")).toList(),
                    "only the kernel's own files remain in the bpffs");
        }
        assertNotEquals(Outcome.OK, client.tcpProbe(VIP, PORT, Duration.ofMillis(500)), "no translation after uninstall");
        assertEquals("backend-1", client.tcpRequest("10.244.1.11", TARGET, TIMEOUT).server(), "pods still talk");
    }

    /** The services file: the cluster's ServiceCIDR and these services. */
    private static String services(List<ServiceManifest> manifests) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: ServiceCIDR
                metadata: {name: kubernetes}
                spec: {cidrs: [10.96.0.0/16]}
                ---
                """ + ServiceManifest.yaml(manifests);
    }

    private static void awaitOutcome(Client client, String ip, Outcome wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Outcome last = null;
        while (System.nanoTime() < deadline) {
            last = client.tcpProbe(ip, PORT, Duration.ofMillis(200));
            if (last == wanted) return;
            Thread.sleep(20);
        }
        fail(ip + ":" + PORT + " still " + last + " after " + timeout);
    }
}
