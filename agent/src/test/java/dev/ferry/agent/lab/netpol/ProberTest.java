package dev.ferry.agent.lab.netpol;

import dev.ferry.agent.lab.Client;
import dev.ferry.agent.lab.Lab;
import dev.ferry.agent.lab.Outcome;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.testing.Privileged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.ferry.agent.model.Protocol.TCP;
import static dev.ferry.agent.model.Protocol.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prober against a lab without Ferry, where node1 silently drops what a policy would: a
 * blackhole routing rule for TCP port 80 to x/a (no tc or netfilter modules needed), so the
 * harness is known to tell a drop from an answer before any datapath enforces anything.
 */
class ProberTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final NetpolModel MODEL = NetpolModel.builder()
            .namespace("x").pod("a", "node1", "10.244.1.10").pod("b", "node2", "10.244.2.11")
            .namespace("y").pod("a", "node1", "10.244.1.20").pod("b", "node2", "10.244.2.21")
            .build();

    private static Lab lab;
    private static Prober prober;

    @BeforeAll
    static void buildLab() {
        Privileged.require();
        lab = MODEL.addPodsTo(Lab.builder().node("node1", "10.244.1.0/24").node("node2", "10.244.2.0/24")).build();
        MODEL.startServers(lab);
        // Every packet to x/a crosses node1's FIB (even from y/a, its neighbour there); x/a to itself never does.
        lab.exec(lab.nodeNs("node1"), "ip", "rule", "add", "to", MODEL.ip("x/a"), "ipproto", "tcp", "dport", "80",
                "blackhole");
        prober = Prober.of(lab, MODEL, TIMEOUT);
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) lab.close();
    }

    private static List<Matrix> matrices(boolean dropExpected) {
        List<Matrix> matrices = new ArrayList<>();
        for (int port : MODEL.ports()) {
            for (Protocol protocol : MODEL.protocols()) {
                Reachability r = MODEL.reachability(true);
                if (dropExpected && port == 80 && protocol == TCP) r.expectAllIngress("x/a", false);
                matrices.add(new Matrix(port, protocol, r.allowLoopback()));
            }
        }
        return matrices;
    }

    @Test
    void allFourMatricesComeOutRightWithTheDropAsABlockedColumn() throws Exception {
        List<Matrix> matrices = matrices(true);
        long start = System.nanoTime();

        assertTrue(prober.validate(matrices, Duration.ofSeconds(2)),
                () -> matrices.stream().map(Matrix::report).reduce("", String::concat));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(1900)) < 0, "all cells probed at once, one timeout long: " + took);
        for (Matrix m : matrices) {
            assertTrue(m.slowestConnected().compareTo(Duration.ofMillis(500)) < 0, m.name() + ": " + m.slowestConnected());
        }
    }

    @Test
    void aWrongExpectationFailsWithTheWrongCellsMarked() throws Exception {
        List<Matrix> matrices = matrices(false);

        assertFalse(prober.validate(matrices, Duration.ofMillis(300)));
        Matrix tcp80 = matrices.getFirst();
        assertEquals("80/TCP", tcp80.name());
        assertEquals(3, tcp80.reachability().mismatches().size(), tcp80.report());
        String report = tcp80.report();
        assertTrue(report.contains("observed:\n\n-\tx/a\tx/b\ty/a\ty/b\nx/a\t.\t.\t.\t.\nx/b\tX!\t.\t.\t."), report);
        assertTrue(report.contains("x/b -> x/a 80/TCP: TIMEOUT"), report);
        assertTrue(matrices.stream().skip(1).allMatch(Matrix::isRight));
    }

    @Test
    void anAnswerFromAnotherPodIsNotAConnection() {
        Map<String, Client> clients = Map.of("x/a", lab.client("x-a"));
        Map<String, String> ips = new HashMap<>(Map.of("x/a", MODEL.ip("x/a")));
        ips.put("x/b", MODEL.ip("y/b")); // a datapath that delivers x/b's traffic to y/b
        Prober misdirected = new Prober(clients, ips, TIMEOUT);

        ProbeResult result = misdirected.probe("x/a", "x/b", 81, UDP);
        assertEquals(Outcome.OK, result.outcome());
        assertEquals("y/b", result.answeredBy());
        assertFalse(result.connected());
        assertTrue(result.unusual());
    }
}
