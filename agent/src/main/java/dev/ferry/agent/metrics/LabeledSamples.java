package dev.ferry.agent.metrics;

import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A counter or gauge family with one label, e.g. {@code ferry_map_entries{map="services_v1"}}.
 * Values are usually copied in from somewhere that already counts (a map's size, the kernel's
 * per-CPU totals), hence {@link #set}; samples print in label order so scrapes are stable.
 */
public final class LabeledSamples extends Metric {
    private final String labelName;
    private final ConcurrentSkipListMap<String, DoubleCell> values = new ConcurrentSkipListMap<>();

    LabeledSamples(String name, String help, String type, String labelName) {
        super(name, help, type);
        this.labelName = labelName;
    }

    public void set(String labelValue, double v) {
        cell(labelValue).set(v);
    }

    public void add(String labelValue, double delta) {
        cell(labelValue).add(delta);
    }

    public double get(String labelValue) {
        DoubleCell cell = values.get(labelValue);
        return cell == null ? 0 : cell.get();
    }

    private DoubleCell cell(String labelValue) {
        return values.computeIfAbsent(labelValue, v -> new DoubleCell());
    }

    @Override
    void writeSamples(StringBuilder out) {
        values.forEach((label, cell) -> TextFormat.sample(out, name(), labelName, label, cell.get()));
    }
}
