package dev.ferry.agent.metrics;

/** One metric family as Prometheus' text format (version 0.0.4) prints it. */
public sealed interface Metric permits Scalar, Histogram, LabeledSamples {
    String name();

    /** Appends the HELP and TYPE lines and every sample. Reads atomics only: safe on any thread. */
    void writeTo(StringBuilder out);
}
