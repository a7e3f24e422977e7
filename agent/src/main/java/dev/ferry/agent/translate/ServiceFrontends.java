package dev.ferry.agent.translate;

import dev.ferry.agent.model.ServiceName;

import java.net.Inet4Address;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One Service's part of the desired state: its frontends (clashes inside the service already
 * resolved), its ClusterIPs, and its healthCheckNodePort if it has one. The translator hands out
 * the same instance while the Service, its slices and the node stay the same, so the reconciler
 * tells an unchanged service by identity and a change costs one service, not the cluster.
 */
public final class ServiceFrontends {
    private final ServiceName name;
    private final SortedMap<Frontend, FrontendTarget> frontends;
    private final List<Inet4Address> clusterIps;
    private final Map<Integer, HealthCheck> healthChecks;
    private final Set<Inet4Address> remoteExternalBackends;

    public ServiceFrontends(ServiceName name, SortedMap<Frontend, FrontendTarget> frontends,
                            List<Inet4Address> clusterIps, Map<Integer, HealthCheck> healthChecks) {
        this.name = name;
        this.frontends = Collections.unmodifiableSortedMap(new TreeMap<>(frontends));
        this.clusterIps = List.copyOf(clusterIps);
        this.healthChecks = Map.copyOf(healthChecks);
        this.remoteExternalBackends = frontends.entrySet().stream()
                .filter(e -> e.getKey().scope() == Frontend.Scope.EXTERNAL)
                .flatMap(e -> e.getValue().backends().stream())
                .filter(b -> !b.local()).map(Backend::address)
                .collect(Collectors.toUnmodifiableSet());
    }

    public ServiceName name() {
        return name;
    }

    public SortedMap<Frontend, FrontendTarget> frontends() {
        return frontends;
    }

    public List<Inet4Address> clusterIps() {
        return clusterIps;
    }

    /** Empty, or healthCheckNodePort -> what it answers. */
    public Map<Integer, HealthCheck> healthChecks() {
        return healthChecks;
    }

    /** Backends on other nodes that traffic from outside is forwarded to by XDP. */
    Set<Inet4Address> remoteExternalBackends() {
        return remoteExternalBackends;
    }

    @Override
    public String toString() {
        return name + " " + frontends.keySet();
    }
}
