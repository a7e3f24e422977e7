package dev.ferry.agent.metrics;

/** A value that only goes up, such as errors seen since start. */
public final class Counter implements Metric {
    private final String name;
    private final String help;
    private final DoubleCell value = new DoubleCell();

    Counter(String name, String help) {
        this.name = name;
        this.help = help;
    }

    public void inc() {
        add(1);
    }

    public void add(double delta) {
        if (delta < 0) throw new IllegalArgumentException(name + ": a counter can not go down (" + delta + ")");
        value.add(delta);
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
        TextFormat.header(out, name, help, "counter");
        TextFormat.sample(out, name, null, null, value.get());
    }
}
