package dev.ferry.agent.translate;

import dev.ferry.agent.model.ServiceName;

import java.net.Inet4Address;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parts of the desired state that merge every Service: the healthCheckNodePorts this node
 * answers, and the remote backends whose next hops XDP needs resolved. Kept up to date one
 * replaced {@link ServiceFrontends} at a time, and built again only when a replaced one had or
 * has such a port or backend, so that an endpoint change of a plain ClusterIP Service costs
 * nothing here and hands on the very same views (whose users then skip their work by identity).
 * Not thread-safe: the translator's.
 */
final class MergedViews {
    /** Services with a healthCheckNodePort, by name: the first by name gets a port two claim. */
    private final TreeMap<ServiceName, Map<Integer, HealthCheck>> healthChecksByService = new TreeMap<>();
    /** Remote backend address -> how many Services forward external traffic to it. */
    private final Map<Inet4Address, Integer> remoteBackends = new HashMap<>();
    private SortedMap<Integer, HealthCheck> healthChecks = Collections.emptySortedMap();
    private Set<Inet4Address> remoteBackendAddresses = Set.of();
    private boolean healthChecksStale, remoteBackendsStale;

    static MergedViews of(Collection<ServiceFrontends> services) {
        MergedViews views = new MergedViews();
        services.forEach(s -> views.replace(null, s));
        return views;
    }

    /** One Service's part changed from {@code before} to {@code after}; either may be null. */
    void replace(ServiceFrontends before, ServiceFrontends after) {
        if (before != null) {
            if (!before.healthChecks().isEmpty()) {
                healthChecksByService.remove(before.name());
                healthChecksStale = true;
            }
            for (Inet4Address address : before.remoteExternalBackends()) {
                remoteBackends.merge(address, -1, (a, b) -> a + b == 0 ? null : a + b);
                remoteBackendsStale = true;
            }
        }
        if (after != null) {
            if (!after.healthChecks().isEmpty()) {
                healthChecksByService.put(after.name(), after.healthChecks());
                healthChecksStale = true;
            }
            for (Inet4Address address : after.remoteExternalBackends()) {
                remoteBackends.merge(address, 1, Integer::sum);
                remoteBackendsStale = true;
            }
        }
    }

    /** healthCheckNodePort -> what it answers; a new instance only after one changed. */
    SortedMap<Integer, HealthCheck> healthChecks() {
        if (healthChecksStale) {
            TreeMap<Integer, HealthCheck> all = new TreeMap<>();
            healthChecksByService.values().forEach(ports -> ports.forEach(all::putIfAbsent));
            healthChecks = Collections.unmodifiableSortedMap(all);
            healthChecksStale = false;
        }
        return healthChecks;
    }

    /** A new instance only after one changed. */
    Set<Inet4Address> remoteBackendAddresses() {
        if (remoteBackendsStale) {
            remoteBackendAddresses = Set.copyOf(remoteBackends.keySet());
            remoteBackendsStale = false;
        }
        return remoteBackendAddresses;
    }
}
