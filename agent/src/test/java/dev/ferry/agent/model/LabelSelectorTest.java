package dev.ferry.agent.model;

import dev.ferry.agent.model.LabelSelector.Operator;
import dev.ferry.agent.model.LabelSelector.Requirement;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class LabelSelectorTest {
    static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");
    static final Map<String, String> NONE = Map.of();

    static LabelSelector labels(String... keyValues) {
        TreeMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put(keyValues[i], keyValues[i + 1]);
        return new LabelSelector(m, List.of());
    }

    static LabelSelector expression(String key, Operator operator, String... values) {
        return new LabelSelector(new TreeMap<>(), List.of(new Requirement(key, operator, List.of(values))));
    }

    @Test
    void theEmptySelectorMatchesEveryLabelSetEvenNone() {
        assertTrue(LabelSelector.EVERYTHING.matches(WEB));
        assertTrue(LabelSelector.EVERYTHING.matches(NONE));
    }

    @Test
    void matchLabelsNeedsEveryPairWithItsValue() {
        assertTrue(labels("app", "web").matches(WEB));
        assertTrue(labels("app", "web", "tier", "front").matches(WEB));
        assertFalse(labels("app", "web", "tier", "back").matches(WEB));
        assertFalse(labels("app", "db").matches(WEB));
        assertFalse(labels("app", "web").matches(NONE));
    }

    @Test
    void inNeedsTheKeyWithOneOfTheValues() {
        assertTrue(expression("app", Operator.IN, "db", "web").matches(WEB));
        assertFalse(expression("app", Operator.IN, "db").matches(WEB));
        assertFalse(expression("app", Operator.IN, "web").matches(NONE));
    }

    @Test
    void notInAlsoMatchesWhenTheKeyIsMissing() {
        assertFalse(expression("app", Operator.NOT_IN, "web").matches(WEB));
        assertTrue(expression("app", Operator.NOT_IN, "db").matches(WEB));
        assertTrue(expression("app", Operator.NOT_IN, "web").matches(NONE));
    }

    @Test
    void existsAndDoesNotExistLookAtTheKeyOnly() {
        assertTrue(expression("tier", Operator.EXISTS).matches(WEB));
        assertFalse(expression("zone", Operator.EXISTS).matches(WEB));
        assertTrue(expression("zone", Operator.DOES_NOT_EXIST).matches(WEB));
        assertFalse(expression("tier", Operator.DOES_NOT_EXIST).matches(WEB));
        assertTrue(expression("zone", Operator.DOES_NOT_EXIST).matches(NONE));
    }

    @Test
    void labelsAndEveryExpressionMustAllHold() {
        TreeMap<String, String> app = new TreeMap<>(Map.of("app", "web"));
        LabelSelector both = new LabelSelector(app, List.of(
                new Requirement("tier", Operator.IN, List.of("front")), new Requirement("canary", Operator.DOES_NOT_EXIST, List.of())));
        assertTrue(both.matches(WEB));
        assertFalse(both.matches(Map.of("app", "web", "tier", "front", "canary", "yes")));
        assertFalse(both.matches(Map.of("app", "web", "tier", "back")));
        assertFalse(both.matches(Map.of("tier", "front")));
    }

    @Test
    void operatorsParseInKubernetesSpellingOnly() {
        assertEquals(Operator.IN, Operator.parse("In"));
        assertEquals(Operator.NOT_IN, Operator.parse("NotIn"));
        assertEquals(Operator.EXISTS, Operator.parse("Exists"));
        assertEquals(Operator.DOES_NOT_EXIST, Operator.parse("DoesNotExist"));
        assertThrows(IllegalArgumentException.class, () -> Operator.parse("in"));
        assertThrows(IllegalArgumentException.class, () -> Operator.parse("Gt"));
        assertThrows(IllegalArgumentException.class, () -> Operator.parse(null));
    }
}
