package dev.ferry.agent.metrics;

import dev.ferry.agent.datapath.abi.Counter;
import dev.ferry.agent.datapath.abi.Reason;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DatapathMetricsTest {
    private static void assertHasLine(String text, String line) {
        assertTrue(text.contains(line + "\n"), line + " in\n" + text);
    }

    @Test
    void aRefreshCopiesCountersMapSizesAndInvalidObjects() {
        MetricRegistry registry = new MetricRegistry();
        int[] servicesInMap = {0};
        DatapathMetrics metrics = new DatapathMetrics(registry,
                () -> Map.of(Reason.DNAT, new Counter(5, 300)), () -> 2,
                () -> Map.of("services_v1", new int[]{servicesInMap[0], 65536}));
        servicesInMap[0] = 3;
        metrics.refresh();

        String text = registry.scrape();
        assertHasLine(text, "ferry_map_entries{map=\"services_v1\"} 3");
        assertHasLine(text, "ferry_map_capacity{map=\"services_v1\"} 65536");
        assertHasLine(text, "ferry_datapath_packets_total{reason=\"DNAT\"} 5");
        assertHasLine(text, "ferry_datapath_bytes_total{reason=\"DNAT\"} 300");
        assertHasLine(text, "ferry_invalid_objects 2");
    }
}
