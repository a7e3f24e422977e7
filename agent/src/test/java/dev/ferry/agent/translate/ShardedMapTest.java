package dev.ferry.agent.translate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ShardedMapTest {
    /** Values compared by identity, as the desired state's parts are. */
    private record Part(String label) {
    }

    @Test
    void aNewVersionLeavesTheOldOneAsItWas() {
        ShardedMap<String, Part> v1 = ShardedMap.<String, Part>empty().edit()
                .put("a", new Part("a1")).put("b", new Part("b1")).done();
        ShardedMap<String, Part> v2 = v1.edit().put("a", new Part("a2")).remove("b").put("c", new Part("c1")).done();

        assertEquals(Map.of("a", new Part("a1"), "b", new Part("b1")), v1);
        assertEquals(Map.of("a", new Part("a2"), "c", new Part("c1")), v2);
        assertEquals(2, v1.size());
        assertEquals(2, v2.size());
        assertTrue(v2.containsKey("c"));
        assertFalse(v2.containsKey("b"));
        assertNull(v2.get("b"));
        assertEquals(0, ShardedMap.empty().size());
    }

    @Test
    void removingWhatIsNotThereAndPuttingTwiceKeepTheSize() {
        ShardedMap<String, Part> m = ShardedMap.<String, Part>empty().edit()
                .put("a", new Part("a1")).put("a", new Part("a2")).remove("zz").done();
        assertEquals(1, m.size());
        assertEquals(new Part("a2"), m.get("a"));
    }

    @Test
    void anEditorHandsOutOneVersion() {
        ShardedMap.Editor<String, Part> editor = ShardedMap.<String, Part>empty().edit().put("a", new Part("a"));
        editor.done();
        assertThrows(IllegalStateException.class, () -> editor.put("b", new Part("b")));
        assertThrows(IllegalStateException.class, editor::done);
    }

    @Test
    void changesSinceNamesExactlyTheKeysWhoseInstanceMoved() {
        Part same = new Part("same");
        ShardedMap<String, Part> before = ShardedMap.<String, Part>empty().edit()
                .put("kept", same).put("changed", new Part("x")).put("gone", new Part("g")).done();
        ShardedMap<String, Part> after = before.edit()
                .put("changed", new Part("x")) // equal, but another instance: a change
                .put("kept", same)             // the same instance written again: no change
                .remove("gone").put("new", new Part("n")).done();

        List<String> seen = new ArrayList<>();
        after.changesSince(before, (k, was, is) -> seen.add(k + ":" + (was == null ? "-" : was.label())
                + ">" + (is == null ? "-" : is.label())));
        assertEquals(List.of("changed:x>x", "gone:g>-", "new:->n"), seen.stream().sorted().toList());

        List<String> none = new ArrayList<>();
        after.changesSince(after, (k, was, is) -> none.add(k));
        assertEquals(List.of(), none);
    }

    @Test
    void changesSinceAPlainMapComparesBothWhole() {
        Part a = new Part("a");
        ShardedMap<String, Part> now = ShardedMap.copyOf(Map.of("a", a, "b", new Part("b")));
        Map<String, Part> plain = new HashMap<>(Map.of("a", a, "c", new Part("c")));
        List<String> seen = new ArrayList<>();
        now.changesSince(plain, (k, was, is) -> seen.add(k));
        assertEquals(List.of("b", "c"), seen.stream().sorted().toList());
        assertSame(now, ShardedMap.copyOf(now), "already one: taken as it is");
    }

    /** Many versions, each against a HashMap doing the same: equal contents, and changesSince equal to the true difference. */
    @Test
    void agreesWithAPlainMapThroughRandomEdits() {
        Random random = new Random(7);
        Map<Integer, Part> truth = new HashMap<>();
        ShardedMap<Integer, Part> map = ShardedMap.empty();
        for (int round = 0; round < 200; round++) {
            Map<Integer, Part> before = new HashMap<>(truth);
            ShardedMap<Integer, Part> previous = map;
            ShardedMap.Editor<Integer, Part> editor = map.edit();
            for (int i = 0; i < 1 + random.nextInt(50); i++) {
                int key = random.nextInt(5000);
                if (random.nextBoolean()) {
                    Part p = new Part("v" + round);
                    editor.put(key, p);
                    truth.put(key, p);
                } else {
                    editor.remove(key);
                    truth.remove(key);
                }
            }
            map = editor.done();
            assertEquals(truth, map);
            assertEquals(truth.size(), map.size());
            assertEquals(truth.size(), map.entrySet().size());

            Map<Integer, Part> expected = new HashMap<>();
            truth.forEach((k, v) -> { if (before.get(k) != v) expected.put(k, v); });
            before.forEach((k, v) -> { if (!truth.containsKey(k)) expected.put(k, null); });
            Map<Integer, Part> reported = new HashMap<>();
            map.changesSince(previous, (k, was, is) -> {
                assertSame(before.get(k), was, "the value before");
                assertNull(reported.put(k, is), "each key once");
            });
            assertEquals(expected, reported);
        }
    }
}
