package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** frontend_addrs_v1 as the agent keeps it: XDP's "may this frame be ours" bitmap (bpf/src/xdp_node.bpf.c). */
class FrontendAddressFilterTest {
    private final List<String> journal = new ArrayList<>();
    private final InMemoryMapTable<Integer, Long> words = new InMemoryMapTable<>("frontend_addrs", FrontendAddressFilter.WORDS + 1, journal::add);
    private final FrontendAddressFilter filter = new FrontendAddressFilter(words);
    private final Inet4Address node = Ipv4.parse("192.168.254.11"), lb = Ipv4.parse("198.51.100.1");

    @Test
    void publishingWritesEveryWordAndThenMarksTheBitmapComplete() {
        filter.acquire(List.of(node));
        filter.publish();
        assertEquals(FrontendAddressFilter.WORDS + 1, words.size());
        assertEquals("put frontend_addrs " + FrontendAddressFilter.WORDS, journal.getLast(), "complete, last");
        assertEquals(Optional.of(1L), words.get(FrontendAddressFilter.WORDS));
        int bit = FrontendAddressFilter.bitOf(node);
        assertEquals(1L << (bit % 64), words.get(bit / 64).orElseThrow());
    }

    @Test
    void anAddressKeepsItsBitWhileAnythingHoldsIt() {
        filter.acquire(List.of(lb, lb));
        filter.release(List.of(lb));
        assertTrue(filter.mayBeOurs(lb));
        filter.release(List.of(lb));
        assertFalse(filter.mayBeOurs(lb));
        assertEquals(Optional.of(0L), words.get(FrontendAddressFilter.bitOf(lb) / 64), "cleared in the map too");
        assertThrows(IllegalStateException.class, () -> filter.release(List.of(lb)));
    }

    @Test
    void releasingAnAddressKeepsTheBitsOfOthersInItsWord() {
        Inet4Address neighbour = sameWordAs(lb);
        filter.acquire(List.of(lb, neighbour));
        filter.release(List.of(lb));
        assertTrue(filter.mayBeOurs(neighbour));
        int bit = FrontendAddressFilter.bitOf(neighbour);
        assertEquals(Optional.of(1L << (bit % 64)), words.get(bit / 64));
    }

    @Test
    void anEntrysAddressIsSetBeforeTheEntryIsWrittenAndClearedAfterItIsGone() {
        InMemoryMapTable<String, Inet4Address> entries = new InMemoryMapTable<>("entries", 10, journal::add);
        FilteredAddressTable<String, Inet4Address> table = new FilteredAddressTable<>(entries, filter, (key, address) -> address);
        int word = FrontendAddressFilter.bitOf(lb) / 64;
        table.put("lb", lb);
        assertEquals(List.of("put frontend_addrs " + word, "put entries lb"), journal);
        journal.clear();
        table.remove("lb");
        assertEquals(List.of("remove entries lb", "put frontend_addrs " + word), journal);
        assertFalse(filter.mayBeOurs(lb));
    }

    @Test
    void anEntryThatChangesAddressHoldsTheNewOneBeforeItLetsGoOfTheOld() {
        InMemoryMapTable<Integer, Inet4Address> entries = new InMemoryMapTable<>("entries", 10, journal::add);
        FilteredAddressTable<Integer, Inet4Address> table = new FilteredAddressTable<>(entries, filter, (key, address) -> address);
        table.put(7, node);
        table.put(7, lb);
        assertTrue(filter.mayBeOurs(lb));
        assertFalse(filter.mayBeOurs(node));
        assertTrue(journal.indexOf("put entries 7") < journal.lastIndexOf("put frontend_addrs " + FrontendAddressFilter.bitOf(node) / 64));
    }

    @Test
    void entriesWithoutAnAddressAndFailedWritesNeverTakeABitAway() {
        InMemoryMapTable<String, Inet4Address> entries = new InMemoryMapTable<>("entries", 1, journal::add);
        FilteredAddressTable<String, Inet4Address> table = new FilteredAddressTable<>(entries, filter,
                (key, address) -> key.startsWith("internal") ? null : address);
        table.put("internal", lb);
        assertFalse(filter.mayBeOurs(lb), "an internal frontend needs no bit");
        assertThrows(RuntimeException.class, () -> table.putAll(Map.of("external", node)), "the table is full");
        assertTrue(filter.mayBeOurs(node), "a failed write may leave a bit too many, never one too few");
    }

    @Test
    void entriesAlreadyThereWhenTheTableIsWrappedAreHeld() {
        InMemoryMapTable<Integer, Inet4Address> pinned = new InMemoryMapTable<>("entries", 10, journal::add);
        pinned.put(3, node);
        new FilteredAddressTable<>(pinned, filter, (key, address) -> address);
        assertTrue(filter.mayBeOurs(node));
    }

    /** Another address whose bit lies in the same 64-bit word as that of {@code address}, but is another bit. */
    private static Inet4Address sameWordAs(Inet4Address address) {
        int bit = FrontendAddressFilter.bitOf(address);
        for (int i = 1; ; i++) {
            Inet4Address candidate = Ipv4.of(Ipv4.toInt(address) + i);
            int other = FrontendAddressFilter.bitOf(candidate);
            if (other / 64 == bit / 64 && other != bit) return candidate;
        }
    }
}
