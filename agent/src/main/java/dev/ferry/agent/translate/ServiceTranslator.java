package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Endpoint;
import dev.ferry.agent.model.EndpointPort;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.Ipv4;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.Node;
import dev.ferry.agent.model.Service;
import dev.ferry.agent.model.ServiceName;
import dev.ferry.agent.model.ServicePort;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Services + EndpointSlices -> frontends and their backends, for one node. Pure: no I/O, no
 * clock, same input same output, so it is tested with YAML in and a map dump out.
 */
public final class ServiceTranslator {
    private ServiceTranslator() {
    }

    public static DesiredState translate(Cluster cluster, LocalNode local) {
        Node node = cluster.node(local.name());
        Map<ServiceName, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice slice : cluster.slices()) {
            slicesByService.computeIfAbsent(slice.service(), k -> new ArrayList<>()).add(slice);
        }
        TreeMap<Frontend, FrontendTarget> frontends = new TreeMap<>();
        TreeSet<Inet4Address> clusterIps = new TreeSet<>(Ipv4::compare);
        for (Service service : cluster.services()) {
            clusterIps.addAll(service.clusterIps());
            List<EndpointSlice> slices = slicesByService.getOrDefault(service.name(), List.of());
            for (ServicePort port : service.ports()) {
                List<PortEndpoint> endpoints = endpointsOf(port, slices);
                FrontendTarget clusterWide = target(service, port, EndpointSelection.cluster(unwrap(endpoints), node),
                        endpoints, false);
                FrontendTarget internal = service.internalLocal()
                        ? target(service, port, EndpointSelection.local(unwrap(endpoints), node), endpoints, true)
                        : clusterWide;
                for (var vip : service.clusterIps()) frontends.put(new Frontend(vip, port.port(), port.protocol()), internal);
                // From pods, external IPs and this node's NodePorts are short-circuited to the
                // cluster-wide endpoints (kube-proxy does too); the external path is XDP's.
                for (var ip : service.externalIps()) frontends.putIfAbsent(new Frontend(ip, port.port(), port.protocol()), clusterWide);
                if (port.nodePort() > 0) {
                    for (var ip : local.nodePortAddresses()) {
                        frontends.putIfAbsent(new Frontend(ip, port.nodePort(), port.protocol()), clusterWide);
                    }
                }
            }
        }
        return new DesiredState(frontends, clusterIps, new TreeSet<>(cluster.serviceCidrs()));
    }

    /** An endpoint with the target port the slice gives it for one service port. */
    private record PortEndpoint(Endpoint endpoint, int port) {
    }

    /** All slices merged: every endpoint address with the slice port matching the service port by name and protocol. */
    private static List<PortEndpoint> endpointsOf(ServicePort port, List<EndpointSlice> slices) {
        List<PortEndpoint> out = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            for (EndpointPort ep : slice.ports()) {
                if (!ep.name().equals(port.name()) || ep.protocol() != port.protocol()) continue;
                for (Endpoint endpoint : slice.endpoints()) out.add(new PortEndpoint(endpoint, ep.port()));
            }
        }
        return out;
    }

    private static List<Endpoint> unwrap(List<PortEndpoint> endpoints) {
        return endpoints.stream().map(PortEndpoint::endpoint).toList();
    }

    /** Chosen endpoints -> sorted, deduplicated backends (an address listed twice is used once). */
    private static FrontendTarget target(Service service, ServicePort port, List<Endpoint> chosen,
                                         List<PortEndpoint> all, boolean localOnly) {
        TreeSet<Backend> backends = new TreeSet<>();
        for (PortEndpoint pe : all) {
            if (chosen.contains(pe.endpoint())) backends.add(new Backend(pe.endpoint().address(), pe.port()));
        }
        return new FrontendTarget(service.name(), port.name(), List.copyOf(backends), localOnly,
                service.affinityTimeoutSeconds());
    }
}
