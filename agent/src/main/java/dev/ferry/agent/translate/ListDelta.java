package dev.ferry.agent.translate;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances one snapshot's list lost and gained against the list before, told by identity.
 * The source keeps an unchanged object's instance at its position in the list (a new version
 * takes its old object's place, a new object goes at the end, a removed one's place is taken by
 * the last), so comparing the two lists position by position finds the few places that differ
 * without hashing the thousands that do not; the instances at those places are then matched up,
 * since one that only moved is neither lost nor gained. Any two lists give the right answer;
 * lists that do not keep positions only make it slower.
 *
 * @param removed in the order of the list before
 * @param added   in the order of the list after
 */
record ListDelta<T>(List<T> removed, List<T> added) {
    static <T> ListDelta<T> between(List<T> before, List<T> after) {
        if (before == after) return none();
        List<T> left = new ArrayList<>(), right = new ArrayList<>();
        int common = Math.min(before.size(), after.size());
        for (int i = 0; i < common; i++) {
            T was = before.get(i), is = after.get(i);
            if (was != is) {
                left.add(was);
                right.add(is);
            }
        }
        left.addAll(before.subList(common, before.size()));
        right.addAll(after.subList(common, after.size()));
        if (left.isEmpty() && right.isEmpty()) return none();
        // Net count per instance: in the list after, minus in the list before.
        Map<T, Integer> net = new IdentityHashMap<>();
        right.forEach(t -> net.merge(t, 1, Integer::sum));
        left.forEach(t -> net.merge(t, -1, Integer::sum));
        return new ListDelta<>(take(left, net, -1), take(right, net, 1));
    }

    /** The instances of {@code places} whose net count leans to {@code sign}, as often as it does. */
    private static <T> List<T> take(List<T> places, Map<T, Integer> net, int sign) {
        List<T> out = new ArrayList<>();
        for (T t : places) {
            int n = net.get(t);
            if (n * sign > 0) {
                out.add(t);
                net.put(t, n - sign);
            }
        }
        return out;
    }

    static <T> ListDelta<T> none() {
        return new ListDelta<>(List.of(), List.of());
    }
}
