package dev.ferry.agent.reconcile;

import dev.ferry.agent.reconcile.PortPrefixes.Prefix;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortPrefixesTest {
    @Test
    void singlePortsAndTheWholeRangeAreOnePrefix() {
        assertEquals(List.of(new Prefix(80, 16)), PortPrefixes.of(80, 80));
        assertEquals(List.of(new Prefix(0, 0)), PortPrefixes.of(0, 65535));
        assertEquals(List.of(new Prefix(32768, 1)), PortPrefixes.of(32768, 65535));
    }

    @Test
    void aRangeBecomesAlignedBlocks() {
        assertEquals(List.of(new Prefix(1000, 13), new Prefix(1008, 12), new Prefix(1024, 7), new Prefix(1536, 8),
                new Prefix(1792, 9), new Prefix(1920, 10), new Prefix(1984, 12), new Prefix(2000, 16)),
                PortPrefixes.of(1000, 2000));
        assertEquals(30, PortPrefixes.of(1, 65534).size(), "the worst case");
    }

    @Test
    void prefixesCoverExactlyTheRangeWithoutOverlap() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            int a = random.nextInt(65536), b = random.nextInt(65536);
            int first = Math.min(a, b), last = Math.max(a, b);
            BitSet covered = new BitSet();
            for (Prefix p : PortPrefixes.of(first, last)) {
                int size = 1 << (16 - p.bits());
                assertEquals(0, p.port() % size, p + " is aligned");
                assertTrue(covered.get(p.port(), p.port() + size).isEmpty(), p + " overlaps");
                covered.set(p.port(), p.port() + size);
            }
            assertEquals(last - first + 1, covered.cardinality(), first + "-" + last);
            assertEquals(first, covered.nextSetBit(0));
            assertEquals(last, covered.length() - 1);
        }
    }

    @Test
    void anInvertedRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PortPrefixes.of(81, 80));
        assertThrows(IllegalArgumentException.class, () -> PortPrefixes.of(0, 65536));
    }
}
