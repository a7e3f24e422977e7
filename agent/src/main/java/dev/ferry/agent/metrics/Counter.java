package dev.ferry.agent.metrics;

/** A value that only goes up, such as errors seen since start. */
public final class Counter extends Scalar {
    Counter(String name, String help) {
        super(name, help, "counter");
    }

    public void inc() {
        add(1);
    }

    public void add(double delta) {
        if (delta < 0) throw new IllegalArgumentException(name() + ": a counter can not go down (" + delta + ")");
        value.add(delta);
    }
}
