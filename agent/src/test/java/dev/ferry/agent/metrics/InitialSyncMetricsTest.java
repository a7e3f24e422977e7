package dev.ferry.agent.metrics;

import dev.ferry.agent.reconcile.ApplyResult;
import dev.ferry.agent.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class InitialSyncMetricsTest {
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final ApplyResult PASS = new ApplyResult(1, 0, 1, 0, List.of(), List.of());

    private final ManualClock clock = new ManualClock(START);
    private final MetricRegistry registry = new MetricRegistry();
    private final InitialSyncMetrics metrics = new InitialSyncMetrics(registry, clock, START);

    @Test
    void theFirstPassAfterTheSourceIsCompleteIsTheFullSync() {
        metrics.synced(PASS, START, Duration.ZERO); // a pass before the source knew everything does not count
        clock.advance(Duration.ofMillis(1500));
        metrics.sourceComplete(clock.instant());
        clock.advance(Duration.ofMillis(250));
        metrics.synced(PASS, START, Duration.ofMillis(200));
        clock.advance(Duration.ofMillis(900));
        metrics.synced(PASS, START, Duration.ofMillis(1)); // later passes leave it alone

        String text = registry.scrape();
        assertTrue(text.contains("ferry_initial_source_duration_seconds 1.5\n"), text);
        assertTrue(text.contains("ferry_initial_sync_duration_seconds 0.25\n"), text);
    }
}
