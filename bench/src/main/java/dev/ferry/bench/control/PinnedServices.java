package dev.ferry.bench.control;

import dev.ferry.agent.datapath.BackendSlots;
import dev.ferry.agent.datapath.abi.Abi;
import dev.ferry.agent.datapath.abi.BackendValue;
import dev.ferry.agent.datapath.abi.SlotKey;
import dev.ferry.agent.datapath.abi.SvcKey;
import dev.ferry.agent.datapath.abi.SvcValue;
import dev.ferry.agent.model.Protocol;
import dev.ferry.bpf.BpfMap;
import dev.ferry.bpf.TypedMap;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's pinned service maps, read as the datapath reads them (frontend -> slots ->
 * backends), from outside the agent: the benchmark's view of "the change reached the maps".
 */
final class PinnedServices implements AutoCloseable {
    private final BpfMap servicesMap;
    private final BpfMap slotsMap;
    private final BpfMap backendsMap;
    private final TypedMap<SvcKey, SvcValue> services;
    private final TypedMap<SlotKey, Integer> slots;
    private final TypedMap<Integer, BackendValue> backends;

    PinnedServices(Path bpffsRoot) {
        servicesMap = BpfMap.openPinned(bpffsRoot.resolve("services_v2"));
        slotsMap = BpfMap.openPinned(bpffsRoot.resolve("slots_v1"));
        backendsMap = BpfMap.openPinned(bpffsRoot.resolve("backends_v2"));
        services = servicesMap.typed(SvcKey.CODEC, SvcValue.CODEC);
        slots = slotsMap.typed(SlotKey.CODEC, Abi.U32_CODEC);
        backends = backendsMap.typed(Abi.U32_CODEC, BackendValue.CODEC);
    }

    /**
     * The backend ids in the slots of the TCP frontend {@code vip:port} a new flow from a pod
     * takes, in slot order (0 for a slot not written); empty if there is no such frontend. One
     * lookup per slot, cheap enough to ask every 100 µs while a change is on its way.
     */
    Optional<List<Integer>> slotIds(Inet4Address vip, int port) {
        Optional<SvcValue> service = services.get(new SvcKey(vip, port, Protocol.TCP, SvcKey.SCOPE_INTERNAL));
        if (service.isEmpty()) return Optional.empty();
        List<Integer> out = new ArrayList<>();
        for (int slot = 0; slot < service.get().backendCount(); slot++) {
            out.add(slots.get(new SlotKey(service.get().svcId(), slot)).orElse(0));
        }
        return Optional.of(out);
    }

    /** The addresses of the live backends with these ids. */
    Set<Inet4Address> addresses(List<Integer> ids) {
        Set<Inet4Address> out = new HashSet<>();
        for (int id : ids) {
            if (id != 0) backend(id).ifPresent(b -> out.add(b.address()));
        }
        return out;
    }

    /** The backend with this id: its slot of backends_v2, if that holds this very id (bpf/src/backends.h). */
    private Optional<BackendValue> backend(int id) {
        return backends.get(BackendSlots.slotOf(id, backendsMap.maxEntries())).filter(b -> b.id() == id);
    }

    /** Frontends in services_v2 (counted by walking the keys). */
    int frontendCount() {
        return servicesMap.keys().size();
    }

    @Override
    public void close() {
        servicesMap.close();
        slotsMap.close();
        backendsMap.close();
    }
}
