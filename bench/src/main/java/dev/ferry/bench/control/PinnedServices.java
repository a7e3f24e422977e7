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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The agent's pinned service maps, read as the datapath reads them (frontend -> slots ->
 * backends), from outside the agent: the benchmark's view of "the change reached the maps".
 */
final class PinnedServices implements AutoCloseable {
    private final BpfMap servicesMap;
    private final BpfMap slotsMap;
    private final BpfMap backendsMap;
    private final TypedMap<Integer, BackendValue> backends;
    private final Arena buffers = Arena.ofShared();
    private final MemorySegment serviceKey, serviceValue, slotKey, slotValue;

    PinnedServices(Path bpffsRoot) {
        servicesMap = BpfMap.openPinned(bpffsRoot.resolve("services_v2"));
        slotsMap = BpfMap.openPinned(bpffsRoot.resolve("slots_v1"));
        backendsMap = BpfMap.openPinned(bpffsRoot.resolve("backends_v2"));
        serviceKey = buffers.allocate(servicesMap.keySize(), 8);
        serviceValue = buffers.allocate(servicesMap.valueSize(), 8);
        slotKey = buffers.allocate(slotsMap.keySize(), 8);
        slotValue = buffers.allocate(slotsMap.valueSize(), 8);
        backends = backendsMap.typed(Abi.U32_CODEC, BackendValue.CODEC);
    }

    /**
     * The backend ids in the slots of the TCP frontend {@code vip:port} a new flow from a pod
     * takes, in slot order (0 for a slot not written); null if there is no such frontend. One
     * lookup per slot into buffers kept here: this is asked every 100 µs while a change is on its
     * way, in the process that also runs the mock API server, so it allocates nothing per lookup.
     */
    int[] slotIds(Inet4Address vip, int port) {
        SvcKey.CODEC.encode(new SvcKey(vip, port, Protocol.TCP, SvcKey.SCOPE_INTERNAL), serviceKey);
        if (!servicesMap.lookupInto(serviceKey, serviceValue)) return null;
        SvcValue service = SvcValue.CODEC.decode(serviceValue);
        int[] out = new int[service.backendCount()];
        for (int slot = 0; slot < out.length; slot++) {
            SlotKey.CODEC.encode(new SlotKey(service.svcId(), slot), slotKey);
            out[slot] = slotsMap.lookupInto(slotKey, slotValue) ? slotValue.get(JAVA_INT_UNALIGNED, 0) : 0;
        }
        return out;
    }

    /** The addresses of the live backends with these ids. */
    Set<Inet4Address> addresses(int[] ids) {
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
        buffers.close();
    }
}
