package dev.ferry.agent.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MetricRegistryTest {
    @Test
    void printsEveryTypeInPrometheusTextFormat() {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("errors_total", "Errors.\nSecond line with \\").add(3);
        registry.gauge("last_seconds", "Last time.").set(1.5);
        LabeledSamples entries = registry.labeledGauge("entries", "Entries per map.", "map");
        entries.set("slots_v1", 7);
        entries.set("backends_v2", 2);
        entries.set("we\"ird\\", 1);
        Histogram h = registry.histogram("duration_seconds", "Durations.", new double[]{0.25, 1});
        h.observe(0.25); // on a bound: counted in that bucket (le means "less or equal")
        h.observe(0.5);
        h.observe(2);

        assertEquals("""
                # HELP errors_total Errors.\\nSecond line with \\\\
                # TYPE errors_total counter
                errors_total 3
                # HELP last_seconds Last time.
                # TYPE last_seconds gauge
                last_seconds 1.5
                # HELP entries Entries per map.
                # TYPE entries gauge
                entries{map="backends_v2"} 2
                entries{map="slots_v1"} 7
                entries{map="we\\"ird\\\\"} 1
                # HELP duration_seconds Durations.
                # TYPE duration_seconds histogram
                duration_seconds_bucket{le="0.25"} 1
                duration_seconds_bucket{le="1"} 2
                duration_seconds_bucket{le="+Inf"} 3
                duration_seconds_sum 2.75
                duration_seconds_count 3
                """, registry.scrape());
    }

    @Test
    void rejectsWhatPrometheusWouldMisread() {
        MetricRegistry registry = new MetricRegistry();
        Counter c = registry.counter("c_total", "c");
        assertThrows(IllegalArgumentException.class, () -> c.add(-1));
        assertThrows(IllegalArgumentException.class, () -> registry.gauge("c_total", "again"));
        assertThrows(IllegalArgumentException.class, () -> registry.histogram("h", "h", new double[]{1, 1}));
    }
}
