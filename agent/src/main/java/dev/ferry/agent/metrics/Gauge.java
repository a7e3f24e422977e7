package dev.ferry.agent.metrics;

/** A value that is set, such as the time of the last sync. */
public final class Gauge implements Metric {
    private final String name;
    private final String help;
    private final DoubleCell value = new DoubleCell();

    Gauge(String name, String help) {
        this.name = name;
        this.help = help;
    }

    public void set(double v) {
        value.set(v);
    }

    public double get() {
        return value.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void writeTo(StringBuilder out) {
        TextFormat.header(out, name, help, "gauge");
        TextFormat.sample(out, name, null, null, value.get());
    }
}
