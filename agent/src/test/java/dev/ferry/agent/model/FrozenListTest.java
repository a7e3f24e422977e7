package dev.ferry.agent.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrozenListTest {
    private static final Service A = new Service(new ServiceName("ns", "a"), List.of(Ipv4.parse("10.96.0.1")),
            List.of(new ServicePort("", 80, Protocol.TCP)));

    @Test
    void aClusterKeepsAFrozenListAsItIsAndCopiesAnyOther() {
        List<Service> frozen = FrozenList.of(new Object[] {A});
        assertSame(frozen, new Cluster(frozen, List.of()).services(), "a snapshot's list goes on uncopied");

        List<Service> mutable = new ArrayList<>(List.of(A));
        Cluster copied = new Cluster(mutable, List.of());
        mutable.clear();
        assertEquals(List.of(A), copied.services(), "a list someone may still write is copied");
    }

    @Test
    void isAnUnmodifiableListOfItsArray() {
        List<Service> frozen = FrozenList.of(new Object[] {A});

        assertEquals(List.of(A), frozen);
        assertEquals(List.of(A).hashCode(), frozen.hashCode());
        assertThrows(UnsupportedOperationException.class, () -> frozen.add(A));
        assertThrows(UnsupportedOperationException.class, () -> frozen.set(0, A));
        assertThrows(IndexOutOfBoundsException.class, () -> frozen.get(1));
    }
}
