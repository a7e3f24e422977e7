package dev.ferry.agent.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Observations counted into buckets with explicit upper bounds. Each observation replaces one
 * immutable state (copy on write), so a scrape always sees buckets, sum and count that agree,
 * without a lock; observations are rare (one per sync), so the copy costs nothing.
 */
public final class Histogram extends Metric {
    private final double[] upperBounds;
    private final AtomicReference<State> state;

    private record State(long[] bucketCounts, double sum, long count) {
    }

    Histogram(String name, String help, double[] upperBounds) {
        super(name, help, "histogram");
        for (int i = 1; i < upperBounds.length; i++) {
            if (upperBounds[i] <= upperBounds[i - 1]) throw new IllegalArgumentException(name + ": bounds must increase");
        }
        this.upperBounds = upperBounds.clone();
        this.state = new AtomicReference<>(new State(new long[upperBounds.length], 0, 0));
    }

    /** {@code start × factor^i} for i in 0..count-1, as Prometheus' ExponentialBuckets. */
    public static double[] exponentialBuckets(double start, double factor, int count) {
        double[] bounds = new double[count];
        for (int i = 0; i < count; i++) bounds[i] = start * Math.pow(factor, i);
        return bounds;
    }

    public void observe(double value) {
        state.updateAndGet(s -> {
            long[] counts = s.bucketCounts.clone();
            for (int i = 0; i < upperBounds.length; i++) {
                if (value <= upperBounds[i]) {
                    counts[i]++;
                    break;
                }
            }
            return new State(counts, s.sum + value, s.count + 1);
        });
    }

    public long count() {
        return state.get().count;
    }

    /** Buckets print cumulatively, ending with le="+Inf" equal to the count, as the format demands. */
    @Override
    void writeSamples(StringBuilder out) {
        String name = name();
        State s = state.get();
        long cumulative = 0;
        for (int i = 0; i < upperBounds.length; i++) {
            cumulative += s.bucketCounts[i];
            TextFormat.sample(out, name + "_bucket", "le", TextFormat.number(upperBounds[i]), cumulative);
        }
        TextFormat.sample(out, name + "_bucket", "le", "+Inf", s.count);
        TextFormat.sample(out, name + "_sum", null, null, s.sum);
        TextFormat.sample(out, name + "_count", null, null, s.count);
    }

    @Override
    public String toString() {
        return name() + Arrays.toString(upperBounds);
    }
}
