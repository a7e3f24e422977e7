package dev.ferry.agent.translate;

import dev.ferry.agent.model.Cluster;
import dev.ferry.agent.model.Endpoint;
import dev.ferry.agent.model.EndpointPort;
import dev.ferry.agent.model.EndpointSlice;
import dev.ferry.agent.model.ExternalAccess;
import dev.ferry.agent.model.LocalNode;
import dev.ferry.agent.model.Node;
import dev.ferry.agent.model.Protocol;
import dev.ferry.agent.model.Service;
import dev.ferry.agent.model.ServicePort;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Services + EndpointSlices -> frontends and their backends, for one node, one Service at a
 * time. Pure: no I/O, no clock, same input same output, so it is tested with YAML in and a map
 * dump out.
 */
public final class ServiceTranslator {
    private ServiceTranslator() {
    }

    /** The whole cluster, from scratch; the agent keeps a {@link CachedServiceTranslator} instead. */
    public static DesiredState translate(Cluster cluster, LocalNode local) {
        return new CachedServiceTranslator().translate(cluster, local);
    }

    /** One Service with all its slices: its frontends, ClusterIPs and health check on this node. */
    static ServiceFrontends translate(Service service, List<EndpointSlice> slices, Node node, LocalNode local) {
        TreeMap<Frontend, FrontendTarget> frontends = new TreeMap<>();
        for (ServicePort port : service.ports()) {
            List<PortEndpoint> endpoints = endpointsOf(port, slices);
            addFrontends(frontends, service, port, endpoints, node, local);
        }
        int healthPort = service.external().healthCheckNodePort();
        Map<Integer, HealthCheck> healthChecks = healthPort > 0
                ? Map.of(healthPort, new HealthCheck(service.name(), localReady(slices, node))) : Map.of();
        return new ServiceFrontends(service.name(), frontends, service.clusterIps(), healthChecks);
    }

    /**
     * One service port's frontends. From pods and the node itself (internal): its ClusterIPs
     * (internalTrafficPolicy), and its external IPs, LoadBalancer IPs and this node's NodePorts
     * short-circuited to the cluster-wide endpoints, as kube-proxy does. From outside (external):
     * the same addresses with externalTrafficPolicy, picked by Maglev. loadBalancerSourceRanges
     * guard the LoadBalancer IPs, from inside and outside alike (kube-proxy's firewall chain
     * matches on the destination only).
     */
    private static void addFrontends(Map<Frontend, FrontendTarget> frontends, Service service, ServicePort port,
                                     List<PortEndpoint> endpoints, Node node, LocalNode local) {
        ExternalAccess access = service.external();
        FrontendTarget clusterWide = target(service, port, EndpointSelection.cluster(unwrap(endpoints), node),
                endpoints, false, node);
        FrontendTarget internal = service.internalLocal()
                ? target(service, port, EndpointSelection.local(unwrap(endpoints), node), endpoints, true, node)
                : clusterWide;
        FrontendTarget external = access.local()
                ? target(service, port, EndpointSelection.local(unwrap(endpoints), node), endpoints, true, node)
                : clusterWide;
        Protocol protocol = port.protocol();
        Frontend.Scope outside = Frontend.Scope.EXTERNAL;
        for (var vip : service.clusterIps()) frontends.put(new Frontend(vip, port.port(), protocol), internal);
        List<Inet4Address> nodePortAddresses = port.nodePort() > 0 ? local.nodePortAddresses() : List.of();
        for (var ip : access.externalIps()) {
            frontends.putIfAbsent(new Frontend(ip, port.port(), protocol), clusterWide);
            frontends.putIfAbsent(new Frontend(ip, port.port(), protocol, outside), external.with(true, List.of()));
        }
        for (var ip : access.loadBalancerIps()) {
            frontends.putIfAbsent(new Frontend(ip, port.port(), protocol), clusterWide.with(false, access.sourceRanges()));
            frontends.putIfAbsent(new Frontend(ip, port.port(), protocol, outside), external.with(true, access.sourceRanges()));
        }
        for (var ip : nodePortAddresses) {
            frontends.putIfAbsent(new Frontend(ip, port.nodePort(), protocol), clusterWide);
            frontends.putIfAbsent(new Frontend(ip, port.nodePort(), protocol, outside), external.with(true, List.of()));
        }
    }

    /** kube-proxy's LocalReadyEndpoints: distinct ready endpoint addresses on this node, over all slices. */
    private static int localReady(List<EndpointSlice> slices, Node node) {
        Set<Inet4Address> addresses = new HashSet<>();
        for (EndpointSlice slice : slices) {
            for (Endpoint e : slice.endpoints()) {
                if (e.ready() && node.name().equals(e.nodeName())) addresses.add(e.address());
            }
        }
        return addresses.size();
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
                                         List<PortEndpoint> all, boolean localOnly, Node node) {
        TreeSet<Backend> backends = new TreeSet<>();
        Set<Endpoint> picked = chosen.size() == all.size() ? null : new HashSet<>(chosen); // null: all of them
        for (PortEndpoint pe : all) {
            Endpoint e = pe.endpoint();
            if (picked == null || picked.contains(e)) backends.add(new Backend(e.address(), pe.port(), node.name().equals(e.nodeName())));
        }
        return new FrontendTarget(service.name(), port.name(), List.copyOf(backends), localOnly,
                service.affinityTimeoutSeconds(), false, List.of());
    }
}
