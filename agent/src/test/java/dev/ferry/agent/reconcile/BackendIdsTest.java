package dev.ferry.agent.reconcile;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Backend ids in four slots (an id's slot is id % 4): what the allocator hands out after ids were restored and released. */
class BackendIdsTest {
    /** One row: ids restored from the maps, then released; the next ids handed out, "full" where it must refuse. */
    record Case(String description, List<Integer> restored, List<Integer> released, List<String> next) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("ids count up from 1 while their slots are free", List.of(), List.of(),
                        List.of("1", "2", "3", "4")),
                new Case("after restored ids, every new id is higher", List.of(9), List.of(), List.of("10", "11", "12")),
                new Case("an id whose slot a live backend holds is skipped", List.of(1, 6), List.of(),
                        List.of("7", "8", "full")),
                new Case("a released slot goes to a later id, never back to the released one", List.of(1, 2, 3, 4),
                        List.of(2), List.of("6", "full")),
                new Case("every slot live: full, whatever the next id", List.of(1, 2, 3, 4), List.of(), List.of("full")),
                new Case("the search wraps around to the slots below the next id's", List.of(3, 5, 6), List.of(),
                        List.of("8", "full")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void table(Case c) {
        BackendIds ids = new BackendIds(4);
        c.restored().forEach(ids::reserve);
        c.released().forEach(ids::release);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < c.next().size(); i++) {
            try {
                got.add(Integer.toString(ids.allocate()));
            } catch (IllegalStateException e) {
                assertEquals("backends_v2 is full: all 4 slots hold live backends", e.getMessage());
                got.add("full");
            }
        }
        assertEquals(c.next(), got);
    }
}
