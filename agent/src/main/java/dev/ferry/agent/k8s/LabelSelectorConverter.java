package dev.ferry.agent.k8s;

import dev.ferry.agent.model.LabelSelector;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** fabric8 LabelSelector -> model LabelSelector, checked as the API server checks it. */
final class LabelSelectorConverter {
    private LabelSelectorConverter() {
    }

    /** @param field where the selector sits in {@code object}, for the message */
    static LabelSelector convert(HasMetadata object, String field, io.fabric8.kubernetes.api.model.LabelSelector selector)
            throws InvalidObjectException {
        Map<String, String> labels = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        var expressions = selector.getMatchExpressions() == null
                ? List.<io.fabric8.kubernetes.api.model.LabelSelectorRequirement>of() : selector.getMatchExpressions();
        for (int i = 0; i < expressions.size(); i++) {
            var e = expressions.get(i);
            String at = Fields.id(object) + ": " + field + ".matchExpressions[" + i + "]";
            if (e.getKey() == null || e.getKey().isEmpty()) throw new InvalidObjectException(at + " has no key");
            LabelSelector.Operator operator;
            try {
                operator = LabelSelector.Operator.parse(e.getOperator());
            } catch (IllegalArgumentException ex) {
                throw new InvalidObjectException(at + ": " + ex.getMessage());
            }
            List<String> values = e.getValues() == null ? List.of() : e.getValues();
            if (operator.takesValues() && values.isEmpty()) {
                throw new InvalidObjectException(at + ": " + e.getOperator() + " needs values");
            }
            if (!operator.takesValues() && !values.isEmpty()) {
                throw new InvalidObjectException(at + ": " + e.getOperator() + " takes no values");
            }
            requirements.add(new LabelSelector.Requirement(e.getKey(), operator, values));
        }
        return new LabelSelector(new TreeMap<>(labels), requirements);
    }
}
