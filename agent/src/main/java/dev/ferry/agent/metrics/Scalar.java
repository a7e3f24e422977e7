package dev.ferry.agent.metrics;

/** A family of exactly one sample without labels; subclasses decide how it may change. */
public abstract sealed class Scalar extends Metric permits Counter, Gauge {
    final DoubleCell value = new DoubleCell();

    Scalar(String name, String help, String type) {
        super(name, help, type);
    }

    public double get() {
        return value.get();
    }

    @Override
    void writeSamples(StringBuilder out) {
        TextFormat.sample(out, name(), null, null, value.get());
    }
}
