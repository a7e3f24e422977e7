package dev.ferry.agent.metrics;

/** A family of exactly one sample without labels; subclasses decide how it may change. */
public abstract sealed class Scalar implements Metric permits Counter, Gauge {
    private final String name;
    private final String help;
    private final String type;
    final DoubleCell value = new DoubleCell();

    Scalar(String name, String help, String type) {
        this.name = name;
        this.help = help;
        this.type = type;
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
        TextFormat.header(out, name, help, type);
        TextFormat.sample(out, name, null, null, value.get());
    }
}
