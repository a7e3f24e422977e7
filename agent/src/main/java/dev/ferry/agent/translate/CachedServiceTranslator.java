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
import java.util.List;
import java.util.Map;

/**
 * {@link ServiceTranslator} over a whole cluster, translating again only the Services whose
 * Service object or slices changed (compared by identity, which the source keeps for unchanged
 * objects) and everything when this node changed. Each unchanged Service keeps its very
 * {@link ServiceFrontends} instance, which is what lets the reconciler skip it. Not thread-safe:
 * one caller.
 */
public final class CachedServiceTranslator {
    private record Translated(Service service, List<EndpointSlice> slices, ServiceFrontends frontends) {
    }

    private Map<ServiceName, Translated> last = new HashMap<>();
    private Node lastNode;
    private LocalNode lastLocal;

    public DesiredState translate(Cluster cluster, LocalNode local) {
        Node node = cluster.node(local.name());
        if (!node.equals(lastNode) || !local.equals(lastLocal)) last = new HashMap<>();
        lastNode = node;
        lastLocal = local;
        Map<ServiceName, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice slice : cluster.slices()) {
            slicesByService.computeIfAbsent(slice.service(), k -> new ArrayList<>(1)).add(slice);
        }
        Map<ServiceName, Translated> next = HashMap.newHashMap(cluster.services().size());
        Map<ServiceName, ServiceFrontends> services = HashMap.newHashMap(cluster.services().size());
        for (Service service : cluster.services()) {
            List<EndpointSlice> slices = slicesByService.getOrDefault(service.name(), List.of());
            Translated t = last.get(service.name());
            if (t == null || t.service() != service || !Cluster.sameInstances(t.slices(), slices)) {
                t = new Translated(service, slices, ServiceTranslator.translate(service, slices, node, local));
            }
            // A name twice (only a hand-written file can do that): the first one counts.
            if (services.putIfAbsent(service.name(), t.frontends()) == null) next.put(service.name(), t);
        }
        last = next;
        return new DesiredState(services, cluster.serviceCidrs(), PolicyState.empty());
    }
}
