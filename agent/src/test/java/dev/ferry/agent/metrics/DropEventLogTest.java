package dev.ferry.agent.metrics;

import dev.ferry.agent.datapath.abi.DropEvent;
import dev.ferry.agent.datapath.abi.Reason;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.PodName;
import dev.ferry.agent.translate.policy.Identity;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropEventLogTest {
    private final MetricRegistry registry = new MetricRegistry();
    private final DropEventLog log = new DropEventLog(registry);

    private static DropEvent event(Reason reason, String from, int sport, String to, int dport) {
        return new DropEvent(1, Ipv4.parse(from), Ipv4.parse(to), sport, dport, 6, reason, 300, 4);
    }

    @Test
    void policyDropsAreCountedForTheLocalPodOfTheirDirectionEvenBeyondTheLogLimit() {
        log.publish(new DropEventLog.Names(Map.of(Ipv4.parse("10.244.1.10"), new PodName("x", "a"),
                Ipv4.parse("10.244.2.11"), new PodName("x", "b")), Map.of(300, Identity.Reserved.WORLD)));
        for (int i = 0; i < DropEventLog.LINES_PER_SECOND * 3; i++) {
            log.accept(event(Reason.DROP_POLICY_INGRESS, "10.244.2.11", 40000 + i, "10.244.1.10", 80));
        }
        log.accept(event(Reason.DROP_POLICY_EGRESS, "10.244.1.10", 41000, "10.244.2.11", 80));
        log.accept(event(Reason.REJECT_NO_BACKEND, "10.244.1.10", 41001, "10.96.0.10", 80));

        String scrape = registry.scrape();
        assertTrue(scrape.contains("ferry_policy_drops_total{pod=\"x/a ingress\"} 60"), scrape);
        assertTrue(scrape.contains("ferry_policy_drops_total{pod=\"x/a egress\"} 1"), scrape);
        assertEquals(2, scrape.lines().filter(l -> l.startsWith("ferry_policy_drops_total{")).count(), "rejects are not policy drops");
    }

    @Test
    void aFlowNamesBothEndsAndAddressesThatAreNoPod() {
        log.publish(new DropEventLog.Names(Map.of(Ipv4.parse("10.244.1.10"), new PodName("x", "a")), Map.of()));
        assertEquals("(no pod) 8.8.8.8:53 -> x/a 10.244.1.10:41000 TCP",
                log.flow(event(Reason.DROP_POLICY_INGRESS, "8.8.8.8", 53, "10.244.1.10", 41000)));
    }
}
