package dev.ferry.agent.datapath;

import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.translate.Backend;
import dev.ferry.bpf.BpfMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The upgrade from backends_v1, the hash map (id -> backend) that backends_v2 replaced. Pinned
 * maps outlive upgrades: a node that ran an older Ferry has a pinned backends_v1, and conntrack
 * entries, slots and Maglev tables naming its ids. Its backends are carried into backends_v2
 * under the same ids when the datapath loads, before its programs replace the old ones, so
 * established flows keep their backends and the reconciler restores them as its own. The old
 * programs read backends_v1 until they are replaced; it is unpinned after that.
 *
 * <p>Two old ids may share a slot (ids grew past the slot count while an early backend lived):
 * the older keeps it. The other is left behind: its flows end as a removed backend's do, and the
 * reconciler gives it a new id, as it repairs any slot naming a backend it can not find.
 */
final class BackendsV1Upgrade {
    private static final System.Logger LOG = System.getLogger(BackendsV1Upgrade.class.getName());
    static final String V1 = "backends_v1";

    private BackendsV1Upgrade() {
    }

    /** Carries a pinned backends_v1's backends into backends_v2; returns how many. Without one, nothing. */
    static int carryOver(Path bpffsRoot, BackendSlots v2) {
        Path pin = bpffsRoot.resolve(V1);
        if (!Files.exists(pin)) return 0;
        Map<Integer, BackendValue> old = new TreeMap<>(Integer::compareUnsigned); // older ids first
        try (BpfMap v1 = BpfMap.openPinned(pin)) {
            old.putAll(v1.typed(Abi.U32_CODEC, BackendValue.V1_CODEC).entries());
        }
        Map<Integer, Backend> present = v2.read();
        Set<Integer> taken = new HashSet<>();
        present.keySet().forEach(id -> taken.add(v2.slotOf(id)));
        Map<Integer, Backend> carried = new TreeMap<>();
        int leftBehind = 0;
        for (var e : old.entrySet()) {
            int id = e.getKey();
            if (present.containsKey(id)) continue; // carried by a start that did not get as far as the unpin
            if (id == 0 || !taken.add(v2.slotOf(id))) {
                leftBehind++;
                continue;
            }
            carried.put(id, BackendSlots.backend(e.getValue()));
        }
        v2.put(carried);
        LOG.log(System.Logger.Level.INFO, "carried {0} backends over from {1} into backends_v2{2}", carried.size(), pin,
                leftBehind == 0 ? "" : "; " + leftBehind + " shared a slot with an older one: their flows end");
        return carried.size();
    }

    /** Removes backends_v1's pin, if any; the kernel frees the map with the last program using it. */
    static void unpin(Path bpffsRoot) {
        Path pin = bpffsRoot.resolve(V1);
        try {
            if (Files.deleteIfExists(pin)) LOG.log(System.Logger.Level.INFO, "unpinned {0}", pin);
        } catch (IOException e) {
            throw new UncheckedIOException("unpinning " + pin, e);
        }
    }
}
