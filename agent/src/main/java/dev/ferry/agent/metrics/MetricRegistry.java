package dev.ferry.agent.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ferry's metrics, printed in Prometheus' text format. Small on purpose: the agent exposes a
 * dozen families, so a client library would only add a dependency. Registration order is
 * scrape order.
 */
public final class MetricRegistry {
    /** The content type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final List<Metric> metrics = new CopyOnWriteArrayList<>();

    public Counter counter(String name, String help) {
        return register(new Counter(name, help));
    }

    public Gauge gauge(String name, String help) {
        return register(new Gauge(name, help));
    }

    public Histogram histogram(String name, String help, double[] upperBounds) {
        return register(new Histogram(name, help, upperBounds));
    }

    public LabeledSamples labeledCounter(String name, String help, String labelName) {
        return register(new LabeledSamples(name, help, "counter", labelName));
    }

    public LabeledSamples labeledGauge(String name, String help, String labelName) {
        return register(new LabeledSamples(name, help, "gauge", labelName));
    }

    private <M extends Metric> M register(M metric) {
        if (metrics.stream().anyMatch(m -> m.name().equals(metric.name()))) {
            throw new IllegalArgumentException("metric " + metric.name() + " registered twice");
        }
        metrics.add(metric);
        return metric;
    }

    /** Never blocks: every metric keeps its values in atomics. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        metrics.forEach(m -> m.writeTo(out));
        return out.toString();
    }
}
