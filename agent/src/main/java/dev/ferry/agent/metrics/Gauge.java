package dev.ferry.agent.metrics;

/** A value that is set, such as the time of the last sync. */
public final class Gauge extends Scalar {
    Gauge(String name, String help) {
        super(name, help, "gauge");
    }

    public void set(double v) {
        value.set(v);
    }
}
