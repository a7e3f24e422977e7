package dev.ferry.agent.http;

import dev.ferry.agent.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyHealthTest {
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ManualClock clock = new ManualClock(START);
    private final ProxyHealth health = new ProxyHealth(clock, TIMEOUT);

    @Test
    void healthyFromTheStartAsKubeProxyIs() {
        clock.advance(Duration.ofHours(1)); // nothing queued: an idle agent stays healthy
        assertTrue(health.status().healthy());
        assertEquals(START, health.status().lastUpdated());
    }

    @Test
    void anUpdateQueuedLongerThanTheTimeoutMakesItUnhealthyUntilASync() {
        health.queuedUpdate();
        clock.advance(TIMEOUT.minusMillis(1));
        assertTrue(health.status().healthy(), "queued, but not late yet");
        clock.advance(Duration.ofMillis(1));
        assertFalse(health.status().healthy());

        health.updated();
        assertTrue(health.status().healthy());
        assertEquals(clock.instant(), health.status().lastUpdated());
    }

    @Test
    void theOldestQueuedUpdateCountsNotTheNewest() {
        health.queuedUpdate();
        clock.advance(Duration.ofSeconds(50));
        health.queuedUpdate(); // must not restart the wait
        clock.advance(Duration.ofSeconds(10));
        assertFalse(health.status().healthy());
    }

    @Test
    void aFailedPassIsNotASync() {
        health.queued();
        clock.advance(TIMEOUT);
        health.failed(new IllegalStateException("map write failed"), Duration.ZERO);
        assertFalse(health.status().healthy());
    }
}
