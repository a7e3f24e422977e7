package dev.ferry.agent.translate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ListDeltaTest {
    /** Distinct instances even when equal, like models of two versions of one object. */
    private static final class Obj {
        final String name;

        Obj(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final Obj a = new Obj("a"), b = new Obj("b"), c = new Obj("c"), d = new Obj("d");

    @Test
    void theSameListHasNoDelta() {
        List<Obj> list = List.of(a, b);
        assertEquals(ListDelta.none(), ListDelta.between(list, list));
        assertEquals(ListDelta.none(), ListDelta.between(list, List.of(a, b)), "another list of the same instances");
    }

    @Test
    void aNewVersionInPlaceIsOneRemovedAndOneAdded() {
        Obj b2 = new Obj("b");
        ListDelta<Obj> delta = ListDelta.between(List.of(a, b, c), List.of(a, b2, c));
        assertEquals(List.of(b), delta.removed());
        assertEquals(List.of(b2), delta.added());
    }

    @Test
    void anObjectThatOnlyMovedIsNeitherRemovedNorAdded() {
        // The store's remove: b goes, the last one (d) takes its place.
        ListDelta<Obj> delta = ListDelta.between(List.of(a, b, c, d), List.of(a, d, c));
        assertEquals(List.of(b), delta.removed());
        assertEquals(List.of(), delta.added());
    }

    @Test
    void appendedAndTruncatedTails() {
        assertEquals(List.of(c, d), ListDelta.between(List.of(a, b), List.of(a, b, c, d)).added());
        assertEquals(List.of(c, d), ListDelta.between(List.of(a, b, c, d), List.of(a, b)).removed());
    }

    @Test
    void aShuffledListHasNoDeltaAndAnInstanceListedTwiceCounts() {
        List<Obj> shuffled = new ArrayList<>(List.of(a, b, c, d));
        Collections.shuffle(shuffled, new Random(3));
        assertEquals(ListDelta.none(), ListDelta.between(List.of(a, b, c, d), shuffled));
        ListDelta<Obj> twice = ListDelta.between(List.of(a, b), List.of(b, a, a));
        assertEquals(List.of(), twice.removed());
        assertEquals(List.of(a), twice.added());
    }

    /** Any two lists: removed and added are exactly the multiset differences. */
    @Test
    void agreesWithMultisetDifferenceOnRandomLists() {
        Random random = new Random(11);
        List<Obj> pool = new ArrayList<>();
        for (int i = 0; i < 30; i++) pool.add(new Obj("o" + i));
        for (int round = 0; round < 500; round++) {
            List<Obj> before = sample(pool, random), after = sample(pool, random);
            ListDelta<Obj> delta = ListDelta.between(before, after);
            assertEquals(sorted(minus(before, after)), sorted(delta.removed()), before + " -> " + after);
            assertEquals(sorted(minus(after, before)), sorted(delta.added()), before + " -> " + after);
        }
    }

    private static List<Obj> sample(List<Obj> pool, Random random) {
        List<Obj> out = new ArrayList<>();
        for (int i = 0; i < random.nextInt(12); i++) out.add(pool.get(random.nextInt(pool.size())));
        return out;
    }

    private static List<Obj> minus(List<Obj> from, List<Obj> take) {
        List<Obj> out = new ArrayList<>(from);
        for (Obj o : take) {
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i) == o) {
                    out.remove(i);
                    break;
                }
            }
        }
        return out;
    }

    private static List<String> sorted(List<Obj> list) {
        return list.stream().map(System::identityHashCode).sorted().map(String::valueOf).toList();
    }
}
