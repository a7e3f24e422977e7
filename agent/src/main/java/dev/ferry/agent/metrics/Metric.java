package dev.ferry.agent.metrics;

/** One metric family as Prometheus' text format (version 0.0.4) prints it: HELP, TYPE, samples. */
public abstract sealed class Metric permits Scalar, Histogram, LabeledSamples {
    private final String name;
    private final String help;
    private final String type;

    Metric(String name, String help, String type) {
        this.name = name;
        this.help = help;
        this.type = type;
    }

    public String name() {
        return name;
    }

    /** Reads atomics only: safe on any thread, never waits. */
    final void writeTo(StringBuilder out) {
        TextFormat.header(out, name, help, type);
        writeSamples(out);
    }

    abstract void writeSamples(StringBuilder out);
}
