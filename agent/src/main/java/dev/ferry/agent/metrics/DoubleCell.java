package dev.ferry.agent.metrics;

import java.util.concurrent.atomic.AtomicLong;

/** A double that many threads may set or add to without locks (the bits live in an AtomicLong). */
final class DoubleCell {
    private final AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(0));

    double get() {
        return Double.longBitsToDouble(bits.get());
    }

    void set(double v) {
        bits.set(Double.doubleToRawLongBits(v));
    }

    void add(double delta) {
        bits.updateAndGet(b -> Double.doubleToRawLongBits(Double.longBitsToDouble(b) + delta));
    }
}
