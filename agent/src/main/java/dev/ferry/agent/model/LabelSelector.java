package dev.ferry.agent.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Kubernetes label selector: every matchLabels pair and every requirement must hold. The
 * empty selector ({@code {}}) matches every label set; an absent one is the caller's business
 * (NetworkPolicy peers give absence its own meaning).
 */
public record LabelSelector(SortedMap<String, String> matchLabels, List<Requirement> matchExpressions) {
    public static final LabelSelector EVERYTHING = new LabelSelector(new TreeMap<>(), List.of());

    public LabelSelector {
        matchLabels = Collections.unmodifiableSortedMap(new TreeMap<>(matchLabels));
        matchExpressions = List.copyOf(matchExpressions);
    }

    public boolean matches(Map<String, String> labels) {
        return matchLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))
                && matchExpressions.stream().allMatch(r -> r.matches(labels));
    }

    /** One matchExpressions entry; the converter checks that values fit the operator. */
    public record Requirement(String key, Operator operator, List<String> values) {
        public Requirement {
            values = List.copyOf(values);
        }

        public boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case IN -> value != null && values.contains(value);
                // As labels.Selector: a pod without the key is "not in" any set of values.
                case NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
        }
    }

    public enum Operator {
        IN, NOT_IN, EXISTS, DOES_NOT_EXIST;

        /** Whether the operator takes a non-empty list of values (In, NotIn) or none at all. */
        public boolean takesValues() {
            return this == IN || this == NOT_IN;
        }

        /** @throws IllegalArgumentException for anything but Kubernetes' In, NotIn, Exists, DoesNotExist */
        public static Operator parse(String name) {
            return switch (name == null ? "" : name) {
                case "In" -> IN;
                case "NotIn" -> NOT_IN;
                case "Exists" -> EXISTS;
                case "DoesNotExist" -> DOES_NOT_EXIST;
                default -> throw new IllegalArgumentException("unknown selector operator '" + name + "'");
            };
        }
    }
}
