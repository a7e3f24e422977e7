package dev.ferry.agent.reconcile;

import dev.ferry.agent.datapath.abi.EndpointValue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The __u16 numbers of local pods in policy keys. Pods come and go for as long as a node lives,
 * so numbers are reused, but never within the pass that freed them: until that pass has removed
 * the old pod's rules, a newcomer with its number would inherit them.
 */
final class EndpointIds {
    private final BitSet used = new BitSet();
    private final List<Integer> freedThisPass = new ArrayList<>();

    void reserve(int id) {
        used.set(id);
    }

    /** @throws IllegalStateException when every number is taken */
    int allocate() {
        int id = used.nextClearBit(1);
        if (id > EndpointValue.MAX_ID) throw new IllegalStateException("more than " + EndpointValue.MAX_ID + " isolated pods");
        used.set(id);
        return id;
    }

    void release(int id) {
        freedThisPass.add(id);
    }

    /** Numbers released by the last pass become free. */
    void startPass() {
        freedThisPass.forEach(used::clear);
        freedThisPass.clear();
    }
}
