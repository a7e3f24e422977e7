package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Endpoint;
import dev.ferry.agent.model.EndpointPort;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.Service;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.model.ServicePort;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Services + EndpointSlices -> frontends and their backends. Pure: no I/O, no clock, same input
 * same output, so it is tested with YAML in and a map dump out.
 */
public final class ServiceTranslator {
    private ServiceTranslator() {
    }

    public static DesiredState translate(Cluster cluster) {
        Map<ServiceName, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice slice : cluster.slices()) {
            slicesByService.computeIfAbsent(slice.service(), k -> new ArrayList<>()).add(slice);
        }
        TreeMap<Frontend, FrontendTarget> frontends = new TreeMap<>();
        for (Service service : cluster.services()) {
            List<EndpointSlice> slices = slicesByService.getOrDefault(service.name(), List.of());
            for (ServicePort port : service.ports()) {
                if (port.protocol() == Protocol.SCTP) continue; // the converter already logged it
                List<Backend> backends = backendsOf(port, slices);
                for (var vip : service.clusterIps()) {
                    frontends.put(new Frontend(vip, port.port(), port.protocol()),
                            new FrontendTarget(service.name(), port.name(), backends));
                }
            }
        }
        return new DesiredState(frontends);
    }

    /**
     * All slices merged and deduplicated. Ready endpoints are used; when there are none, the
     * serving-and-terminating ones are, so connections drain instead of failing (kube-proxy does
     * the same).
     */
    static List<Backend> backendsOf(ServicePort port, List<EndpointSlice> slices) {
        List<Backend> ready = collect(port, slices, Endpoint::ready);
        if (!ready.isEmpty()) return ready;
        return collect(port, slices, e -> e.serving() && e.terminating());
    }

    private static List<Backend> collect(ServicePort port, List<EndpointSlice> slices, Predicate<Endpoint> usable) {
        TreeSet<Backend> backends = new TreeSet<>();
        for (EndpointSlice slice : slices) {
            for (EndpointPort ep : slice.ports()) {
                if (!ep.name().equals(port.name()) || ep.protocol() != port.protocol()) continue;
                for (Endpoint endpoint : slice.endpoints()) {
                    if (usable.test(endpoint)) backends.add(new Backend(endpoint.address(), ep.port()));
                }
            }
        }
        return List.copyOf(backends);
    }
}
