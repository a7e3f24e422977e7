package dev.ferry.agent.lab;

import dev.ferry.agent.testing.Privileged;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two nodes on a shared fabric with host-gw pod routes, and a client outside the cluster. */
class LabMultiNodeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void podsTalkAcrossNodesAndOutsidersReachNodes() throws Exception {
        Privileged.require();
        String prefix;
        try (Lab lab = Lab.builder()
                .node("n1", "10.244.1.0/24")
                .node("n2", "10.244.2.0/24")
                .external("ext")
                .pod("n1", "client", "10.244.1.10")
                .pod("n2", "backend", "10.244.2.10")
                .build()) {
            prefix = lab.prefix();
            lab.startEcho("backend", 8080);
            Client client = lab.client("client");

            Reply tcp = client.tcpRequest(lab.podIp("backend"), 8080, TIMEOUT);
            assertEquals("backend", tcp.server());
            assertEquals("10.244.1.10", tcp.peerIp(), "host-gw routing keeps the pod's source address");
            assertEquals("10.244.1.10", client.udpRequest(lab.podIp("backend"), 8080, TIMEOUT).peerIp());

            // A NodePort-style listener on node n2, dialled from outside the cluster.
            lab.closeWithLab(EchoServer.start(lab.nodeNs("n2"), "n2", 30080));
            Reply fromOutside = lab.clientIn(lab.externalNs("ext")).tcpRequest(lab.nodeIp("n2"), 30080, TIMEOUT);
            assertEquals("n2", fromOutside.server());
            assertEquals(lab.externalIp("ext"), fromOutside.peerIp());
            assertTrue(lab.nodeIp("n1").startsWith("192.168.254."));
        }
        String left = Commands.run(List.of("ip", "netns", "list"));
        assertTrue(left.lines().noneMatch(line -> line.startsWith(prefix + "-")), left);
    }
}
