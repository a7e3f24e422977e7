package dev.ferry.agent.metrics;

import dev.ferry.agent.reconcile.ApplyResult;
import dev.ferry.agent.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncMetricsTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z"); // 1735689600

    private final ManualClock clock = new ManualClock(T0);
    private final MetricRegistry registry = new MetricRegistry();
    private final SyncMetrics metrics = new SyncMetrics(registry, clock);

    private static void assertHasLine(String text, String line) {
        assertTrue(text.contains(line + "\n"), line + " in\n" + text);
    }

    private static ApplyResult result(List<String> errors) {
        return new ApplyResult(1, 0, 1, 0, List.of(), errors);
    }

    @Test
    void aCleanSyncRecordsItsDurationTimeAndLatency() {
        clock.advance(Duration.ofMillis(100));
        metrics.queued();
        clock.advance(Duration.ofMillis(200));
        metrics.synced(result(List.of()), T0, Duration.ofMillis(3));

        String text = registry.scrape();
        assertHasLine(text, "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds 1.7356896001E9");
        assertHasLine(text, "kubeproxy_sync_proxy_rules_last_timestamp_seconds 1.7356896003E9");
        // 3 ms lands in the 0.004 bucket, not the 0.002 one
        assertHasLine(text, "kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.002\"} 0");
        assertHasLine(text, "kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.004\"} 1");
        // seen at T0, programmed at T0 + 300 ms
        assertHasLine(text, "kubeproxy_network_programming_duration_seconds_bucket{le=\"0.256\"} 0");
        assertHasLine(text, "kubeproxy_network_programming_duration_seconds_bucket{le=\"0.512\"} 1");
        assertHasLine(text, "kubeproxy_network_programming_duration_seconds_sum 0.3");
        assertHasLine(text, "ferry_sync_errors_total 0");
    }

    @Test
    void errorsAreCountedAndAPartialSyncIsNotASuccess() {
        metrics.synced(result(List.of("services_v1 full", "slots_v1 full")), T0, Duration.ofMillis(1));
        metrics.failed(new IllegalStateException("boom"), Duration.ofMillis(1));

        String text = registry.scrape();
        assertHasLine(text, "ferry_sync_errors_total 3");
        assertHasLine(text, "kubeproxy_sync_proxy_rules_last_timestamp_seconds 0");
        assertHasLine(text, "kubeproxy_network_programming_duration_seconds_count 0");
        assertHasLine(text, "kubeproxy_sync_proxy_rules_duration_seconds_count 2");
        assertFalse(text.contains("NaN"), text);
    }

    @Test
    void kubeProxySyncBucketsRunFromOneMillisecondToSixteenSeconds() {
        MetricRegistry alone = new MetricRegistry();
        alone.histogram("h", "h", SyncMetrics.SYNC_BUCKETS);
        String text = alone.scrape();
        assertEquals(15, SyncMetrics.SYNC_BUCKETS.length);
        for (String le : new String[]{"0.001", "0.002", "0.004", "0.512", "1.024", "16.384", "+Inf"}) {
            assertTrue(text.contains("h_bucket{le=\"" + le + "\"} 0\n"), le + " in\n" + text);
        }
    }
}
