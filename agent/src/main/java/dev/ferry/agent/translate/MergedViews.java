package dev.ferry.agent.translate;

import dev.ferry.agent.model.ServiceName;

import java.net.Inet4Address;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The parts of the desired state that merge every Service: the healthCheckNodePorts this node
 * answers, and the remote backends whose next hops XDP needs resolved. Kept up to date one
 * replaced {@link ServiceFrontends} at a time, and built again only when a replaced one had or
 * has such a port or backend, so that an endpoint change of a plain ClusterIP Service costs
 * nothing here and hands on the very same views (whose users then skip their work by identity).
 * The remote backends are a {@link ShardedMap}, so that their user can find what one change did
 * to them without walking all of them. Not thread-safe: the translator's.
 */
final class MergedViews {
    /** Services with a healthCheckNodePort, by name: the first by name gets a port two claim. */
    private final TreeMap<ServiceName, Map<Integer, HealthCheck>> healthChecksByService = new TreeMap<>();
    /** Remote backend address -> how many Services forward external traffic to it. */
    private ShardedMap<Inet4Address, Integer> remoteBackends = ShardedMap.empty();
    /** The next version of remoteBackends while a pass changes them; null otherwise. */
    private ShardedMap.Editor<Inet4Address, Integer> remoteBackendsEdit;
    private SortedMap<Integer, HealthCheck> healthChecks = Collections.emptySortedMap();
    private boolean healthChecksStale;

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
                countRemote(address, -1);
            }
        }
        if (after != null) {
            if (!after.healthChecks().isEmpty()) {
                healthChecksByService.put(after.name(), after.healthChecks());
                healthChecksStale = true;
            }
            for (Inet4Address address : after.remoteExternalBackends()) {
                countRemote(address, 1);
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

    private void countRemote(Inet4Address address, int delta) {
        if (remoteBackendsEdit == null) remoteBackendsEdit = remoteBackends.edit();
        Integer before = remoteBackendsEdit.get(address);
        int after = (before == null ? 0 : before) + delta;
        if (after == 0) remoteBackendsEdit.remove(address);
        else remoteBackendsEdit.put(address, after);
    }

    /** Remote backend address -> how many Services forward external traffic to it; a new version only after a pass changed one. */
    ShardedMap<Inet4Address, Integer> remoteBackends() {
        if (remoteBackendsEdit != null) {
            remoteBackends = remoteBackendsEdit.done();
            remoteBackendsEdit = null;
        }
        return remoteBackends;
    }
}
