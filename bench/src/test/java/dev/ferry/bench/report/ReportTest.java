package dev.ferry.bench.report;

import dev.ferry.bench.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    private static Result packet(String subject, int services, double... trials) {
        return new Result("packet", "XDP NodePort, established", subject, services, "ns/packet", "ns", false,
                java.util.Arrays.stream(trials).boxed().toList());
    }

    private static Result crr(String subject, double rate) {
        return new Result("traffic", "pod → ClusterIP", subject, 10_000, "connections/s", "1/s", true, List.of(rate));
    }

    @Test
    void dividesFerryByItsFloorAndByItselfAtTheSmallestScale() {
        String table = Report.table(List.of(packet("Ferry", 1, 58, 60, 70), packet("empty XDP", 1, 20, 21, 19),
                packet("Ferry", 100_000, 66, 66, 66), packet("empty XDP", 100_000, 20, 20, 20)));
        assertTrue(table.contains("| XDP NodePort, established | ns/packet (ns) | 1 | 60.0 ±10% | 20.0 ±5% | 3.00 | — |"), table);
        assertTrue(table.contains("| XDP NodePort, established | ns/packet (ns) | 100,000 | 66.0 ±0% | 20.0 ±0% | 3.30 | 1.10 |"), table);
    }

    @Test
    void floorsThatNeverShareARowShareAColumnAndPeersThatDoGetTheirOwn() {
        Result tc = new Result("packet", "TC ClusterIP, established", "empty TC", 1, "ns/packet", "ns", false, List.of(26.0));
        Result ferryTc = new Result("packet", "TC ClusterIP, established", "Ferry", 1, "ns/packet", "ns", false, List.of(78.0));
        String floors = Report.table(List.of(packet("Ferry", 1, 60), packet("empty XDP", 1, 20), ferryTc, tc));
        assertTrue(floors.lines().findFirst().orElseThrow().contains("| empty XDP / empty TC | Ferry ÷ empty XDP / empty TC |"), floors);
        assertTrue(floors.contains("| 78.0 ±0% | 26.0 ±0% | 3.00 |"), floors);

        String peers = Report.table(List.of(crr("Ferry", 9000), crr("iptables", 4500), crr("plain routing", 10000)));
        assertTrue(peers.contains("| 9,000 ±0% | 4,500 ±0% | 10,000 ±0% | 2.00 | 0.90 |"), peers);
    }

    @Test
    void goalsSayMetMissedOrNotMeasured() {
        String goals = Report.goals(List.of(packet("Ferry", 1, 70), packet("empty XDP", 1, 20),
                crr("Ferry", 9000), crr("iptables", 4500), crr("plain routing", 10000)));
        assertTrue(goals.contains("| XDP NodePort, established, 10,000 flows ÷ empty XDP, at 1 service | ≤ 3.00× | 3.50× | **missed** |"), goals);
        assertTrue(goals.contains("| XDP NodePort, established, one flow ÷ empty XDP, at 1 service | ≤ 3.00× | not measured |  |"), goals);
        assertTrue(goals.contains("÷ iptables | ≥ 1.50× | 2.00× | met |"), goals);
        assertTrue(goals.contains("÷ plain routing | ≥ 0.90× | 0.90× | met |"), goals);
        assertTrue(goals.contains("| full sync of 10,000 × 10 | ≤ 1000 ms | not measured |  |"), goals);
    }

    @Test
    void aFullRunRewritesOnlyTheGeneratedRegionOfTheDocs() {
        String page = "# Benchmarks\nmethod\n" + DocsPage.BEGIN + "\nold numbers\n" + DocsPage.END + "\nanalysis\n";
        assertEquals("# Benchmarks\nmethod\n" + DocsPage.BEGIN + "\nnew numbers\n" + DocsPage.END + "\nanalysis\n",
                DocsPage.withGenerated(page, "new numbers\n"));
        assertThrows(IllegalArgumentException.class, () -> DocsPage.withGenerated("# no markers\n", "x"));
    }
}
