package dev.ferry.agent.lab.netpol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ferry.agent.lab.netpol.Peer.any;
import static dev.ferry.agent.lab.netpol.Peer.namespace;
import static dev.ferry.agent.lab.netpol.Peer.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReachabilityTest {
    private static final List<String> PODS = List.of("x/a", "x/b", "y/a");

    @Test
    void laterExpectationsWinAndLoopbackIsAllowedLast() {
        Reachability r = new Reachability(PODS, true)
                .expectPeer(any(), namespace("x"), false)   // upstream's default-deny-ingress in x
                .expect("y/a", "x/a", true)
                .allowLoopback();

        assertEquals("""
                -	x/a	x/b	y/a
                x/a	.	X	.
                x/b	X	.	.
                y/a	.	X	.""", r.expected().prettyPrint(""));
    }

    @Test
    void allIngressAndAllEgressFillAColumnAndARow() {
        Reachability r = new Reachability(PODS, true).expectAllIngress("x/a", false).expectAllEgress("y/a", false);

        assertFalse(r.expected().get("x/b", "x/a"));
        assertFalse(r.expected().get("y/a", "x/b"));
        assertTrue(r.expected().get("x/b", "y/a"));
    }

    @Test
    void peersMatchByNamespaceByPodNameOrBoth() {
        assertTrue(namespace("x").matches("x/b"));
        assertFalse(namespace("x").matches("y/a"));
        assertTrue(Peer.podInEveryNamespace("a").matches("y/a"));
        assertTrue(pod("x/a").matches("x/a"));
        assertFalse(pod("x/a").matches("y/a"));
        assertTrue(any().matches("z/c"));
        assertThrows(IllegalArgumentException.class, () -> any().matches("x-a"));
    }

    @Test
    void aSummaryMarksEveryWrongOrMissingCellInBothTables() {
        Reachability r = new Reachability(PODS, true).expectAllIngress("x/a", false).allowLoopback();
        for (String from : PODS) {
            for (String to : PODS) r.observe(from, to, true);
        }

        assertEquals(List.of(new Reachability.Cell("x/b", "x/a"), new Reachability.Cell("y/a", "x/a")), r.mismatches());
        String summary = r.summary();
        assertTrue(summary.startsWith("reachability: correct:7, incorrect:2, result=false"), summary);
        assertTrue(summary.contains("expected:\n\n-\tx/a\tx/b\ty/a\nx/a\t.\t.\t.\nx/b\tX!\t.\t.\ny/a\tX!\t.\t."), summary);
        assertTrue(summary.contains("observed:\n\n-\tx/a\tx/b\ty/a\nx/a\t.\t.\t.\nx/b\t.!\t.\t.\ny/a\t.!\t.\t."), summary);
    }

    @Test
    void unobservedCellsAreWrongAndPrintAsUnknown() {
        Reachability r = new Reachability(PODS, true);
        r.observe("x/a", "x/b", true);

        assertEquals(8, r.mismatches().size());
        assertTrue(r.observed().prettyPrint("").contains("x/a\t?\t.\t?"), r.observed().prettyPrint(""));
        assertFalse(r.observed().isComplete());
    }

    @Test
    void unknownPodsAreRefused() {
        Reachability r = new Reachability(PODS, true);
        assertThrows(IllegalArgumentException.class, () -> r.expect("z/a", "x/a", false));
        assertThrows(IllegalArgumentException.class, () -> r.expect("x/a", "z/a", false));
    }
}
