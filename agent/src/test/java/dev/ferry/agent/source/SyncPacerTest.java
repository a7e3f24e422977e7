package dev.ferry.agent.source;

import dev.ferry.agent.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SyncPacerTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final SyncPacer pacer = new SyncPacer(Duration.ofMillis(50), clock);

    @Test
    void theFirstChangeGoesAtOnce() {
        assertEquals(Duration.ZERO, pacer.delay());
    }

    @Test
    void aChangeRightAfterASnapshotWaitsOutTheInterval() {
        pacer.published();
        clock.advance(Duration.ofMillis(20));
        assertEquals(Duration.ofMillis(30), pacer.delay());
        clock.advance(Duration.ofMillis(30));
        assertEquals(Duration.ZERO, pacer.delay());
    }

    @Test
    void aChangeAfterAQuietMomentGoesAtOnce() {
        pacer.published();
        clock.advance(Duration.ofSeconds(3));
        assertEquals(Duration.ZERO, pacer.delay());
        pacer.published();
        clock.advance(Duration.ofMillis(1));
        assertEquals(Duration.ofMillis(49), pacer.delay(), "the interval counts from the latest snapshot");
    }
}
