package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.Node;
import dev.ferry.agent.model.Service;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.translate.policy.PolicyState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link ServiceTranslator} over a whole cluster, translating again only the Services whose
 * Service object or slices changed, and everything when this node changed. "Changed" is told by
 * identity: the source keeps an unchanged object's instance from snapshot to snapshot, so a pass
 * walks the lists once looking objects up by identity, and does a Service's work only for the
 * few that are new or gone. An unchanged Service keeps its very {@link ServiceFrontends}
 * instance, which is what lets the reconciler skip it. Two Services of one name (only a
 * hand-written file can list that) count as the last one listed. Not thread-safe: one caller.
 */
public final class CachedServiceTranslator {
    /** Every Service and slice instance of the last pass, with the pass that last saw it. */
    private final IdentityHashMap<Service, Long> lastServices = new IdentityHashMap<>();
    private final IdentityHashMap<EndpointSlice, Long> lastSlices = new IdentityHashMap<>();
    private long pass;
    private final Map<ServiceName, Service> services = new HashMap<>();
    private final Map<ServiceName, List<EndpointSlice>> slicesByService = new HashMap<>();
    /** Handed out with the last state, so never written again: the next pass copies it. */
    private Map<ServiceName, ServiceFrontends> translated = new HashMap<>();
    private Node lastNode;
    private LocalNode lastLocal;

    public DesiredState translate(Cluster cluster, LocalNode local) {
        pass++;
        Set<ServiceName> dirty = new HashSet<>();
        takeSlices(cluster.slices(), dirty);
        takeServices(cluster.services(), dirty);
        Node node = cluster.node(local.name());
        if (!node.equals(lastNode) || !local.equals(lastLocal)) dirty.addAll(services.keySet());
        lastNode = node;
        lastLocal = local;
        Map<ServiceName, ServiceFrontends> next = new HashMap<>(translated);
        for (ServiceName name : dirty) {
            Service service = services.get(name);
            if (service == null) {
                next.remove(name);
            } else {
                next.put(name, ServiceTranslator.translate(service, slicesByService.getOrDefault(name, List.of()), node, local));
            }
        }
        translated = next;
        return new DesiredState(next, cluster.serviceCidrs(), PolicyState.empty());
    }

    /** Files new slices under their service and drops gone ones; their services are dirty. */
    private void takeSlices(List<EndpointSlice> slices, Set<ServiceName> dirty) {
        for (EndpointSlice slice : slices) {
            if (lastSlices.put(slice, pass) == null) {
                slicesByService.computeIfAbsent(slice.service(), k -> new ArrayList<>(1)).add(slice);
                dirty.add(slice.service());
            }
        }
        for (EndpointSlice gone : sweep(lastSlices, slices.size())) {
            List<EndpointSlice> own = slicesByService.get(gone.service());
            own.removeIf(s -> s == gone); // by identity: an equal new version may sit next to it
            if (own.isEmpty()) slicesByService.remove(gone.service());
            dirty.add(gone.service());
        }
    }

    private void takeServices(List<Service> list, Set<ServiceName> dirty) {
        List<Service> added = new ArrayList<>();
        for (Service service : list) {
            if (lastServices.put(service, pass) == null) added.add(service);
        }
        for (Service gone : sweep(lastServices, list.size())) {
            services.remove(gone.name(), gone);
            dirty.add(gone.name());
        }
        for (Service service : added) {
            services.put(service.name(), service);
            dirty.add(service.name());
        }
    }

    /** Removes and returns the instances this pass did not see; none when every one was (the map is as large as the list). */
    private <T> List<T> sweep(IdentityHashMap<T, Long> seen, int listed) {
        List<T> gone = new ArrayList<>();
        if (seen.size() == listed) return gone;
        for (var it = seen.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue() != pass) {
                gone.add(e.getKey());
                it.remove();
            }
        }
        return gone;
    }
}
