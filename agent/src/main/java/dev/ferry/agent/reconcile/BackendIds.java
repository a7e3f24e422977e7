package dev.ferry.agent.reconcile;

import dev.ferry.agent.datapath.BackendSlots;

import java.util.BitSet;

/**
 * Backend ids: increasing and never handed out twice, as {@link IdAllocator}'s, and each in a
 * free slot of backends_v2, whose slot for an id is id % slots. An id whose slot a live backend
 * holds is skipped: the next id lands in the next free slot after the last one's. Slots are
 * reused, ids are not: a removed backend's flows find a newer id in its slot, not their own.
 */
final class BackendIds {
    private final int slots;
    private final BitSet taken = new BitSet();
    private int next = 1;

    BackendIds(int slots) {
        if (slots < 1) throw new IllegalArgumentException("slots must be positive: " + slots);
        this.slots = slots;
    }

    /** An id found in the maps: its slot is taken, and every later id is higher. */
    void reserve(int id) {
        taken.set(BackendSlots.slotOf(id, slots));
        if (id >= next) next = id + 1;
    }

    /** @throws IllegalStateException when every slot holds a live backend, or ids ran out */
    int allocate() {
        int from = BackendSlots.slotOf(next, slots);
        int free = taken.nextClearBit(from);
        if (free >= slots) free = taken.nextClearBit(0); // wrap around: only slots below from are left
        if (free >= slots) {
            throw new IllegalStateException("backends_v2 is full: all " + slots + " slots hold live backends");
        }
        long id = (long) next + Math.floorMod(free - from, slots);
        if (id >= Integer.MAX_VALUE) throw new IllegalStateException("backend id space exhausted");
        taken.set(free);
        next = (int) id + 1;
        return (int) id;
    }

    /** A removed backend's id (its slot written empty): the slot is free for a later id. */
    void release(int id) {
        taken.clear(BackendSlots.slotOf(id, slots));
    }
}
