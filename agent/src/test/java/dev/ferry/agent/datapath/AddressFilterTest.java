package dev.ferry.agent.datapath;

import dev.ferry.agent.model.Ipv4;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.*;

/** An address bitmap as the agent keeps it (bpf/src/addr_filter.h); XDP's frontend_addrs_v1 here, svc_addrs_v1 works alike. */
class AddressFilterTest {
    private static final AddressFilter.Shape SHAPE = AddressFilter.FRONTEND_ADDRS;
    private final List<String> journal = new ArrayList<>();
    private final InMemoryMapTable<Integer, Long> words = new InMemoryMapTable<>("frontend_addrs", SHAPE.words() + 1, journal::add);
    private final AddressFilter filter = new AddressFilter(words, SHAPE);
    private final Inet4Address node = Ipv4.parse("192.168.254.11"), lb = Ipv4.parse("198.51.100.1");

    @Test
    void publishingWritesEveryWordAndThenMarksTheBitmapComplete() {
        filter.acquire(List.of(node));
        filter.publish();
        assertEquals(SHAPE.words() + 1, words.size());
        assertEquals("put frontend_addrs " + SHAPE.words(), journal.getLast(), "complete, last");
        assertEquals(Optional.of(1L), words.get(SHAPE.words()));
        int bit = SHAPE.bitOf(node);
        assertEquals(1L << (bit % 64), words.get(bit / 64).orElseThrow());
    }

    @Test
    void anAddressKeepsItsBitWhileAnythingHoldsIt() {
        filter.acquire(List.of(lb, lb));
        filter.release(List.of(lb));
        assertTrue(filter.mayHold(lb));
        filter.release(List.of(lb));
        assertFalse(filter.mayHold(lb));
        assertEquals(Optional.of(0L), words.get(SHAPE.bitOf(lb) / 64), "cleared in the map too");
        assertThrows(IllegalStateException.class, () -> filter.release(List.of(lb)));
    }

    @Test
    void releasingAnAddressKeepsTheBitsOfOthersInItsWord() {
        Inet4Address neighbour = sameWordAs(lb);
        filter.acquire(List.of(lb, neighbour));
        filter.release(List.of(lb));
        assertTrue(filter.mayHold(neighbour));
        int bit = SHAPE.bitOf(neighbour);
        assertEquals(Optional.of(1L << (bit % 64)), words.get(bit / 64));
    }

    @Test
    void aBitTwoAddressesShareStaysUntilBothAreGone() {
        Inet4Address twin = sameBitAs(lb);
        filter.acquire(List.of(lb, twin));
        filter.release(List.of(lb));
        assertTrue(filter.mayHold(twin));
        filter.release(List.of(twin));
        assertFalse(filter.mayHold(lb));
        assertEquals(Optional.of(0L), words.get(SHAPE.bitOf(lb) / 64));
    }

    @Test
    void aWordAFailedWriteLeftBehindIsWrittenWithTheNextChange() {
        InMemoryMapTable<Integer, Long> one = new InMemoryMapTable<>("words", 1, journal::add); // room for one word
        AddressFilter small = new AddressFilter(one, SHAPE);
        Inet4Address other = otherWordThan(lb);
        small.acquire(List.of(lb));
        assertThrows(RuntimeException.class, () -> small.acquire(List.of(other)), "no room for a second word");
        one.remove(SHAPE.bitOf(lb) / 64); // room again
        small.acquire(List.of(other)); // held twice now: by itself no write
        int bit = SHAPE.bitOf(other);
        assertEquals(Optional.of(1L << (bit % 64)), one.get(bit / 64), "the word the failure left behind");
    }

    @Test
    void anEntrysAddressIsSetBeforeTheEntryIsWrittenAndClearedAfterItIsGone() {
        InMemoryMapTable<String, Inet4Address> entries = new InMemoryMapTable<>("entries", 10, journal::add);
        FilteredAddressTable<String, Inet4Address> table = new FilteredAddressTable<>(entries, filter, (key, address) -> address);
        int word = SHAPE.bitOf(lb) / 64;
        table.put("lb", lb);
        assertEquals(List.of("put frontend_addrs " + word, "put entries lb"), journal);
        journal.clear();
        table.remove("lb");
        assertEquals(List.of("remove entries lb", "put frontend_addrs " + word), journal);
        assertFalse(filter.mayHold(lb));
    }

    @Test
    void anEntryThatChangesAddressHoldsTheNewOneBeforeItLetsGoOfTheOld() {
        InMemoryMapTable<Integer, Inet4Address> entries = new InMemoryMapTable<>("entries", 10, journal::add);
        FilteredAddressTable<Integer, Inet4Address> table = new FilteredAddressTable<>(entries, filter, (key, address) -> address);
        table.put(7, node);
        table.put(7, lb);
        assertTrue(filter.mayHold(lb));
        assertFalse(filter.mayHold(node));
        assertTrue(journal.indexOf("put entries 7") < journal.lastIndexOf("put frontend_addrs " + SHAPE.bitOf(node) / 64));
    }

    @Test
    void entriesWithoutAnAddressAndFailedWritesNeverTakeABitAway() {
        InMemoryMapTable<String, Inet4Address> entries = new InMemoryMapTable<>("entries", 1, journal::add);
        FilteredAddressTable<String, Inet4Address> table = new FilteredAddressTable<>(entries, filter,
                (key, address) -> key.startsWith("internal") ? null : address);
        table.put("internal", lb);
        assertFalse(filter.mayHold(lb), "an internal frontend needs no bit");
        assertThrows(RuntimeException.class, () -> table.putAll(Map.of("external", node)), "the table is full");
        assertTrue(filter.mayHold(node), "a failed write may leave a bit too many, never one too few");
    }

    @Test
    void entriesAlreadyThereWhenTheTableIsWrappedAreHeld() {
        InMemoryMapTable<Integer, Inet4Address> pinned = new InMemoryMapTable<>("entries", 10, journal::add);
        pinned.put(3, node);
        new FilteredAddressTable<>(pinned, filter, (key, address) -> address);
        assertTrue(filter.mayHold(node));
    }

    /** The first address after {@code address} whose bit {@code accepted} takes. */
    private static Inet4Address nextWhereBit(Inet4Address address, IntPredicate accepted) {
        for (int i = 1; ; i++) {
            Inet4Address candidate = Ipv4.of(Ipv4.toInt(address) + i);
            if (accepted.test(SHAPE.bitOf(candidate))) return candidate;
        }
    }

    /** Another address whose bit lies in another 64-bit word than that of {@code address}. */
    private static Inet4Address otherWordThan(Inet4Address address) {
        int word = SHAPE.bitOf(address) / 64;
        return nextWhereBit(address, bit -> bit / 64 != word);
    }

    /** Another address with the same bit as {@code address}. */
    private static Inet4Address sameBitAs(Inet4Address address) {
        int bit = SHAPE.bitOf(address);
        return nextWhereBit(address, other -> other == bit);
    }

    /** Another address whose bit lies in the same 64-bit word as that of {@code address}, but is another bit. */
    private static Inet4Address sameWordAs(Inet4Address address) {
        int bit = SHAPE.bitOf(address);
        return nextWhereBit(address, other -> other / 64 == bit / 64 && other != bit);
    }
}
