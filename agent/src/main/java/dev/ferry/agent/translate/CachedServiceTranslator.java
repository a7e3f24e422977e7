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
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link ServiceTranslator} over a whole cluster, translating again only the Services whose
 * Service object or slices changed, and everything when this node changed. "Changed" is told by
 * identity: the source keeps an unchanged object's instance, at its place in the list, from
 * snapshot to snapshot, so a pass finds the new and gone instances by comparing the lists
 * place by place ({@link ListDelta}) and does a Service's work only for those few. An
 * unchanged Service keeps its very {@link ServiceFrontends} instance, and the next state shares
 * all but the changed Services with the last ({@link ShardedMap}), which is what lets the
 * reconciler look at the changed ones alone. Two Services of one name (only a hand-written file
 * can list that) count as the last one listed. Not thread-safe: one caller.
 */
public final class CachedServiceTranslator {
    private List<Service> lastServices = List.of();
    private List<EndpointSlice> lastSlices = List.of();
    private final Map<ServiceName, Service> services = new HashMap<>();
    private final Map<ServiceName, List<EndpointSlice>> slicesByService = new HashMap<>();
    /** Handed out with the last state, so never written: the next pass edits a new version. */
    private ShardedMap<ServiceName, ServiceFrontends> translated = ShardedMap.empty();
    private final MergedViews views = new MergedViews();
    private Node lastNode;
    private LocalNode lastLocal;

    public DesiredState translate(Cluster cluster, LocalNode local) {
        Set<ServiceName> dirty = new HashSet<>();
        takeSlices(ListDelta.between(lastSlices, cluster.slices()), dirty);
        takeServices(ListDelta.between(lastServices, cluster.services()), dirty);
        lastSlices = cluster.slices();
        lastServices = cluster.services();
        Node node = cluster.node(local.name());
        if (!node.equals(lastNode) || !local.equals(lastLocal)) {
            dirty.addAll(services.keySet());
        }
        lastNode = node;
        lastLocal = local;
        ShardedMap.Editor<ServiceName, ServiceFrontends> next = translated.edit();
        for (ServiceName name : dirty) {
            Service service = services.get(name);
            ServiceFrontends before = translated.get(name);
            ServiceFrontends after = service == null ? null
                    : ServiceTranslator.translate(service, slicesByService.getOrDefault(name, List.of()), node, local);
            if (after == null) next.remove(name);
            else next.put(name, after);
            views.replace(before, after);
        }
        translated = next.done();
        return new DesiredState(translated, cluster.serviceCidrs(), PolicyState.empty(), views);
    }

    /** Files new slices under their service and drops gone ones; their services are dirty. */
    private void takeSlices(ListDelta<EndpointSlice> delta, Set<ServiceName> dirty) {
        for (EndpointSlice gone : delta.removed()) {
            List<EndpointSlice> own = slicesByService.get(gone.service());
            own.removeIf(s -> s == gone); // by identity: an equal new version may sit next to it
            if (own.isEmpty()) slicesByService.remove(gone.service());
            dirty.add(gone.service());
        }
        for (EndpointSlice slice : delta.added()) {
            slicesByService.computeIfAbsent(slice.service(), k -> new ArrayList<>(1)).add(slice);
            dirty.add(slice.service());
        }
    }

    private void takeServices(ListDelta<Service> delta, Set<ServiceName> dirty) {
        for (Service gone : delta.removed()) {
            services.remove(gone.name(), gone);
            dirty.add(gone.name());
        }
        for (Service service : delta.added()) {
            services.put(service.name(), service);
            dirty.add(service.name());
        }
    }
}
