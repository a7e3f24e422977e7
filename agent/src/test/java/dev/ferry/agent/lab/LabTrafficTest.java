package dev.ferry.agent.lab;

import dev.ferry.agent.testing.Privileged;

import dev.ferry.sys.LinkWatcher;
import dev.ferry.sys.NetLink;
import dev.ferry.sys.NetNs;
import dev.ferry.sys.Netlink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain pod-to-pod traffic through one node, no Ferry involved: the baseline every Ferry test builds on. */
class LabTrafficTest {
    private static final int PORT = 8080;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static Lab lab;
    private static Client client;
    private static EchoServer backend1;

    @BeforeAll
    static void buildLab() {
        Privileged.require();
        lab = Lab.builder()
                .node("n1")
                .pod("n1", "client", "10.244.1.10")
                .pod("n1", "backend-1", "10.244.1.11")
                .pod("n1", "backend-2", "10.244.1.12")
                .build();
        backend1 = lab.startEcho("backend-1", PORT);
        lab.startEcho("backend-2", PORT);
        client = lab.client("client");
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void tcpReachesAPodOnTheSameNodeAndKeepsTheClientIp() throws IOException {
        Reply reply = client.tcpRequest(lab.podIp("backend-1"), PORT, TIMEOUT);

        assertEquals("backend-1", reply.server());
        assertEquals("10.244.1.10", reply.peerIp(), "the server must see the client pod's IP");
        assertEquals(reply.local().getPort() + "", reply.peer().substring(reply.peer().indexOf(':') + 1));
        assertEquals("10.244.1.11", reply.remote().getAddress().getHostAddress());
        assertTrue(backend1.peers().stream().anyMatch(p -> p.getAddress().getHostAddress().equals("10.244.1.10")));
    }

    @Test
    void udpReachesAPodOnTheSameNodeAndKeepsTheClientIp() throws IOException {
        Reply reply = client.udpRequest(lab.podIp("backend-2"), PORT, TIMEOUT);

        assertEquals("backend-2", reply.server());
        assertEquals("10.244.1.10", reply.peerIp());
    }

    @Test
    void twoHundredShortConnectionsWithoutAnError() throws IOException {
        for (int i = 0; i < 200; i++) {
            String backend = i % 2 == 0 ? "backend-1" : "backend-2";
            Reply reply = client.tcpRequest(lab.podIp(backend), PORT, TIMEOUT);
            assertEquals(backend, reply.server(), "connection " + i);
        }
    }

    @Test
    void probesTellRefusedFromUnreachableFromSilence() {
        String node = lab.nodeNs("n1");
        lab.exec(node, "ip", "route", "add", "blackhole", "10.244.9.1/32");
        try {
            String closedPort = lab.podIp("backend-1");
            assertEquals(Outcome.OK, client.tcpProbe(closedPort, PORT, TIMEOUT));
            assertEquals(Outcome.REFUSED, client.tcpProbe(closedPort, PORT + 1, TIMEOUT));
            assertEquals(Outcome.REFUSED, client.udpProbe(closedPort, PORT + 1, TIMEOUT));
            // No route on the node: it answers with ICMP net unreachable.
            assertEquals(Outcome.UNREACHABLE, client.tcpProbe("10.244.9.2", PORT, TIMEOUT));
            // A blackhole route drops silently, which is what a Service must never do.
            Duration short_ = Duration.ofMillis(300);
            assertEquals(Outcome.TIMEOUT, client.tcpProbe("10.244.9.1", PORT, short_));
            assertEquals(Outcome.TIMEOUT, client.udpProbe("10.244.9.1", PORT, short_));
        } finally {
            lab.exec(node, "ip", "route", "del", "blackhole", "10.244.9.1/32");
        }
    }

    @Test
    void hostVethsAreWhatFerrysPodInterfaceGlobMatches() throws Exception {
        List<NetLink> nodeLinks = NetNs.call(lab.nodeNs("n1"), Netlink::links);
        for (String pod : List.of("client", "backend-1", "backend-2")) {
            String veth = lab.hostVeth(pod);
            assertTrue(veth.startsWith("veth") && veth.length() <= 15, veth);
            assertTrue(nodeLinks.stream().anyMatch(l -> l.name().equals(veth) && "veth".equals(l.kind()) && l.up()),
                    veth + " in " + nodeLinks);
        }
    }

    @Test
    void aLongLivedStreamKeepsOneServer() throws Exception {
        try (TcpStream stream = client.openStream(lab.podIp("backend-2"), PORT, Duration.ofMillis(2), TIMEOUT)) {
            assertTrue(stream.awaitExchanges(50, Duration.ofSeconds(5)), "failure: " + stream.failure());
            assertEquals(Set.of("backend-2"), stream.servers());
            assertTrue(stream.alive());
        }
    }

    @Test
    void podsComeAndGoAndTheNodeNoticesWithinASecond() throws Exception {
        try (LinkWatcher watcher = NetNs.call(lab.nodeNs("n1"), LinkWatcher::open)) {
            Pod late = lab.addPod("n1", "late", "10.244.1.20");
            assertTrue(watcher.awaitChange(Duration.ofSeconds(1)), "new veth must raise a link event");
            try (EchoServer server = lab.startEcho("late", PORT)) {
                assertEquals("late", client.tcpRequest(late.ip(), PORT, TIMEOUT).server());
            }

            lab.removePod("late");
            assertTrue(watcher.awaitChange(Duration.ofSeconds(1)), "removed veth must raise a link event");
            List<NetLink> nodeLinks = NetNs.call(lab.nodeNs("n1"), Netlink::links);
            assertFalse(nodeLinks.stream().anyMatch(l -> l.name().equals(late.hostVeth())));
            assertFalse(lab.exec(lab.nodeNs("n1"), "ip", "netns", "list").contains(late.netns()));
        }
    }
}
