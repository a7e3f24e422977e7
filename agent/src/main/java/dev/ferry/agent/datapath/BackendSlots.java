package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.translate.Backend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * backends_v2 in the agent's vocabulary: an array whose slot for backend id is id % slots
 * (bpf/src/backends.h); a slot answers only for the id it holds, 0 for none. An array, not a
 * hash map, because the verifier inlines its lookups. Writers put a backend only into a slot
 * no live backend holds: the reconciler's ids are chosen so (BackendIds), and the upgrade from
 * backends_v1 skips taken slots.
 */
public final class BackendSlots {
    private final MapTable<Integer, BackendValue> array;
    private final int slots;
    /** Slots holding a backend, for the usage metric: counted by {@link #read()}, kept by writes; -1 until then. */
    private final AtomicInteger live = new AtomicInteger(-1);

    public BackendSlots(MapTable<Integer, BackendValue> array) {
        this.array = array;
        this.slots = array.capacity();
    }

    /** How many slots there are (BACKEND_SLOTS): how many backends can be live at once. */
    public int slots() {
        return slots;
    }

    public static int slotOf(int id, int slots) {
        return Integer.remainderUnsigned(id, slots);
    }

    public int slotOf(int id) {
        return slotOf(id, slots);
    }

    /** Every backend by id. A slot holding an id that is not its own is unreachable and left out (never written so). */
    public Map<Integer, Backend> read() {
        Map<Integer, Backend> out = new TreeMap<>();
        array.entries().forEach((slot, v) -> {
            if (v.id() != 0 && slotOf(v.id()) == slot) out.put(v.id(), backend(v));
        });
        live.set(out.size());
        return out;
    }

    /** Writes backends into their slots, which no live backend may hold. */
    public void put(Map<Integer, Backend> byId) {
        write(byId, true);
    }

    /**
     * Empties the slots of these backends. Only the id goes (to 0): the datapath reads an entry
     * without a lock, so a packet that read the old id before this write, and its address after
     * it, still reads that backend's address, never half of an emptied entry.
     */
    public void remove(Map<Integer, Backend> byId) {
        write(byId, false);
    }

    private void write(Map<Integer, Backend> byId, boolean present) {
        Map<Integer, BackendValue> values = LinkedHashMap.newLinkedHashMap(byId.size());
        byId.forEach((id, b) -> values.put(slotOf(id), new BackendValue(present ? id : 0, b.address(), b.port(),
                b.local() ? BackendValue.F_LOCAL : 0)));
        if (values.isEmpty()) return;
        array.putAll(values);
        int delta = present ? values.size() : -values.size();
        live.getAndUpdate(n -> n < 0 ? n : n + delta);
    }

    /** Slots holding a backend; counts them once if no read did yet. */
    public int liveCount() {
        int n = live.get();
        return n >= 0 ? n : read().size();
    }

    static Backend backend(BackendValue v) {
        return new Backend(v.address(), v.port(), (v.flags() & BackendValue.F_LOCAL) != 0);
    }
}
